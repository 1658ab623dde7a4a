"""Helpers for case tests: valid ID numbers, intake through the service, moving a case to a
given state through the same services users call."""

from datetime import date

import pytest

from cases import services
from cases.crypto import id_check_digit
from mediation.models import FollowUp


def id_number(serial: int, birth: str = "19800101", area: str = "610222") -> str:
    """A valid 18-digit ID number (GB 11643 check digit) for a made-up person."""
    first17 = f"{area}{birth}{serial % 1000:03d}"
    return first17 + id_check_digit(first17)


def party(name="张三", role="applicant", serial=1, area=None, **extra):
    data = {
        "name": name,
        "role": role,
        "id_number": id_number(serial),
        "phone": f"138{serial:08d}",
        "address": "彭村一组",
        "area": area,
    }
    data.update(extra)
    return data


def report(actor, area, *, parties=None, **overrides):
    """Intake through the service with sensible defaults."""
    values = {
        "title": "宅基地边界纠纷",
        "facts": "两户因宅基地边界发生争执。",
        "category": "housing_homestead",
        "source": "grid_inspection",
        "risk": "green",
        "people_involved": 2,
    }
    values.update(overrides)
    if parties is None:
        parties = [party("张三", "applicant", 1), party("李四", "respondent", 2)]
    return services.case_report(actor=actor, area=area, parties=parties, **values)


def follow_up(case, user):
    return FollowUp.objects.create(
        case=case,
        method="visit",
        performed_on=date.today(),
        performed=True,
        satisfaction="satisfied",
        recorded_by=user,
    )


ORAL = {"form": "oral", "terms": "李四退让边界30公分。"}


def drive(case, cast, target):
    """Move a fresh village case of village A1 to `target` status through the services."""
    officer, mediator = cast.village_officer_a, cast.village_mediator_a
    if target == "pending":
        return case
    services.case_assign(actor=officer, case_id=case.id, assignee=mediator)
    if target == "assigned":
        return case
    services.case_respond(actor=mediator, case_id=case.id)
    if target == "in_progress":
        return case
    services.case_resolve(actor=mediator, case_id=case.id, agreement=ORAL)
    if target == "resolved":
        return case
    follow_up(case, mediator)
    services.case_close(actor=mediator, case_id=case.id, outcome="agreement")
    return case


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
