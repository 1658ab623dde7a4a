#!/usr/bin/env python3
"""Run the Procfile's processes (web, worker, beat) under honcho's process manager, as
`make run` does: Ctrl-C (SIGINT) or SIGTERM stops all of them within seconds, and the exit
status is 0 when they were asked to stop.

On a terminal it first takes the terminal's foreground for its own process group, so Ctrl-C
reaches this manager alone, not `make` above it (which would report "Interrupt" and exit 130),
nor the children (each in its own session, stopped by the manager with SIGTERM, then SIGKILL
after five seconds). The foreground is given back on exit.

    scripts/run.py [--seed] [Procfile]
        HOST and PORT (default 127.0.0.1:8000) reach the commands. With --seed a fourth process,
        `manage.py seed_demo --stay` (plus $SEED_DEMO_ARGS), fills the demo year behind the
        server, shows its progress and then waits to be stopped with the others.
"""

import os
import signal
import sys
from contextlib import contextmanager
from pathlib import Path

from honcho.environ import parse_procfile
from honcho.manager import Manager

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def terminal_foreground():
    """Own process group in the terminal's foreground for the duration, when there is one."""
    try:
        tty = os.open("/dev/tty", os.O_RDWR)
        previous = os.tcgetpgrp(tty)
    except OSError:
        yield
        return
    if previous != os.getpgrp():  # started in the background: leave the terminal alone
        os.close(tty)
        yield
        return
    old_ttou = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    try:
        if os.getpgrp() != os.getpid():
            os.setpgid(0, 0)
        os.tcsetpgrp(tty, os.getpgrp())
        yield
    finally:
        try:
            os.tcsetpgrp(tty, previous)
        except OSError:
            pass
        signal.signal(signal.SIGTTOU, old_ttou)
        os.close(tty)


def main(argv):
    args = argv[1:]
    seed = "--seed" in args
    args = [arg for arg in args if arg != "--seed"]
    procfile = Path(args[0]) if args else ROOT / "Procfile"
    entries = dict(parse_procfile(procfile.read_text()).processes)
    if seed:
        extra = os.environ.get("SEED_DEMO_ARGS", "")
        entries["seed"] = f"exec python {ROOT / 'manage.py'} seed_demo --stay {extra}".strip()
    env = dict(os.environ)
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = venv_bin + os.pathsep + env.get("PATH", "")
    env.setdefault("HOST", "127.0.0.1")
    env.setdefault("PORT", "8000")
    env["PYTHONUNBUFFERED"] = "1"
    manager = Manager()
    for name, command in entries.items():
        manager.add_process(name, command, env=env, cwd=str(procfile.parent))
    with terminal_foreground():
        manager.loop()
    # 130/143: stopped by Ctrl-C or SIGTERM, as asked; anything else is a process that died.
    return 0 if manager.returncode in (130, 143) else (manager.returncode or 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
