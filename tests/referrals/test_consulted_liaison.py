"""三官一律 from the agencies' people (DESIGN.md §15): the person consulted reads that case, masked
and read-only, in their inbox, the case list and the API, and nothing else new; a consultant
outside the system is a free-text name, marked as such."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.agencies import AgencyMember
from tests import builders

pytestmark = pytest.mark.django_db


def _consult(case, asker, member, kind="judge"):
    return builders.ask_consultation(
        case,
        asker,
        consultant_kind=kind,
        consultant_name="",
        member=member.pk,
        question="违约金能否支持？",
        due_at=timezone.now() + timedelta(days=3),
    )


@pytest.fixture
def consulted(agencies, cast):
    """Town A's case consulted with the county court's liaison; a case of the same village not
    consulted; the court's member row."""
    case = builders.report(
        cast.grid_worker_a,
        cast.areas.grid_a1,
        title="借贷纠纷征询",
        parties=[
            builders.party("周征询", "applicant", 31),
            builders.party("吴征询", "respondent", 32),
        ],
    )
    builders.drive(case, to="in_progress")
    other = builders.report(cast.grid_worker_a, cast.areas.grid_a1, title="未征询纠纷")
    member = AgencyMember.objects.get(user=agencies.court_liaison)
    consultation = _consult(case, cast.village_mediator_a, member)
    return case, other, consultation


def test_the_consulted_judge_reads_the_case_masked_and_nothing_else(agencies, cast, api, consulted):
    case, other, consultation = consulted
    judge = api(agencies.court_liaison)
    listed = [c["id"] for c in judge.get("/api/v1/cases/").json()["results"]]
    assert listed == [case.id]
    detail = judge.get(f"/api/v1/cases/{case.id}/")
    assert detail.status_code == 200
    shown = str(detail.json()["parties"])
    assert "周征询" in shown
    assert builders.id_number(31) not in shown and "13800000031" not in shown
    assert judge.get(f"/api/v1/cases/{other.id}/").status_code == 404
    # Read-only: no action, no reveal; only the answer to their own consultation.
    party = case.parties.first()
    reveal = judge.post(
        f"/api/v1/cases/{case.id}/reveal/", {"party": party.id, "field": "phone"}, format="json"
    )
    assert reveal.status_code == 403
    session = judge.post(
        f"/api/v1/cases/{case.id}/consultations/",
        {"consultant_kind": "lawyer", "consultant_name": "x", "question": "?", "due_at": "x"},
        format="json",
    )
    assert session.status_code in (400, 403)
    answer = judge.post(
        f"/api/v1/cases/{case.id}/consultations/{consultation.id}/answer/",
        {"answer": "可依约支持，但不得超过法定上限。"},
        format="json",
    )
    assert answer.status_code == 200, answer.content
    # Other agencies' people see nothing new.
    assert api(agencies.hr_liaison).get(f"/api/v1/cases/{case.id}/").status_code == 404
    assert api(agencies.hr_liaison).get("/api/v1/cases/").json()["results"] == []


def test_the_consulted_judge_finds_it_in_the_inbox_and_answers_on_the_page(
    agencies, cast, client, consulted
):
    from notifications.models import Notification

    case, other, consultation = consulted
    assert Notification.objects.filter(user=agencies.court_liaison, case=case).count() == 1
    client.force_login(agencies.court_liaison)
    inbox = client.get("/referrals/?tab=consulted").content.decode()
    assert 'data-testid="consulted-item"' in inbox and case.number in inbox
    assert other.number not in inbox
    listing = client.get("/cases/").content.decode()
    assert case.number in listing and other.number not in listing
    page = client.get(f"/cases/{case.id}/").content.decode()
    assert "周征询" in page
    assert builders.id_number(31) not in page and "13800000031" not in page
    assert 'data-testid="do-answer"' in page
    assert 'data-testid="do-reveal"' not in page
    response = client.post(
        f"/cases/{case.id}/do/answer/",
        {"consultation": consultation.id, "answer": "可以调解，注意诉讼时效。"},
    )
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.answer == "可以调解，注意诉讼时效。"
    assert client.get(f"/cases/{other.id}/").status_code == 404


def test_a_free_text_consultant_is_marked_outside_the_system(agencies, cast, api, client):
    case = builders.report(cast.grid_worker_a, cast.areas.grid_a1)
    builders.drive(case, to="in_progress")
    mediator = api(cast.village_mediator_a)
    url = f"/api/v1/cases/{case.id}/consultations/"
    due = (timezone.now() + timedelta(days=3)).isoformat()
    body = {
        "consultant_kind": "lawyer",
        "consultant_name": "乡贤张老",
        "question": "?",
        "due_at": due,
    }
    assert mediator.post(url, body, format="json").status_code == 201
    member = AgencyMember.objects.get(user=agencies.court_liaison)
    body = {"consultant_kind": "judge", "member": member.pk, "question": "?", "due_at": due}
    assert mediator.post(url, body, format="json").status_code == 201
    marks = {c["consultant_name"]: c["outside_system"] for c in mediator.get(url).json()}
    assert marks == {"乡贤张老": True, str(agencies.court_liaison): False}
    client.force_login(cast.village_mediator_a)
    page = client.get(f"/cases/{case.id}/").content.decode()
    assert page.count('data-testid="outside-system"') == 1
    assert "系统外咨询对象姓名" in page
