"""The KPI aggregates on PostgreSQL in one pass per table: GROUP BY GROUPING SETS over the
copied ancestor columns computes every level (province … village) in a single scan, with the
same definitions as the portable per-level queries in kpis.py (tests check both agree)."""

from datetime import datetime

from django.db import connection, transaction

from cases.choices import Level, Outcome, PeriodEntry, Status

from .periods import Period

# Whitelisted column names: the only identifiers formatted into the SQL below.
LEVEL_COLUMNS = {
    "province": "province_id",
    "city": "city_id",
    "county": "county_id",
    "town": "town_id",
    "village": "village_id",
}


def _grouping(levels, alias):
    sets = ", ".join(f"({alias}.{LEVEL_COLUMNS[level]})" for level in levels)
    # Exactly one grouping column is set per row (the ancestors are never null), so the most
    # specific non-null column is the row's area.
    area = ", ".join(f"{alias}.{LEVEL_COLUMNS[level]}" for level in reversed(levels))
    return f"GROUPING SETS ({sets})", f"COALESCE({area})"


def _root_filter(root, alias):
    if root is None:
        return "", {}
    return f" AND {alias}.{LEVEL_COLUMNS[root.level]} = %(root)s", {"root": root.id}


CASES_SQL = """
WITH c AS (
    SELECT c.id, c.province_id, c.city_id, c.county_id, c.town_id, c.village_id,
           c.peak_level, c.reported_at, c.concluded_at,
           (c.reported_at >= %(s)s AND c.reported_at < %(e)s) AS in_intake,
           (c.concluded_at >= %(s)s AND c.concluded_at < %(e)s
              AND (c.status = %(resolved_status)s OR c.outcome = ANY(%(concluded_outcomes)s)))
              AS is_concluded,
           (c.concluded_at >= %(s)s AND c.concluded_at < %(e)s
              AND (c.status = %(resolved_status)s OR c.outcome = %(agreement)s)) AS is_resolved
    FROM cases_case c
    WHERE ((c.reported_at >= %(s)s AND c.reported_at < %(e)s)
        OR (c.concluded_at >= %(s)s AND c.concluded_at < %(e)s)){root}
)
SELECT {area} AS area_id,
       COUNT(*) FILTER (WHERE c.in_intake) AS intake,
       COUNT(*) FILTER (WHERE c.is_concluded) AS concluded,
       COUNT(*) FILTER (WHERE c.is_resolved) AS resolved,
       COUNT(*) FILTER (WHERE c.is_concluded AND c.peak_level = %(village)s) AS peak_village,
       COUNT(*) FILTER (WHERE c.is_concluded AND c.peak_level IN (%(village)s, %(town)s))
           AS peak_town_or_below,
       COUNT(*) FILTER (WHERE c.is_concluded AND c.peak_level = %(county)s) AS peak_county,
       COUNT(*) FILTER (WHERE c.is_concluded AND c.concluded_at <= lp.resolve_due)
           AS concluded_on_time,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY cd.ordinal - rd.ordinal)
           FILTER (WHERE c.is_concluded) AS closure_median_working_days,
       COUNT(*) FILTER (WHERE c.is_resolved) AS resolved_for_follow_up,
       COUNT(*) FILTER (WHERE c.is_resolved AND fu.case_id IS NOT NULL) AS followed_up
FROM c
LEFT JOIN LATERAL (
    SELECT p.resolve_due FROM cases_handlingperiod p
    WHERE c.is_concluded AND p.case_id = c.id AND p.arrived_at <= c.concluded_at
    ORDER BY p.arrived_at DESC, p.id DESC LIMIT 1
) lp ON TRUE
LEFT JOIN LATERAL (
    SELECT f.case_id FROM mediation_followup f WHERE c.is_resolved AND f.case_id = c.id LIMIT 1
) fu ON TRUE
LEFT JOIN assessment_workcalendarday cd
       ON c.is_concluded AND cd.day = (c.concluded_at AT TIME ZONE %(tz)s)::date
LEFT JOIN assessment_workcalendarday rd
       ON c.is_concluded AND rd.day = (c.reported_at AT TIME ZONE %(tz)s)::date
GROUP BY {grouping}
"""

PERIODS_SQL = """
WITH p AS (
    SELECT c.province_id, c.city_id, c.county_id, c.town_id, c.village_id,
           p.arrived_at, p.assigned_at, p.assign_due, p.responded_at, p.respond_due,
           (p.entered_by = %(escalate)s) AS escalated,
           (p.assigned_at IS NOT NULL
              OR p.assign_due <= LEAST(COALESCE(p.ended_at, %(as_of)s), %(as_of)s))
              AS assign_measured,
           (p.assigned_at IS NOT NULL AND p.assigned_at <= p.assign_due) AS assign_met,
           (p.responded_at IS NOT NULL
              OR (p.respond_due IS NOT NULL
                  AND p.respond_due <= LEAST(COALESCE(p.ended_at, %(as_of)s), %(as_of)s)))
              AS respond_measured,
           (p.responded_at IS NOT NULL AND p.responded_at <= p.respond_due) AS respond_met,
           EXTRACT(EPOCH FROM (p.assigned_at - p.arrived_at)) / 3600.0 AS assign_hours,
           EXTRACT(EPOCH FROM (p.responded_at - p.arrived_at)) / 3600.0 AS respond_hours
    FROM cases_handlingperiod p JOIN cases_case c ON c.id = p.case_id
    WHERE p.arrived_at >= %(s)s AND p.arrived_at < %(e)s{root}
)
SELECT {area} AS area_id,
       COUNT(*) FILTER (WHERE p.assign_measured) AS assign_measured,
       COUNT(*) FILTER (WHERE p.assign_met) AS assign_met,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY p.assign_hours)
           FILTER (WHERE p.assigned_at IS NOT NULL) AS assignment_median_hours,
       COUNT(*) FILTER (WHERE p.respond_measured) AS respond_measured,
       COUNT(*) FILTER (WHERE p.respond_met) AS respond_met,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY p.respond_hours)
           FILTER (WHERE p.responded_at IS NOT NULL) AS response_median_hours,
       COUNT(*) FILTER (WHERE p.escalated) AS escalations,
       COUNT(*) FILTER (WHERE p.escalated AND p.assign_measured) AS escalations_measured,
       COUNT(*) FILTER (WHERE p.escalated AND p.assign_met) AS escalations_met,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY p.assign_hours)
           FILTER (WHERE p.escalated AND p.assigned_at IS NOT NULL) AS flow_through_median_hours
FROM p
GROUP BY {grouping}
"""

CLOSURE_LATE_SQL = """
SELECT {area} AS area_id, COUNT(*) AS resolve_overdue_open
FROM cases_handlingperiod p JOIN cases_case c ON c.id = p.case_id
WHERE ((p.ended_at IS NULL
         AND p.resolve_due >= %(s)s AND p.resolve_due < %(e)s AND p.resolve_due <= %(as_of)s)
    OR (p.ended_at > %(as_of)s
         AND p.resolve_due >= %(s)s AND p.resolve_due < %(e)s AND p.resolve_due <= %(as_of)s)){root}
GROUP BY {grouping}
"""

FOLLOW_UPS_SQL = """
SELECT {area} AS area_id,
       COUNT(*) AS follow_ups,
       COUNT(*) FILTER (WHERE f.satisfaction IN ('satisfied', 'basically')) AS satisfied
FROM mediation_followup f JOIN cases_case c ON c.id = f.case_id
WHERE f.performed_on >= %(sd)s AND f.performed_on < %(ed)s{root}
GROUP BY {grouping}
"""

INSPECTIONS_SQL = """
SELECT {area} AS area_id, COUNT(DISTINCT c.grid_id) AS grids_inspected
FROM mediation_inspectionreport c
WHERE c.period >= %(sd)s AND c.period < %(ed)s{root}
GROUP BY {grouping}
"""


def _run(sql_template, alias, levels, root, params, root_alias="c"):
    grouping, area = _grouping(levels, alias)
    root_sql, root_params = _root_filter(root, root_alias)
    sql = sql_template.format(grouping=grouping, area=area, root=root_sql)
    with connection.cursor() as cursor:
        cursor.execute(sql, {**params, **root_params})
        columns = [col.name for col in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def aggregate_rows(levels, period: Period, root, as_of: datetime, tz_name: str, *, mediation: bool):
    """Rows of {area_id, counts and medians…} from every table, all levels at once."""
    params = {
        "s": period.start,
        "e": period.end,
        "sd": period.start_date,
        "ed": period.end_date,
        "as_of": as_of,
        "tz": tz_name,
        "resolved_status": Status.RESOLVED.value,
        "agreement": Outcome.AGREEMENT.value,
        "concluded_outcomes": [
            Outcome.AGREEMENT.value,
            Outcome.FAILED.value,
            Outcome.REFERRED.value,
        ],
        "village": Level.VILLAGE.value,
        "town": Level.TOWN.value,
        "county": Level.COUNTY.value,
        "escalate": PeriodEntry.ESCALATE.value,
    }
    rows = []
    with transaction.atomic():
        # These are short aggregate queries: JIT compilation costs seconds and saves nothing.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        return _all_rows(levels, root, params, rows, mediation=mediation)


def _all_rows(levels, root, params, rows, *, mediation):
    cases_sql = CASES_SQL
    if not mediation:
        cases_sql = cases_sql.replace(
            "SELECT f.case_id FROM mediation_followup f WHERE c.is_resolved AND f.case_id = c.id LIMIT 1",
            "SELECT NULL::bigint AS case_id WHERE FALSE",
        )
    rows += _run(cases_sql, "c", levels, root, params)
    rows += _run(PERIODS_SQL, "p", levels, root, params)
    rows += _run(CLOSURE_LATE_SQL, "c", levels, root, params)
    if mediation:
        rows += _run(FOLLOW_UPS_SQL, "c", levels, root, params)
        rows += _run(INSPECTIONS_SQL, "c", levels, root, params)
    return rows
