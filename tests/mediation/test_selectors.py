from datetime import date

import pytest
from django.utils import timezone

from mediation import selectors
from mediation.models import Committee, InspectionReport, MediatorProfile

from .helpers import make_case

pytestmark = pytest.mark.django_db


def test_a_mediator_from_another_town_cannot_mediate_a_village_case_here(cast):
    areas = cast.areas
    assert selectors.can_mediate(cast.village_mediator_a, areas.village_a1)
    assert not selectors.can_mediate(cast.village_mediator_b, areas.village_a1)
    assert not selectors.can_mediate(cast.town_mediator_b, areas.town_a)
    assert not selectors.can_mediate(cast.village_mediator_a2, areas.village_a1)
    # Committee membership counts as well as the role.
    committee = Committee.objects.create(
        name="彭村人民调解委员会", kind="peoples", area=areas.village_a1
    )
    MediatorProfile.objects.create(user=cast.village_mediator_b, committee=committee)
    assert selectors.can_mediate(cast.village_mediator_b, areas.village_a1)
    assert set(selectors.mediators_for(areas.village_a1)) == {
        cast.village_mediator_a,
        cast.village_mediator_b,
    }
    MediatorProfile.objects.filter(user=cast.village_mediator_b).update(active=False)
    assert not selectors.can_mediate(cast.village_mediator_b, areas.village_a1)


def test_inspection_coverage_counts_zero_reports_over_the_area_and_months(cast):
    areas = cast.areas
    for grid, period in [
        (areas.grid_a1, date(2026, 10, 1)),
        (areas.grid_a2, date(2026, 11, 1)),
        (areas.grid_b1, date(2026, 10, 1)),
    ]:
        ids = grid.ancestor_ids_by_level()
        InspectionReport.objects.create(
            grid=grid,
            period=period,
            zero=True,
            reporter=cast.grid_worker_a,
            submitted_at=timezone.now(),
            province_id=ids["province"],
            city_id=ids["city"],
            county_id=ids["county"],
            town_id=ids["town"],
            village_id=ids["village"],
        )
    assert selectors.inspection_coverage(areas.town_a, date(2026, 10, 1), date(2026, 10, 31)) == (
        1,
        3,
    )
    assert selectors.inspection_coverage(areas.town_a, date(2026, 10, 1), date(2026, 11, 30)) == (
        2,
        3,
    )
    assert selectors.inspection_coverage(areas.county, date(2026, 10, 1), date(2026, 10, 31)) == (
        2,
        4,
    )
    assert selectors.inspection_coverage(areas.village_a1, date(2026, 9, 1), date(2026, 9, 30)) == (
        0,
        2,
    )


def test_case_file_lists_what_a_failed_mediation_needs(cast):
    case = make_case(cast, status="closed", outcome="failed")
    file = selectors.case_file(case)
    assert file.complete, "closing it needed a complete file"
    required = {i.key for i in file.items if i.required}
    assert {"consent", "rights_notice", "identity", "mediation_record", "routes"} <= required
    assert {i.key: i.required for i in file.items}["agreement"] is False
