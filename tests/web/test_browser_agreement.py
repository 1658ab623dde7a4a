"""The agreement on a 360 px phone, as the demo village mediator: a session, a written
agreement with the fields the law requires, both parties and the mediator signing on the
screen (drawn on the canvas with the mouse), the seal, the agreement in effect, the follow-up
at the performance date, the close; the parties' copy of the PDF carries full identities and
its print is in the audit trail."""

from io import BytesIO

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from accounts.models import Role, User
from cases import services as case_services
from cases.models import Case, CaseEvent
from mediation.models import Agreement
from tests.builders import consent_all, id_number, party, report

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SHOTS = "/tmp"


def _case_in_progress():
    grid_worker = User.objects.get(username="grid_worker")
    grid = Role.objects.filter(user=grid_worker, kind="grid_worker").first().area
    parties = [party("王建国", "applicant", 11), party("李秀英", "respondent", 12)]
    case = report(grid_worker, grid, parties=parties, title="王某与李某院墙纠纷")
    mediator = User.objects.get(username="village_mediator")
    case_services.case_assign(actor=mediator, case_id=case.pk, assignee=mediator)
    case_services.case_respond(actor=mediator, case_id=case.pk, note="已联系双方。")
    # Consent and the rights notice (art. 17, 23) have their own phone walk (test_browser_law.py).
    consent_all(case, mediator)
    return case


def _open_action(page, name):
    page.locator(f'details[data-action="{name}"] > summary').click()
    return page.locator(f'details[data-action="{name}"] form')


def _draw(page, signer):
    """Sign with the mouse: a few strokes across the signer's canvas."""
    pad = page.get_by_test_id(f"pad-{signer}")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + w * 0.1, y + h * 0.6)
    page.mouse.down()
    for i in range(1, 16):
        page.mouse.move(x + w * (0.1 + 0.05 * i), y + h * (0.3 + 0.4 * (i % 2)), steps=2)
    page.mouse.up()


def test_a_written_agreement_is_signed_on_the_phone_sealed_followed_up_and_closed(sign_in):
    case = _case_in_progress()
    zhang, li = case.parties.order_by("role", "id")
    page = sign_in("village_mediator", PHONE)
    page.goto(f"/cases/{case.pk}/")
    expect(page.get_by_test_id("case-status")).to_have_text("村级·调解中")

    # A session, then the written agreement: the law's fields are marked, the facts pre-filled.
    form = _open_action(page, "session")
    form.locator('textarea[name="minutes"]').fill("双方陈述意见，同意按原界址重砌院墙。")
    page.get_by_test_id("do-session").click()
    expect(page.get_by_test_id("records")).to_contain_text("调解")
    form = _open_action(page, "resolve")
    assert form.locator('textarea[name="facts"]').input_value() == case.facts
    for label in ("各方责任", "履行方式", "履行期限"):
        expect(form.locator("label", has_text=label)).to_contain_text("*")
    today = page.evaluate("new Date().toLocaleDateString('sv-SE', {timeZone: 'Asia/Shanghai'})")
    form.locator('textarea[name="terms"]').fill("李秀英于当日拆除越界院墙，按原界址重砌。")
    form.locator('textarea[name="responsibilities"]').fill("李秀英越界砌墙，负主要责任。")
    form.locator('input[name="performance_method"]').fill("双方当场确认，调委会见证。")
    form.locator('input[name="perform_by"]').fill(today)
    page.get_by_test_id("do-resolve").click()
    expect(page.get_by_test_id("case-status")).to_have_text("村级·调解成功")
    expect(page.get_by_test_id("next-step")).to_contain_text("待双方签字")
    expect(page.get_by_test_id("agreement-missing")).to_contain_text("尚未生效")
    assert page.get_by_test_id("do-close").count() == 0  # nothing to press that would be refused
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_test_id(f"pad-party:{zhang.pk}").scroll_into_view_if_needed()
    page.screenshot(path=f"{SHOTS}/agreement-sign-360.png", full_page=True)

    # An empty pad is not sent.
    page.get_by_test_id(f"sign-party:{zhang.pk}").click()
    expect(page.locator(f'[data-signer="party:{zhang.pk}"] [data-signature-error]')).to_be_visible()

    # Both parties and the mediator sign on the screen.
    for signer in (f"party:{zhang.pk}", f"party:{li.pk}", "mediator"):
        _draw(page, signer)
        page.get_by_test_id(f"sign-{signer}").click()
        expect(page.locator(f'[data-signer="{signer}"] [data-testid="signed"]')).to_be_visible()
    expect(page.get_by_test_id("next-step")).to_contain_text("待盖章")
    page.get_by_test_id("do-seal").click()
    expect(page.get_by_test_id("agreement-effective")).to_contain_text("已生效")
    agreement = Agreement.objects.get(case=case)
    assert agreement.effective_on is not None and agreement.mediator_signature
    assert all(s.image for s in agreement.signatures.all())
    step = page.get_by_test_id("next-step").inner_text()
    assert "回访" in step and f"{agreement.perform_by:%m-%d}" in step
    page.get_by_test_id("agreement-panel").scroll_into_view_if_needed()
    page.screenshot(path=f"{SHOTS}/agreement-effective-360.png", full_page=True)

    # The follow-up at the performance date: dated, nothing chosen for the user.
    form = _open_action(page, "follow_up")
    assert form.locator("input[type=radio]:checked").count() == 0
    form.locator('input[name="performed_on"]').fill(today)
    for name, value in (
        ("method", "visit"),
        ("performed", "yes"),
        ("satisfaction", "satisfied"),
        ("remaining_risk", "none"),
    ):
        form.locator(f'input[name="{name}"][value="{value}"]').check()
    page.get_by_test_id("do-follow_up").click()
    expect(page.get_by_test_id("records")).to_contain_text("协议已履行")
    expect(page.get_by_test_id("next-step")).to_contain_text("可以结案")
    _open_action(page, "close")
    page.get_by_test_id("do-close").click()
    expect(page.get_by_test_id("case-status")).to_have_text("村级·已办结")
    assert Case.objects.get(pk=case.pk).outcome == "agreement"

    # The parties' copy: full identities, and the print is an audited reveal.
    link = page.get_by_test_id("agreement-pdf-parties")
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(response.body())).pages).replace(
        " ", ""
    )
    assert id_number(11) in text and id_number(12) in text and "13800000011" in text
    archive = page.request.get(page.get_by_test_id("agreement-pdf-archive").get_attribute("href"))
    assert id_number(11) not in PdfReader(BytesIO(archive.body())).pages[0].extract_text()
    printed = CaseEvent.objects.filter(case=case, kind="reveal", data__record="agreement_print")
    assert printed.count() == 1
    admin = sign_in("county_admin", PHONE)
    audit = admin.request.get("/api/v1/audit/?kind=reveal").json()
    assert any(row["case_id"] == case.pk and "协议书" in row["what"] for row in audit["results"])
