"""Liveness and readiness probes for load balancers and orchestrators."""

import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """The process answers. Deliberately touches nothing else."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    """Ready when every backing service this deployment uses answers."""
    failures = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        logger.exception("readiness: database unavailable")
        failures.append("database")
    if settings.REDIS_CONFIGURED:
        import redis

        try:
            redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2).ping()
        except Exception:
            logger.exception("readiness: redis unavailable")
            failures.append("redis")
    if failures:
        return HttpResponse(
            "unavailable: " + ", ".join(failures), status=503, content_type="text/plain"
        )
    return HttpResponse("ready", content_type="text/plain")
