"""Project configuration. Importing the Celery app here registers `@shared_task`s with it."""

from config.celery import app as celery_app

__all__ = ("celery_app",)
