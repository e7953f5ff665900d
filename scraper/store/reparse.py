"""Re-run the parser over stored raw pages on all cores; differences become 'reparse' versions."""
from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scraper.exceptions import ArchiveError
from scraper.store.archive import Archive, current_parser_version
from scraper.store.connection import sqlite_errors

if TYPE_CHECKING:
    from scraper.record import Post

log = logging.getLogger("scraper.store")

#: Results written per transaction: fewer commits, still small enough that a kill loses little work.
BATCH = 100

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


def _parse_one(task: tuple[int, str, str]) -> tuple[int, dict[str, Any] | None, str | None]:
    """(post_id, parsed record as a dict or None, error) for one stored page."""
    post_id, sha, url = task
    if _worker_archive is None:
        return post_id, None, _worker_error
    try:
        return post_id, reparse_page(_worker_archive, sha, url).to_dict(), None
    except KeyError as exc:
        return post_id, None, str(exc)


def _headers(content_type: str | None) -> dict[str, str]:
    """The response headers the parser cares about (the charset), as the fetch recorded them."""
    return {"content-type": content_type} if content_type else {}


def reparse_page(arc: Archive, sha: str, url: str) -> "Post":
    """Parse a stored page as the crawl did: with its Content-Type, and with the further pages of a post
    split by <!--nextpage--> (their last stored copies) merged in. KeyError if one of them is not stored."""
    from scraper.crawl import merge_page, post_page_links
    from scraper.fetch import Response
    from scraper.parse import parse

    body = arc.page_bytes(sha)
    post = parse(body, url=url, headers=_headers(arc.page_content_type(sha)))
    for link in post_page_links(Response(url=url, final_url=url, status=200, headers={}, body=body)):
        stored = arc.latest_page(link)
        if stored is None:
            raise KeyError(f"page {link} of post {url} was never stored")
        merge_page(post, parse(arc.page_bytes(stored[0]), url=url, headers=_headers(stored[1])))
    return post


def reparse_tasks(arc: Archive, site_id: int | None = None, since: str | None = None) -> list[tuple[int, str, str]]:
    """(post_id, page sha256, url) of every post with a stored page, optionally one site / seen since a date."""
    sql = "SELECT id, page_sha256, url FROM posts WHERE page_sha256 IS NOT NULL"
    params: list[Any] = []
    if site_id is not None:
        sql += " AND site_id = ?"
        params.append(site_id)
    if since is not None:
        sql += " AND last_seen_at >= ?"
        params.append(since)
    with sqlite_errors(arc.path, arc.busy_timeout):
        return [tuple(row) for row in arc.conn.execute(sql + " ORDER BY id", params)]


def _results(path: str, tasks: list[tuple[int, str, str]], processes: int) -> Iterator[tuple[int, dict | None, str | None]]:
    """Parse results in any order, from a pool of `processes` workers (in-process when 1)."""
    if processes <= 1:
        _init_worker(path)
        yield from map(_parse_one, tasks)
        return
    context = multiprocessing.get_context("spawn")  # workers must not inherit the parent's SQLite connection
    with context.Pool(processes, initializer=_init_worker, initargs=(path,)) as pool:
        yield from pool.imap_unordered(_parse_one, tasks, chunksize=max(1, min(32, len(tasks) // (processes * 4))))


def reparse(arc: Archive, *, site_id: int | None = None, since: str | None = None, processes: int | None = None,
            progress: Callable[[int, int], None] | None = None) -> ReparseReport:
    """Reparse the selected posts' stored pages with the current parser and record what differs."""
    from scraper.record import Post

    report = ReparseReport(parser_version=current_parser_version())
    tasks = reparse_tasks(arc, site_id, since)
    started = time.perf_counter()
    pending: list[tuple[int, Post]] = []
    for post_id, record, error in _results(arc.path, tasks, processes or os.cpu_count() or 1):
        report.pages += 1
        if record is None:
            report.failed += 1
            log.warning("post %s: cannot reparse: %s", post_id, error)
        else:
            pending.append((post_id, Post.from_dict(record)))
        if len(pending) >= BATCH:
            _apply(arc, pending, report)
        if progress is not None:
            progress(report.pages, len(tasks))
    _apply(arc, pending, report)
    report.seconds = time.perf_counter() - started
    return report


def _apply(arc: Archive, pending: list, report: ReparseReport) -> None:
    """Write a batch of reparsed records in one transaction and count the outcome."""
    with arc.transaction():
        for post_id, post in pending:
            changed = arc.reparse_post(post_id, post, report.parser_version)
            if changed:
                report.changed += 1
                for name in changed:
                    report.changed_fields[name] = report.changed_fields.get(name, 0) + 1
            else:
                report.unchanged += 1
    pending.clear()
