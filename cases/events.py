"""The one writer of case events (the append-only log of DESIGN.md §6).

Every service, the sweep and the mediation records write through `case_event`, in the
transaction of the change it records. A transition passes the status and level it left;
a record on the case (a session, a reminder) leaves them out and the event shows the case
standing where it was. `actor=None` is the system (the sweep): the event says so in its data.
The people an event concerns are told through `alerts.case_alerts`, in the same transaction.
"""

from datetime import datetime

from .alerts import case_alerts
from .models import Case, CaseEvent


def case_event(
    *,
    case: Case,
    kind: str,
    actor,
    at: datetime,
    from_status: str | None = None,
    from_level: str | None = None,
    note: str = "",
    data: dict | None = None,
) -> CaseEvent:
    """Append one event to the case's log (who, when, from/to status and level, note, data)."""
    event = _event(
        case=case,
        kind=kind,
        actor=actor,
        at=at,
        from_status=from_status,
        from_level=from_level,
        note=note,
        data=data,
    )
    event.save(force_insert=True)
    case_alerts(event)  # who is told of it, in this transaction (cases/alerts.py)
    return event


def case_events(events: list[dict]) -> list[CaseEvent]:
    """Append many events in one statement (the sweep's batch); each dict holds the keyword
    arguments of `case_event`."""
    created = CaseEvent.objects.bulk_create([_event(**event) for event in events])
    for event in created:
        case_alerts(event)  # the sweep's kinds tell nobody more; the same rule all the same
    return created


def _event(
    *,
    case: Case,
    kind: str,
    actor,
    at: datetime,
    from_status: str | None = None,
    from_level: str | None = None,
    note: str = "",
    data: dict | None = None,
) -> CaseEvent:
    payload = dict(data or {})
    if actor is None:
        payload.setdefault("system", True)
    return CaseEvent(
        case=case,
        kind=kind,
        actor=actor,
        from_status=case.status if from_status is None else from_status,
        to_status=case.status,
        from_level=case.level if from_level is None else from_level,
        to_level=case.level,
        note=note,
        data=payload,
        created_at=at,
    )
