"""Helpers for sweep tests: cases reported and moved through the same services users call,
on a pretended clock (Monday 2 November 2026, 09:00 local, a plain working week)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=TZ)


def at(day, hour=9, minute=0):
    """A local time in November 2026."""
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


def id_number(serial: int) -> str:
    from cases.crypto import id_check_digit

    first17 = f"61022219800101{serial % 1000:03d}"
    return first17 + id_check_digit(first17)


def report(
    cast, *, area=None, when=MONDAY, risk="green", serial=1, title="宅基地边界纠纷", actor=None
):
    """A village case of village A1 (or `area`), reported by its grid worker at `when`."""
    from cases import services

    area = area or cast.areas.grid_a1
    return services.case_report(
        actor=actor or cast.grid_worker_a,
        title=title,
        facts="两户因宅基地边界发生争执。",
        category="housing_homestead",
        source="grid_inspection",
        area=area,
        risk=risk,
        parties=[
            {"name": "张三", "role": "applicant", "id_number": id_number(2 * serial)},
            {"name": "李四", "role": "respondent", "id_number": id_number(2 * serial + 1)},
        ],
        at=when,
    )


@pytest.fixture
def locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "locmem"
