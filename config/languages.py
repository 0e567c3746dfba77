"""The two languages the whole product speaks, shared by every app."""

from django.db import models


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    CHINESE = "zh-hans", "简体中文"
