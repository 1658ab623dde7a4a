"""The mediation records' deadlines (DESIGN.md §7, §9), registered with the sweep of cases.

- judicial confirmation: the parties may apply within 30 days of the agreement taking effect
  (人民调解法 art. 33); remind on day 20, while the window is still open;
- a 三官一律 consultation unanswered past its due: remind the consultant and the asker;
- the first follow-up (回访) of a resolved case: due at the end of the agreement's performance
  date, else 10 working days after resolution at the same local time; remind once due.

The first two fall due by the minute and run in every sweep; follow-ups fall due by the day and
run in the hourly pass. `register()` (from `MediationConfig.ready()`) hands them to
`cases.sweep`, which only drives them; each acts on at most 1,000 rows per call (the next sweep
takes the rest) and records every breach in the ledger (`cases.breaches`) before it notifies.

The follow-up due rule is written here once, in both its forms: `follow_up_due_at(case)` for a
case in hand and `follow_up_due_q(now)` for the query; a test holds them to each other.
"""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from cases import sweep
from cases.breaches import record_breach, subject_recorded
from cases.calendar import add_working_days
from cases.choices import EventKind, Status
from cases.events import case_event
from cases.models import Case
from notifications.choices import NotificationKind
from notifications.services import notify

from .agreements import CONFIRMATION_REMIND_DAY, CONFIRMATION_WINDOW_DAYS
from .choices import ConfirmationStatus
from .models import Agreement, Consultation, FollowUp, JudicialConfirmation

FOLLOW_UP_WORKING_DAYS = 10
# Deadlines further back than this are left alone (the sweep was down for longer).
LOOKBACK = timedelta(days=60)
# At most this many rows of one kind per call; the next sweep takes the rest.
BATCH = 1000

JUDICIAL, CONSULTATION, FOLLOW_UP = "judicial_remind", "consultation_due", "follow_up_due"
# A window's day-20 reminder comes this long before the window closes (`agreements`): an older
# reminder is of a closed window, and the look need not read it.
REMIND_TO_CLOSE = timedelta(days=CONFIRMATION_WINDOW_DAYS + 1 - CONFIRMATION_REMIND_DAY)


# ---------------------------------------------------------------- the follow-up due rule


def follow_up_due(case) -> date | datetime | None:
    """When the first follow-up is due: the agreement's performance date, else 10 working
    days after resolution; None while neither is known."""
    agreement = Agreement.objects.filter(case=case).first()
    return _follow_up_due_of(agreement.perform_by if agreement else None, case.resolved_at)


def _follow_up_due_of(perform_by: date | None, resolved_at: datetime | None):
    if perform_by is not None:
        return perform_by
    if resolved_at is None:
        return None
    return add_working_days(resolved_at, FOLLOW_UP_WORKING_DAYS)


def follow_up_due_at(case) -> datetime | None:
    """The moment the first follow-up falls due (a performance date is met until the end of
    that day, local time)."""
    due = follow_up_due(case)
    if isinstance(due, datetime) or due is None:
        return due
    return _midnight(due + timedelta(days=1))


def follow_up_due_at_of(perform_by: date | None, resolved_at: datetime | None):
    """`follow_up_due_at` from the two values it reads (a page of cases in hand, no query)."""
    due = _follow_up_due_of(perform_by, resolved_at)
    if isinstance(due, datetime) or due is None:
        return due
    return _midnight(due + timedelta(days=1))


def follow_up_due_q(now: datetime) -> Q:
    """Cases whose first follow-up has fallen due by `now` (`follow_up_due_at(case) <= now`),
    as a filter on cases: exact, so no case is read before its moment."""
    today = timezone.localdate(now)
    return Q(agreement__perform_by__lt=today) | (
        Q(agreement__perform_by__isnull=True) & _working_days_after_resolution_q(now)
    )


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def _working_days_after_resolution_q(now: datetime) -> Q:
    """Resolved at a moment whose 10th working day after (same local time, official calendar)
    has come by `now`."""
    local_now = timezone.localtime(now)
    today = local_now.date()
    # The due day never comes earlier for a later resolution day: walk back from the latest
    # day that could be due today, past the days due exactly today, to the last day due before.
    day, due_today = today - timedelta(days=FOLLOW_UP_WORKING_DAYS), []
    for _ in range(LOOKBACK.days):
        due_day = add_working_days(_midnight(day), FOLLOW_UP_WORKING_DAYS).date()
        if due_day < today:
            break
        if due_day == today:
            due_today.append(day)
        day -= timedelta(days=1)
    due = Q(resolved_at__lt=_midnight(day + timedelta(days=1)))
    if due_today:
        due |= Q(
            resolved_at__gte=_midnight(min(due_today)),
            resolved_at__lt=_midnight(max(due_today) + timedelta(days=1)),
            resolved_at__time__lte=local_now.time(),
        )
    return due


# ---------------------------------------------------------------- what is due


def judicial_candidates(now: datetime):
    """Open confirmation windows at or past their day-20 reminder, while the window is still
    open (a reminder after it closed helps no one), not yet reminded of: on the partial index
    `confirmation_to_remind`, a range of the last days' reminders only."""
    return (
        JudicialConfirmation.objects.select_related("case")
        .filter(
            status=ConfirmationStatus.OPEN,
            reminded_at__isnull=True,
            remind_at__lte=now,
            remind_at__gt=now - min(LOOKBACK, REMIND_TO_CLOSE),
            due_at__gt=now,
        )
        .exclude(subject_recorded(JUDICIAL, "judicial:"))
    )


def consultation_overdue(consultation, now: datetime) -> bool:
    """A consultation unanswered once its due has come (the API's `overdue`)."""
    return consultation.answered_at is None and consultation.due_at <= now


def consultation_candidates(now: datetime):
    """Consultations unanswered past their due (`consultation_overdue`), of the look-back
    window, not yet reminded of: on the partial index `consultation_to_remind`."""
    return (
        Consultation.objects.select_related("case")
        .filter(
            answered_at__isnull=True,
            reminded_at__isnull=True,
            due_at__lte=now,
            due_at__gt=now - LOOKBACK,
        )
        .exclude(subject_recorded(CONSULTATION, "consultation:"))
    )


def follow_up_candidates(now: datetime):
    """Resolved cases of the look-back window whose first follow-up is due and not recorded:
    a range of the partial index `case_resolved_open` (a resolved case's `concluded_at` is its
    `resolved_at`)."""
    return (
        Case.objects.filter(
            status=Status.RESOLVED,
            resolved_at__gt=now - LOOKBACK,
            resolved_at__lte=now,
        )
        .filter(follow_up_due_q(now))
        .exclude(Exists(FollowUp.objects.filter(case_id=OuterRef("pk"))))
        .exclude(subject_recorded(FOLLOW_UP, "followup:"))
    )


# ---------------------------------------------------------------- acting on it


def _locked(queryset, order):
    """The rows of `queryset`, locked, skipping rows another sweep holds."""
    return list(queryset.select_for_update(skip_locked=True, of=("self",)).order_by(*order)[:BATCH])


def _reminded(model, rows, now) -> None:
    """Mark the rows taken as reminded of (`reminded_at`), in the transaction that recorded
    their breaches: they leave the sweep's partial index, and its look."""
    if rows:
        model.objects.filter(pk__in=[row.pk for row in rows]).update(reminded_at=now)


def _remind(case, *, kind, subject, due_at, counter, now, report, notice, note, data) -> None:
    """Record one deadline's breach and, the first time only, notify and log it. `notice` is
    (recipients, notification kind, title, body)."""
    if not record_breach(
        case_id=case.pk, period=None, kind=kind, subject=subject, due_at=due_at, now=now
    ):
        return
    report.breaches += 1
    report.count(counter)
    users, notification_kind, title, body = notice
    notify(users=users, kind=notification_kind, title=title, body=body, case=case, now=now)
    case_event(case=case, kind=EventKind.REMIND, actor=None, at=now, note=note, data=data)


@transaction.atomic
def judicial_reminders(*, now, report, people) -> None:
    """Day 20 of the 30-day window to apply for judicial confirmation (人民调解法 art. 33)."""
    rows = _locked(judicial_candidates(now), ("remind_at", "id"))
    _reminded(JudicialConfirmation, rows, now)
    for row in rows:
        case = row.case
        _remind(
            case,
            kind=JUDICIAL,
            subject=f"judicial:{row.pk}",
            due_at=row.due_at,
            counter="judicial_reminders",
            now=now,
            report=report,
            notice=(
                people.responsible(case, case.holder_id),
                NotificationKind.JUDICIAL_DUE,
                f"案件{case.number}司法确认申请期限提醒",
                f"「{case.title}」的调解协议已生效，请于{sweep.local_text(row.due_at)}前向人民法院"
                "申请司法确认（如当事人需要）。",
            ),
            note="司法确认申请期限提醒（第20日）",
            data={"deadline": "judicial", "due": row.due_at.isoformat()},
        )


@transaction.atomic
def consultation_reminders(*, now, report, people) -> None:
    """A 三官一律 consultation whose answer is overdue: remind the consultant and the asker."""
    rows = _locked(consultation_candidates(now), ("due_at", "id"))
    _reminded(Consultation, rows, now)
    for row in rows:
        case = row.case
        _remind(
            case,
            kind=CONSULTATION,
            subject=f"consultation:{row.pk}",
            due_at=row.due_at,
            counter="consultation_reminders",
            now=now,
            report=report,
            notice=(
                [u for u in (row.consultant_id, row.asked_by_id) if u],
                NotificationKind.CONSULTATION_DUE,
                f"案件{case.number}咨询答复超期",
                f"向{row.consultant_name}的咨询答复期限（{sweep.local_text(row.due_at)}）已过，"
                "请尽快答复。",
            ),
            note=f"咨询答复超期提醒（{row.consultant_name}）",
            data={
                "deadline": "consultation",
                "consultation": row.pk,
                "due": row.due_at.isoformat(),
            },
        )


@transaction.atomic
def follow_up_reminders(*, now, report, people) -> None:
    """A resolved case whose first follow-up (回访) is due and not recorded."""
    for case in _locked(follow_up_candidates(now), ("resolved_at", "id")):
        due_at = follow_up_due_at(case)
        if due_at is None or due_at > now:
            continue
        _remind(
            case,
            kind=FOLLOW_UP,
            subject=f"followup:{case.pk}",
            due_at=due_at,
            counter="follow_up_reminders",
            now=now,
            report=report,
            notice=(
                people.responsible(case, case.holder_id),
                NotificationKind.FOLLOW_UP_DUE,
                f"案件{case.number}回访到期",
                f"「{case.title}」已调解成功，首次回访已到期（{sweep.local_text(due_at)}），"
                "请及时回访。",
            ),
            note="回访到期提醒",
            data={"deadline": "follow_up", "due": due_at.isoformat()},
        )


SOURCES = (
    sweep.DeadlineSource(
        name="mediation.judicial_confirmation",
        counter="judicial_reminders",
        due=judicial_candidates,
        act=judicial_reminders,
    ),
    sweep.DeadlineSource(
        name="mediation.consultation",
        counter="consultation_reminders",
        due=consultation_candidates,
        act=consultation_reminders,
    ),
    sweep.DeadlineSource(
        name="mediation.follow_up",
        counter="follow_up_reminders",
        due=follow_up_candidates,
        act=follow_up_reminders,
        hourly=True,
    ),
)


def register() -> None:
    """Hand the mediation deadlines to the sweep (from `MediationConfig.ready()`)."""
    for source in SOURCES:
        sweep.register(source)
