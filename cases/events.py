"""The one writer of case events (the append-only log of DESIGN.md §6).

Every service, the sweep and the mediation records write through `case_event`, in the
transaction of the change it records. A transition passes the status and level it left;
a record on the case (a session, a reminder) leaves them out and the event shows the case
standing where it was. `actor=None` is the system (the sweep): the event says so in its data.
The people an event concerns are told through `alerts.case_alerts`, in the same transaction.
"""

from datetime import datetime

from django.db import connection

from notifications.bulk_sql import insert_rows, mark_saved

from .alerts import ALERTED_KINDS, case_alerts, case_alerts_many
from .models import Case, CaseEvent

EVENT_COLUMNS = (
    "case_id",
    "kind",
    "actor_id",
    "from_status",
    "to_status",
    "from_level",
    "to_level",
    "note",
    "data",
    "created_at",
)


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


def case_events(events: list, *, people=None) -> list[CaseEvent]:
    """Append many events in one statement (the sweep's batch); each is a dict of the keyword
    arguments of `case_event`, or an event built by `new_event` (which reads the case's status
    and level when it is built, before a batch moves the case), or a row built by `event_row`
    (an event nobody is told of, without a model). Who they concern is told as by
    `case_event`, in one statement per moment (`alerts.case_alerts_many`; `people`: the
    sweep's look-ups). Returns the events written as models (not the rows)."""
    built = [event if isinstance(event, CaseEvent | tuple) else _event(**event) for event in events]
    if connection.vendor == "postgresql":  # one short statement (an array per column)
        rows = [
            event if isinstance(event, tuple) else [getattr(event, c) for c in EVENT_COLUMNS]
            for event in built
        ]
        ids = insert_rows(CaseEvent, EVENT_COLUMNS, rows, suffix="RETURNING id")
        created = []
        for event, (pk,) in zip(built, ids, strict=True):
            if isinstance(event, CaseEvent):
                mark_saved(event, pk)
                created.append(event)
    else:
        models = [
            CaseEvent(**dict(zip(EVENT_COLUMNS, event, strict=True)))
            if isinstance(event, tuple)
            else event
            for event in built
        ]
        CaseEvent.objects.bulk_create(models)
        created = [m for m, event in zip(models, built, strict=True) if event is m]
    case_alerts_many(created, people=people)
    return created


def event_row(
    *,
    case: Case,
    kind: str,
    at: datetime,
    note: str = "",
    data: dict | None = None,
) -> tuple:
    """A system event that nobody is told of (a reminder, a supervision), as `case_events`
    writes it: the row of `new_event(case=…, kind=…, actor=None, at=…)` in `EVENT_COLUMNS`
    order, without a model (the case standing where it is)."""
    if kind in ALERTED_KINDS:
        raise ValueError(f"{kind} events tell people: build them with new_event")
    payload = dict(data or {})
    payload.setdefault("system", True)
    status, level = case.status, case.level
    return (case.pk, kind, None, status, status, level, level, note, payload, at)


def new_event(**kwargs) -> CaseEvent:
    """An event as `case_event` would write it (the same keyword arguments), not saved: for
    `case_events`."""
    return _event(**kwargs)


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
