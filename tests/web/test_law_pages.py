"""The case page's law panel through Django's test client (人民调解法 art. 17, 23, 25, 26, 27
and the one-month rule): each party's consent and notice, the refusal, the police report and
its receipt, the case file checklist and the extension form, offered only when the policy
allows."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Case, CaseEvent, PoliceReport
from mediation.models import PartyConsent
from tests.builders import drive, record_session, report

pytestmark = pytest.mark.django_db


def _fresh_assigned(cast):
    """Assigned to the village mediator with nothing recorded (no consents)."""
    from cases import services

    case = report(cast.grid_worker_a, cast.areas.grid_a1)
    services.case_assign(
        actor=cast.village_officer_a, case_id=case.pk, assignee=cast.village_mediator_a
    )
    return case


def test_the_consent_forms_record_each_party_and_the_checklist_says_what_is_missing(client, cast):
    case = _fresh_assigned(cast)
    client.force_login(cast.village_mediator_a)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="consents"' in html and "未记录" in html
    assert 'data-testid="file-missing"' in html and "当事人同意调解记录" in html
    zhang, li = case.parties.order_by("id")
    today = timezone.localdate().isoformat()
    assert f'data-testid="do-consent-{zhang.pk}"' in html

    # A session before consent: refused with the names of what is missing.
    response = client.post(
        f"/cases/{case.pk}/do/session/",
        {
            "held_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "place": "调解室",
            "minutes": "笔录",
        },
        follow=True,
    )
    text = response.content.decode()
    assert "张三是否同意调解" in text and "案件状态已变化" not in text

    for party in (zhang, li):
        response = client.post(
            f"/cases/{case.pk}/law/consent/",
            {
                "party": party.pk,
                "decision": "consent",
                "decided_on": today,
                "notified_on": today,
                "notice_method": "oral",
            },
        )
        assert response.status_code == 302
    assert PartyConsent.objects.filter(case=case, decision="consent").count() == 2
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert html.count("已告知") >= 2


def test_a_refusal_on_the_page_closes_the_case_rejected(client, cast):
    case = _fresh_assigned(cast)
    li = case.parties.order_by("id").last()
    client.force_login(cast.village_mediator_a)
    body = {"party": li.pk, "decision": "refuse", "decided_on": timezone.localdate().isoformat()}
    response = client.post(f"/cases/{case.pk}/law/consent/", body, follow=True)
    assert "其他解决途径" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == "assigned"
    response = client.post(
        f"/cases/{case.pk}/law/consent/", {**body, "routes": ["litigation"]}, follow=True
    )
    case = Case.objects.get(pk=case.pk)
    assert (case.status, case.outcome) == ("closed", "rejected")
    assert 'data-testid="file-complete"' in response.content.decode()


def test_the_police_panel_records_the_report_and_receipt_of_a_red_case(client, cast):
    case = report(cast.village_officer_a, cast.areas.village_a1, risk="red")
    client.force_login(cast.county_viewer)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="police-report"' in html and "待报告" in html
    assert 'data-testid="do-police-report"' not in html, "a viewer is offered no form"

    client.force_login(cast.town_officer_a)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="do-police-report"' in html
    moment = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/cases/{case.pk}/law/police-report/",
        {"station": "城关派出所", "reported_at": moment, "note": "恐激化"},
    )
    assert response.status_code == 302
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "已报告" in html and 'data-testid="do-police-receipt"' in html
    later = (timezone.localtime() + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    client.post(
        f"/cases/{case.pk}/law/police-receipt/",
        {"receipt_number": "JQ-7", "receipt_at": later, "receipt_person": "王警官"},
    )
    report_row = PoliceReport.objects.get(case=case)
    assert report_row.receipt_number == "JQ-7" and report_row.station == "城关派出所"
    assert 'data-testid="police-receipt"' in client.get(f"/cases/{case.pk}/").content.decode()
    assert client.post(f"/cases/{case.pk}/law/nothing/").status_code == 404


def test_the_extend_and_close_forms_record_the_parties_and_the_routes(client, cast):
    case = drive(report(cast.grid_worker_a, cast.areas.grid_a1), to="in_progress")
    record_session(case, cast.village_mediator_a)
    client.force_login(cast.village_mediator_a)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'name="parties"' in html and 'name="routes"' in html and "最多延期30日" in html
    due = timezone.localdate(case.periods.get(ended_at__isnull=True).resolve_due)
    ids = list(case.parties.values_list("pk", flat=True))
    body = {
        "until": (due + timedelta(days=40)).isoformat(),
        "parties": ids,
        "agreed_on": timezone.localdate().isoformat(),
    }
    response = client.post(f"/cases/{case.pk}/do/extend/", body)
    assert response.status_code == 400 and "最多延期" in response.content.decode()
    response = client.post(
        f"/cases/{case.pk}/do/extend/", {**body, "until": (due + timedelta(days=20)).isoformat()}
    )
    assert response.status_code == 302
    assert CaseEvent.objects.get(case=case, kind="extend").data["parties"] == sorted(ids)
    response = client.post(f"/cases/{case.pk}/do/close/", {"outcome": "failed", "note": "不成"})
    assert response.status_code == 400 and "仲裁" in response.content.decode()
    response = client.post(
        f"/cases/{case.pk}/do/close/",
        {"outcome": "failed", "note": "不成", "routes": ["arbitration"]},
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).outcome == "failed"
