"""Art. 25 after intake: a case whose risk is raised to red later, or whose party turns up in a
new case later (重复纠纷), owes its report to the police within 24 hours of that moment, not of
intake; swept and counted overdue like the intake's clock (the `police_report` source)."""

from datetime import timedelta

import pytest

from cases import overdue, police, sweep
from cases.models import Breach, CaseEvent, PoliceReport
from notifications.models import Notification
from tests import builders

from .conftest import MONDAY, report

pytestmark = pytest.mark.django_db
POLICE = "police_reminders"


def _raise(cast, case, when, risk="red"):
    return police.case_risk_raise(
        actor=cast.village_officer_a,
        case_id=case.pk,
        risk=risk,
        reason="当事人扬言报复，可能激化",
        at=when,
    )


def test_a_case_raised_to_red_later_owes_the_report_24_hours_from_then(cast):
    from accounts.agencies import Agency
    from accounts.agency_services import beat_assign, liaison_add

    town = cast.areas.town_a
    station = Agency.objects.create(
        code="PS-A", name="彭镇派出所", kind="police", area=town, county=town.parent
    )
    officer = liaison_add(agency=station, username="police_a")
    beat_assign(village=cast.areas.village_a1, member=officer)
    case = report(cast)
    assert not PoliceReport.objects.filter(case=case).exists()
    raised = MONDAY + timedelta(days=2, hours=3)
    _raise(cast, case, raised)
    case.refresh_from_db()
    assert case.risk == "red"
    row = PoliceReport.objects.get(case=case)
    assert (row.trigger, row.due_at) == ("red_risk", raised + timedelta(hours=24))
    event = CaseEvent.objects.get(case=case, kind="risk_raised")
    assert event.data == {"reason": "raised", "from": "green", "to": "red"}
    assert Notification.objects.filter(user=officer.user, case=case).exists()
    # Counted overdue from its own due, by the one rule.
    due = row.due_at
    assert case.pk not in set(police._case_ids(due - timedelta(minutes=1)))
    early = overdue.late_items([case.pk], due - timedelta(minutes=1)).get(case.pk, [])
    assert "police_report" not in {i.kind for i in early}
    assert case.pk in set(overdue.overdue_case_ids(due + timedelta(minutes=1)))
    items = overdue.late_items([case.pk], due + timedelta(minutes=1))[case.pk]
    assert ("police_report", due) in {(i.kind, i.due) for i in items}
    # Swept: reminded once, at its due, not at intake's.
    assert getattr(sweep.sweep_run(now=MONDAY + timedelta(hours=25)), POLICE) == 0
    assert getattr(sweep.sweep_run(now=due - timedelta(minutes=1)), POLICE) == 0
    assert getattr(sweep.sweep_run(now=due + timedelta(minutes=1)), POLICE) == 1
    assert getattr(sweep.sweep_run(now=due + timedelta(hours=2)), POLICE) == 0
    assert Breach.objects.filter(case=case, kind=police.BREACH_KIND).count() == 1


def test_a_party_who_turns_up_again_starts_the_earlier_cases_clock(cast):
    first = report(cast, serial=1)
    assert not first.repeat_dispute and not PoliceReport.objects.filter(case=first).exists()
    later = MONDAY + timedelta(days=3)
    second = builders.report(
        cast.grid_worker_a,
        cast.areas.grid_a1,
        parties=[builders.party("张三", "applicant", 2), builders.party("王五", "respondent", 77)],
        at=later,
    )
    first.refresh_from_db()
    assert not first.repeat_dispute  # the later case carries the mark; the rating counts it once
    row = PoliceReport.objects.get(case=first)
    assert (row.trigger, row.due_at) == ("repeat_party", later + timedelta(hours=24))
    assert "张三" in row.trigger_note
    assert PoliceReport.objects.get(case=second).due_at == later + timedelta(hours=24)
    event = CaseEvent.objects.get(case=first, kind="risk_raised")
    assert event.data["case"] == second.pk and event.actor_id is None
    due = row.due_at
    assert first.pk in set(overdue.overdue_case_ids(due + timedelta(minutes=1)))
    assert getattr(sweep.sweep_run(now=due + timedelta(minutes=1)), POLICE) == 2
    # A clock already running, or a report already made, is left as it is.
    builders.report(
        cast.grid_worker_a,
        cast.areas.grid_a1,
        parties=[builders.party("张三", "applicant", 2)],
        at=later + timedelta(hours=5),
    )
    row.refresh_from_db()
    assert row.due_at == later + timedelta(hours=24)


def test_raising_the_risk_over_the_api_bad_input_and_roles(cast, api):
    case = report(cast)
    url = f"/api/v1/cases/{case.pk}/risk/"
    officer = api(cast.village_officer_a)
    response = officer.post(url, {"risk": "green", "reason": "x"}, format="json")
    assert response.status_code == 409 and response.json()["risk"] == "green"
    response = officer.post(url, {"risk": "red", "reason": ""}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    assert api(cast.grid_worker_a).post(url, {"risk": "red", "reason": "x"}).status_code == 403
    assert api(cast.village_officer_b).post(url, {"risk": "red", "reason": "x"}).status_code == 404
    response = officer.post(url, {"risk": "red", "reason": "扬言报复"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["risk"] == "red" and response.json()["police_due"]
    response = officer.post(url, {"risk": "red", "reason": "再次"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "risk_not_higher"


def test_the_case_page_raises_the_risk_and_shows_the_clock(cast, client):
    case = builders.report(cast.grid_worker_a, cast.areas.grid_a1)
    client.force_login(cast.grid_worker_a)
    assert 'data-testid="do-risk-raise"' not in client.get(f"/cases/{case.pk}/").content.decode()
    client.force_login(cast.village_officer_a)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="do-risk-raise"' in page
    response = client.post(f"/cases/{case.pk}/law/risk/", {"risk": "red", "reason": ""})
    assert (
        response.status_code == 400 and 'data-action="risk-raise" open' in response.content.decode()
    )
    response = client.post(f"/cases/{case.pk}/law/risk/", {"risk": "red", "reason": "扬言报复"})
    assert response.status_code == 302
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "应于" in page and 'data-testid="do-police-report"' in page
    assert 'data-testid="do-risk-raise"' not in page  # red is the top
    assert PoliceReport.objects.get(case=case).trigger == "red_risk"
