"""One place that reads the environment, so every setting module agrees on it.

Values come from the process environment, optionally seeded from a `.env` file in the
project root (never overriding what the environment already says).
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def env_url(name: str, allowed_schemes: tuple[str, ...]) -> str:
    """Return the URL in `name` ('' when unset), refusing schemes we cannot serve.

    A typo such as `postgress://` would otherwise surface as an obscure driver error
    long after start-up; failing here names the variable the operator has to fix.
    """
    value = env.str(name, default="").strip()
    if value and value.split("://", 1)[0] not in allowed_schemes:
        raise ImproperlyConfigured(
            f"{name} must start with one of {', '.join(s + '://' for s in allowed_schemes)}; "
            f"got {value.split('://', 1)[0]!r}."
        )
    return value


DATABASE_URL = env_url("DATABASE_URL", ("postgres", "postgresql", "pgsql", "sqlite"))
REDIS_URL = env_url("REDIS_URL", ("redis", "rediss", "unix"))
