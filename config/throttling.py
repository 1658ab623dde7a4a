"""The login throttle: at most LOGIN_THROTTLE_RATE sign-in attempts per client address, for
the API's token endpoint and the web and admin sign-in forms alike.

The counter lives in the shared cache (Redis, or the database cache without it), so every web
worker and every machine behind the balancer counts against the same number. It is a fixed
window with an atomic increment: racing requests cannot slip past it the way a read-then-write
counter lets them.
"""

import logging
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from rest_framework.throttling import BaseThrottle

from .client import client_ip

log = logging.getLogger(__name__)

DURATIONS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
THROTTLED_MESSAGE = "登录尝试过于频繁，请{seconds}秒后再试。"


def parse_rate(rate: str) -> tuple[int, int]:
    """ "30/min" → (30, 60)."""
    count, _, period = rate.partition("/")
    return int(count), DURATIONS[period.strip()[:1]]


def login_attempt_wait(request) -> int | None:
    """Count one sign-in attempt from this request's address; None when it may go on, else
    the seconds until the window ends. A cache that cannot be reached lets the attempt through
    (django-axes' lockout, kept in the database, still holds)."""
    limit, duration = parse_rate(settings.LOGIN_THROTTLE_RATE)
    now = time.time()
    window = int(now // duration)
    key = f"throttle:login:{client_ip(request)}:{window}"
    try:
        cache.add(key, 0, timeout=duration + 1)
        count = cache.incr(key)
    except Exception:
        log.warning("login throttle: the cache is unreachable; attempt not counted", exc_info=True)
        return None
    if count <= limit:
        return None
    return max(1, int((window + 1) * duration - now))


class LoginRateThrottle(BaseThrottle):
    """DRF's face of the login throttle (the token endpoint)."""

    def allow_request(self, request, view):
        self._wait = login_attempt_wait(request._request)
        return self._wait is None

    def wait(self):
        return self._wait


def login_throttled(view):
    """The same limit on a Django sign-in view: each POST counts; over the limit is a 429."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "POST":
            wait = login_attempt_wait(request)
            if wait is not None:
                message = THROTTLED_MESSAGE.format(seconds=wait)
                response = HttpResponse(
                    "<!doctype html><html lang='zh-hans'><meta charset='utf-8'>"
                    f"<title>请稍后再试</title><body><h1>请稍后再试</h1><p>{message}</p></body></html>",
                    status=429,
                )
                response["Retry-After"] = str(wait)
                return response
        return view(request, *args, **kwargs)

    return wrapped
