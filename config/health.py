"""`GET /healthz` for the load balancer: web, database, broker and beat, each reported."""

import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from config import db_router


def _database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception as exc:  # the point is to report, not to raise
        return f"error: {exc.__class__.__name__}"


def _broker():
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        return "ok (filesystem)"
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
        return "ok"
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"


def _beat():
    """The beat's heartbeat (config.celery.HeartbeatScheduler) must be fresher than
    BEAT_STALE_SECONDS: a beat that crashed or never started stops sweeping and relaying."""
    from config.celery import beat_last_tick

    try:
        last = beat_last_tick()
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"
    if last is None:
        return "error: no tick recorded"
    age = time.time() - last
    if age > settings.BEAT_STALE_SECONDS:
        return f"error: last tick {int(age)} s ago"
    return "ok"


@never_cache
def healthz(request):
    checks = {"web": "ok", "database": _database(), "broker": _broker(), "beat": _beat()}
    healthy = all(value.startswith("ok") for value in checks.values())
    # A replica that is down or lagging is skipped, not fatal: its reads fall back to the primary.
    replica = db_router.health()
    if replica is not None:
        checks["replica"] = replica
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", **checks}, status=200 if healthy else 503
    )
