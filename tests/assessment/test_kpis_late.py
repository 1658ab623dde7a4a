"""The on-time KPIs count what is late (DESIGN.md §14): a case still open past its resolve
deadline is late in the closure KPI (按期办结率) of the period its deadline fell in, not "on
time because not concluded"; an open period past its assign or respond deadline is late in
those KPIs. Both ways of computing (PostgreSQL's one pass, the portable queries) give the
hand-computed values. And the year's grade: indices that reach gold, silver and bronze."""

from datetime import date

import pytest
from django.db import connection

from assessment.kpis import compute_period
from assessment.models import KpiSnapshot
from assessment.periods import parse_period
from assessment.services import snapshot_period
from tests.builders import follow_up

from .builders import make_case, make_inspection, t

WAYS = ["single_pass", "portable"] if connection.vendor == "postgresql" else ["portable"]


@pytest.fixture(params=WAYS)
def kpi_queries(request, monkeypatch):
    from assessment import kpis

    monkeypatch.setattr(kpis, "PORTABLE_ONLY", request.param == "portable")
    return request.param


@pytest.fixture
def november(cast):
    """Village A1, around November 2026 (every case is a one-period village case)."""
    v = cast.areas.village_a1
    cases = {}
    # C1: reported and resolved in November, on time.
    cases["c1"] = make_case(
        cast,
        v,
        reported_at=t(11, 2),
        status="resolved",
        concluded_at=t(11, 6),
        periods=[
            dict(
                assign_due=t(11, 3),
                assigned_at=t(11, 2, 10),
                respond_due=t(11, 4),
                responded_at=t(11, 3),
                resolve_due=t(11, 20),
            )
        ],
    )
    # C2: reported in October, still in progress, its resolve deadline (Nov 10) passed.
    cases["c2"] = make_case(
        cast,
        v,
        reported_at=t(10, 20),
        status="in_progress",
        periods=[
            dict(
                assign_due=t(10, 21),
                assigned_at=t(10, 20, 10),
                respond_due=t(10, 22),
                responded_at=t(10, 21),
                resolve_due=t(11, 10),
            )
        ],
    )
    # C3: in progress, resolve deadline Dec 5.
    cases["c3"] = make_case(
        cast,
        v,
        reported_at=t(11, 9),
        status="in_progress",
        periods=[
            dict(
                assign_due=t(11, 10),
                assigned_at=t(11, 9, 10),
                respond_due=t(11, 11),
                responded_at=t(11, 10),
                resolve_due=t(12, 5),
            )
        ],
    )
    # C4: reported in September, in progress, its resolve deadline passed in October.
    cases["c4"] = make_case(
        cast,
        v,
        reported_at=t(9, 28),
        status="in_progress",
        periods=[
            dict(
                assign_due=t(9, 29),
                assigned_at=t(9, 28, 10),
                respond_due=t(9, 30),
                responded_at=t(9, 29),
                resolve_due=t(10, 20),
            )
        ],
    )
    # C5: resolve deadline Nov 20, still open at the end of November, resolved Dec 3 (late).
    cases["c5"] = make_case(
        cast,
        v,
        reported_at=t(11, 1),
        status="resolved",
        concluded_at=t(12, 3),
        periods=[
            dict(
                assign_due=t(11, 2),
                assigned_at=t(11, 1, 10),
                respond_due=t(11, 3),
                responded_at=t(11, 2),
                resolve_due=t(11, 20),
            )
        ],
    )
    # C6: never assigned (assign deadline Nov 13); C7: assigned, never responded (Nov 13 noon).
    cases["c6"] = make_case(
        cast,
        v,
        reported_at=t(11, 12),
        status="pending",
        periods=[dict(assign_due=t(11, 13), respond_due=t(11, 16), resolve_due=t(12, 10))],
    )
    cases["c7"] = make_case(
        cast,
        v,
        reported_at=t(11, 12),
        status="assigned",
        periods=[
            dict(
                assign_due=t(11, 13),
                assigned_at=t(11, 12, 10),
                respond_due=t(11, 13, 12),
                resolve_due=t(12, 10),
            )
        ],
    )
    return cases


NOW = t(12, 8)


def _kpis(cast, key):
    return compute_period(parse_period(key), now=NOW)[cast.areas.village_a1.id]


def test_an_open_case_past_its_resolve_deadline_is_late_in_the_month_the_deadline_fell_in(
    cast, november, kpi_queries
):
    nov = _kpis(cast, "2026-11")
    # Concluded in November: C1 (on time). Open at the month's end past a November deadline:
    # C2 (Nov 10) and C5 (Nov 20, resolved only on Dec 3). Not C3 (Dec 5), not C4 (October).
    assert (nov["concluded"], nov["concluded_on_time"], nov["resolve_overdue_open"]) == (1, 1, 2)
    assert nov["closure_measured"] == 3
    assert nov["closure_on_time_rate"] == pytest.approx(1 / 3)

    oct_ = _kpis(cast, "2026-10")
    # Nothing concluded in October; C4 was open past its October 20 deadline: 0 %, not "—".
    assert (oct_["concluded"], oct_["resolve_overdue_open"]) == (0, 1)
    assert oct_["closure_on_time_rate"] == 0.0

    dec = _kpis(cast, "2026-12")
    # C5 concluded late on Dec 3; C3 open past Dec 5; C6 and C7 not due until Dec 10.
    assert (dec["concluded"], dec["concluded_on_time"], dec["resolve_overdue_open"]) == (1, 0, 1)
    assert dec["closure_on_time_rate"] == 0.0


def test_open_periods_past_their_assign_or_respond_deadline_are_late(cast, november, kpi_queries):
    nov = _kpis(cast, "2026-11")
    # Periods arrived in November: C1, C3, C5, C6, C7. C6 never assigned: late.
    assert (nov["assign_measured"], nov["assign_met"]) == (5, 4)
    assert nov["assignment_on_time_rate"] == pytest.approx(4 / 5)
    # C6 and C7 never responded, both deadlines passed: late.
    assert (nov["respond_measured"], nov["respond_met"]) == (5, 3)
    assert nov["response_on_time_rate"] == pytest.approx(3 / 5)


def test_the_current_month_counts_a_deadline_once_it_has_passed(cast, november, kpi_queries):
    """At Nov 15 (the month under way) only C2's deadline (Nov 10) has passed."""
    nov = compute_period(parse_period("2026-11"), now=t(11, 15))[cast.areas.village_a1.id]
    assert nov["resolve_overdue_open"] == 1
    assert nov["closure_on_time_rate"] == pytest.approx(1 / 2)


# ---------------------------------------------------------------- the year's grade


def year_of_grades(cast):
    """2026 for the three villages: one case each, resolved at the village on time and followed
    up. Weighted rates defined: resolution 30, village and town retention 10 each, assignment,
    response and closure 10 each, follow-up 5, satisfaction 5, inspection coverage 5 (95).

    - 彭村 (A1): every rate 1, both grids inspected: 100 → gold;
    - 后村 (A2): every rate 1, its grid never inspected: 90/95 = 94.7 → silver;
    - 五里村 (B1): its follow-up dissatisfied, its grid never inspected: 85/95 = 89.5 → bronze.
    """
    a = cast.areas
    for village, satisfaction in (
        (a.village_a1, "satisfied"),
        (a.village_a2, "satisfied"),
        (a.village_b1, "dissatisfied"),
    ):
        case = make_case(
            cast,
            village,
            reported_at=t(3, 2),
            status="closed",
            outcome="agreement",
            concluded_at=t(3, 4),
            periods=[
                dict(
                    assign_due=t(3, 3),
                    assigned_at=t(3, 2, 10),
                    respond_due=t(3, 4),
                    responded_at=t(3, 3),
                    resolve_due=t(3, 20),
                )
            ],
        )
        follow_up(
            case,
            cast.village_mediator_a,
            satisfaction=satisfaction,
            performed_on=date(2026, 3, 10),
        )
    for grid in (a.grid_a1, a.grid_a1_2):
        make_inspection(cast, grid, period=date(2026, 3, 1), submitted_at=t(3, 31))


EXPECTED_GRADES = {"village_a1": "gold", "village_a2": "silver", "village_b1": "bronze"}


def assert_grades(cast, key="2026"):
    snapshots = {s.area_id: s for s in KpiSnapshot.objects.filter(period_key=key)}
    found = {name: snapshots[getattr(cast.areas, name).id] for name in EXPECTED_GRADES}
    assert {name: s.grade for name, s in found.items()} == EXPECTED_GRADES
    assert found["village_a1"].safety_index == pytest.approx(100.0)
    assert found["village_a2"].safety_index == pytest.approx(100 * 90 / 95, abs=0.01)
    assert found["village_b1"].safety_index == pytest.approx(100 * 85 / 95, abs=0.01)
    return found


def test_a_year_whose_indices_reach_gold_silver_and_bronze_is_graded_by_name(cast, kpi_queries):
    year_of_grades(cast)
    snapshot_period(parse_period("2026"), now=t(12, 31, 23))
    assert_grades(cast)
    # A month has no grade; the grade is the year's.
    snapshot_period(parse_period("2026-03"), now=t(12, 31, 23))
    assert not KpiSnapshot.objects.filter(period_key="2026-03").exclude(grade="").exists()
