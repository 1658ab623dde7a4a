"""In-process measurements that have no HTTP face: the sweep and the KPI roll-up.

Run as `python bench/probe.py` with DJANGO_SETTINGS_MODULE and DATABASE_URL set; prints JSON.
"""

import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from assessment.models import KpiSnapshot  # noqa: E402
from assessment.periods import parse_period  # noqa: E402
from assessment.services import snapshot_period  # noqa: E402
from cases.sweep import (  # noqa: E402
    _due_periods,
    deadline_sources_run,
    follow_up_run,
    sweep_all,
    sweep_run,
)


def _ms(seconds):
    return round(seconds * 1000, 2)


# Later than any deadline: every period the sweep has still to act on is due at it.
END_OF_TIME = datetime(9999, 1, 1, tzinfo=UTC)


def clock_with_due(n):
    """A pretended 'now' at which about n handling periods are due to the sweep, counted as the
    sweep counts them (`_due_periods`: not the supervised county cases parked on a resolve
    deadline already acted on, which stay overdue and are never acted on again: counted, they
    put the clock of a large history in the past, where nothing is due); None if fewer are
    ever due. Periods share deadlines (a working day's end), so the clock is the deadline at
    which the number due comes nearest n (`_due_periods(clock).count()` says how many)."""
    deadlines = list(
        _due_periods(END_OF_TIME)
        .order_by("cursor__next_deadline", "cursor__period_id")
        .values_list("cursor__next_deadline", flat=True)[:n]
    )
    if len(deadlines) < n:
        return None
    last = deadlines[-1]
    before = deadlines.index(last)  # due at the deadline before the last one
    if before and n - before < _due_periods(last).count() - n:
        return deadlines[before - 1]
    return last


def clear_mediation_backlog(now):
    """A pretended clock also finds the mediation deadlines (judicial confirmation, follow-up,
    consultation) that fall due before it and after the catch-up. They are acted on first,
    timed on their own, so that the timed sweep's N due items are N handling periods."""
    reminders = 0
    start = time.perf_counter()
    for _ in range(1000):
        report = deadline_sources_run(now=now)
        if not report.breaches:
            break
        reminders += report.breaches
    elapsed = time.perf_counter() - start
    return {
        "reminders": reminders,
        "ms": _ms(elapsed),
        "ms_per_reminder": round(_ms(elapsed) / reminders, 3) if reminders else None,
    }


def _mediation(report):
    return report.judicial_reminders + report.follow_up_reminders + report.consultation_reminders


def catch_up(now):
    """Sweep at `now` until a sweep finds nothing (each acts on at most 1,000 mediation
    deadlines of a kind): the state a running system is in between two beats."""
    runs = breaches = 0
    while runs < 100:
        report = sweep_all(now=now)
        runs += 1
        breaches += report.breaches
        if not report.breaches:
            break
    return {"runs": runs, "breaches": breaches}


def measure_sweeps():
    results = {}
    # Nothing due: the present, once the sweep has caught up (as the beat keeps it).
    now = timezone.now()
    results["caught_up"] = catch_up(now)
    timings = []
    for _ in range(30):
        start = time.perf_counter()
        report = sweep_run(now=now)
        timings.append(time.perf_counter() - start)
    results["nothing_due"] = {
        "runs": len(timings),
        "p50_ms": _ms(statistics.median(timings)),
        "max_ms": _ms(max(timings)),
        "breaches": report.breaches,
    }
    # The hourly follow-up pass with nothing due (it reads the last 60 days' resolutions).
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        follow_up_run(now=now)
        timings.append(time.perf_counter() - start)
    results["follow_up_pass"] = {"runs": 5, "p50_ms": _ms(statistics.median(timings))}
    for n in (1000, 10000):
        now = clock_with_due(n)
        if now is None:
            results[f"due_{n}"] = {"skipped": f"fewer than {n} periods ever due"}
            continue
        periods_due = _due_periods(now).count()
        results[f"mediation_before_{n}"] = clear_mediation_backlog(now)
        start = time.perf_counter()
        report = sweep_run(now=now)
        elapsed = time.perf_counter() - start
        results[f"due_{n}"] = {
            "ms": _ms(elapsed),
            "clock": now.isoformat(),
            "periods_due": periods_due,
            "periods_handled": report.periods,
            # Acted on before (`mediation_before_N`): none left for the timed sweep, whose
            # items are the periods due at the clock (`periods_due`, counted as it counts).
            "mediation_reminders": _mediation(report),
            "ms_per_due": round(_ms(elapsed) / max(report.periods + _mediation(report), 1), 3),
            "report": {k: v for k, v in report.as_dict().items() if isinstance(v, int | float)},
        }
    return results


# The bare SQL aggregate: the same figures as the roll-up (assessment/kpis.py's definitions),
# written plainly, one GROUP BY per level and table, with nothing around it: no Python, no
# snapshot rows written. The roll-up is measured against it, and checked to agree with it.
CONCLUDED = """(c.concluded_at >= %(s)s AND c.concluded_at < %(e)s
     AND (c.status = 'resolved' OR c.outcome IN ('agreement', 'failed', 'referred')))"""
RESOLVED = """(c.concluded_at >= %(s)s AND c.concluded_at < %(e)s
     AND (c.status = 'resolved' OR c.outcome = 'agreement'))"""

BARE_CASES_SQL = f"""
SELECT c.{{col}} AS area_id,
       COUNT(*) FILTER (WHERE c.reported_at >= %(s)s AND c.reported_at < %(e)s) AS intake,
       COUNT(*) FILTER (WHERE {CONCLUDED}) AS concluded,
       COUNT(*) FILTER (WHERE {RESOLVED}) AS resolved,
       COUNT(*) FILTER (WHERE {CONCLUDED} AND c.peak_level = 'village') AS peak_village,
       COUNT(*) FILTER (WHERE {CONCLUDED} AND c.peak_level IN ('village', 'town'))
           AS peak_town_or_below,
       COUNT(*) FILTER (WHERE {CONCLUDED} AND c.peak_level = 'county') AS peak_county,
       COUNT(*) FILTER (WHERE {CONCLUDED} AND c.concluded_at <= (
           SELECT p.resolve_due FROM cases_handlingperiod p
           WHERE p.case_id = c.id AND p.arrived_at <= c.concluded_at
           ORDER BY p.arrived_at DESC, p.id DESC LIMIT 1)) AS concluded_on_time,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY cd.ordinal - rd.ordinal)
           FILTER (WHERE {CONCLUDED}) AS closure_median_working_days,
       COUNT(*) FILTER (WHERE {RESOLVED} AND EXISTS (
           SELECT 1 FROM mediation_followup f WHERE f.case_id = c.id)) AS followed_up
FROM cases_case c
LEFT JOIN assessment_workcalendarday cd
       ON cd.day = (c.concluded_at AT TIME ZONE 'Asia/Shanghai')::date
LEFT JOIN assessment_workcalendarday rd
       ON rd.day = (c.reported_at AT TIME ZONE 'Asia/Shanghai')::date
WHERE (c.reported_at >= %(s)s AND c.reported_at < %(e)s)
   OR (c.concluded_at >= %(s)s AND c.concluded_at < %(e)s)
GROUP BY c.{{col}}
"""

MEASURED = """(p.{kind}_at IS NOT NULL OR (p.{kind}_due IS NOT NULL
     AND p.{kind}_due <= LEAST(COALESCE(p.ended_at, %(as_of)s), %(as_of)s)))"""
ASSIGN_MEASURED = MEASURED.format(kind="assigned").replace("assigned_due", "assign_due")
RESPOND_MEASURED = MEASURED.format(kind="responded").replace("responded_due", "respond_due")

BARE_PERIODS_SQL = f"""
SELECT c.{{col}} AS area_id,
       COUNT(*) FILTER (WHERE {ASSIGN_MEASURED}) AS assign_measured,
       COUNT(*) FILTER (WHERE p.assigned_at <= p.assign_due) AS assign_met,
       percentile_cont(0.5) WITHIN GROUP (
           ORDER BY EXTRACT(EPOCH FROM (p.assigned_at - p.arrived_at)) / 3600.0)
           FILTER (WHERE p.assigned_at IS NOT NULL) AS assignment_median_hours,
       COUNT(*) FILTER (WHERE {RESPOND_MEASURED}) AS respond_measured,
       COUNT(*) FILTER (WHERE p.responded_at <= p.respond_due) AS respond_met,
       percentile_cont(0.5) WITHIN GROUP (
           ORDER BY EXTRACT(EPOCH FROM (p.responded_at - p.arrived_at)) / 3600.0)
           FILTER (WHERE p.responded_at IS NOT NULL) AS response_median_hours,
       COUNT(*) FILTER (WHERE p.entered_by = 'escalate') AS escalations,
       COUNT(*) FILTER (WHERE p.entered_by = 'escalate' AND {ASSIGN_MEASURED})
           AS escalations_measured,
       COUNT(*) FILTER (WHERE p.entered_by = 'escalate' AND p.assigned_at <= p.assign_due)
           AS escalations_met
FROM cases_handlingperiod p JOIN cases_case c ON c.id = p.case_id
WHERE p.arrived_at >= %(s)s AND p.arrived_at < %(e)s
GROUP BY c.{{col}}
"""

BARE_FOLLOW_UPS_SQL = """
SELECT c.{col} AS area_id, COUNT(*) AS follow_ups,
       COUNT(*) FILTER (WHERE f.satisfaction IN ('satisfied', 'basically')) AS satisfied
FROM mediation_followup f JOIN cases_case c ON c.id = f.case_id
WHERE f.performed_on >= %(sd)s AND f.performed_on < %(ed)s
GROUP BY c.{col}
"""

BARE_INSPECTIONS_SQL = """
SELECT r.{col} AS area_id, COUNT(DISTINCT r.grid_id) AS grids_inspected
FROM mediation_inspectionreport r
WHERE r.period >= %(sd)s AND r.period < %(ed)s
GROUP BY r.{col}
"""

BARE_CLOSURE_LATE_SQL = """
SELECT c.{col} AS area_id, COUNT(*) AS resolve_overdue_open
FROM cases_handlingperiod p JOIN cases_case c ON c.id = p.case_id
WHERE ((p.ended_at IS NULL
         AND p.resolve_due >= %(s)s AND p.resolve_due < %(e)s AND p.resolve_due <= %(as_of)s)
    OR (p.ended_at > %(as_of)s
         AND p.resolve_due >= %(s)s AND p.resolve_due < %(e)s AND p.resolve_due <= %(as_of)s))
GROUP BY c.{col}
"""

LEVEL_COLUMNS = ("county_id", "town_id", "village_id")
CHECKED = (
    "resolve_overdue_open",
    "intake",
    "concluded",
    "resolved",
    "concluded_on_time",
    "followed_up",
    "assign_measured",
    "assign_met",
    "respond_met",
    "escalations",
    "follow_ups",
)


def bare_sql(period, as_of):
    """{area id: figures} for every county, town and village, and the seconds it took."""
    params = {
        "s": period.start,
        "e": period.end,
        "sd": period.start_date,
        "ed": period.end_date,
        "as_of": as_of,
    }
    figures = {}
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")  # as the roll-up does: short aggregate queries
        for col in LEVEL_COLUMNS:
            for template in (
                BARE_CASES_SQL,
                BARE_PERIODS_SQL,
                BARE_CLOSURE_LATE_SQL,
                BARE_FOLLOW_UPS_SQL,
                BARE_INSPECTIONS_SQL,
            ):
                cursor.execute(template.format(col=col), params)
                names = [d.name for d in cursor.description]
                for row in cursor.fetchall():
                    figures.setdefault(row[0], {}).update(zip(names[1:], row[1:], strict=True))
    return figures, time.perf_counter() - start


def measure_kpis(period_key):
    period = parse_period(period_key)
    now = timezone.now()
    as_of = min(period.end, now)
    snapshot_period(period, now=now)  # warm: the calendar table and caches, as at 02:17 daily
    bare_runs, rollup_runs = [], []
    for _ in range(3):
        figures, seconds = bare_sql(period, as_of)
        bare_runs.append(seconds)
        start = time.perf_counter()
        written = snapshot_period(period, now=now)
        rollup_runs.append(time.perf_counter() - start)
    stored = {
        s.area_id: s.metrics
        for s in KpiSnapshot.objects.filter(period_key=period.key, area_id__in=list(figures))
    }
    mismatches = [
        (area_id, name, value, stored.get(area_id, {}).get(name))
        for area_id, row in figures.items()
        for name, value in row.items()
        if name in CHECKED and stored.get(area_id, {}).get(name) != value
    ]
    bare, rollup = statistics.median(bare_runs), statistics.median(rollup_runs)
    return {
        "period": period_key,
        "bare_sql_ms": _ms(bare),
        "rollup_ms": _ms(rollup),
        "ratio": round(rollup / bare, 2) if bare else None,
        "runs": len(bare_runs),
        "snapshots_written": written,
        "areas_checked": len(figures),
        "figures_disagreeing": len(mismatches),
        "first_disagreements": [list(map(str, m)) for m in mismatches[:5]],
    }


if __name__ == "__main__":
    period_key = sys.argv[1] if len(sys.argv) > 1 else None
    output = {}
    if period_key:
        output["kpi"] = measure_kpis(period_key)
    output["sweep"] = measure_sweeps()
    print(json.dumps(output, default=str))
