"""Project-wide periodic jobs (the apps' own jobs live in their `tasks.py`)."""

from celery import shared_task

from config import maintenance


@shared_task
def refresh_query_statistics() -> None:
    maintenance.refresh_query_statistics()
