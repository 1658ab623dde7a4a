"""Rankings that can be explained: a unit without cases is not ranked above units with work
(villages with no cases ranked 1st–8th at 100.0 on inspection reports alone)."""

from assessment.models import KpiSnapshot
from assessment.selectors import rank


def _snap(area, index, **metrics):
    return KpiSnapshot(
        area=area,
        period_kind="month",
        period_key="2026-10",
        metrics={"safety_index": index, **metrics},
        safety_index=index,
    )


def test_units_without_cases_are_ranked_apart_after_units_with_work(cast):
    a = cast.areas
    ranked = rank(
        [
            # Every grid reported, no case: the index is 100 on 排查覆盖率 alone.
            _snap(a.village_a1, 100.0, inspection_coverage=1.0, grids_inspected=2),
            _snap(a.village_a2, 60.0, intake=3, concluded=2, resolution_rate=0.5),
            _snap(a.village_b1, None),
            _snap(a.town_a, 80.0, concluded=1, resolution_rate=1.0),
            # Cases from earlier months, measured this month: work, ranked.
            _snap(a.town_b, 70.0, assign_measured=1, assignment_on_time_rate=0.7),
        ]
    )
    assert [s.area for s in ranked] == [
        a.town_a,
        a.town_b,
        a.village_a2,
        a.village_a1,
        a.village_b1,
    ]
    assert [s.rank for s in ranked] == [1, 2, 3, None, None]
    assert [s.standing for s in ranked] == ["ranked", "ranked", "ranked", "no_cases", "no_data"]


def test_ranking_api_says_why_a_unit_is_not_ranked(october, api):
    a = october.areas
    body = (
        api(october.county_officer)
        .get("/api/v1/rankings/", {"area": a.county.id, "level": "village", "period": "2026-10"})
        .json()
    )
    for row in body["results"]:
        assert (row["rank"] is None) == (row["standing"] != "ranked")
        assert row["computed_at"] == body["as_of"]
