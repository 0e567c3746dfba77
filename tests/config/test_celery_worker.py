"""Scaled mode end to end: a real Celery worker takes a task from Redis and updates the database.

Runs in the PostgreSQL + Redis pass (DATABASE_URL and REDIS_URL set), where the worker process
can reach the same test database; the embedded pass runs tasks eagerly in-process instead.
"""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from config.celery import app
from tests import factories
from tickets.models import Ticket

ROOT = Path(__file__).resolve().parents[2]
SCALED = os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")


@pytest.mark.skipif(
    not SCALED,
    reason="scaled-mode test: runs when DATABASE_URL (PostgreSQL) "
    "and REDIS_URL are set, as in the CI's second pass",
)
@pytest.mark.django_db(transaction=True)
# The test process itself runs tasks eagerly; send_task goes to the broker regardless.
@pytest.mark.filterwarnings("ignore:task_always_eager has no effect on send_task")
def test_worker_runs_the_sla_sweep_sent_through_redis(desk, customer):
    ticket = factories.make_ticket(customer=customer)
    Ticket.objects.filter(pk=ticket.pk).update(
        first_response_due=timezone.now() - timedelta(minutes=1)
    )
    database = connection.settings_dict
    test_database_url = (
        f"postgres://{database['USER'] or ''}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )
    queue = f"test-{os.getpid()}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": test_database_url,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    worker = subprocess.Popen(  # noqa: S603 - our own worker with fixed arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        app.send_task("tickets.tasks.sla_sweep", queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and worker.poll() is None:
            if Ticket.objects.filter(pk=ticket.pk, sla_breached_at__isnull=False).exists():
                break
            time.sleep(0.25)
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)

    assert Ticket.objects.get(pk=ticket.pk).sla_breached_at is not None, output[-3000:]
    assert "tickets.tasks.sla_sweep" in output
