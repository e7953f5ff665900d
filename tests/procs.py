"""Processes as Linux /proc shows them, for tests that check what a crawl or the WordPress harness left running."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path


def process_stats() -> Iterator[tuple[int, list[str]]]:
    """(pid, the fields of /proc/PID/stat after the command name: state, ppid, pgrp, ...) of every process."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            yield int(stat.parent.name), stat.read_text().rsplit(")", 1)[1].split()
        except OSError:   # gone meanwhile
            continue


def child_pids(pid: int) -> list[int]:
    """The child processes of pid."""
    return [child for child, fields in process_stats() if int(fields[1]) == pid]


def group_pids(pgid: int) -> list[int]:
    """The processes of a process group."""
    return [member for member, fields in process_stats() if int(fields[2]) == pgid]


def alive(pid: int) -> bool:
    """True while pid runs (a zombie, exited but not yet reaped, is not alive)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
