"""Array literals (`bulk_sql.pg_array`) read back by PostgreSQL as the values they were made
from: quotes, backslashes, braces, commas, NULL, Chinese text, JSON and aware times."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import connection

from notifications.bulk_sql import pg_array

TZ = ZoneInfo("Asia/Shanghai")


def _read(sql_type, values):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT unnest(%s::{sql_type}[])", [pg_array(values)])
        return [row[0] for row in cursor.fetchall()]


def test_text_comes_back_as_written(db, on_postgres):
    values = ['「引号"与\\反斜杠」', "{花括号}, 逗号", "NULL", "", None, " 空格 "]
    assert _read("text", values) == values


def test_numbers_booleans_times_and_json_come_back(db, on_postgres):
    assert _read("bigint", [1, None, 9_007_199_254_740_993]) == [1, None, 9_007_199_254_740_993]
    assert _read("boolean", [True, False, None]) == [True, False, None]
    moment = datetime(2026, 11, 24, 10, 0, tzinfo=TZ)
    assert _read("timestamptz", [moment, None]) == [moment, None]
    data = {"deadline": "assign", "notified": [3, 4], "note": '他说"好"\\'}
    text, empty = _read("jsonb", [data, None])  # (Django reads jsonb as text)
    assert (json.loads(text), empty) == (data, None)


def test_choices_come_back_as_their_text(db, on_postgres):
    from cases.choices import DeadlineKind, Level

    values = [Level.TOWN, DeadlineKind.RESOLVE, "plain", Level.COUNTY]
    assert _read("text", values) == ["town", "resolve", "plain", "county"]
