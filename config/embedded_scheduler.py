"""Run the periodic jobs of CELERY_BEAT_SCHEDULE inside the web process (embedded mode).

Embedded mode has no broker, so there is no `celery beat`; tasks run eagerly. This thread
calls each scheduled task at its interval so SLA sweeps and mailbox syncs still happen on a
laptop. In scaled mode (REDIS_URL set) beat does this job and the thread is never started.
"""

import logging
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections

logger = logging.getLogger(__name__)

_started = threading.Event()


def _interval_seconds(schedule: object) -> float:
    if isinstance(schedule, timedelta):
        return schedule.total_seconds()
    if isinstance(schedule, int | float):
        return float(schedule)
    raise TypeError(f"embedded scheduler supports interval schedules only, not {schedule!r}")


def run_until(stop: threading.Event, first_delay: float = 5.0) -> None:
    """Call each scheduled task at its interval until `stop` is set."""
    from config.celery import app

    # Task modules are discovered lazily; make sure every app's tasks.py is registered.
    app.loader.import_default_modules()
    entries = {
        name: (entry["task"], _interval_seconds(entry["schedule"]))
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
    }
    # The first run waits a little so the server is up before the jobs start.
    next_run = {name: time.monotonic() + first_delay for name in entries}
    while not stop.is_set():
        now = time.monotonic()
        for name, (task_name, interval) in entries.items():
            if now < next_run[name]:
                continue
            next_run[name] = now + interval
            try:
                app.tasks[task_name].apply(throw=True)
            except Exception:
                # A failing job must not kill the scheduler; the next tick tries again.
                logger.exception("periodic job %s failed", name)
            finally:
                close_old_connections()
        stop.wait(min([1.0, *(interval for _, interval in entries.values())]))


def start() -> threading.Event | None:
    """Start the scheduler thread once per process; return its stop event."""
    if not settings.EMBEDDED_SCHEDULER or _started.is_set():
        return None
    _started.set()
    stop = threading.Event()
    threading.Thread(target=run_until, args=(stop,), name="embedded-scheduler", daemon=True).start()
    logger.info("embedded scheduler started: %s", ", ".join(settings.CELERY_BEAT_SCHEDULE))
    return stop
