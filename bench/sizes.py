#!/usr/bin/env python
"""Disk use of a benchmark database: each table's rows and bytes (heap + TOAST) and its indexes'
bytes, and the bytes per case; given a second, smaller database, the marginal bytes per case
(the difference over the difference in cases, so fixed data such as the area tree cancels).

    .venv/bin/python bench/sizes.py mediation_bench_1000000 [mediation_bench_100000]
"""

import json
import sys

SQL = """
SELECT c.relname,
       c.reltuples::bigint,
       pg_table_size(c.oid),
       pg_indexes_size(c.oid)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
ORDER BY pg_total_relation_size(c.oid) DESC
"""


def sizes(db: str) -> dict:
    import psycopg

    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{db}", autocommit=True) as conn:
        conn.execute("ANALYZE")
        cases = conn.execute("SELECT count(*) FROM cases_case").fetchone()[0]
        database = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        tables = {
            name: {"rows": max(rows, 0), "table_bytes": table, "index_bytes": index}
            for name, rows, table, index in conn.execute(SQL).fetchall()
        }
        indexes = dict(
            conn.execute(
                "SELECT indexrelname, pg_relation_size(indexrelid) FROM pg_stat_user_indexes "
                "ORDER BY 2 DESC LIMIT 25"
            ).fetchall()
        )
    total_table = sum(t["table_bytes"] for t in tables.values())
    total_index = sum(t["index_bytes"] for t in tables.values())
    return {
        "database": db,
        "cases": cases,
        "database_bytes": database,
        "table_bytes": total_table,
        "index_bytes": total_index,
        "bytes_per_case": round(database / cases) if cases else None,
        "tables": tables,
        "largest_indexes": indexes,
    }


def marginal(big: dict, small: dict) -> dict:
    cases = big["cases"] - small["cases"]
    return {
        key: round((big[key] - small[key]) / cases)
        for key in ("database_bytes", "table_bytes", "index_bytes")
    }


if __name__ == "__main__":
    big = sizes(sys.argv[1])
    out = {"big": big}
    if len(sys.argv) > 2:
        small = sizes(sys.argv[2])
        out["small"] = {k: v for k, v in small.items() if k not in ("tables", "largest_indexes")}
        out["marginal_per_case"] = marginal(big, small)
    print(json.dumps(out, indent=2))
