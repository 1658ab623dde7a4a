"""Reads that may lag go to the streaming replica; every write, and every other read, to the primary.

Nothing reads from the replica unless asked to, in one of two ways:

- a page or endpoint named in `REPLICA_ROUTES` (dashboards, KPI reads, rankings, case lists and
  the exports of other people's work), for GET and HEAD, through `ReplicaReadsMiddleware`;
- code outside a request that wraps its reads in `replica_reads()`.

Even then a read stays on the primary when:

- its model is not one of `REPLICA_APPS` (users, roles, tokens and sessions: who may see what is
  always read fresh);
- it runs inside a transaction on the primary (a write path reads what it writes);
- the user wrote something in the last `REPLICA_PIN_SECONDS` (read-your-writes: a signed cookie
  for the browser, a cache key for API clients);
- the replica is down, is not a standby, or lags more than `REPLICA_MAX_LAG_SECONDS` (checked at
  most every `CHECK_SECONDS` per process; `/healthz` reports the same check).

A request whose replica fails under it (stopped between two checks) is answered again from the
primary, once. The replica alias is never migrated and never written: `db_for_write` has one answer.
"""

import logging
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections

log = logging.getLogger(__name__)

REPLICA = "replica"
# Apps whose rows a lagging read may show a few seconds late.
REPLICA_APPS = frozenset({"cases", "mediation", "assessment", "grids", "supervision"})
# URL names (API names bare, web pages under "web:") whose GETs may read from the replica.
REPLICA_ROUTES = frozenset(
    {
        "web:dashboard",
        "web:case-list",
        "web:overdue",
        "case-list",
        "case-export-xlsx",
        "kpis",
        "kpis-export",
        "kpis-bulletin",
        "rankings",
        "reward-sheet-xlsx",
    }
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PIN_COOKIE = "primary_pin"
CHECK_SECONDS = 2.0


def configured() -> bool:
    """A replica alias exists and replica reads are switched on."""
    return REPLICA in settings.DATABASES and settings.REPLICA_READS


# ---------------------------------------------------------------- the replica's health


@dataclass(frozen=True)
class ReplicaState:
    """The last check of the replica: may it serve reads, and why (for /healthz)."""

    usable: bool
    detail: str
    lag_seconds: float | None = None
    behind_bytes: int | None = None
    checked_at: float = 0.0


_state: ReplicaState | None = None
_state_lock = threading.Lock()

_LAG_SQL = """
SELECT pg_is_in_recovery(),
       pg_wal_lsn_diff(%s::pg_lsn, pg_last_wal_replay_lsn()),
       extract(epoch FROM now() - pg_last_xact_replay_timestamp())
"""


def _check() -> ReplicaState:
    now = time.monotonic()
    max_lag = settings.REPLICA_MAX_LAG_SECONDS
    if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
        return ReplicaState(False, "unused: the primary is not PostgreSQL", None, None, now)
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            primary_lsn = cursor.fetchone()[0]
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(_LAG_SQL, [primary_lsn])
            standby, behind, replay_age = cursor.fetchone()
    except (OperationalError, InterfaceError, DatabaseError) as exc:
        _close_replica()
        return ReplicaState(
            False, f"down ({exc.__class__.__name__}); reads on the primary", None, None, now
        )
    if not standby:
        return ReplicaState(False, "not a standby; reads on the primary", None, None, now)
    behind = max(0, int(behind or 0))
    # Caught up with the primary's position: no lag. Behind it: the time since the last replayed
    # commit, an upper bound when the primary had been idle (so the doubt favours the primary).
    lag = 0.0 if behind == 0 else float(replay_age if replay_age is not None else "inf")
    if lag > max_lag:
        detail = f"lagging {lag:.1f} s (bound {max_lag} s); reads on the primary"
        return ReplicaState(False, detail, lag, behind, now)
    return ReplicaState(True, f"ok (lag {lag:.2f} s, {behind} bytes)", lag, behind, now)


def _close_replica():
    try:
        connections[REPLICA].close()
    except Exception:  # a dead connection may fail to close; it is dropped either way
        pass


def replica_state(*, refresh: bool = False) -> ReplicaState:
    """The replica's health, checked at most every CHECK_SECONDS unless `refresh`."""
    global _state
    with _state_lock:
        stale = _state is None or time.monotonic() - _state.checked_at >= CHECK_SECONDS
        if refresh or stale:
            _state = _check()
            if not _state.usable:
                log.warning("replica skipped: %s", _state.detail)
        return _state


def health() -> str | None:
    """For /healthz: None without a replica, else a fresh check's words."""
    if not configured():
        return None
    return replica_state(refresh=True).detail


# ---------------------------------------------------------------- read-your-writes


def _pin_key(user_id) -> str:
    return f"replica:pin:{user_id}"


def pin(request, response):
    """This request wrote: keep its user on the primary for REPLICA_PIN_SECONDS."""
    seconds = settings.REPLICA_PIN_SECONDS
    response.set_signed_cookie(
        PIN_COOKIE,
        "1",
        salt=PIN_COOKIE,
        max_age=seconds,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        try:
            cache.set(_pin_key(user.pk), 1, seconds)
        except Exception:  # the cache (Redis) is down: the cookie still pins a browser
            log.warning("replica pin not cached for user %s", user.pk, exc_info=True)


def pinned(request) -> bool:
    """Did this browser or user write within the last REPLICA_PIN_SECONDS?"""
    try:
        cookie = request.get_signed_cookie(
            PIN_COOKIE, default=None, salt=PIN_COOKIE, max_age=settings.REPLICA_PIN_SECONDS
        )
    except signing.BadSignature:
        cookie = None
    if cookie is not None:
        return True
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    try:
        return bool(cache.get(_pin_key(user.pk)))
    except Exception:  # the cache is down: whether they wrote is unknown, so the primary
        return True


# ---------------------------------------------------------------- where a read goes


class _Scope:
    """Reads inside may use the replica; decided once, at the first read, for the whole scope."""

    def __init__(self, request=None):
        self.request = request
        self.alias: str | None = None

    def decide(self) -> str:
        if self.alias is None:
            use = configured() and not (self.request is not None and pinned(self.request))
            self.alias = REPLICA if use and replica_state().usable else DEFAULT_DB_ALIAS
        return self.alias


_scope: ContextVar[_Scope | None] = ContextVar("replica_scope", default=None)


@contextmanager
def replica_reads(request=None):
    """Reads of REPLICA_APPS models inside this block may come from the replica."""
    token = _scope.set(_Scope(request))
    try:
        yield
    finally:
        _scope.reset(token)


@contextmanager
def primary_reads():
    """Every read inside this block goes to the primary."""
    token = _scope.set(None)
    try:
        yield
    finally:
        _scope.reset(token)


def read_alias() -> str:
    """The alias a read of replica-eligible rows would use here (for raw SQL)."""
    scope = _scope.get()
    if scope is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return scope.decide()


class ReplicaRouter:
    """DATABASE_ROUTERS entry: see the module docstring."""

    def db_for_read(self, model, **hints):
        if model._meta.app_label not in REPLICA_APPS:
            return DEFAULT_DB_ALIAS
        return read_alias()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two doors

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA


class ReplicaReadsMiddleware:
    """Opens a replica scope for the GETs of REPLICA_ROUTES; pins a user who has just written."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not configured():
            return self.get_response(request)
        request._replica_token = None
        try:
            response = self.get_response(request)
        finally:
            if request._replica_token is not None:
                _scope.reset(request._replica_token)
        if request.method not in SAFE_METHODS and response.status_code < 400:
            pin(request, response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not configured() or request.method not in ("GET", "HEAD"):
            return None
        if request.resolver_match.view_name in REPLICA_ROUTES:
            request._replica_token = _scope.set(_Scope(request))
        return None

    def process_exception(self, request, exception):
        scope = _scope.get()
        if scope is None or scope.alias != REPLICA:
            return None
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        _close_replica()
        if replica_state(refresh=True).usable:
            return None  # not the replica's failure
        log.warning("replica failed under a request (%s); answering from the primary", exception)
        scope.alias = DEFAULT_DB_ALIAS
        match = request.resolver_match
        response = match.func(request, *match.args, **match.kwargs)
        # An error while rendering a template response is not followed by a second render.
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        return response
