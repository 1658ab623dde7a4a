"""The breach ledger: one row per deadline that passed, written in the transaction of what the
sweep does about it (DESIGN.md §7).

A breach is keyed by what the deadline belongs to (`subject`, e.g. "period:17@1793581200",
"consultation:9") and its kind; the unique constraint on the pair is what makes every deadline
acted on exactly once, whichever sweep gets there first. Handling periods and the deadlines of
other apps (registered with the sweep) record through the same two functions.
"""

from datetime import datetime

from django.db import connection
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat

from .choices import DeadlineKind
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


def period_subject(period: HandlingPeriod, due: datetime) -> str:
    """The subject of a handling period's deadline. The deadline is part of it: an extended
    deadline that passes again is a new breach."""
    return f"period:{period.pk}@{int(due.timestamp())}"


def resolve_acted_on():
    """A correlated EXISTS for a period queryset: the breach of the period's resolve deadline,
    at its current `next_deadline`, is recorded (a supervised county case stays overdue)."""
    return Exists(
        Breach.objects.filter(
            period_id=OuterRef("pk"), kind=DeadlineKind.RESOLVE, due_at=OuterRef("next_deadline")
        )
    )


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
