"""The sweep acting on N due items, on its own (without `make bench`), with the yardstick.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/mediation_bench_1000000 \\
        .venv/bin/python bench/sweep_due.py 10000 [--batch-size 500]

On a database seeded by `make bench` (or `seed_demo --cases N`) and caught up to the present: a
pretended clock at which about N handling periods are due to the sweep (`probe.clock_with_due`),
the mediation deadlines that clock also finds acted on first (timed apart), then `sweep_run`
timed until a sweep finds nothing due, each batch committed as in production. What it did
stays: run again, it finds the next N deadlines (a later clock). Prints JSON; DESIGN.md §12 asks
≤ 5 s for 10,000 due.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import yardstick
from django.db import connection
from django.utils import timezone
from probe import clear_mediation_backlog, clock_with_due

from cases.sweep import _due_periods, sweep_run


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("due", type=int, nargs="?", default=10_000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument(
        "--present",
        action="store_true",
        help="sweep at the present instead (data made due now, e.g. in a scratch database)",
    )
    args = parser.parse_args()
    dsn = os.environ["DATABASE_URL"]
    before = yardstick.measure(dsn)
    now = timezone.now() if args.present else clock_with_due(args.due)
    if now is None:
        print(json.dumps({"skipped": f"fewer than {args.due} periods ever due"}))
        return
    result = {"due": args.due, "now": now.isoformat(), "batch_size": args.batch_size}
    result["periods_due"] = _due_periods(now).count()
    result["mediation_before"] = clear_mediation_backlog(now)
    runs, totals = 0, {}
    start = time.perf_counter()
    while runs < 100:
        report = sweep_run(now=now, batch_size=args.batch_size)
        runs += 1
        for key, value in report.as_dict().items():
            if isinstance(value, int):
                totals[key] = totals.get(key, 0) + value
        if not report.periods:
            break
    elapsed = time.perf_counter() - start
    after = yardstick.measure(dsn)
    y = yardstick.combine(before, after)
    ms = round(elapsed * 1000, 1)
    items = totals.get("breaches", 0) + totals.get("already_recorded", 0)
    result.update(
        {
            "sweeps": runs,
            "ms": ms,
            "periods": totals.get("periods", 0),
            "ms_per_period": round(ms / max(totals.get("periods", 0), 1), 3),
            "report": totals,
            "items": items,
            "yardstick": y,
            "in_y": yardstick.multiple(ms, y["y_ms"]),
            "target": "≤ 5000 ms for 10,000 due",
            "database": connection.settings_dict["NAME"],
        }
    )
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
