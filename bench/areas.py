"""Time `import_areas --division` for the whole country (DESIGN.md §3: about 665,000 areas,
under two minutes on PostgreSQL): into a fresh database, then again (nothing to change).

    .venv/bin/python bench/areas.py      (make bench-areas)
"""

import subprocess
import time

from run import PY, ROOT, drop_database, env_for, log, manage

DB_NAME = "mediation_bench_areas"


def timed_import(env):
    start = time.perf_counter()
    out = manage(env, "import_areas", "--division", capture=True).stdout.strip().splitlines()
    return round(time.perf_counter() - start, 1), out[-1] if out else ""


def main():
    env = env_for(DB_NAME)
    drop_database(DB_NAME)
    subprocess.run([PY, "scripts/services.py", "database"], cwd=ROOT, env=env, check=True)
    manage(env, "migrate", "--noinput", "-v0")
    load = open("/proc/loadavg").read().split()[:3]
    first, report = timed_import(env)
    log(f"whole country, empty database: {first}s ({report})")
    again, report = timed_import(env)
    log(f"whole country again: {again}s ({report})")
    log(f"load average before: {' '.join(load)}; after: {open('/proc/loadavg').read()[:14]}")
    drop_database(DB_NAME)


if __name__ == "__main__":
    main()
