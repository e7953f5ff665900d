"""Run a command and take its whole process group down when the test process dies, even by SIGKILL.

`php -S` workers outlive their parent, so the server runs as `python3 reaper.py PHP-ARGS…` in its own
session: the kernel sends this reaper SIGTERM when the process that started it dies (PR_SET_PDEATHSIG),
and on SIGTERM the reaper SIGKILLs its process group (itself, php and every worker).
"""
from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int = signal.SIGTERM) -> None:
    """Ask the kernel to send `sig` to this process when its parent exits (Linux only; no-op elsewhere)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, sig)


def kill_group(signum: int, frame: object) -> None:
    """SIGKILL the whole process group, this reaper included."""
    os.killpg(0, signal.SIGKILL)


def main(argv: list[str]) -> int:
    """Start argv in this process group and wait; the group dies when our parent does."""
    parent = os.getppid()
    signal.signal(signal.SIGTERM, kill_group)
    die_with_parent()
    if os.getppid() != parent:   # the parent died before prctl took effect
        kill_group(0, None)
    return subprocess.call(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
