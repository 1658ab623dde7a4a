"""Pages before the demo year: while `make run` fills the year behind the server on SQLite (one
writer at a time), a request being served asks the seeder to pause between two of its
transactions, so the request's writes get their turn.

SQLite's busy wait polls (every 100 ms once it has waited a while); a seeder that begins its
next case the moment it commits would hold the lock at nearly every poll, and a sign-in would
wait for most of a minute or fail with "database is locked". `YieldToPages` (a middleware, on
SQLite only) touches a flag file while it exists; the seeder, after each case, report and
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
    """Sleep a moment when a page was asked for in the last few seconds (no flag: nothing)."""
    try:
        touched = os.stat(flag_path()).st_mtime
    except FileNotFoundError:
        return
    if time.time() - touched < WINDOW:
        time.sleep(PAUSE)


class YieldToPages:
    """Touch the seeding flag, when there is one, as each request comes in."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.path = flag_path()

    def __call__(self, request):
        try:
            os.utime(self.path)
        except FileNotFoundError:
            pass
        return self.get_response(request)
