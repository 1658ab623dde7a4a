"""The county's case list sorted by deadline on a 1366 px desktop: an overdue case's 期限 cell,
with every late stage in red and the next deadline still ahead (not red, as on the case page
and the phone's card), is in view without scrolling the table sideways."""

import pytest

from . import stories
from .conftest import DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_the_deadline_column_of_an_overdue_case_fits_1366(sign_in):
    case = stories.swept_overdue_case("两户因宅基地院墙界址及排水通行发生纠纷")

    page = sign_in("county_officer", DESKTOP)
    page.goto("/cases/?sort=deadline")
    row = page.locator(f'tr[data-number="{case.number}"]')
    late = row.locator('[data-kind="respond"]')
    assert late.inner_text().startswith("响应超期")
    box = late.bounding_box()
    assert box["x"] + box["width"] <= DESKTOP["width"], "the late stage is in view at 1366 px"
    wrap = page.locator(".table-wrap").first
    assert page.get_by_test_id("case-table").evaluate("t => t.scrollWidth") <= wrap.evaluate(
        "w => w.clientWidth"
    ), "the table fits its frame: no sideways scroll on a 1366 px desktop"
    ahead = row.locator(".due")
    assert ahead.inner_text().startswith("办结剩余")
    red = late.evaluate("e => getComputedStyle(e).color")
    assert ahead.evaluate("e => getComputedStyle(e).color") != red, "a deadline ahead is not late"
