"""The county dashboard on a 1366 px desktop: the heat table fits with 合计 in view, the
ranking chart's axis starts near the lowest unit (differences of 90–100 show), and the page
says as of when its figures were computed."""

import pytest

from assessment.models import KpiSnapshot
from assessment.periods import month_of

from . import stories
from .conftest import DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_county_dashboard_fits_1366_and_its_ranking_axis_shows_the_differences(sign_in):
    stories.build()
    page = sign_in("county_officer", DESKTOP)
    page.goto("/dashboard/")
    page.wait_for_selector('[data-testid="chart-ranking"] canvas')
    assert "数据截至" in page.get_by_test_id("as-of").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]

    heat = page.get_by_test_id("heat-table")
    total = heat.locator("th.total")
    box = total.bounding_box()
    assert total.inner_text() == "合计"
    assert box["x"] >= 0 and box["x"] + box["width"] <= DESKTOP["width"]
    table = heat.bounding_box()
    assert table["x"] + table["width"] <= DESKTOP["width"], "the heat table fits 1366 px"

    axis = page.evaluate(
        """() => {
          const chart = echarts.getInstanceByDom(document.getElementById('chart-ranking'));
          const option = chart.getOption();
          const values = option.series[0].data.filter(v => v !== null);
          return {min: chart.getModel().getComponent('xAxis', 0).axis.scale.getExtent()[0],
                  low: Math.min(...values), high: Math.max(...values)};
        }"""
    )
    # Not from 0 whatever the values: the axis starts a quarter of the spread (at least 2, then
    # down to a multiple of 5) below the lowest bar, so units at 90–100 look different.
    pad = max(2, 0.25 * (axis["high"] - axis["low"]))
    assert axis["min"] <= axis["low"]
    assert axis["low"] - axis["min"] <= pad + 5, axis

    # Every town between 90 and 100 (the finding): the axis must not start at 0.
    month = month_of()
    for offset, snapshot in enumerate(
        KpiSnapshot.objects.filter(period_key=month.key, area__level="town").order_by("area__code")
    ):
        snapshot.safety_index = 99.0 - offset
        snapshot.save(update_fields=["safety_index"])
    page.goto("/dashboard/")
    page.wait_for_selector('[data-testid="chart-ranking"] canvas')
    narrow = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('chart-ranking'))"
        ".getModel().getComponent('xAxis', 0).axis.scale.getExtent()[0]"
    )
    assert 80 <= narrow < 92
