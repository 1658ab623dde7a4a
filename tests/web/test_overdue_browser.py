"""As a user, in the browser at 360 px: a village case twelve days past its assign and respond
deadlines (the sweep has reminded both) is red in the village mediator's 待办 and on its page,
and under 超期督办 › 村级超期 of the town officer, naming the stage (分派超期N天)."""

import pytest

from . import stories
from .conftest import PHONE

pytestmark = pytest.mark.slow


def test_an_overdue_case_reads_red_with_its_stage_on_a_phone(sign_in):
    case = stories.swept_overdue_case("水渠堵塞纠纷")

    page = sign_in("village_mediator", PHONE)
    page.goto("/queue/")
    row = page.locator(f'[data-number="{case.number}"]')
    late = row.locator('[data-kind="assign"]')
    assert late.inner_text().startswith("分派超期")
    assert late.evaluate("e => getComputedStyle(e).color") == "rgb(197, 48, 48)"
    page.screenshot(path="/tmp/overdue-queue-phone.png", full_page=True)
    row.click()
    page.wait_for_load_state()
    badge = page.locator('[data-testid="case-late"][data-kind="assign"]')
    assert badge.inner_text().startswith("分派超期")
    page.screenshot(path="/tmp/overdue-case-phone.png")

    town = sign_in("town_officer", PHONE)
    town.goto("/overdue/?tab=village")
    assert town.locator('[data-tab="village"] .count').inner_text() == "1"
    assert town.locator(f'[data-number="{case.number}"] [data-kind="assign"]').is_visible()
    town.screenshot(path="/tmp/overdue-tab-phone.png", full_page=True)
