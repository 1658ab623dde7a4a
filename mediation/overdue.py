"""The mediation records' deadlines in the one overdue rule (DESIGN.md §14, `cases.overdue`),
registered from `MediationConfig.ready()`:

- a 三官一律 consultation unanswered past its due (`deadlines.consultation_overdue`): on the
  partial index `consultation_open_due`;
- the first follow-up (回访) of a resolved case not done by its due (`deadlines.follow_up_due_q`,
  `follow_up_due_at`): resolved cases only, on the partial index `case_resolved_open`.

The sweep reminds of these once (`mediation.deadlines`); they stay overdue until answered or
done, whatever the sweep did.
"""

from datetime import datetime

from django.db.models import Exists, OuterRef

from cases import overdue
from cases.choices import OPEN_STATUSES, Status
from cases.models import Case

from . import deadlines
from .models import Consultation, FollowUp

CONSULTATION_LABEL = "咨询答复"
FOLLOW_UP_LABEL = "回访"


# ---------------------------------------------------------------- consultations


def _open_consultations(now: datetime):
    return Consultation.objects.filter(
        answered_at__isnull=True, due_at__lte=now, case__status__in=OPEN_STATUSES
    )


def consultation_case_ids(now: datetime):
    return _open_consultations(now).values_list("case_id", flat=True)


def consultation_late_items(case_ids: list[int], now: datetime) -> dict:
    found: dict[int, list] = {}
    rows = _open_consultations(now).filter(case_id__in=case_ids).values_list("case_id", "due_at")
    for case_id, due in rows:
        found.setdefault(case_id, []).append(
            overdue.LateItem("consultation", CONSULTATION_LABEL, due)
        )
    return found


def consultation_ranked(under: overdue.Under, now: datetime, limit: int):
    return list(
        _open_consultations(now)
        .filter(under.case_q())
        .order_by("due_at", "-case_id")
        .values_list("due_at", "case_id")[:limit]
    )


# ---------------------------------------------------------------- first follow-ups


def _follow_ups_due(now: datetime):
    """Resolved cases whose first follow-up has fallen due by `now` and is not done."""
    return (
        Case.objects.filter(status=Status.RESOLVED)
        .filter(deadlines.follow_up_due_q(now))
        .exclude(Exists(FollowUp.objects.filter(case_id=OuterRef("pk"))))
    )


def follow_up_case_ids(now: datetime):
    return _follow_ups_due(now).values_list("pk", flat=True)


def _items(rows, now: datetime) -> dict:
    found = {}
    for case_id, resolved_at, perform_by in rows:
        due = deadlines.follow_up_due_at_of(perform_by, resolved_at)
        if due is not None and due <= now:
            found[case_id] = [overdue.LateItem("follow_up", FOLLOW_UP_LABEL, due)]
    return found


def follow_up_late_items(case_ids: list[int], now: datetime) -> dict:
    rows = (
        _follow_ups_due(now)
        .filter(pk__in=case_ids)
        .values_list("pk", "resolved_at", "agreement__perform_by")
    )
    return _items(rows, now)


def follow_up_ranked(under: overdue.Under, now: datetime, limit: int):
    """Within a county, from the county's resolved cases (`case_resolved_county`)."""
    rows = (
        _follow_ups_due(now)
        .filter(under.case_q(prefix=""))
        .order_by("resolved_at", "id")
        .values_list("pk", "resolved_at", "agreement__perform_by")[:limit]
    )
    return [(items[0].due, case_id) for case_id, items in _items(rows, now).items()]


SOURCES = (
    overdue.OverdueSource(
        "mediation.consultation",
        consultation_case_ids,
        consultation_late_items,
        consultation_ranked,
        statuses=frozenset(OPEN_STATUSES),
    ),
    overdue.OverdueSource(
        "mediation.follow_up",
        follow_up_case_ids,
        follow_up_late_items,
        follow_up_ranked,
        statuses=frozenset({Status.RESOLVED}),
    ),
)


def register() -> None:
    """Hand the records' deadlines to the overdue rule (from `MediationConfig.ready()`)."""
    for source in SOURCES:
        overdue.register(source)
