"""The mediation records as the lifecycle needs them: resolve needs an agreement, close as
`agreement` needs a follow-up, assignment needs a mediator of the holder's committees."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases import services as cases
from cases.calendar import add_working_days
from cases.models import Case
from config.errors import InvalidInput
from mediation import selectors
from mediation.models import Agreement, Committee, MediatorProfile
from tests.builders import record_session

from .helpers import make_case

pytestmark = pytest.mark.django_db


def test_a_case_cannot_be_resolved_without_an_agreement(cast, api):
    case = make_case(cast)
    record_session(case, cast.village_mediator_a)
    client = api(cast.village_mediator_a)
    response = client.post(f"/api/v1/cases/{case.id}/resolve/", {}, format="json")
    assert response.status_code == 400
    written = {"agreement": {"form": "written", "terms": "赔偿两千元。"}}
    response = client.post(f"/api/v1/cases/{case.id}/resolve/", written, format="json")
    assert response.status_code == 400
    assert {"facts", "responsibilities", "performance_method", "perform_by"} <= set(response.json())
    case.refresh_from_db()
    assert case.status == "in_progress" and not Agreement.objects.filter(case=case).exists()
    oral = {"agreement": {"form": "oral", "terms": "李四当场道歉。"}}
    response = client.post(f"/api/v1/cases/{case.id}/resolve/", oral, format="json")
    assert response.status_code == 200, response.content
    assert Agreement.objects.get(case=case).form == "oral"


def test_a_case_is_closed_as_agreement_only_after_a_follow_up(cast, api):
    case = make_case(cast, status="resolved")
    client = api(cast.village_mediator_a)
    close = {"outcome": "agreement"}
    response = client.post(f"/api/v1/cases/{case.id}/close/", close, format="json")
    assert response.status_code == 409
    assert Case.objects.get(pk=case.pk).status == "resolved"
    follow_up = {
        "method": "visit",
        "performed": True,
        "satisfaction": "basically",
        "performed_on": str(timezone.localdate()),
    }
    response = client.post(f"/api/v1/cases/{case.id}/follow-ups/", follow_up, format="json")
    assert response.status_code == 201
    response = client.post(f"/api/v1/cases/{case.id}/close/", close, format="json")
    assert response.status_code == 200, response.content
    assert Case.objects.get(pk=case.pk).outcome == "agreement"


def test_follow_up_is_due_ten_working_days_after_resolution_without_a_performance_date(cast):
    case = make_case(cast, status="resolved")
    assert case.agreement.perform_by is None
    due = selectors.follow_up_due(case)
    assert due == add_working_days(case.resolved_at, 10)
    assert due - case.resolved_at >= timedelta(days=12), "ten working days span two weekends"


def test_the_first_session_records_the_first_response(cast, api):
    case = make_case(cast, status="assigned")
    body = {"held_at": timezone.now().isoformat(), "place": "彭村调解室", "minutes": "首次调解。"}
    client = api(cast.village_mediator_a)
    assert client.post(f"/api/v1/cases/{case.id}/sessions/", body, format="json").status_code == 201
    case.refresh_from_db()
    assert case.status == "in_progress"
    assert list(case.events.values_list("kind", flat=True)) == [
        "report",
        "assign",
        "record",  # consent and notice of each party, before the first session
        "record",
        "respond",
        "record",
    ]


def _escalated_to_town(cast):
    case = make_case(cast, status="pending")
    cases.case_escalate(actor=cast.village_officer_a, case_id=case.id, reason="村级调解不了")
    case.refresh_from_db()
    assert case.level == "town" and case.holder_id == cast.areas.town_a.id
    return case


def test_a_town_officer_cannot_assign_a_mediator_from_another_town(cast, api):
    case = _escalated_to_town(cast)
    officer = api(cast.town_officer_a)
    url = f"/api/v1/cases/{case.id}/assign/"
    for outsider in [cast.town_mediator_b, cast.village_mediator_b]:
        response = officer.post(url, {"assignee": outsider.id}, format="json")
        assert response.status_code in (400, 404), response.content
        assert Case.objects.get(pk=case.pk).status == "pending"
    # The town next door does not see the case at all.
    response = api(cast.town_officer_b).post(
        url, {"assignee": cast.town_mediator_b.id}, format="json"
    )
    assert response.status_code == 404
    # A mediator of this town's committee may be assigned.
    response = officer.post(url, {"assignee": cast.town_mediator_a.id}, format="json")
    assert response.status_code == 200, response.content


def test_a_committee_member_without_a_role_here_may_be_assigned(cast):
    case = _escalated_to_town(cast)
    with pytest.raises(InvalidInput):
        cases.case_assign(actor=cast.town_officer_a, case_id=case.id, assignee=cast.county_mediator)
    committee = Committee.objects.create(
        name="彭镇人民调解委员会", kind="peoples", area=cast.areas.town_a
    )
    MediatorProfile.objects.create(user=cast.county_mediator, committee=committee)
    cases.case_assign(actor=cast.town_officer_a, case_id=case.id, assignee=cast.county_mediator)
    assert Case.objects.get(pk=case.pk).assignee == cast.county_mediator
