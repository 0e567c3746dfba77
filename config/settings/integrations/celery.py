"""Celery: eager in-process without Redis; a Redis broker and separate worker/beat with it."""

from datetime import timedelta

from config.settings.env import REDIS_URL, env

CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Periodic jobs. In scaled mode `celery beat` reads them (and the admin can tune them through
# django-celery-beat); in embedded mode `config.embedded_scheduler` runs them in-process.
CELERY_BEAT_SCHEDULE = {
    "tickets-sla-sweep": {
        "task": "tickets.tasks.sla_sweep",
        "schedule": timedelta(seconds=env.int("SLA_SWEEP_SECONDS", default=60)),
    },
    # SQLite's planner statistics (PostgreSQL's autovacuum keeps its own): see
    # config.maintenance. Cheap, since ANALYZE samples a bounded number of rows.
    "refresh-query-statistics": {
        "task": "config.tasks.refresh_query_statistics",
        "schedule": timedelta(hours=1),
    },
}

# Embedded mode has no beat process; run the schedule in a thread of the web server.
EMBEDDED_SCHEDULER = env.bool("EMBEDDED_SCHEDULER", default=not REDIS_URL)
