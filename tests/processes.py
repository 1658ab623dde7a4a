"""`make run` on a terminal of its own, for the tests of its process manager
(tests/test_make_run.py, tests/test_run_stop.py): a free port, the command started on a pty,
its output read as it comes, Ctrl-C as a person presses it, and nothing left running after."""

import os
import pty
import select
import signal
import socket
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Never printed by a clean start and stop.
ERROR_LINES = ("Error", "Segmentation fault", "Traceback", "Interrupt")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def newcomer_env(*unset, **values):
    """This process's environment without `unset` and make's own variables (a newcomer's
    shell), with `values` set."""
    env = {**os.environ, **values}
    for name in (*unset, "MAKEFLAGS", "MAKELEVEL"):
        env.pop(name, None)
    return env


class Terminal:
    """`command` run from the repository on a pseudo-terminal (its own foreground process
    group, as in a shell); everything it writes is kept in `output`."""

    def __init__(self, command, env):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child
            os.chdir(ROOT)
            os.execvpe(command[0], command, env)
        self.output = bytearray()
        self.status = None

    @property
    def text(self):
        return self.output.decode(errors="replace")

    def pump(self, seconds):
        """Read what the command wrote, waiting up to `seconds` for it."""
        ready, _, _ = select.select([self.fd], [], [], seconds)
        if ready:
            try:
                self.output.extend(os.read(self.fd, 65536))
            except OSError:
                pass

    def ctrl_c(self, within=10):
        """What Ctrl-C does (SIGINT to the terminal's foreground group); returns the seconds
        until the command exited (its exit status in `status`), or `within` if it did not."""
        os.killpg(os.tcgetpgrp(self.fd), signal.SIGINT)
        asked = time.monotonic()
        while self.status is None and time.monotonic() - asked < within:
            self.pump(0.2)
            done, raw = os.waitpid(self.pid, os.WNOHANG)
            if done:
                self.status = os.waitstatus_to_exitcode(raw)
        took = time.monotonic() - asked
        for _ in range(10):  # its last lines
            self.pump(0.05)
        return took

    def stop(self):
        """After a failed check: Ctrl-C, reading the terminal meanwhile so that nothing blocks
        writing to it, then SIGKILL to whatever is left."""
        if self.status is not None:
            return
        try:
            group = os.tcgetpgrp(self.fd)
            os.killpg(group, signal.SIGINT)
        except OSError:
            group = None
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            self.pump(0.2)
            if os.waitpid(self.pid, os.WNOHANG)[0]:
                return
        if group is not None:
            try:
                os.killpg(group, signal.SIGKILL)
            except OSError:
                pass
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)

    def assert_stopped_cleanly(self, took, *also_bad):
        """Exit status 0 within 10 s of Ctrl-C, and no error line."""
        text = self.text
        assert self.status == 0, f"exit status {self.status} after {took:.1f}s:\n{text[-3000:]}"
        assert took < 10
        for bad in (*ERROR_LINES, *also_bad):
            assert bad not in text, text[-3000:]
