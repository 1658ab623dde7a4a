"""In-process measurements that have no HTTP face: the sweep and the KPI roll-up.

Run as `python bench/probe.py` with DJANGO_SETTINGS_MODULE and DATABASE_URL set; prints JSON.
"""

import json
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from assessment.periods import parse_period  # noqa: E402
from assessment.services import snapshot_period  # noqa: E402
from cases.models import HandlingPeriod  # noqa: E402
from cases.sweep import sweep_run  # noqa: E402


def _ms(seconds):
    return round(seconds * 1000, 2)


def _open_due():
    return HandlingPeriod.objects.filter(ended_at__isnull=True, next_deadline__isnull=False)


def clock_with_due(n):
    """A pretended 'now' at which exactly n open deadlines have passed (or None if fewer)."""
    if n == 0:
        first = _open_due().order_by("next_deadline").values_list("next_deadline", flat=True)[:1]
        first = list(first)
        return (first[0] - timedelta(seconds=1)) if first else timezone.now()
    rows = list(
        _open_due().order_by("next_deadline").values_list("next_deadline", flat=True)[n - 1 : n]
    )
    return rows[0] if rows else None


def measure_sweeps():
    results = {}
    now = clock_with_due(0)
    timings = []
    for _ in range(30):
        start = time.perf_counter()
        report = sweep_run(now=now)
        timings.append(time.perf_counter() - start)
    results["nothing_due"] = {
        "runs": len(timings),
        "p50_ms": _ms(statistics.median(timings)),
        "max_ms": _ms(max(timings)),
        "acted": getattr(report, "acted", None),
    }
    for n in (1000, 10000):
        now = clock_with_due(n)
        if now is None:
            results[f"due_{n}"] = {"skipped": f"fewer than {n} open deadlines"}
            continue
        start = time.perf_counter()
        report = sweep_run(now=now)
        elapsed = time.perf_counter() - start
        results[f"due_{n}"] = {
            "ms": _ms(elapsed),
            "ms_per_due": round(_ms(elapsed) / n, 3),
            "report": {k: v for k, v in vars(report).items() if isinstance(v, int | float)},
        }
    return results


BARE_SQL = """
SELECT {col} AS area_id,
       COUNT(*) FILTER (WHERE c.reported_at >= %(s)s AND c.reported_at < %(e)s) AS intake,
       COUNT(*) FILTER (WHERE c.concluded_at >= %(s)s AND c.concluded_at < %(e)s
                          AND c.outcome NOT IN ('withdrawn', 'rejected')) AS concluded,
       COUNT(*) FILTER (WHERE c.concluded_at >= %(s)s AND c.concluded_at < %(e)s
                          AND c.outcome IN ('agreement', '') AND c.resolved_at IS NOT NULL) AS resolved,
       COUNT(*) FILTER (WHERE c.concluded_at >= %(s)s AND c.concluded_at < %(e)s
                          AND c.peak_level = 'village') AS peak_village,
       COUNT(*) FILTER (WHERE c.concluded_at >= %(s)s AND c.concluded_at < %(e)s
                          AND c.peak_level = 'county') AS peak_county
FROM cases_case c
WHERE (c.reported_at >= %(s)s AND c.reported_at < %(e)s)
   OR (c.concluded_at >= %(s)s AND c.concluded_at < %(e)s)
GROUP BY {col}
"""

BARE_PERIOD_SQL = """
SELECT {col} AS area_id,
       COUNT(*) FILTER (WHERE p.assigned_at IS NOT NULL) AS assign_measured,
       COUNT(*) FILTER (WHERE p.assigned_at <= p.assign_due) AS assign_met,
       percentile_cont(0.5) WITHIN GROUP (
           ORDER BY EXTRACT(EPOCH FROM (p.assigned_at - p.arrived_at)) / 3600.0) AS assign_median_h,
       COUNT(*) FILTER (WHERE p.responded_at <= p.respond_due) AS respond_met,
       percentile_cont(0.5) WITHIN GROUP (
           ORDER BY EXTRACT(EPOCH FROM (p.responded_at - p.arrived_at)) / 3600.0) AS respond_median_h
FROM cases_handlingperiod p JOIN cases_case c ON c.id = p.case_id
WHERE p.arrived_at >= %(s)s AND p.arrived_at < %(e)s
GROUP BY {col}
"""


def measure_kpis(period_key):
    period = parse_period(period_key)
    params = {"s": period.start, "e": period.end}
    start = time.perf_counter()
    with connection.cursor() as cursor:
        for col in ("c.county_id", "c.town_id", "c.village_id"):
            cursor.execute(BARE_SQL.format(col=col), params)
            cursor.fetchall()
            cursor.execute(BARE_PERIOD_SQL.format(col=col), params)
            cursor.fetchall()
    bare = time.perf_counter() - start
    start = time.perf_counter()
    written = snapshot_period(period)
    rollup = time.perf_counter() - start
    return {
        "period": period_key,
        "bare_sql_ms": _ms(bare),
        "rollup_ms": _ms(rollup),
        "ratio": round(rollup / bare, 2) if bare else None,
        "snapshots_written": written,
    }


if __name__ == "__main__":
    period_key = sys.argv[1] if len(sys.argv) > 1 else None
    output = {}
    if period_key:
        output["kpi"] = measure_kpis(period_key)
    output["sweep"] = measure_sweeps()
    print(json.dumps(output, default=str))
