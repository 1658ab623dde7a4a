"""The duty rota on a 360 px phone, as the demo accounts: the volunteer on duty today checks
in from the queue and logs a dispute; the village mediator turns it into a case in one tap."""

import pytest
from playwright.sync_api import expect

from cases.models import Case
from community.models import DutyLogEntry

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page):
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_volunteer_checks_in_and_logs_a_dispute_that_becomes_a_case(sign_in):
    phone = sign_in("volunteer", PHONE)
    assert phone.url.endswith("/queue/")
    expect(phone.get_by_test_id("today-duty")).to_be_visible()
    assert _fits(phone)
    phone.get_by_test_id("duty-check-in").click()
    expect(phone.get_by_test_id("duty-checked-in")).to_be_visible()

    phone.goto("/duty/")
    assert _fits(phone)
    phone.select_option("#log-kind", "dispute")
    phone.fill("#log-text", "村口两户因排水沟堵塞争吵，需调解。")
    phone.fill("#log-parties", "赵五、钱六")
    phone.get_by_test_id("duty-log-submit").click()
    expect(phone.get_by_text("村口两户因排水沟堵塞争吵")).to_be_visible()
    entry = DutyLogEntry.objects.get(text__startswith="村口两户")
    assert entry.case_id is None

    mediator = sign_in("village_mediator", PHONE)
    mediator.goto("/duty/")
    assert _fits(mediator)
    card = mediator.get_by_test_id("duty-dispute").filter(has_text="排水沟")
    card.locator("select[name=category]").select_option("neighbour")
    card.get_by_test_id("duty-log-to-case").click()
    expect(mediator.get_by_test_id("case-status")).to_be_visible()
    entry.refresh_from_db()
    case = Case.objects.get(pk=entry.case_id)
    assert mediator.url.endswith(f"/cases/{case.pk}/")
    assert sorted(p.name for p in case.parties.all()) == ["赵五", "钱六"]

    # Every self-governance page fits the phone.
    from community.models import Campaign, ConsultationDay

    village = entry.village
    day = ConsultationDay.objects.filter(village=village).order_by("-held_on").first()
    campaign = Campaign.objects.order_by("-ends_on").first()
    grid = entry.shift.volunteer.grid
    for path in [
        "/duty/",
        f"/rota/{village.pk}/",
        "/consultation-days/",
        "/consultation-days/new/",
        f"/consultation-days/{day.pk}/",
        "/campaigns/",
        f"/campaigns/{campaign.pk}/",
        f"/grids/{grid.pk}/team/",
    ]:
        assert mediator.goto(path).status == 200, path
        assert _fits(mediator), f"{path} overflows the phone"
