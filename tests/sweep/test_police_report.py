"""Art. 25: the report to the police owed within 24 hours of a red risk or a repeat-party match
is a deadline like any other: one definition of overdue (cases/overdue.py) and a sweep source
that reminds once, exactly once under two sweeps at once."""

from datetime import timedelta

import pytest

from cases import overdue, police, selectors, sweep
from cases.models import Breach, Case, CaseEvent, PoliceReport
from notifications.models import Notification
from tests.concurrency import at_once

from .conftest import MONDAY, report

POLICE = "police_reminders"


def _red_case(cast, serial=1, when=MONDAY):
    return report(cast, risk="red", serial=serial, when=when)


def test_an_unreported_police_report_is_overdue_in_the_one_rule(cast):
    case = _red_case(cast)
    due = PoliceReport.objects.get(case=case).due_at
    assert due == MONDAY + timedelta(hours=24)
    assert "police_report" in {source.name for source in overdue.sources()}
    before, after = due - timedelta(minutes=1), due + timedelta(minutes=1)
    assert case.pk not in set(police._case_ids(before))
    assert case.pk in set(overdue.overdue_case_ids(after))
    items = overdue.late_items([case.pk], after)[case.pk]
    assert ("police_report", "报告公安机关", due) in {(i.kind, i.label, i.due) for i in items}
    assert case in selectors.filter_overdue(Case.objects.all(), after)

    police.police_report(
        actor=cast.town_officer_a,
        case_id=case.pk,
        station="城关派出所",
        reported_at=MONDAY + timedelta(hours=2),
        at=MONDAY + timedelta(hours=2),
    )
    assert case.pk not in set(police._case_ids(after))


def test_the_sweep_reminds_once_of_an_unreported_police_report(cast):
    case = _red_case(cast)
    due = PoliceReport.objects.get(case=case).due_at
    assert "cases.police_report" in {s.name for s in sweep.deadline_sources(hourly=False)}
    assert getattr(sweep.sweep_run(now=due - timedelta(minutes=1)), POLICE) == 0

    first = sweep.sweep_run(now=due + timedelta(minutes=1))
    assert getattr(first, POLICE) == 1
    reminder = CaseEvent.objects.get(case=case, kind="remind", data__deadline="police_report")
    assert reminder.actor_id is None and "报告公安机关" in reminder.note
    assert Notification.objects.filter(case=case, title__contains="报告公安机关").exists()
    assert getattr(sweep.sweep_run(now=due + timedelta(hours=1)), POLICE) == 0
    assert Breach.objects.filter(case=case, kind=police.BREACH_KIND).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_remind_each_unreported_report_exactly_once(cast, on_postgres):
    cases = [_red_case(cast, serial=i + 1, when=MONDAY + timedelta(minutes=i)) for i in range(6)]
    now = MONDAY + timedelta(hours=25)

    def run():
        report = sweep.SweepReport(now=now)
        police.police_reminders(now=now, report=report, people=sweep.People())
        return getattr(report, POLICE)

    figures = at_once(run)
    assert sum(figures) == 6
    ids = [c.pk for c in cases]
    for case_id in ids:
        assert (
            CaseEvent.objects.filter(
                case_id=case_id, kind="remind", data__deadline="police_report"
            ).count()
            == 1
        )
    assert Breach.objects.filter(case_id__in=ids, kind=police.BREACH_KIND).count() == 6
    assert getattr(sweep.sweep_run(now=now), POLICE) == 0
