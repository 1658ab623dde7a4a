"""A 督办's deadline, registered with the sweep and with the overdue rule of cases.

- the sweep (`cases.sweep`): an open 督办 past its deadline reminds the unit's people and
  tells the opener, once per deadline: the row's `reminded_due` is set by a compare-and-set
  on rows taken `FOR UPDATE SKIP LOCKED`, and a case's 督办 is also recorded in the breach
  ledger (`cases.breaches`) in the same transaction, so two sweeps at once remind once;
- the overdue rule (`cases.overdue`): a case with an open 督办 past its deadline is overdue
  (the 督办 stage, "督办反馈"), wherever the rule is read.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q

from cases import overdue, sweep
from cases.breaches import record_breach
from cases.choices import OPEN_STATUSES, EventKind
from cases.events import case_event
from notifications.choices import NotificationKind
from notifications.services import notify

from . import selectors
from .choices import SupervisionStatus
from .models import Supervision

KIND = "supervision"
LABEL = "督办反馈"
LOOKBACK = timedelta(days=60)
BATCH = 1000


def due(now: datetime):
    """Open 督办 past their deadline, of the look-back window, not yet reminded of it."""
    return Supervision.objects.filter(selectors.overdue_q(now), due_at__gt=now - LOOKBACK).exclude(
        reminded_due=F("due_at")
    )


def subject(supervision: Supervision) -> str:
    return f"supervision:{supervision.pk}@{int(supervision.due_at.timestamp())}"


@transaction.atomic
def remind(*, now, report, people) -> None:
    """Remind the unit of each overdue 督办 once, and tell the one who opened it."""
    rows = list(
        due(now)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("unit", "case")
        .order_by("due_at", "id")[:BATCH]
    )
    for row in rows:
        # Compare-and-set: only the sweep that moves `reminded_due` to this deadline acts.
        claimed = (
            Supervision.objects.filter(pk=row.pk, status=SupervisionStatus.OPEN, due_at=row.due_at)
            .exclude(reminded_due=F("due_at"))
            .update(reminded_due=F("due_at"))
        )
        if not claimed:
            continue
        if row.case_id and not record_breach(
            case_id=row.case_id,
            period=None,
            kind=KIND,
            subject=subject(row),
            due_at=row.due_at,
            now=now,
            action="remind",
        ):
            continue
        report.breaches += 1
        report.count("supervision_reminders")
        about = f"案件{row.case.number}" if row.case_id else row.unit.name
        due_text = sweep.local_text(row.due_at)
        notify(
            users=people.of(row.unit_id, *selectors.ANSWER_KINDS),
            kind=NotificationKind.REMINDER,
            title=f"督办反馈超期：{about}",
            body=f"督办事项「{row.reason[:80]}」的反馈期限（{due_text}）已过，请尽快反馈。",
            case=row.case_id,
            now=now,
        )
        notify(
            users=[row.opened_by_id],
            kind=NotificationKind.NOTICE,
            title=f"督办超期未反馈：{row.unit.name}",
            body=f"{about}的督办事项反馈期限（{due_text}）已过，尚未反馈。",
            case=row.case_id,
            now=now,
        )
        if row.case_id:
            case_event(
                case=row.case,
                kind=EventKind.REMIND,
                actor=None,
                at=now,
                note=f"督办反馈超期提醒（期限 {due_text}）",
                data={"deadline": KIND, "supervision": row.pk, "due": row.due_at.isoformat()},
            )


# ---------------------------------------------------------------- the overdue rule


def _late_q(now: datetime) -> Q:
    """Open 督办 past their deadline on cases still open."""
    return selectors.overdue_q(now) & Q(case__status__in=OPEN_STATUSES)


def case_ids(now: datetime):
    return Supervision.objects.filter(_late_q(now)).values_list("case_id", flat=True)


def late_items(case_ids: list[int], now: datetime) -> dict:
    found: dict[int, list] = {}
    rows = Supervision.objects.filter(_late_q(now), case_id__in=case_ids).values_list(
        "case_id", "due_at"
    )
    for case_id, due_at in rows:
        found.setdefault(case_id, []).append(overdue.LateItem(KIND, LABEL, due_at))
    return found


def ranked(under: overdue.Under, now: datetime, limit: int):
    """The `limit` cases of an area with the oldest unanswered 督办, as (due, case id)."""
    return list(
        Supervision.objects.filter(_late_q(now), under.case_q())
        .order_by("due_at", "-case_id")
        .values_list("due_at", "case_id")[:limit]
    )


def register() -> None:
    """Hand the 督办 deadline to the sweep and to the overdue rule (from `ready()`)."""
    sweep.register(
        sweep.DeadlineSource(
            name="supervision.feedback",
            counter="supervision_reminders",
            due=due,
            act=remind,
        )
    )
    overdue.register(
        overdue.OverdueSource(KIND, case_ids, late_items, ranked, statuses=frozenset(OPEN_STATUSES))
    )
