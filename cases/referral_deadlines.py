"""The referrals' deadlines (DESIGN.md §14, §15), registered with the sweep and the overdue rule.

A referral owes one deadline at a time, held in `next_due` (its partial index): receipt while
sent, the answer while received. The sweep reminds each breach once (the ledger's unique
(subject, kind) decides, whichever of two concurrent sweeps gets there first) — the receiver is
reminded and the sender told; the overdue rule counts the case late while the deadline is
owed.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F

from notifications.choices import NotificationKind
from notifications.services import notify

from . import overdue, sweep
from .breaches import record_breach, subject_recorded
from .choices import EventKind
from .events import case_event
from .referral_models import Direction, Referral, ReferralStatus
from .referrals import _committee, _members

BATCH = 1000
LOOKBACK = timedelta(days=60)
RECEIVE, ANSWER = "referral_receive", "referral_answer"
LABELS = {RECEIVE: "移交签收", ANSWER: "移交答复"}
STEP_OF_STATUS = {ReferralStatus.SENT: RECEIVE, ReferralStatus.RECEIVED: ANSWER}


def _late(now: datetime):
    return Referral.objects.filter(next_due__isnull=False, next_due__lte=now)


def referral_candidates(now: datetime):
    """Referrals whose owed deadline passed (of the look-back window), not yet reminded of: on
    the partial index `referral_to_remind`."""
    late = (
        _late(now)
        .exclude(reminded_due=F("next_due"))
        .filter(next_due__gt=now - LOOKBACK)
        .select_related("case", "agency")
    )
    sent = late.filter(status=ReferralStatus.SENT).exclude(subject_recorded(RECEIVE, "referral:"))
    received = late.filter(status=ReferralStatus.RECEIVED).exclude(
        subject_recorded(ANSWER, "referral:")
    )
    return sent | received


@transaction.atomic
def referral_reminders(*, now, report, people) -> None:
    """Remind the side that owes the step (once per breach), and tell the other side."""
    rows = list(
        referral_candidates(now)
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("next_due", "id")[:BATCH]
    )
    # Reminded of this deadline (in this transaction, with the breaches): they leave the look.
    Referral.objects.filter(pk__in=[r.pk for r in rows]).update(reminded_due=F("next_due"))
    for referral in rows:
        kind = STEP_OF_STATUS.get(referral.status)
        if kind is None or not record_breach(
            case_id=referral.case_id,
            period=None,
            kind=kind,
            subject=f"referral:{referral.pk}",
            due_at=referral.next_due,
            now=now,
        ):
            continue
        report.breaches += 1
        report.count("referral_reminders")
        case = referral.case
        agency_side, committee = _members(referral.agency_id), _committee(case)
        owes_agency = referral.direction == Direction.OUT
        owes = agency_side if owes_agency else committee
        told = committee if owes_agency else agency_side
        label = LABELS[kind]
        title = f"案件{case.number}{label}超期"
        body = (
            f"{referral.agency.name}的移交（「{case.title}」）{label}期限"
            f"（{sweep.local_text(referral.next_due)}）已过，请尽快办理。"
        )
        notify(
            users=owes, kind=NotificationKind.REMINDER, title=title, body=body, case=case, now=now
        )
        notify(users=told, kind=NotificationKind.NOTICE, title=title, body=body, case=case, now=now)
        case_event(
            case=case,
            kind=EventKind.REMIND,
            actor=None,
            at=now,
            note=f"{label}超期提醒（{referral.agency.name}）",
            data={"deadline": kind, "referral": referral.pk, "due": referral.next_due.isoformat()},
        )


# ---------------------------------------------------------------- the overdue rule


def overdue_case_ids(now: datetime):
    return _late(now).values_list("case_id", flat=True)


def late_items(case_ids: list[int], now: datetime) -> dict[int, list[overdue.LateItem]]:
    found = {}
    rows = _late(now).filter(case_id__in=case_ids).values_list("case_id", "status", "next_due")
    for case_id, status, due in rows:
        kind = STEP_OF_STATUS.get(status)
        if kind:
            found.setdefault(case_id, []).append(overdue.LateItem(kind, LABELS[kind], due))
    return found


def ranked(under: overdue.Under, now: datetime, limit: int):
    """The `limit` cases of an area with the oldest late referral steps, as (due, case id):
    within a county, from the county's own referrals (`referral_county_next_due`)."""
    late = _late(now).filter(under.case_q())
    if under.county_id is not None:
        late = late.filter(county_id=under.county_id)
    return list(late.order_by("next_due", "-case_id").values_list("next_due", "case_id")[:limit])


def answered_late_q():
    """Referrals answered after their due (for the on-time KPI)."""
    return F("answered_at") > F("answer_due")


def register() -> None:
    """Hand the referrals' deadlines to the sweep and the overdue rule (from
    `CasesConfig.ready()`)."""
    sweep.register(
        sweep.DeadlineSource(
            name="cases.referral",
            counter="referral_reminders",
            due=referral_candidates,
            act=referral_reminders,
        )
    )
    overdue.register(overdue.OverdueSource("referral", overdue_case_ids, late_items, ranked))
