"""Who is told what of a case's lifecycle: one notice per person per event, never of one's own
action (DESIGN.md §6–7).

`events.case_event` calls `case_alerts` for every event it writes, in the event's transaction;
the notices go to the outbox (notifications.services.notify) and a worker relays them.

| event | told | SMS |
|---|---|---|
| report | the village's mediators (and its officers); the officers of the level that holds it when that is above the village | when the risk is red |
| assign | the assignee; the reporter | the assignee, when the risk is red |
| escalate | the officers of the receiving level (its mediators where it has no officer); the reporter | the receiving level |
| delegate | the officers (else mediators) of the receiving unit | — |
| resolve | the reporter | — |
| close | the reporter | the reporter |

A person who is told twice by one event (say the reporter is also an officer of the receiving
level) gets the first notice of the table only. A case screened out at intake tells nobody.
"""

from accounts.choices import RoleKind
from accounts.models import Role
from notifications.choices import Channel, NotificationKind
from notifications.text import clause

from .choices import EventKind, Level, Outcome, Risk, Status
from .models import Case, CaseEvent

IN_APP = (Channel.IN_APP, Channel.EMAIL)
WITH_SMS = (Channel.IN_APP, Channel.EMAIL, Channel.SMS)

ALERTED_KINDS = {
    EventKind.REPORT,
    EventKind.ASSIGN,
    EventKind.ESCALATE,
    EventKind.DELEGATE,
    EventKind.RESOLVE,
    EventKind.CLOSE,
}


class _People:
    """The active officers and mediators of a few areas, read in one query."""

    def __init__(self, *area_ids: int):
        self.roles: dict[tuple[int, str], set[int]] = {}
        rows = Role.objects.filter(
            area_id__in=set(area_ids),
            kind__in=[RoleKind.OFFICER, RoleKind.MEDIATOR],
            user__is_active=True,
        ).values_list("area_id", "kind", "user_id")
        for area_id, kind, user_id in rows:
            self.roles.setdefault((area_id, kind), set()).add(user_id)

    def of(self, area_id: int, *kinds: str) -> list[int]:
        return sorted(set().union(*(self.roles.get((area_id, kind), ()) for kind in kinds)))

    def queue_keepers(self, area_id: int) -> list[int]:
        """Who runs the queue at an area: its officers, else (a village without one) its
        mediators."""
        return self.of(area_id, RoleKind.OFFICER) or self.of(area_id, RoleKind.MEDIATOR)


def _where(case: Case) -> str:
    return f"「{case.title}」（{case.origin.name}）"


def _notices(
    event: CaseEvent, case: Case, people=None
) -> list[tuple[list[int], str, str, str, tuple]]:
    """(users, kind, title, body, channels) for one event, the most specific notice first.
    `people` answers `of` and `queue_keepers` for the areas concerned (the sweep's look-ups,
    loaded once per batch); by default they are read here."""
    red = case.risk == Risk.RED
    level = Level(case.level).label if case.level else ""
    reporter = [case.reported_by_id]
    kind = event.kind
    notices = []
    if kind == EventKind.REPORT:
        if case.status == Status.CLOSED:  # screened out at intake
            return []
        risk = "，红色风险" if red else ""
        channels = WITH_SMS if red else IN_APP
        people = people or _People(case.holder_id, case.village_id)
        if case.holder_id != case.village_id:
            notices.append(
                (
                    people.queue_keepers(case.holder_id),
                    NotificationKind.NEW_CASE,
                    f"新登记案件待分派：{case.number}",
                    f"{_where(case)}{risk}，由{level}受理。请及时分派。",
                    channels,
                )
            )
            village_note = f"已由{level}受理，请配合做好稳控。"
        else:
            village_note = "请及时认领或分派。"
        notices.append(
            (
                people.of(case.village_id, RoleKind.OFFICER, RoleKind.MEDIATOR),
                NotificationKind.NEW_CASE,
                f"本村新登记纠纷：{case.number}",
                f"{_where(case)}{risk}，{village_note}",
                channels,
            )
        )
    elif kind == EventKind.ASSIGN:
        notices.append(
            (
                [case.assignee_id],
                NotificationKind.ASSIGNED,
                f"新分派案件：{case.number}",
                f"{_where(case)}已分派给您承办。",
                WITH_SMS if red else IN_APP,
            )
        )
        notices.append(
            (
                reporter,
                NotificationKind.PROGRESS,
                f"您登记的案件已分派：{case.number}",
                f"「{case.title}」已由{level}的{case.assignee}承办。",
                IN_APP,
            )
        )
    elif kind in (EventKind.ESCALATE, EventKind.DELEGATE):
        escalated = kind == EventKind.ESCALATE
        verb = "上报" if escalated else "交办"
        reason = clause(event.note)
        because = f"，{verb}原因：{reason}" if reason else ""
        notices.append(
            (
                (people or _People(case.holder_id)).queue_keepers(case.holder_id),
                NotificationKind.ESCALATED if escalated else NotificationKind.DELEGATED,
                f"新{verb}案件待分派：{case.number}",
                f"{_where(case)}{because}。请及时分派。",
                WITH_SMS if escalated else IN_APP,
            )
        )
        if escalated:
            notices.append(
                (
                    reporter,
                    NotificationKind.PROGRESS,
                    f"您登记的案件已上报至{level}：{case.number}",
                    f"「{case.title}」已上报至{level}"
                    + (f"，原因：{reason}。" if reason else "。"),
                    IN_APP,
                )
            )
    elif kind == EventKind.RESOLVE:
        notices.append(
            (
                reporter,
                NotificationKind.PROGRESS,
                f"您登记的案件已调解成功：{case.number}",
                f"「{case.title}」已达成调解协议，待回访后结案。",
                IN_APP,
            )
        )
    elif kind == EventKind.CLOSE:
        outcome = Outcome(case.outcome).label if case.outcome else ""
        notices.append(
            (
                reporter,
                NotificationKind.PROGRESS,
                f"您登记的案件已结案：{case.number}",
                f"「{case.title}」已结案（{outcome}）。",
                WITH_SMS,
            )
        )
    return notices


def alert_messages(event: CaseEvent, people=None) -> list:
    """The notices of one event as `notifications.services.Message`s (see the module's table):
    each person once, never the actor."""
    if event.kind not in ALERTED_KINDS:
        return []
    from notifications.services import Message

    case = event.case
    told = {event.actor_id} if event.actor_id else set()
    messages = []
    for users, kind, title, body, channels in _notices(event, case, people):
        fresh = [u for u in dict.fromkeys(users) if u is not None and u not in told]
        told.update(fresh)
        if fresh:
            messages.append(
                Message(
                    users=fresh, kind=kind, title=title, body=body, case=case, channels=channels
                )
            )
    return messages


def case_alerts(event: CaseEvent) -> None:
    """Tell the people an event concerns (see the module's table), in the event's
    transaction, through the outbox."""
    if event.kind not in ALERTED_KINDS:
        return
    from notifications.services import notify

    for message in alert_messages(event):
        notify(
            users=message.users,
            kind=message.kind,
            title=message.title,
            body=message.body,
            case=message.case,
            channels=message.channels,
            now=event.created_at,
        )


def case_alerts_many(events: list[CaseEvent], people=None) -> None:
    """`case_alerts` for many events at once (the sweep's batch): their notices in one
    `notify_many` per moment, the people read through `people` (see `_notices`)."""
    from notifications.services import notify_batch

    by_moment = {}
    for event in events:
        messages = alert_messages(event, people)
        if messages:
            by_moment.setdefault(event.created_at, []).extend(messages)
    for moment, messages in by_moment.items():
        notify_batch(messages, now=moment)
