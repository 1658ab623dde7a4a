"""The breach ledger: one row per deadline that passed, written in the transaction of what the
sweep does about it (DESIGN.md §7).

A breach is keyed by what the deadline belongs to (`subject`, e.g. "period:17@1793581200",
"consultation:9") and its kind; the unique constraint on the pair is what makes every deadline
acted on exactly once, whichever sweep gets there first. Handling periods and the deadlines of
other apps (registered with the sweep) record through the same two functions.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat

from notifications.bulk_sql import insert_rows

from .models import Breach, HandlingPeriod

BREACH_INSERT = """
INSERT INTO {table} (case_id, period_id, kind, subject, due_at, detected_at, action)
VALUES (%s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (subject, kind) DO NOTHING
RETURNING id
"""


def record_breach(
    *,
    case_id: int,
    period: HandlingPeriod | None,
    kind: str,
    subject: str,
    due_at: datetime,
    now: datetime,
    action: str = "",
) -> bool:
    """Record the breach of (subject, kind) with what the sweep does about it, in one
    statement; False when an earlier sweep recorded it (the unique constraint decides)."""
    ops = connection.ops
    with connection.cursor() as cursor:
        cursor.execute(
            BREACH_INSERT.format(table=ops.quote_name(Breach._meta.db_table)),
            [
                case_id,
                period.pk if period is not None else None,
                kind,
                subject,
                ops.adapt_datetimefield_value(due_at),
                ops.adapt_datetimefield_value(now),
                action,
            ],
        )
        return cursor.fetchone() is not None


BREACHES_INSERT = """
INSERT INTO {table} (case_id, period_id, kind, subject, due_at, detected_at, action)
VALUES {rows}
ON CONFLICT (subject, kind) DO NOTHING
RETURNING subject, kind
"""

# Rows per statement: 7 parameters each, well inside SQLite's limit of 32,766.
BREACHES_PER_INSERT = 1000


@dataclass(frozen=True)
class BreachRow:
    """One breach to record with `record_breaches` (the arguments of `record_breach`)."""

    case_id: int
    period_id: int | None
    kind: str
    subject: str
    due_at: datetime
    action: str = ""


def record_breaches(rows: list[BreachRow], *, now: datetime) -> set[tuple[str, str]]:
    """Record many breaches at once (a sweep's batch), one statement per thousand: the
    (subject, kind) pairs this call recorded; the others an earlier sweep recorded (the unique
    constraint decides, as for `record_breach`; a sweep running at the same moment waits on the
    conflicting rows' inserts and then skips them). On PostgreSQL one statement, whatever the
    number (an array per column, `notifications.bulk_sql`)."""
    if connection.vendor == "postgresql":
        returned = insert_rows(
            Breach,
            ["case_id", "period_id", "kind", "subject", "due_at", "detected_at", "action"],
            [(r.case_id, r.period_id, r.kind, r.subject, r.due_at, now, r.action) for r in rows],
            suffix="ON CONFLICT (subject, kind) DO NOTHING RETURNING subject, kind",
        )
        return {(subject, kind) for subject, kind in returned}
    ops = connection.ops
    table = ops.quote_name(Breach._meta.db_table)
    detected = ops.adapt_datetimefield_value(now)
    created = set()
    for start in range(0, len(rows), BREACHES_PER_INSERT):
        chunk = rows[start : start + BREACHES_PER_INSERT]
        params = []
        for row in chunk:
            params += [
                row.case_id,
                row.period_id,
                row.kind,
                row.subject,
                ops.adapt_datetimefield_value(row.due_at),
                detected,
                row.action,
            ]
        values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(BREACHES_INSERT.format(table=table, rows=values), params)
            created.update((subject, kind) for subject, kind in cursor.fetchall())
    return created


def period_subject(period: HandlingPeriod, due: datetime) -> str:
    """The subject of a handling period's deadline. The deadline is part of it: an extended
    deadline that passes again is a new breach."""
    return f"period:{period.pk}@{int(due.timestamp())}"


def subject_recorded(kind: str, prefix: str):
    """A correlated EXISTS for a queryset of the rows a deadline belongs to: the breach of
    `kind` with subject `prefix` + the row's id is recorded."""
    return Exists(
        Breach.objects.filter(
            kind=kind,
            subject=Concat(
                Value(prefix), Cast(OuterRef("pk"), CharField()), output_field=CharField()
            ),
        )
    )
