"""Fixtures for case tests; the builders (ID numbers, parties, intake, `drive`) are in
tests/builders.py."""

import pytest

from tests.builders import report


@pytest.fixture
def village_case(cast):
    """A green case reported by town A's grid worker in grid A1-1: pending at village A1."""
    return report(cast.grid_worker_a, cast.areas.grid_a1)


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """Overrides are cached per process; a rolled-back test must not leave its days behind."""
    from cases.calendar import clear_override_cache

    clear_override_cache()
    yield
    clear_override_cache()
