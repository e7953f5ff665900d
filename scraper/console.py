"""What the command line shows and how it stops: log format, progress line, JSON summaries, SIGTERM as Ctrl-C."""
from __future__ import annotations

import dataclasses
import json
import logging
import signal
import sys
import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scraper.crawl import SiteReport


class JsonFormatter(logging.Formatter):
    """One JSON object per log line (for log shippers)."""

    def format(self, record: logging.LogRecord) -> str:
        data = {"ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                "level": record.levelname.lower(), "logger": record.name, "msg": record.getMessage()}
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def setup_logging(log_format: str, quiet: bool, verbose: bool) -> None:
    """Log to stderr: warnings by default, every page with --verbose, errors only with --quiet."""
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))
    root = logging.getLogger("scraper")
    root.handlers[:] = [handler]
    root.setLevel(logging.ERROR if quiet else logging.INFO if verbose else logging.WARNING)
    root.propagate = False


def interrupted_exit_code(exc: KeyboardInterrupt) -> int:
    """128 + the signal number, as shells report it: 143 for SIGTERM (see interrupt_on_sigterm), 130 for Ctrl-C."""
    return 128 + (signal.SIGTERM if exc.args == (f"signal {signal.SIGTERM}",) else signal.SIGINT)


def interrupt_on_sigterm() -> None:
    """Let `kill` (or cron's timeout) stop a crawl like Ctrl-C: the crawl row ends 'interrupted', work resumes."""
    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, stop)


class TerminalProgress:
    """A one-line progress counter on stderr, drawn only when stderr is a terminal."""

    def __init__(self, enabled: bool):
        self.stream = sys.stderr
        self.enabled = enabled and self.stream.isatty()
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if not self.enabled or (now - self.last < 0.2 and done < total):
            return
        self.last = now
        width = 30
        filled = int(width * done / total) if total else width
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} pages")
        self.stream.flush()

    def clear(self) -> None:
        """Erase the progress line before the summary is printed."""
        if self.enabled:
            self.stream.write("\r" + " " * 60 + "\r")
            self.stream.flush()


def report_json(report: SiteReport) -> str:
    """The run summary of one site as one JSON object: every report field (counts spread out), seconds rounded."""
    data = dataclasses.asdict(report)
    data.update(data.pop("counts"))
    data.update(seconds=round(report.seconds, 2), fetch_seconds=round(report.fetch_seconds, 2))
    return json.dumps(data, ensure_ascii=False)
