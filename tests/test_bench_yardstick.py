"""The benchmark's yardstick: fixed work timed in the same run, and every time in the report
beside its multiple of it."""

import json
from pathlib import Path

from django.db import connection

from bench import run, yardstick

ROOT = Path(__file__).resolve().parent.parent


def test_the_yardstick_times_a_python_loop_and_a_sql_query(on_postgres, db):
    db_settings = connection.settings_dict
    dsn = f"postgresql://{db_settings['USER']}@{db_settings['HOST'] or '127.0.0.1'}:{db_settings['PORT'] or 5432}/{db_settings['NAME']}"
    measured = yardstick.measure(dsn)
    assert measured["python_ms"] > 0 and measured["sql_ms"] > 0
    assert measured["y_ms"] == round(measured["python_ms"] + measured["sql_ms"], 2)
    # Fixed work: the same answer every time.
    assert yardstick.python_loop() == yardstick.python_loop()
    combined = yardstick.combine(measured, {**measured, "y_ms": measured["y_ms"] * 3})
    assert combined["y_ms"] == round(measured["y_ms"] * 2, 2)
    assert combined["start"] == measured


def test_every_time_in_the_report_stands_beside_its_multiple_of_the_yardstick():
    results = json.loads((ROOT / "bench" / "results.json").read_text(encoding="utf-8"))
    for result in results:
        result["yardstick"] = {
            "y_ms": 500.0,
            "python_ms": 200.0,
            "sql_ms": 300.0,
            "start": {"y_ms": 450.0},
            "end": {"y_ms": 550.0},
        }
    results[0]["http"]["intake"]["p95_ms"] = 25.0
    table = run.markdown(results)
    assert "| yardstick Y = Python loop + SQL query" in table
    assert "500.0 ms (200.0 + 300.0; start 450.0, end 550.0)" in table
    intake = next(line for line in table.splitlines() if line.startswith("| intake p95"))
    assert "25.0 ms PASS (0.05 Y)" in intake
    for line in table.splitlines():
        if line.startswith("| ") and " ms" in line and "yardstick" not in line:
            cells = line.split(" | ")[2:]
            assert all(" Y)" in cell or "n/a" in cell or "ms" not in cell for cell in cells), line
    seeding = next(line for line in table.splitlines() if line.startswith("| seeding time"))
    assert " Y)" in seeding  # seconds too
    # A report of a run before the yardstick still renders, without multiples.
    for result in results:
        del result["yardstick"]
    assert " Y)" not in run.markdown(results)
