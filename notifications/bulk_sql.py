"""Set-based writes on PostgreSQL in short statements: a batch's rows sent as one array literal
per column (`unnest`), not as one parameter per value (the sweep's batches; also used by cases).

psycopg's client-side binding (Django's default) quotes every parameter in Python, one at a
time: a 500-row INSERT … VALUES of seven columns, or an array of 2,000 timestamps, costs tens of
milliseconds before the database sees it, and the long statement is parsed again each time. A
column written as one text literal is one parameter, and the statement is short and the same
whatever the number of rows.
"""

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from django.db import connection


def _quoted(text: str) -> str:
    if "\\" in text or '"' in text:
        text = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _element(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime | date):
        return f'"{value.isoformat()}"'  # nothing in an ISO date to escape
    if isinstance(value, dict | list):
        return _quoted(json.dumps(value, ensure_ascii=False))
    return _quoted(str(value))


# The common types written straight (no isinstance chain per element): a batch's arrays hold
# thousands of them.
_FAST = {
    int: str,
    str: _quoted,
    type(None): lambda value: "NULL",
    datetime: lambda value: f'"{value.isoformat()}"',
}


def pg_array(values: Iterable) -> str:
    """A PostgreSQL array literal of `values` (None, bool, int, str, date, aware datetime,
    and dicts or lists as JSON), for a `%s::type[]` parameter."""
    return "{" + ",".join([_writer(type(v))(v) for v in values]) + "}"


def _writer(kind: type):
    """How a value of this type is written: a str subclass (a choices enum) as its text."""
    writer = _FAST.get(kind)
    if writer is None:
        writer = _FAST[kind] = _str_member if issubclass(kind, str) else _element
    return writer


def _str_member(value) -> str:
    return _quoted(str(value))


def insert_rows(model, columns: Sequence[str], rows: Sequence[Sequence], *, suffix: str = ""):
    """`INSERT INTO model's table (columns) SELECT … FROM unnest(one array per column)`, then
    `suffix` (ON CONFLICT …, RETURNING …): the rows in one short statement, in their order.
    `columns` are field names or attnames (`case_id`); returns the rows RETURNING gave."""
    if not rows:
        return []
    fields = [model._meta.get_field(name) for name in columns]
    quote = connection.ops.quote_name
    arrays = ", ".join(f"%s::{field.db_type(connection).split('(')[0]}[]" for field in fields)
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"SELECT * FROM unnest({arrays}) {suffix}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [pg_array(column) for column in zip(*rows, strict=True)])
        return cursor.fetchall() if "RETURNING" in suffix.upper() else []


def insert_objects(model, objects: list, columns: Sequence[str]) -> list:
    """`bulk_create` of unsaved `objects` of `model` in one short statement (`insert_rows`,
    the values of `columns`): their ids set in order and each marked saved; returns them."""
    rows = [[getattr(obj, column) for column in columns] for obj in objects]
    ids = insert_rows(model, columns, rows, suffix="RETURNING id")
    for obj, (pk,) in zip(objects, ids, strict=True):
        mark_saved(obj, pk)
    return objects


def mark_saved(obj, pk: int) -> None:
    """A model written by `insert_rows`, as `bulk_create` leaves it: its id, and saved."""
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias
