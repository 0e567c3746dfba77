"""Settings shared by every environment. Per-environment modules import this and adjust."""

from datetime import timedelta

from config.settings.env import BASE_DIR, REDIS_URL, env
from config.settings.integrations.cache import *  # noqa: F403
from config.settings.integrations.celery import *  # noqa: F403
from config.settings.integrations.channels import *  # noqa: F403
from config.settings.integrations.database import *  # noqa: F403
from config.settings.integrations.email import *  # noqa: F403
from config.settings.integrations.rest import *  # noqa: F403

SECRET_KEY = env.str("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_celery_beat",
    "tickets",
    "helpcenter",
    "livechat",
    "mailintake",
    "social",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.str("STATIC_ROOT", default=str(BASE_DIR / "var" / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
# Ticket attachments (ID documents, wallet screenshots) live outside MEDIA_ROOT so no web
# server route can reach them; they are served only by the permission-checked download view.
PRIVATE_MEDIA_ROOT = env.str("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "var" / "private"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/tickets/"

# Helpdesk rules.
REDIS_CONFIGURED = bool(REDIS_URL)
TICKET_REOPEN_WINDOW = timedelta(days=env.int("TICKET_REOPEN_WINDOW_DAYS", default=14))
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
ATTACHMENTS_PER_MESSAGE = env.int("ATTACHMENTS_PER_MESSAGE", default=5)
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# Single sign-on from the exchange's site (unset: the /sso/ entry is disabled).
SSO_SHARED_SECRET = env.str("SSO_SHARED_SECRET", default="")
SSO_MAX_AGE = env.int("SSO_MAX_AGE_SECONDS", default=300)
# Links that let customers without an account open their ticket.
TICKET_LINK_MAX_AGE = env.int("TICKET_LINK_MAX_AGE_SECONDS", default=14 * 24 * 3600)
# Tickets an anonymous visitor may open per hour (per IP address and per email address).
ANONYMOUS_TICKETS_PER_HOUR = env.int("ANONYMOUS_TICKETS_PER_HOUR", default=5)
SUPPORT_EMAIL = env.str("SUPPORT_EMAIL", default="support@example.com")
# Official social-media accounts listed on the contact page: "Network|handle|url" entries.
OFFICIAL_SOCIAL_ACCOUNTS = env.list(
    "OFFICIAL_SOCIAL_ACCOUNTS",
    default=[
        "X|@ExchangeSupport|https://x.com/ExchangeSupport",
        "Telegram|@ExchangeOfficial|https://t.me/ExchangeOfficial",
    ],
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
