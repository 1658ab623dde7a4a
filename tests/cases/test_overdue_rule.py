"""One definition of overdue (`cases.selectors`, DESIGN.md §14): the filter, the overdue
page, the dashboard's panel, the bulletin, the API's `overdue` field and the red badge of a
case row all read it, and it stays a walk of the partial deadline index."""

from datetime import timedelta

from django.utils import timezone

from cases import selectors
from cases.models import Case, HandlingPeriod
from cases.templatetags.cases_web import overdue_at
from tests.builders import report


def _case_due(cast, due, title, area=None, reporter=None):
    case = report(reporter or cast.grid_worker_a, area or cast.areas.grid_a1, title=title)
    HandlingPeriod.objects.filter(case=case, ended_at__isnull=True).update(next_deadline=due)
    return case


def test_every_reader_of_overdue_gives_the_same_answer(cast, api):
    now = timezone.now()
    late = _case_due(cast, now - timedelta(days=2), "逾期两天")
    just = _case_due(cast, now - timedelta(seconds=30), "刚刚逾期")
    not_yet = _case_due(cast, now + timedelta(hours=3), "三小时后到期")
    other_town = _case_due(
        cast, now - timedelta(days=1), "五里镇逾期", cast.areas.grid_b1, cast.grid_worker_b
    )
    cases = [late, just, not_yet, other_town]
    expected = {late.pk, just.pk, other_town.pk}

    # The query form and the per-period form.
    assert set(selectors.filter_overdue(Case.objects.all(), now)) == {
        c for c in Case.objects.filter(pk__in=expected)
    }
    periods = {p.case_id: p for p in selectors.open_periods()}
    assert {pk for pk, p in periods.items() if selectors.period_overdue(p, now)} == expected
    # The red badge of a case row (annotated with its open period's next deadline).
    rows = selectors.with_clock(Case.objects.filter(pk__in=[c.pk for c in cases]))
    assert {c.pk for c in rows if overdue_at(c.due_at, now)} == expected
    # The dashboard's panel and the bulletin: the area's overdue cases, most overdue first.
    assert selectors.overdue_under(cast.areas.town_a, now=now, limit=10) == [late.pk, just.pk]
    assert selectors.overdue_under(cast.areas.county, now=now, limit=2) == [late.pk, other_town.pk]

    # The API's filter and its `overdue` field, at the real clock a moment later.
    client = api(cast.county_officer)
    rows = client.get("/api/v1/cases/").json()["results"]
    assert {row["id"] for row in rows if row["overdue"]} == expected
    filtered = client.get("/api/v1/cases/?overdue=true").json()["results"]
    assert {row["id"] for row in filtered} == expected
    assert client.get(f"/api/v1/cases/{late.pk}/").json()["overdue"] is True


def test_a_deadline_is_overdue_from_its_own_moment(cast):
    """The sweep acts at the deadline's moment; the pages call it overdue from then too."""
    now = timezone.now()
    case = _case_due(cast, now, "此刻到期")
    period = HandlingPeriod.objects.get(case=case, ended_at__isnull=True)
    assert selectors.period_overdue(period, now)
    assert not selectors.period_overdue(period, now - timedelta(microseconds=1))
    assert list(selectors.filter_overdue(Case.objects.all(), now)) == [case]
    assert not selectors.filter_overdue(Case.objects.all(), now - timedelta(microseconds=1))


def test_the_overdue_rule_walks_the_partial_deadline_index(cast, on_postgres):
    from django.db import connection

    _case_due(cast, timezone.now() - timedelta(days=1), "逾期")
    with connection.cursor() as cursor:
        # With a handful of rows the planner would rather scan; the point is that it can use it.
        cursor.execute("SET LOCAL enable_seqscan = off")
    now = timezone.now()
    # The walk in deadline order (the dashboard's panel, the bulletin, the sweep's batches).
    walk = selectors.overdue_periods(now).order_by("next_deadline", "id")[:10]
    assert "period_next_deadline_open" in walk.explain()
