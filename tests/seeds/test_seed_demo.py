"""seed_demo: the demo county's year through the services, idempotent, with realistic KPIs;
the bulk path's rows consistent with what the services write."""

import io
import re
from collections import defaultdict
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.utils import timezone

from accounts.models import User
from assessment.kpis import compute_period
from assessment.models import KpiSnapshot
from assessment.periods import month_of, parse_period
from assessment.risk_models import VillageRisk
from cases.choices import EventKind, Outcome, Status
from cases.models import Case, CaseEvent, CaseNumberSequence, HandlingPeriod, Party
from cases.sweep import sweep_all
from grids.models import Area
from mediation.models import (
    Agreement,
    AgreementSignature,
    Committee,
    FollowUp,
    InspectionReport,
    JudicialConfirmation,
    MediatorProfile,
)

OPEN_WITH_PERIOD = [Status.PENDING, Status.ASSIGNED, Status.IN_PROGRESS]


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Area,
            User,
            Committee,
            MediatorProfile,
            Case,
            Party,
            CaseEvent,
            HandlingPeriod,
            Agreement,
            FollowUp,
            InspectionReport,
            KpiSnapshot,
        )
    }


def _assert_case_shapes():
    """Every case has its report event; open cases exactly one open period; next_deadline
    and the sweep's cursor only on open periods."""
    assert not Case.objects.exclude(
        pk__in=CaseEvent.objects.filter(kind=EventKind.REPORT).values("case_id")
    ).exists()
    open_periods = (
        Case.objects.annotate(n=Count("periods", filter=Q(periods__ended_at__isnull=True)))
        .values_list("status", "n")
        .distinct()
    )
    for status, n in open_periods:
        assert n == (1 if status in OPEN_WITH_PERIOD else 0), (status, n)
    assert not HandlingPeriod.objects.filter(
        ended_at__isnull=False, next_deadline__isnull=False
    ).exists()
    # An open period without a next deadline is one the sweep has finished with (督办).
    assert not HandlingPeriod.objects.filter(
        ended_at__isnull=True, next_deadline__isnull=True, case__supervised=False
    ).exists()
    # The sweep's cursor: on every open period, on no ended one.
    assert not HandlingPeriod.objects.filter(ended_at__isnull=True, cursor__isnull=True).exists()
    assert not HandlingPeriod.objects.filter(ended_at__isnull=False, cursor__isnull=False).exists()


def _assert_numbers_consecutive():
    by_key = defaultdict(list)
    for number in Case.objects.values_list("number", flat=True):
        county, year, serial = re.fullmatch(r"(\d{6})-(\d{4})-(\d{6})", number).groups()
        by_key[(county, int(year))].append(int(serial))
    last = {
        (s.county.code[:6], s.year): s.last
        for s in CaseNumberSequence.objects.select_related("county")
    }
    for key, serials in by_key.items():
        assert sorted(serials) == list(range(1, len(serials) + 1)), key
        assert last[key] == len(serials), key


def _assert_mediation_records(now):
    """What the mediation services write for the bulk cases: an agreement exactly for the cases
    resolved with one, signed (written) or in effect when reached (oral), its confirmation
    window once in effect; follow-ups between resolution and now, one before every closing
    with an agreement; grid inspection reports in their own village; the record events."""
    with_agreement = Case.objects.filter(Q(status=Status.RESOLVED) | Q(outcome=Outcome.AGREEMENT))
    agreements = dict(Agreement.objects.values_list("case_id", "id"))
    assert set(agreements) == set(with_agreement.values_list("id", flat=True))
    for case_id, data in CaseEvent.objects.filter(kind=EventKind.RESOLVE).values_list(
        "case_id", "data"
    ):
        assert data["agreement"] == agreements[case_id]
    assert not Agreement.objects.filter(form="oral").exclude(effective_on=F("reached_on")).exists()
    signed = Agreement.objects.filter(form="written", effective_on__isnull=False)
    assert signed.exists()
    assert AgreementSignature.objects.count() == 2 * signed.count()
    assert not AgreementSignature.objects.exclude(party__case_id=F("agreement__case_id")).exists()
    in_effect = Agreement.objects.filter(effective_on__isnull=False)
    assert JudicialConfirmation.objects.count() == in_effect.count()
    assert not JudicialConfirmation.objects.exclude(opened_on=F("agreement__effective_on")).exists()
    statuses = set(JudicialConfirmation.objects.values_list("status", flat=True))
    assert {"open", "declined", "confirmed"} <= statuses

    follow_ups = FollowUp.objects.all()
    assert not follow_ups.exclude(case__in=with_agreement).exists()
    assert not follow_ups.filter(created_at__lt=F("case__resolved_at")).exists()
    assert not follow_ups.filter(created_at__gt=now).exists()
    assert not follow_ups.filter(performed_on__gt=timezone.localdate(now)).exists()
    assert not Case.objects.filter(outcome=Outcome.AGREEMENT, follow_ups__isnull=True).exists()
    assert not Case.objects.filter(
        outcome=Outcome.AGREEMENT, closed_at__lt=F("follow_ups__created_at")
    ).exists()
    followed = with_agreement.filter(follow_ups__isnull=False).distinct().count()
    assert 0.85 <= followed / with_agreement.count() <= 0.97
    records = CaseEvent.objects.filter(kind=EventKind.RECORD)
    assert records.filter(data__record="follow_up").count() == follow_ups.count()
    assert records.filter(data__record="signature").count() == signed.count()

    reports = InspectionReport.objects.all()
    assert reports.count() > 0
    assert not reports.exclude(grid__level="grid").exists()
    assert not reports.exclude(grid__parent_id=F("village_id")).exists()
    assert not reports.exclude(village__parent_id=F("town_id")).exists()
    assert not reports.exclude(town__parent_id=F("county_id")).exists()
    assert not reports.exclude(period__day=1).exists()
    assert not reports.filter(submitted_at__gt=now).exists()
    links = InspectionReport.cases.through.objects
    assert links.exists()
    assert not links.exclude(case__grid_id=F("inspectionreport__grid_id")).exists()
    assert not links.filter(inspectionreport__zero=True).exists()
    assert not reports.filter(zero=False, cases__isnull=True).exists()


@pytest.mark.slow
@pytest.mark.django_db
def test_seed_demo_builds_a_year_with_realistic_kpis_and_a_second_run_changes_nothing():
    errors = io.StringIO()
    call_command("seed_demo", "--months", "2", stderr=errors, stdout=io.StringIO())
    assert "refused" not in errors.getvalue()
    first = _counts()
    assert first["Case"] > 150
    assert first["InspectionReport"] > 242
    assert first["FollowUp"] > 0 and first["Agreement"] > 0
    # Every village and town has its committee; the demo mediators sit in theirs.
    county = Area.objects.get(code="610222000000")
    places = Area.objects.filter(code__startswith="610222", level__in=["village", "town"])
    assert Committee.objects.filter(area__in=places, kind="peoples").count() == places.count()
    assert Committee.objects.filter(kind="industry", area=county).exists()
    studio = MediatorProfile.objects.get(committee__kind="studio")
    assert "金牌" in studio.title
    for username in ("village_mediator", "village_mediator_2"):
        assert MediatorProfile.objects.filter(
            user__username=username, committee__kind="peoples"
        ).exists()

    # Right now some cases are open in every state.
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {Status.PENDING, Status.ASSIGNED, Status.IN_PROGRESS, Status.CLOSED} <= statuses
    # Some were escalated by hand, some by the system (no actor), some reached the county.
    escalations = CaseEvent.objects.filter(kind=EventKind.ESCALATE)
    assert escalations.filter(actor__isnull=False).exists()
    assert Case.objects.filter(peak_level="town").exists()
    # The cases stalled at the county are supervised by the sweep that ends the seed.
    assert Case.objects.filter(supervised=True, level="county").count() >= 2
    # 督查督办: 督办 opened and answered, a 提醒函 and last month's 工作通报 issued and kept.
    from supervision.models import Letter, Supervision

    assert Supervision.objects.filter(status="open").exists()
    assert Supervision.objects.filter(status="closed").exists()
    assert {"reminder", "bulletin"} == set(Letter.objects.values_list("kind", flat=True))
    _assert_case_shapes()
    _assert_numbers_consecutive()

    # The KPIs of the span, from assessment's snapshots.
    year_keys = KpiSnapshot.objects.filter(area=county, period_kind="year").values_list(
        "period_key", flat=True
    )
    assert year_keys
    totals = defaultdict(int)
    for snapshot in KpiSnapshot.objects.filter(area=county, period_kind="month"):
        for name in ("concluded", "resolved", "peak_village"):
            totals[name] += snapshot.metrics[name]
    assert totals["concluded"] > 50
    assert 0.9 <= totals["resolved"] / totals["concluded"] <= 1.0
    assert totals["peak_village"] / totals["concluded"] > 0.7

    # Every demo village is rated for this month (seeds/risk.py).
    villages = Area.objects.filter(level="village", retired=False)
    assert VillageRisk.objects.filter(month=month_of().start_date).count() == villages.count()

    call_command("seed_demo", "--months", "2")
    assert _counts() == first


@pytest.mark.slow
@pytest.mark.django_db
def test_bulk_path_writes_consistent_cases_the_demo_accounts_can_list(on_postgres, api):
    call_command("seed_demo", "--no-cases")
    assert Case.objects.count() == 0
    call_command("seed_demo", "--cases", "2000", "--counties", "3")

    assert Case.objects.count() == 2000
    assert Area.objects.filter(level="county").count() == 3
    assert Party.objects.count() == 4000
    assert Party.objects.filter(id_number_encrypted__isnull=False).exists()
    _assert_case_shapes()
    _assert_numbers_consecutive()
    # Periods follow the levels reached: one a level.
    for case in Case.objects.exclude(outcome="rejected").annotate(n=Count("periods"))[:300]:
        assert case.n == {"village": 1, "town": 2, "county": 3}[case.peak_level]
    assert Case.objects.filter(status__in=OPEN_WITH_PERIOD).exists()

    county = Area.objects.get(code="610222000000")
    demo_cases = Case.objects.filter(county=county).count()
    assert 600 <= demo_cases <= 700
    officer = User.objects.get(username="county_officer")
    response = api(officer).get("/api/v1/cases/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert results and all(row["number"].startswith("610222-") for row in results)
    mediator = User.objects.get(username="village_mediator")
    assert Case.objects.visible_to(mediator).exists()

    now = timezone.now()
    _assert_mediation_records(now)
    # A month of history rolls up to plausible follow-up and inspection figures.
    month = (timezone.localdate(now).replace(day=1) - timedelta(days=80)).replace(day=1)
    metrics = compute_period(parse_period(f"{month:%Y-%m}"))[county.parent.parent_id]
    assert metrics["resolved_for_follow_up"] > 20
    assert 0.8 <= metrics["follow_up_rate"] <= 1.0
    assert 0.8 <= metrics["satisfaction_rate"] <= 1.0
    assert 0.8 <= metrics["inspection_coverage"] <= 0.9

    # Asking again for what the database already holds does nothing.
    counts = _counts()
    call_command("seed_demo", "--cases", "2000", "--counties", "3")
    assert _counts() == counts

    # The first sweep over the history reminds of a few recent agreements only: old
    # confirmation windows have closed and old resolutions were followed up or are past the
    # sweep's look-back.
    report = sweep_all(now=now)
    assert report.judicial_reminders + report.follow_up_reminders <= Case.objects.count() // 100
