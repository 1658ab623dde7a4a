"""Every main page at phone (360×740) and desktop (1366×900) width: it renders, nothing
overflows sideways on the phone, and a PNG of it is saved. `SCREENSHOTS_DIR=docs/screenshots`
refreshes the pictures linked from the README; otherwise they go to a temporary folder."""

import os
from pathlib import Path

import pytest

from accounts.models import User
from cases import services
from cases.models import Case
from notifications.services import notify

from . import stories
from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _pages(case, town, referred):
    """(name, account, path) of each main page; `referred`: a case a police station referred."""
    return [
        ("login", None, "/login/"),
        ("queue", "village_mediator", "/queue/"),
        ("intake", "grid_worker", "/cases/new/"),
        ("case", "village_mediator", f"/cases/{case.pk}/"),
        ("inspection", "grid_worker", "/inspections/"),
        ("inbox", "town_officer", "/inbox/"),
        ("overdue", "town_officer", "/overdue/?tab=village"),
        ("town-dashboard", "town_officer", f"/dashboard/?area={town.pk}"),
        ("dashboard", "county_officer", "/dashboard/"),
        ("cases", "county_officer", "/cases/"),
        ("notifications", "town_officer", "/notifications/"),
        ("me", "grid_worker", "/me/"),
        ("case-reporter", "grid_worker", f"/cases/{case.pk}/"),
        ("404", "village_mediator_2", f"/cases/{case.pk}/"),
        # The light and agency accounts: the volunteer on duty, the police and 人社 liaisons.
        ("volunteer-queue", "volunteer", "/queue/"),
        ("duty", "volunteer", "/duty/"),
        ("referrals", "police_liaison", "/referrals/"),
        ("referral-new", "police_liaison", "/referrals/new/"),
        ("case-liaison", "police_liaison", f"/cases/{referred}/"),
        ("referrals-hr", "hr_liaison", "/referrals/"),
    ]


def test_main_pages_fit_a_phone_and_a_desktop(sign_in, chromium, live_server, tmp_path):
    out = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    stories.build()
    (case, *_) = stories.overdue_cases()
    referred, _ = stories.light_accounts()
    # The mediator has taken this one: the case page shows what they can do next.
    mediator = User.objects.get(username="village_mediator")
    services.case_assign(actor=mediator, case_id=case.pk, assignee=mediator)
    services.case_respond(actor=mediator, case_id=case.pk, note="已电话联系双方。")
    notify(
        users=[User.objects.get(username="town_officer")],
        kind="escalation",
        title=f"{case.number} 已上报至镇级",
        case=case,
    )
    case = Case.objects.select_related("town").get(pk=case.pk)
    pages = {}
    for name, account, path in _pages(case, case.town, referred):
        for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            key = (account, label)
            if key not in pages:
                if account is None:
                    context = chromium.new_context(viewport=viewport, base_url=live_server.url)
                    pages[key] = context.new_page()
                else:
                    pages[key] = sign_in(account, viewport)
            page = pages[key]
            response = page.goto(path)
            assert response.status == (404 if name == "404" else 200), (name, label)
            if name.endswith("dashboard"):
                page.wait_for_selector('[data-testid="chart-trend"] canvas')
                page.wait_for_timeout(300)
            if label == "phone":
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= PHONE["width"], f"{name} overflows the phone: {width}px"
            else:
                # A desktop table fits its frame: no column (the 期限 of a case late at several
                # stages) is cut off at the right until the table is scrolled sideways.
                for table in page.locator(".table-wrap > table").all():
                    inner = table.evaluate("t => [t.scrollWidth, t.parentElement.clientWidth]")
                    assert inner[0] <= inner[1], f"{name}: a table wider than its frame {inner}"
            page.screenshot(path=str(out / f"{name}-{label}.png"), full_page=label == "desktop")
    assert len(list(out.glob("*.png"))) == 2 * len(_pages(case, case.town, referred))
