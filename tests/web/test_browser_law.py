"""The law's gates on a 360 px phone, as the demo accounts: the village mediator records each
party's consent and rights notice, then a session; the case file checklist says what is
missing; the extension asks which parties agreed; the town officer reports a red case to the
police and records the station's receipt."""

import pytest
from playwright.sync_api import expect

from accounts.models import Role, User
from cases.models import PoliceReport
from mediation.models import PartyConsent
from tests.builders import party, report

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _open(page, name):
    page.locator(f'details[data-action="{name}"] > summary').click()
    return page.locator(f'details[data-action="{name}"] form')


def _grid_case(**overrides):
    worker = User.objects.get(username="grid_worker")
    grid = Role.objects.filter(user=worker, kind="grid_worker").first().area
    parties = [party("王某", "applicant", 401), party("李某", "respondent", 402)]
    return report(worker, grid, parties=parties, **overrides)


def test_consent_notice_session_and_checklist_on_a_phone(sign_in):
    case = _grid_case()
    page = sign_in("village_mediator", PHONE)
    page.goto(f"/cases/{case.pk}/")
    page.get_by_test_id("do-claim").click()
    expect(page.get_by_test_id("case-status")).to_have_text("村级·已分派")
    expect(page.get_by_test_id("file-missing")).to_be_visible()
    expect(page.get_by_test_id("file-consent")).to_contain_text("未记录同意调解")

    # A session first is refused, naming what is missing.
    form = _open(page, "session")
    form.locator('textarea[name="minutes"]').fill("双方陈述。")
    page.get_by_test_id("do-session").click()
    expect(page.locator(".messages, [role=alert]").first).to_contain_text("是否同意调解")

    for p in case.parties.order_by("id"):
        form = _open(page, f"consent-{p.pk}")
        form.locator('label:has(input[value="consent"])').click()
        form.locator('select[name="notice_method"]').select_option("written")
        page.get_by_test_id(f"do-consent-{p.pk}").click()
        expect(page.locator(".messages")).to_contain_text("已记录当事人意愿")
        expect(page.get_by_test_id(f"consent-{p.pk}").locator(".badge.green").first).to_have_text(
            "同意调解"
        )
    assert PartyConsent.objects.filter(case=case, decision="consent").count() == 2
    expect(page.get_by_test_id("file-rights_notice")).to_contain_text("✓")

    form = _open(page, "session")
    form.locator('textarea[name="minutes"]').fill("告知权利义务后，双方陈述，调解员释法说理。")
    page.get_by_test_id("do-session").click()
    expect(page.get_by_test_id("case-status")).to_have_text("村级·调解中")
    expect(page.get_by_test_id("file-mediation_record")).to_contain_text("1 次调解")

    form = _open(page, "extend")
    expect(form.locator('input[name="parties"]')).to_have_count(2)
    expect(form).to_contain_text("最多延期30日")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path="/tmp/law-phone-consent.png", full_page=True)


def test_police_report_and_receipt_of_a_red_case_on_a_phone(sign_in):
    case = _grid_case(risk="red")
    page = sign_in("town_officer", PHONE)
    page.goto(f"/cases/{case.pk}/")
    panel = page.get_by_test_id("police-report")
    expect(panel).to_contain_text("应于")
    form = page.locator('details[data-action="police-report"] form')
    expect(form).to_be_visible()  # open: the report is owed
    form.locator('input[name="station"]').fill("宜君县公安局城关派出所")
    form.locator('textarea[name="note"]').fill("双方曾发生推搡，恐矛盾激化。")
    page.get_by_test_id("do-police-report").click()
    expect(panel).to_contain_text("已报告")
    form = _open(page, "police-receipt")
    form.locator('input[name="receipt_number"]').fill("JQ20261129-001")
    form.locator('input[name="receipt_person"]').fill("张警官")
    page.get_by_test_id("do-police-receipt").click()
    expect(page.get_by_test_id("police-receipt")).to_contain_text("JQ20261129-001")
    row = PoliceReport.objects.get(case=case)
    assert row.reported_at is not None and row.receipt_person == "张警官"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path="/tmp/law-phone-police.png", full_page=True)
