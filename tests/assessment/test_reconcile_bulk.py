"""A generated month reconciles too: the bulk generator's cases (the benchmark's path, COPY on
PostgreSQL), read for its busiest month through the dashboards, the KPI API and both
workbooks, agree with each other and with bare SQL."""

import pytest
from django.db import connection

from .reconcile import built_once, check_everything

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker):
    """The demo accounts, then 2,000 generated cases over three counties, built once."""
    if connection.vendor != "postgresql":
        pytest.skip("the bulk generator needs PostgreSQL")
    yield from built_once(
        django_db_blocker,
        ("seed_demo", "--no-cases"),
        ("seed_demo", "--cases", "2000", "--counties", "3"),
    )


def _busiest_month() -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT to_char(c.reported_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS m
            FROM cases_case c JOIN grids_area a ON a.id = c.county_id
            WHERE a.code = '610222000000'
            GROUP BY m ORDER BY count(*) DESC, m DESC LIMIT 1
            """
        )
        return cursor.fetchone()[0]


def test_a_generated_month_agrees_everywhere_and_with_sql(generated, client, api):
    key = _busiest_month()
    read = check_everything(client, api, key)
    assert read["payload"]["kpis"]["intake"] >= 10
    assert len(read["case_book"]["rows"]) == read["payload"]["kpis"]["intake"]
