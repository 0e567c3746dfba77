"""Test runs: fast hashing, mail kept in memory, files in a temporary folder."""

import os
import tempfile

from config.settings.base import *  # noqa: F403
from config.settings.env import env

DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
_tmp = tempfile.mkdtemp(prefix="helpdesk-test-")
MEDIA_ROOT = f"{_tmp}/media"
STATIC_ROOT = f"{_tmp}/static"
os.makedirs(STATIC_ROOT)
PRIVATE_MEDIA_ROOT = f"{_tmp}/private"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tasks run inline in tests whatever the mode; the Redis broker gets its own test.
CELERY_TASK_ALWAYS_EAGER = True
EMBEDDED_SCHEDULER = False
# Tests share one Redis with other runs: keep keys apart.
if REDIS_CONFIGURED:  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = "helpdesk-test"  # noqa: F405
REST_FRAMEWORK = {**REST_FRAMEWORK}  # noqa: F405
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "auth": env.str("THROTTLE_AUTH", default="1000/min"),
    "register": env.str("THROTTLE_REGISTER", default="1000/min"),
    "feedback": env.str("THROTTLE_FEEDBACK", default="1000/min"),
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
