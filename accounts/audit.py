"""The one writer of audit rows (AuditEntry) for every audited act that is not a case event.

Callers write in the transaction of the change they record, so a change and its audit row
commit or roll back together. Case changes are case events (cases/events.py), not audit rows.
"""

import datetime
import decimal
import uuid

from django.db import models

from .models import AuditEntry

# Fields whose values never go into an audit row (only the fact that they changed).
SECRET_FIELDS = {"password"}


def plain(value):
    """A JSON-safe form of a field value: dates as ISO text, decimals as text, objects by pk."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset | models.QuerySet):
        return [plain(v) for v in value]
    return str(value)


def snapshot(obj: models.Model, fields=None) -> dict:
    """The concrete field values of a row (foreign keys as ids), JSON-safe."""
    values = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        value = "***" if field.name in SECRET_FIELDS else field.value_from_object(obj)
        values[field.name] = plain(value)
    return values


def changes(before: dict, after: dict) -> dict:
    """{field: {"before": …, "after": …}} for every field whose value differs."""
    return {
        name: {"before": before.get(name), "after": after.get(name)}
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


def target_of(obj: models.Model | None) -> str:
    """ "app_label.model:pk" for a saved object, "" for none."""
    if obj is None:
        return ""
    return f"{obj._meta.label_lower}:{obj.pk}"


def audit_record(
    *,
    actor,
    kind: str,
    what: str,
    area=None,
    target: models.Model | str | None = None,
    data: dict | None = None,
    rows: int | None = None,
) -> AuditEntry:
    """Append one audit row: who, which kind of act, what (a short Chinese phrase), the area
    it concerned, the object changed and a JSON document of the details (before/after)."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        kind=kind,
        area=area,
        what=what[:100],
        target=target if isinstance(target, str) else target_of(target),
        params=dict(data or {}),
        rows=rows,
    )


# Audited acts recorded by a higher app in its own log (a reveal of personal data is a case
# event): that app registers a reader at start-up (its AppConfig.ready()), so the audit trail
# lists them without accounts importing it (the layers contract). A reader takes the admin's
# scope and the validated query (actor, after, before) and returns its rows, newest first.
_readers = {}


def register_reader(kind: str, reader) -> None:
    """Install the reader of one kind of audited act kept outside AuditEntry."""
    _readers[kind] = reader


def reader(kind: str):
    """The reader of `kind` (KeyError if no installed app keeps that kind)."""
    return _readers[kind]
