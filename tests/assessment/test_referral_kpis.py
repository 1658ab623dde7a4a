"""Referral KPIs (三调联动) in the month's roll-up, the same by PostgreSQL's single pass and the
portable queries, and as an input of the safety index with its editable weight."""

import pytest

from assessment.kpis import compute_period
from assessment.models import IndexWeight
from assessment.periods import parse_period
from cases import referrals
from tests import builders
from tests.referrals.conftest import agencies  # noqa: F401 (the fixture)

from .builders import t
from .test_kpis import NOW, kpi_queries  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def _october_referrals(cast, agencies):  # noqa: F811
    """Two cases of village A1 referred out to 人社 in October: one answered on time, one whose
    fixed deadline (Oct 20) passed unanswered; one 110 dispute referred in, not yet due."""
    first = builders.report(cast.grid_worker_a, cast.areas.grid_a1, at=t(10, 12))
    second = builders.report(
        cast.grid_worker_a, cast.areas.grid_a1, at=t(10, 12), parties=builders.two_parties(7)
    )
    on_time = referrals.referral_send(
        actor=cast.village_officer_a, case_id=first.id, agency_id=agencies.hr.id, note="移交",
        at=t(10, 12, 12),
    )  # fmt: skip
    referrals.referral_receive(actor=agencies.hr_liaison, referral_id=on_time.id, at=t(10, 13))
    referrals.referral_answer(
        actor=agencies.hr_liaison, referral_id=on_time.id, result="handled", note="已处理",
        at=t(10, 20),
    )  # fmt: skip
    referrals.referral_send(
        actor=cast.village_officer_a, case_id=second.id, agency_id=agencies.hr.id, note="移交",
        answer_due=t(10, 20), at=t(10, 12, 12),
    )  # fmt: skip
    referrals.referral_receive_dispute(
        actor=agencies.police_a, agency_id=agencies.station_a.id, kind="police_110",
        title="110移交", facts="邻里纠纷", category="neighbour", area=cast.areas.grid_a1,
        parties=builders.two_parties(9), at=t(10, 22),
    )  # fmt: skip


def test_referrals_are_counted_by_direction_kind_and_timeliness(
    cast,
    agencies,  # noqa: F811
    kpi_queries,  # noqa: F811
):
    _october_referrals(cast, agencies)
    results = compute_period(parse_period("2026-10"), now=NOW)
    for area in (cast.areas.village_a1, cast.areas.town_a, cast.areas.county):
        metrics = results[area.id]
        assert metrics["referrals_out"] == 2 and metrics["referrals_in"] == 1
        assert metrics["referrals_answered"] == 1 and metrics["referrals_mediated"] == 0
        assert metrics["referral_answer_measured"] == 2 and metrics["referral_answer_met"] == 1
        assert metrics["referral_on_time_rate"] == pytest.approx(0.5)
        assert metrics["referrals_by_kind"] == {
            "administrative": {"in": 0, "out": 2},
            "police": {"in": 1, "out": 0},
        }
    assert results[cast.areas.town_b.id]["referrals_out"] == 0
    assert results[cast.areas.village_b1.id]["referral_on_time_rate"] is None


def test_the_on_time_rate_weighs_in_the_safety_index_once_given_a_weight(
    cast,
    agencies,  # noqa: F811
):
    from assessment.models import KpiSnapshot
    from assessment.services import snapshot_period

    _october_referrals(cast, agencies)
    period = parse_period("2026-10")
    snapshot_period(period, now=NOW)
    before = KpiSnapshot.objects.get(area=cast.areas.village_a1, period_key="2026-10")
    IndexWeight.objects.update_or_create(metric="referral_on_time_rate", defaults={"weight": 50})
    snapshot_period(period, now=NOW)
    after = KpiSnapshot.objects.get(area=cast.areas.village_a1, period_key="2026-10")
    assert after.metrics["referral_on_time_rate"] == pytest.approx(0.5)
    assert after.safety_index != before.safety_index
