"""Runs a command in a pseudo-terminal, as a person at a terminal would, and times it from
the process's spawn until the text it has drawn contains a given string.

The terminal is 120x40 (``TIOCSWINSZ``) and is the child's controlling terminal. What the
child writes is read as it comes; each read is stamped when it arrives, and the time is
that of the read that completed the text, so stripping escape sequences here costs the
measured command nothing. Afterwards the app is asked to quit (ctrl+q) and, if it does
not, killed.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

COLUMNS, LINES = 120, 40
QUIT = b"\x11"  # ctrl+q
# Control sequences (CSI, OSC, two-character escapes) and other control characters: what
# is left is the text the terminal shows, each run of it in the order it was drawn.
CONTROL = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Shown:
    seconds: float  # from spawn until the text was on the screen
    cpu_seconds: float | None  # processor time the child had used by then (None off Linux)
    screen: str  # the text drawn until then


def visible_text(raw: bytes) -> str:
    return CONTROL.sub("", raw.decode("utf-8", errors="replace"))


def _take_terminal() -> None:
    """In the child, after ``setsid``: make the pseudo-terminal its controlling terminal."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def cpu_seconds(pid: int) -> float | None:
    """User plus system time of a running process and of the children it has waited for
    (``classpay`` reads its first page in a child process), from ``/proc/PID/stat``."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return sum(int(tick) for tick in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def time_until_text(argv: Sequence[str], text: str, env: Mapping[str, str], *, timeout: float = 30.0) -> Shown:
    """How long from spawning ``argv`` until its screen shows ``text``. Raises if the
    command exits first or ``timeout`` passes."""
    main_end, child_end = pty.openpty()
    fcntl.ioctl(child_end, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    raw = b""
    start = time.perf_counter()
    process = subprocess.Popen(
        list(argv),
        stdin=child_end,
        stdout=child_end,
        stderr=child_end,
        env=dict(env),
        start_new_session=True,
        preexec_fn=_take_terminal,  # safe: the harness runs no threads of its own
    )
    os.close(child_end)
    try:
        seen: float | None = None
        used: float | None = None
        while seen is None and time.perf_counter() - start < timeout:
            if not select.select([main_end], [], [], 0.5)[0]:
                continue
            try:
                chunk = os.read(main_end, 1 << 16)
            except OSError:  # the child closed the terminal
                chunk = b""
            arrived, used_by_then = time.perf_counter(), cpu_seconds(process.pid)
            if not chunk:
                break
            raw += chunk
            if text in visible_text(raw):
                seen, used = arrived - start, used_by_then
        if seen is None:
            screen = visible_text(raw)[-600:]
            raise RuntimeError(f"{argv[0]}: {text!r} never appeared on the screen; it showed: {screen!r}")
        return Shown(seen, used, visible_text(raw))
    finally:
        _stop(process, main_end)


def _stop(process: subprocess.Popen[bytes], main_end: int) -> None:
    """Ask the app to quit, keep reading so it is never blocked on a full terminal, and kill
    it (its own process group) if it has not gone within a few seconds."""
    with contextlib.suppress(OSError):
        os.write(main_end, QUIT)
    deadline = time.perf_counter() + 5
    while process.poll() is None and time.perf_counter() < deadline:
        if select.select([main_end], [], [], 0.1)[0]:
            try:
                if not os.read(main_end, 1 << 16):
                    break
            except OSError:
                break
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    os.close(main_end)
