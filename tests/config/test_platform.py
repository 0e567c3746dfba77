"""The platform around the desk: probes, settings per mode, Redis, the embedded scheduler."""

import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests import factories
from tickets.models import Ticket

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


def _redis_problem() -> str | None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except Exception as exc:  # any failure means: not usable here
        return f"{REDIS_URL}: {exc}"
    return None


# --- probes ----------------------------------------------------------------------------------


def test_healthz_answers_without_touching_the_database():
    # No database fixture: pytest-django raises on any database access in this test.
    response = Client().get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.django_db
def test_readyz_is_200_when_the_database_answers():
    response = Client().get("/readyz")

    assert response.status_code == 200


@pytest.mark.django_db
def test_readyz_is_503_when_redis_is_configured_but_down(settings):
    settings.REDIS_CONFIGURED = True
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = Client().get("/readyz")

    assert response.status_code == 503
    assert b"redis" in response.content


@pytest.mark.django_db
def test_readyz_checks_a_real_redis(settings, require_service):
    require_service("Redis", _redis_problem())
    settings.REDIS_CONFIGURED = True
    settings.CELERY_BROKER_URL = REDIS_URL

    assert Client().get("/readyz").status_code == 200


# --- Redis-backed components of the scaled mode ----------------------------------------------


def test_channel_layer_delivers_over_redis(require_service):
    require_service("Redis", _redis_problem())
    from channels_redis.core import RedisChannelLayer

    layer = RedisChannelLayer(hosts=[REDIS_URL], prefix="helpdesk-test")

    async def roundtrip() -> dict:
        channel = await layer.new_channel()
        await layer.group_add("agents", channel)
        await layer.group_send("agents", {"type": "chat.message", "text": "新消息"})
        message = await layer.receive(channel)
        await layer.group_discard("agents", channel)
        await layer.flush()
        return message

    assert async_to_sync(roundtrip)() == {"type": "chat.message", "text": "新消息"}


def test_cache_is_shared_through_redis(require_service):
    require_service("Redis", _redis_problem())
    from django.core.cache.backends.redis import RedisCache

    writer = RedisCache(REDIS_URL, {"KEY_PREFIX": "helpdesk-test"})
    reader = RedisCache(REDIS_URL, {"KEY_PREFIX": "helpdesk-test"})

    writer.set("throttle:1.2.3.4", [1, 2, 3], 30)

    assert reader.get("throttle:1.2.3.4") == [1, 2, 3]
    writer.delete("throttle:1.2.3.4")


def test_scaled_mode_uses_the_configured_services_when_set():
    """In the CI pass with DATABASE_URL/REDIS_URL the suite must really run on them."""
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        assert connection.vendor == "postgresql"
    else:
        assert connection.vendor == "sqlite"
    if os.environ.get("REDIS_URL"):
        assert django_settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
        assert django_settings.CHANNEL_LAYERS["default"]["BACKEND"].startswith("channels_redis")
        assert os.environ["REDIS_URL"] == django_settings.CELERY_BROKER_URL


# --- settings per environment ----------------------------------------------------------------


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    unwanted = ("SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if k not in unwanted}
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.production", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_secret_key():
    result = _manage("check", ALLOWED_HOSTS="help.example.com")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _manage("check", SECRET_KEY="x" * 64)

    assert result.returncode != 0
    assert "ALLOWED_HOSTS must list" in result.stderr


def test_production_settings_pass_the_deployment_checklist():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="k7#Qm2$vT9!pXz4@Lw8^Rn5&Hs3*Jd6(Fb1)Gc0_Yt-Ue+Ia=Ob]Pq[Mr}Nl{Ks",
        ALLOWED_HOSTS="help.example.com",
    )

    assert result.returncode == 0, result.stderr + result.stdout


def test_a_misspelt_database_url_names_the_variable():
    result = _manage(
        "check", SECRET_KEY="x" * 64, ALLOWED_HOSTS="h", DATABASE_URL="postgress://db/helpdesk"
    )

    assert result.returncode != 0
    assert "DATABASE_URL must start with one of" in result.stderr


# --- the embedded scheduler ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_embedded_scheduler_runs_the_sla_sweep_in_process(settings, desk, customer):
    from config import embedded_scheduler

    ticket = factories.make_ticket(customer=customer)
    Ticket.objects.filter(pk=ticket.pk).update(
        first_response_due=timezone.now() - timedelta(minutes=1)
    )
    settings.CELERY_BEAT_SCHEDULE = {
        "sweep": {"task": "tickets.tasks.sla_sweep", "schedule": timedelta(seconds=0.2)}
    }
    stop = threading.Event()
    thread = threading.Thread(target=embedded_scheduler.run_until, args=(stop, 0.0))
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if Ticket.objects.filter(pk=ticket.pk, sla_breached_at__isnull=False).exists():
                break
            time.sleep(0.1)
    finally:
        stop.set()
        thread.join(timeout=10)

    assert Ticket.objects.get(pk=ticket.pk).sla_breached_at is not None


@pytest.mark.django_db
def test_sqlite_planner_statistics_come_from_a_periodic_job(desk, customer):
    """SQLite picks indexes by ANALYZE statistics, which nothing else would ever gather."""
    from config.celery import app
    from config.maintenance import refresh_query_statistics

    scheduled = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert "config.tasks.refresh_query_statistics" in scheduled
    app.loader.import_default_modules()  # what the worker and the embedded scheduler do
    assert "config.tasks.refresh_query_statistics" in app.tasks
    for _ in range(3):
        factories.make_ticket(customer=customer)

    ran = refresh_query_statistics()

    if connection.vendor != "sqlite":
        assert ran is False  # PostgreSQL's autovacuum analyses its tables itself
        return
    assert ran is True
    with connection.cursor() as cursor:
        cursor.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'tickets_ticket'")
        stats = dict(cursor.fetchall())
    assert stats["ticket_team_created"].split()[0] == "3"  # rows counted: all three tickets
