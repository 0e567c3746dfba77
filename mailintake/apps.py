from django.apps import AppConfig


class MailintakeConfig(AppConfig):
    name = "mailintake"
    verbose_name = "Email intake"
