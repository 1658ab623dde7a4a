"""Races on PostgreSQL: threads released at the same moment, each on its own connection, and a
sweep process killed with SIGKILL in the middle of a batch (its transaction still open)."""

import multiprocessing
import os
import signal
import threading

from django.db import connection, connections

from cases import sweep as sweep_module


def run_in_threads(count, work, timeout=300):
    """Start `count` threads at the same moment; each runs work(i) on its own connection.
    Returns, in the order of i, ("ok", what it returned) or ("error", the exception)."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def target(i):
        try:
            barrier.wait(timeout=30)
            results[i] = ("ok", work(i))
        except Exception as exc:  # collected and asserted by the test
            results[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads)
    return results


def at_once(work, count=2):
    """work() in `count` threads at the same moment, none of which may fail: what each
    returned."""
    results = run_in_threads(count, lambda i: work())
    errors = [value for outcome, value in results if outcome == "error"]
    assert not errors, errors
    return [value for _, value in results]


def sweeps_at_once(now, count=2, **options):
    """`count` sweeps at the same moment (`options`: of `sweep_run`): their reports."""
    return at_once(lambda: sweep_module.sweep_run(now=now, **options), count)


def sweep_killed_at(n, now, batch_size, lanes):
    """A sweep in a forked process (in `lanes`), killed with SIGKILL when it has written the
    n-th period (its batch's transaction still open, and the other lanes' in hand)."""
    connections.close_all()  # the child opens its own connection
    child = multiprocessing.get_context("fork").Process(
        target=_sweep_until_killed, args=(n, now, batch_size, lanes)
    )
    child.start()
    child.join(timeout=120)
    assert child.exitcode == -signal.SIGKILL


def _sweep_until_killed(n, now, batch_size, lanes):
    handled = []

    def kill(period):
        handled.append(period.pk)
        if len(handled) == n:
            os.kill(os.getpid(), signal.SIGKILL)

    sweep_module.after_period_hook = kill
    sweep_module.sweep_run(now=now, batch_size=batch_size, lanes=lanes)
    os._exit(0)  # not reached when killed
