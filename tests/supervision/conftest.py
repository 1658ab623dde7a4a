"""Helpers for the supervision tests: a village case of village A1 and 督办 opened through the
services, on the real clock (a 督办 "opened three days ago" is opened with `now=` then)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from supervision import services
from tests import builders


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Feedback attachments and issued letters are written under a temporary directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


def village_case(cast, *, title="宅基地边界纠纷", serial=1, area=None, reporter=None):
    """A pending village case of village A1 (or of `area`'s village)."""
    return builders.report(
        reporter or cast.grid_worker_a,
        area or cast.areas.grid_a1,
        title=title,
        parties=builders.two_parties(2 * serial),
    )


def open_on_case(cast, case, *, actor=None, days_ago=0, due_in_days=3, reason="请加快调处"):
    """A 督办 on `case` by town A's officer, opened `days_ago` days ago and due `due_in_days`
    after that."""
    opened = timezone.now() - timedelta(days=days_ago)
    return services.supervision_open(
        actor=actor or cast.town_officer_a,
        case_id=case.pk,
        reason=reason,
        due_at=opened + timedelta(days=due_in_days),
        now=opened,
    )


def open_on_unit(cast, unit, *, actor=None, days_ago=0, due_in_days=3, reason="排查工作滞后"):
    opened = timezone.now() - timedelta(days=days_ago)
    return services.supervision_open(
        actor=actor or cast.county_officer,
        unit_id=unit.pk,
        reason=reason,
        due_at=opened + timedelta(days=due_in_days),
        now=opened,
    )
