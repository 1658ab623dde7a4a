"""The yardstick: a fixed pure-Python loop and a fixed SQL query, timed in the same run as the
figures, so that a figure from a slow day is read against the machine of that day.

The machines are shared: one benchmark at 1,000,000 cases ran about 3.2× slower on one day than
on another, while its ratios held. Each latency is therefore also reported as a multiple of the
yardstick Y = Python loop + SQL query (both fixed work, independent of the data): a figure that
grows with Y is the machine; one that grows against it is the code.
"""

import statistics
import time

# Fixed work: never change these without saying so in bench/RESULTS.md, or old multiples no
# longer compare.
PYTHON_ROUNDS = 100_000
SQL = "SELECT sum(length(md5(g::text))) FROM generate_series(1, 50000) AS g"
SAMPLES = 5


def python_loop() -> int:
    """Dict, string and integer work of the kind a request does, a fixed number of times."""
    total = 0
    table = {}
    for i in range(PYTHON_ROUNDS):
        key = f"case-{i % 997}"
        table[key] = table.get(key, 0) + i
        total += len(key) + (i * 31) % 7
    return total + len(table)


def _timed(fn) -> list[float]:
    fn()  # warm-up
    samples = []
    for _ in range(SAMPLES):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def measure(dsn: str) -> dict:
    """Median milliseconds of the Python loop and of the SQL query, and their sum (Y)."""
    import psycopg

    python = _timed(python_loop)
    with psycopg.connect(dsn, autocommit=True) as conn:
        # JIT compilation time varies from run to run and is not what the yardstick measures.
        conn.execute("SET jit = off")

        def query():
            conn.execute(SQL).fetchone()

        sql = _timed(query)
    # Y is the sum of the two parts as printed, so the report adds up to the last digit.
    python_ms, sql_ms = round(statistics.median(python), 2), round(statistics.median(sql), 2)
    return {
        "python_ms": python_ms,
        "sql_ms": sql_ms,
        "y_ms": round(python_ms + sql_ms, 2),
        "python_spread_ms": [round(min(python), 2), round(max(python), 2)],
        "sql_spread_ms": [round(min(sql), 2), round(max(sql), 2)],
    }


def combine(before: dict, after: dict) -> dict:
    """One yardstick for a run measured at its start and its end (the mean of the two), keeping
    both so a load that changed during the run shows."""
    merged = {
        key: round((before[key] + after[key]) / 2, 2) for key in ("python_ms", "sql_ms", "y_ms")
    }
    return {**merged, "start": before, "end": after}


def multiple(value_ms, y_ms) -> str:
    """`value` as a multiple of the yardstick, for a table cell."""
    if value_ms is None or not y_ms:
        return ""
    return f"{value_ms / y_ms:.3g} Y"


if __name__ == "__main__":
    import sys

    print(measure(sys.argv[1] if len(sys.argv) > 1 else "postgresql://postgres@127.0.0.1/postgres"))
