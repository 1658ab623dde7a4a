"""Pages before the demo year: while `make run` fills the year behind the server on SQLite (one
writer at a time), a request being served asks the seeder to pause between two of its
transactions, so the request's writes get their turn.

SQLite's busy wait polls (every 100 ms once it has waited a while); a seeder that begins its
next case the moment it commits would hold the lock at nearly every poll, and a sign-in would
wait for most of a minute or fail with "database is locked". `YieldToPages` (a middleware, on
SQLite only) and each Celery task touch a flag file while it exists; the seeder, after each case, report and
referral, sleeps a little when the flag was touched in the last few seconds.
"""

import os
import time
from contextlib import contextmanager

from django.conf import settings

# How long a request is served first, and how long the seeder leaves the lock free each time.
WINDOW = 3.0
PAUSE = 0.25


def flag_path():
    return settings.VAR_DIR / "seeding-year"


@contextmanager
def seeding_flag():
    """The flag file for the seeding's duration: pages touch it while it exists."""
    path = flag_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    os.utime(path, (0, 0))  # no page yet
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


def yield_to_pages():
    """Between two of the seeder's transactions (no flag: nothing): deliver the outbox rows
    the step left, as the beat's relay would have by now (the worker's relay would otherwise
    hold the lock for seconds at a time catching up with the year), then sleep a moment when
    a page or a task asked for a turn in the last few seconds."""
    try:
        touched = os.stat(flag_path()).st_mtime
    except FileNotFoundError:
        return
    from notifications.services import relay_outbox

    relay_outbox()
    if time.time() - touched < WINDOW:
        time.sleep(PAUSE)


def touch_flag(*args, **kwargs):
    """Ask the seeder for a turn, when it is seeding (a Celery task_prerun receiver too)."""
    try:
        os.utime(flag_path())
    except FileNotFoundError:
        pass


class YieldToPages:
    """Touch the seeding flag, when there is one, as each request comes in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        touch_flag()
        return self.get_response(request)
