"""Re-run the parser over stored raw pages on all cores; differences become 'reparse' versions."""
from __future__ import annotations

import importlib
import logging
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scraper.exceptions import ArchiveError
from scraper.parse.pages import parse_post
from scraper.store.archive import Archive, current_parser_version, parser_failure, post_values, reparse_changes
from scraper.store.connection import sqlite_errors
from scraper.store.report import posts_where

if TYPE_CHECKING:
    from scraper.record import Post

log = logging.getLogger("scraper.store")

#: Results written per transaction: fewer commits, still small enough that a kill loses little work.
BATCH = 100
UNCHANGED, CHANGED = "unchanged", "changed"

_worker_archive: Archive | None = None
_worker_error = "worker not initialised"


@dataclass
class ReparseReport:
    """What a reparse run did."""

    parser_version: str
    pages: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    seconds: float = 0.0
    changed_fields: dict[str, int] = field(default_factory=dict)

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


def _init_worker(path: str) -> None:
    """Each worker reads pages through its own read-only connection."""
    global _worker_archive, _worker_error
    try:
        _worker_archive = Archive(path, readonly=True)
    except ArchiveError as exc:  # reported per task: a failing Pool initializer would respawn workers forever
        _worker_error = str(exc)


def _parse_one(task: tuple[int, str, str]) -> tuple[int, dict[str, Any] | None, str]:
    """(post_id, record, outcome) for one stored page: the record only when it differs from the archive's.

    The comparison runs here, in the worker, so that the writing process only writes."""
    post_id, sha, url = task
    if _worker_archive is None:
        return post_id, None, _worker_error
    try:
        post = reparse_page(_worker_archive, sha, url)
    except KeyError as exc:
        return post_id, None, str(exc)
    if post.incomplete:   # a parser bug: the archived version stays (reparse_post would refuse it anyway)
        return post_id, None, parser_failure(post)
    row = _worker_archive.conn.execute("SELECT * FROM posts WHERE id = ?", (post_id,)).fetchone()
    if row is not None and not reparse_changes(row, post_values(post)):
        return post_id, None, UNCHANGED
    return post_id, post.to_dict(), CHANGED


def _headers(content_type: str | None) -> dict[str, str]:
    """The response headers the parser cares about (the charset), as the fetch recorded them."""
    return {"content-type": content_type} if content_type else {}


def reparse_page(arc: Archive, sha: str, url: str) -> "Post":
    """Parse a stored page as the crawl did: with its Content-Type, and with the further pages of a post
    split by <!--nextpage--> (their last stored copies) merged in. KeyError if one of them is not stored."""
    def stored(link: str) -> tuple[bytes, dict[str, str]] | None:
        page = arc.latest_page(link)
        return None if page is None else (arc.page_bytes(page[0]), _headers(page[1]))
    return parse_post(arc.page_bytes(sha), url, _headers(arc.page_content_type(sha)), stored)


def reparse_tasks(arc: Archive, site_id: int | None = None, since: str | None = None) -> list[tuple[int, str, str]]:
    """(post_id, page sha256, url) of every post with a stored page, optionally one site / seen since a date."""
    where, params = posts_where(site_id, since, "last_seen_at")
    sql = f"SELECT id, page_sha256, url FROM posts WHERE page_sha256 IS NOT NULL{where} ORDER BY id"
    with sqlite_errors(arc.path, arc.busy_timeout):
        return [tuple(row) for row in arc.conn.execute(sql, params)]


def _results(path: str, tasks: list[tuple[int, str, str]], processes: int) -> Iterator[tuple[int, dict | None, str]]:
    """Results in any order, from a pool of `processes` workers (in-process when 1)."""
    if processes <= 1:
        _init_worker(path)
        yield from map(_parse_one, tasks)
        return
    # fork: workers start at once with the parser already imported; they never touch the parent's
    # SQLite connection (each opens its own, read-only)
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with multiprocessing.get_context(method).Pool(processes, initializer=_init_worker, initargs=(path,)) as pool:
        yield from pool.imap_unordered(_parse_one, tasks, chunksize=max(1, min(16, len(tasks) // (processes * 8))))


def reparse(arc: Archive, *, site_id: int | None = None, since: str | None = None, processes: int | None = None,
            progress: Callable[[int, int], None] | None = None) -> ReparseReport:
    """Reparse the selected posts' stored pages with the current parser and record what differs."""
    importlib.import_module("scraper.parse.extract")   # the parser's lazy part, loaded before forking: workers inherit it

    report = ReparseReport(parser_version=current_parser_version())
    tasks = reparse_tasks(arc, site_id, since)
    started = time.perf_counter()
    changed: list[tuple[int, dict]] = []
    unchanged: list[int] = []
    for post_id, record, outcome in _results(arc.path, tasks, processes or os.cpu_count() or 1):
        report.pages += 1
        if outcome == UNCHANGED:
            unchanged.append(post_id)
        elif record is not None:
            changed.append((post_id, record))
        else:
            report.failed += 1
            log.warning("post %s: cannot reparse: %s", post_id, outcome)
        if len(changed) + len(unchanged) >= BATCH:
            _apply(arc, changed, unchanged, report)
        if progress is not None:
            progress(report.pages, len(tasks))
    _apply(arc, changed, unchanged, report)
    report.seconds = time.perf_counter() - started
    return report


def _apply(arc: Archive, changed: list[tuple[int, dict]], unchanged: list[int], report: ReparseReport) -> None:
    """Write a batch in one transaction: versions for what differs, the parser stamp for the rest."""
    from scraper.record import Post

    with arc.transaction() as conn:
        conn.executemany("UPDATE post_state SET parser_version = ? WHERE id = ?",
                         [(report.parser_version, post_id) for post_id in unchanged])
        report.unchanged += len(unchanged)
        for post_id, record in changed:
            fields = arc.reparse_post(post_id, Post.from_dict(record), report.parser_version)
            if not fields:  # changed back since the worker looked (no crawl runs meanwhile: the lock)
                report.unchanged += 1
                continue
            report.changed += 1
            for name in fields:
                report.changed_fields[name] = report.changed_fields.get(name, 0) + 1
    changed.clear()
    unchanged.clear()
