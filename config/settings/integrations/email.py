"""Outgoing mail: printed to the console in embedded mode unless EMAIL_URL names a server."""

from config.settings.env import env

_email_url = env.str("EMAIL_URL", default="")
if _email_url:
    vars().update(env.email_url_config(_email_url))
else:
    EMAIL_BACKEND = env.str(
        "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
    )
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Support <support@example.com>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# Customers reply to this address; mail intake turns the replies into ticket messages.
SUPPORT_REPLY_TO = env.str("SUPPORT_REPLY_TO", default="support@example.com")
