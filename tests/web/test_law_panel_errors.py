"""The case page's law panel shows each error beside its field (and its section open), not at
the top of the page: the form's own checks and the service's, for the report to the police,
its receipt and a party's consent or refusal."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import PoliceReport
from mediation.models import PartyConsent
from tests.builders import report

pytestmark = pytest.mark.django_db


def _error_beside(html: str, input_id: str) -> list[str]:
    """The error messages rendered in the same field block as the input `input_id` (a field
    block runs to the next one, or to the end of its form)."""
    for chunk in html.split('<div class="has-error">')[1:]:
        block = re.split(r'<div class="|</form>', chunk)[0]
        if f'id="{input_id}"' in block or f'for="{input_id}"' in block:
            return re.findall(r'<p class="field-error" role="alert">(.*?)</p>', block)
    return []


def test_the_police_report_form_shows_its_errors_beside_the_fields(client, cast):
    case = report(cast.village_officer_a, cast.areas.village_a1, risk="red")
    client.force_login(cast.town_officer_a)
    url = f"/cases/{case.pk}/law/police-report/"
    response = client.post(url, {"station": "", "reported_at": "昨天"})
    assert response.status_code == 400
    html = response.content.decode()
    assert _error_beside(html, "id_police_station")
    assert _error_beside(html, "id_police_reported_at")
    assert 'data-action="police-report" open' in html
    assert "请检查填写" not in html
    # The service's check (not in the future) lands beside its field too, the input kept.
    future = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, {"station": "城关派出所", "reported_at": future})
    assert response.status_code == 400
    html = response.content.decode()
    assert any("不能晚于现在" in e for e in _error_beside(html, "id_police_reported_at"))
    assert 'value="城关派出所"' in html
    assert PoliceReport.objects.get(case=case).reported_at is None


def test_the_receipt_form_shows_its_errors_beside_the_fields(client, cast):
    case = report(cast.village_officer_a, cast.areas.village_a1, risk="red")
    client.force_login(cast.town_officer_a)
    moment = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    client.post(
        f"/cases/{case.pk}/law/police-report/", {"station": "城关派出所", "reported_at": moment}
    )
    response = client.post(
        f"/cases/{case.pk}/law/police-receipt/",
        {"receipt_number": "", "receipt_at": moment, "receipt_person": "王警官"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert _error_beside(html, "id_receipt_receipt_number")
    assert not _error_beside(html, "id_receipt_receipt_person")
    assert 'data-action="police-receipt" open' in html


def test_a_refusal_without_routes_shows_the_error_beside_the_routes(client, cast):
    from cases import services

    case = report(cast.grid_worker_a, cast.areas.grid_a1)
    services.case_assign(
        actor=cast.village_officer_a, case_id=case.pk, assignee=cast.village_mediator_a
    )
    zhang, li = case.parties.order_by("id")
    client.force_login(cast.village_mediator_a)
    body = {"party": li.pk, "decision": "refuse", "decided_on": timezone.localdate().isoformat()}
    response = client.post(f"/cases/{case.pk}/law/consent/", body)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'data-action="consent-{li.pk}" open' in html
    assert f'data-action="consent-{zhang.pk}" open' not in html
    beside = _error_beside(html, f"id_consent{li.pk}_routes") or _error_beside(
        html, f"id_consent{li.pk}_routes_0"
    )
    assert beside, html[html.find(f'data-action="consent-{li.pk}"') :][:3000]
    assert not PartyConsent.objects.filter(case=case).exists()
