"""The county's case list on the desktop: a total (exact up to a cap, an estimate past it, said
so), report-date and town filters, a dense table sorted on the server by a whitelist, and a
constant number of queries whatever the number of cases."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from cases import list_page, overdue
from tests.builders import report, two_parties


def _numbers(html):
    """Case numbers in the desktop table, in order."""
    table = html[html.index('data-testid="case-table"') :]
    return re.findall(r'<tr data-number="([^"]+)"', table)


def _total(html):
    return re.search(r'data-testid="case-total">(.*?)</p>', html, re.S).group(1)


@pytest.fixture
def spread(cast):
    """Five cases in town A over five days, two in town B (today)."""
    now = timezone.now()
    a = [
        report(
            cast.grid_worker_a,
            cast.areas.grid_a1,
            title=f"彭镇案{i}",
            parties=two_parties(100 + 10 * i),
            at=now - timedelta(days=i),
        )
        for i in range(5)
    ]
    b = [
        report(
            cast.grid_worker_b,
            cast.areas.grid_b1,
            title=f"五里案{i}",
            parties=two_parties(300 + 10 * i),
        )
        for i in range(2)
    ]
    return a, b


def test_total_and_town_and_date_filters(client, cast, spread):
    a, b = spread
    client.force_login(cast.county_officer)
    html = client.get("/cases/").content.decode()
    assert "共 <strong>7</strong> 件" in _total(html)
    # The town picker lists the county's towns.
    assert f'<option value="{cast.areas.town_a.pk}"' in html and "五里镇" in html
    html = client.get(f"/cases/?area={cast.areas.town_b.pk}").content.decode()
    assert "共 <strong>2</strong> 件" in _total(html)
    assert set(_numbers(html)) == {c.number for c in b}
    # Reported from three days ago to yesterday, both days included: cases 1–3 of town A.
    today = timezone.localdate()
    query = f"?area={cast.areas.town_a.pk}&from={today - timedelta(days=3)}&to={today - timedelta(days=1)}"
    html = client.get("/cases/" + query).content.decode()
    assert set(_numbers(html)) == {a[1].number, a[2].number, a[3].number}
    assert "共 <strong>3</strong> 件" in _total(html)
    # The export link carries the same window as report-time bounds.
    export = re.search(r'href="/api/v1/cases/export\.xlsx\?([^"]+)"', html).group(1)
    assert "reported_after=" in export and "reported_before=" in export
    # A bad date is named and ignored, never a 500.
    response = client.get("/cases/?from=2026-02-30&to=junk")
    assert response.status_code == 200
    assert "格式应为" in response.content.decode()


@pytest.mark.parametrize(
    "sort,key,reverse",
    [
        ("number", lambda c: c.number, False),
        ("-number", lambda c: c.number, True),
        ("reported", lambda c: c.reported_at, False),
        ("-reported", lambda c: c.reported_at, True),
    ],
)
def test_table_sorts_on_the_server(client, cast, spread, sort, key, reverse):
    cases = [*spread[0], *spread[1]]
    client.force_login(cast.county_officer)
    html = client.get(f"/cases/?sort={sort}").content.decode()
    assert _numbers(html) == [c.number for c in sorted(cases, key=key, reverse=reverse)]
    # The header links toggle the direction and keep the filters.
    assert 'data-sort="number"' in html and 'data-sort="deadline"' in html


def test_deadline_and_status_sorts_and_junk_sorts(client, cast, spread):
    from tests.builders import drive

    a, _ = spread
    drive(a[0], to="in_progress")
    client.force_login(cast.county_officer)
    soonest = _numbers(client.get("/cases/?sort=deadline").content.decode())
    assert len(soonest) == 7
    by_status = _numbers(client.get("/cases/?sort=status").content.decode())
    assert by_status[0] == a[0].number  # "in_progress" sorts before "pending"
    default = _numbers(client.get("/cases/").content.decode())
    for junk in ("id;drop table", "-title", "reported_at", "__class__"):
        response = client.get(f"/cases/?sort={junk}")
        assert response.status_code == 200
        assert _numbers(response.content.decode()) == default


def test_past_the_cap_the_total_is_an_estimate_and_says_so(client, cast, spread, monkeypatch):
    monkeypatch.setattr(list_page, "COUNT_CAP", 4)
    client.force_login(cast.county_officer)
    html = client.get("/cases/").content.decode()
    assert "超过 <strong>4</strong> 件" in _total(html) and "估算" in _total(html)


def test_case_list_queries_do_not_grow_with_cases(client, cast, django_assert_max_num_queries):
    for i in range(3):
        report(
            cast.grid_worker_a,
            cast.areas.grid_a1,
            title=f"少{i}",
            parties=two_parties(500 + 10 * i),
        )
    client.force_login(cast.county_officer)
    urls = ["/cases/", "/cases/?sort=deadline", f"/cases/?area={cast.areas.town_a.pk}&sort=-number"]
    baselines = []
    for url in urls:
        # The page's own reads, then what is late on it: one query per kind of deadline.
        with django_assert_max_num_queries(9 + len(overdue.sources())) as few:
            client.get(url)
        baselines.append(len(few.captured_queries))
    for i in range(22):
        report(
            cast.grid_worker_b,
            cast.areas.grid_b1,
            title=f"多{i}",
            parties=two_parties(700 + 10 * i),
        )
    for url, baseline in zip(urls, baselines, strict=True):
        with django_assert_max_num_queries(baseline):
            response = client.get(url)
        assert response.status_code == 200
