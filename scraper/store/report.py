"""Read-side helpers behind `scraper history|search|export|stats`: they return data, the CLI prints it."""
from __future__ import annotations

import difflib
import json
import os
import re
import sqlite3
import functools
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from scraper.exceptions import ScraperError
from scraper.record import TRACKED_FIELDS
from scraper.store.archive import Archive, decoded
from scraper.store.connection import sqlite_errors

T = TypeVar("T")

#: Fields shown as a unified diff in history (long texts).
DIFFED_FIELDS = ("body_text", "body_html")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class NotFound(ScraperError):
    """The archive has no such post or site."""

    exit_code = 1


def translated(func: Callable[..., T]) -> Callable[..., T]:
    """Run a helper whose first argument is an Archive with SQLite errors turned into ArchiveError."""
    @functools.wraps(func)
    def wrapper(arc: Archive, *args: Any, **kwargs: Any) -> T:
        with sqlite_errors(arc.path, arc.busy_timeout):
            return func(arc, *args, **kwargs)
    return wrapper


def since_bound(value: str | None) -> str | None:
    """A --since value as a lower bound comparable with the archive's UTC timestamps ('2025-06-01' works)."""
    if value is None:
        return None
    if _DATE_ONLY.match(value):
        return value + "T00:00:00"
    return value.replace(" ", "T")


@translated
def resolve_site(arc: Archive, value: str | None) -> int | None:
    """A --site value (id, base URL, or a unique part of one) as a site id."""
    if value is None:
        return None
    if value.isdigit():
        row = arc.conn.execute("SELECT id FROM sites WHERE id = ?", (int(value),)).fetchone()
        rows = [row] if row else []
    else:
        rows = arc.conn.execute("SELECT id FROM sites WHERE base_url = ?", (value,)).fetchall() or \
            arc.conn.execute("SELECT id FROM sites WHERE base_url LIKE ?", (f"%{value}%",)).fetchall()
    if len(rows) != 1:
        known = ", ".join(r[0] for r in arc.conn.execute("SELECT base_url FROM sites ORDER BY id")) or "none"
        problem = "matches several sites" if rows else "matches no site"
        raise NotFound(f"--site {value!r} {problem} in {arc.path} (sites: {known})")
    return rows[0][0]


@translated
def find_posts(arc: Archive, ref: str) -> list[int]:
    """Post ids for a post id, or a URL the post has (or had in an earlier version)."""
    if ref.isdigit():
        row = arc.conn.execute("SELECT id FROM posts WHERE id = ?", (int(ref),)).fetchone()
        return [row[0]] if row else []
    rows = arc.conn.execute("SELECT id FROM post_state WHERE url = ? ORDER BY id", (ref,)).fetchall()
    if not rows:  # a former URL: only versions know it (a scan, but only for this rare case)
        rows = arc.conn.execute("SELECT DISTINCT post_id FROM post_versions WHERE url = ? ORDER BY 1", (ref,)).fetchall()
    return [r[0] for r in rows]


def _shown(value: Any) -> str:
    """A field value on one line for the history."""
    if value is None:
        return "(none)"
    return str(value)


def field_diff(name: str, old: Any, new: Any, old_label: str, new_label: str) -> list[str]:
    """Lines describing how one field changed: a unified diff for long texts, old/new lines otherwise."""
    if name in DIFFED_FIELDS:
        lines = difflib.unified_diff((old or "").splitlines(), (new or "").splitlines(), old_label, new_label,
                                     lineterm="", n=1)
        return [f"    {line}" for line in lines]
    return [f"    - {_shown(old)}", f"    + {_shown(new)}"]


@translated
def history_lines(arc: Archive, post_id: int) -> list[str]:
    """Every version of a post, oldest first, each with the fields that changed and how."""
    post = arc.conn.execute("SELECT p.*, s.base_url FROM posts p JOIN sites s ON s.id = p.site_id WHERE p.id = ?",
                            (post_id,)).fetchone()
    state = f"deleted since {post['deleted_at']}" if post["deleted_at"] else "live"
    lines = [f"post {post_id}: {post['title'] or '(no title)'}",
             f"  {post['url']}  (wp_id {_shown(post['wp_id'])}, site {post['base_url']}, {state})"]
    previous: sqlite3.Row | None = None
    for row in arc.conn.execute("SELECT * FROM post_versions WHERE post_id = ? ORDER BY version", (post_id,)):
        changed = json.loads(row["changed_fields"])
        crawl = f"crawl {row['crawl_id']}" if row["crawl_id"] else "no crawl"
        lines.append(f"v{row['version']}  {row['captured_at']}  {row['reason']:<8}  {crawl}  "
                     f"parser {row['parser_version']}" + (f"  changed: {', '.join(changed)}" if changed else ""))
        if previous is not None:
            for name in changed:
                lines.append(f"  {name}:")
                lines.extend(field_diff(name, previous[name], row[name], f"v{previous['version']}",
                                        f"v{row['version']}"))
        previous = row
    return lines


def _fts_query(query: str) -> str:
    """The query with every word quoted: a fallback when the user's text is not valid FTS5 syntax."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in query.split())


@translated
def search(arc: Archive, query: str, *, limit: int = 20, site_id: int | None = None) -> list[dict[str, Any]]:
    """Best full-text matches in titles and bodies, with highlighted snippets ([like this])."""
    sql = ("SELECT p.id, p.url, p.published_at, p.deleted_at, highlight(posts_fts, 0, '[', ']') AS title, "
           "snippet(posts_fts, 1, '[', ']', '…', 16) AS snippet FROM posts_fts JOIN posts p ON p.id = posts_fts.rowid "
           "WHERE posts_fts MATCH ?" + (" AND p.site_id = ?" if site_id is not None else "") +
           " ORDER BY bm25(posts_fts, 5.0, 1.0) LIMIT ?")
    scope = [site_id] if site_id is not None else []
    try:
        return [dict(row) for row in arc.conn.execute(sql, [query, *scope, limit])]
    except sqlite3.OperationalError:  # not FTS5 syntax (unbalanced quote, stray operator…): plain words then
        hits = [dict(row) for row in arc.conn.execute(sql, [_fts_query(query), *scope, limit])]
    if not hits and re.search(r"\w[-'’]\w", query):   # 'sommet-otan' (a slug?): the words anywhere, not a phrase
        words = " ".join(re.split(r"[-'’]", query))
        hits = [dict(row) for row in arc.conn.execute(sql, [_fts_query(words), *scope, limit])]
    return hits


EXPORT_COLUMNS = ("id", "site", "url", "wp_id", "title", "author", "authors", "categories", "tags", "published_at",
                  "modified_at", "photo_credit", "photo_caption", "featured_image", "excerpt", "body_text",
                  "body_html", "comment_count", "language", "version", "first_seen_at", "last_seen_at",
                  "last_changed_at", "deleted_at", "page_sha256", "parser_version")


def posts_where(site_id: int | None, since: str | None, since_column: str,
                alias: str = "") -> tuple[str, list[Any]]:
    """The ' AND …' SQL (and its parameters) selecting posts of one site and/or whose since_column is on or after
    --since (read by since_bound), for the posts view under `alias` ('p.') or none."""
    sql, params = "", []
    if site_id is not None:
        sql += f" AND {alias}site_id = ?"
        params.append(site_id)
    if since is not None:
        sql += f" AND {alias}{since_column} >= ?"
        params.append(since_bound(since))
    return sql, params


def export_rows(arc: Archive, *, site_id: int | None = None, since: str | None = None) -> Iterator[dict[str, Any]]:
    """Current posts (lists decoded), optionally one site and changed since a date, in id order."""
    columns = ", ".join("s.base_url AS site" if c == "site" else f"p.{c}" for c in EXPORT_COLUMNS)
    where, params = posts_where(site_id, since, "last_changed_at", alias="p.")
    sql = f"SELECT {columns} FROM posts p JOIN sites s ON s.id = p.site_id WHERE 1{where}"
    with sqlite_errors(arc.path, arc.busy_timeout):
        rows = arc.conn.execute(sql + " ORDER BY p.id", params)
    while True:
        with sqlite_errors(arc.path, arc.busy_timeout):
            row = rows.fetchone()
        if row is None:
            return
        yield decoded(row, ["authors", "categories", "tags"])


@translated
def stats(arc: Archive) -> dict[str, Any]:
    """Per-site counts and archive-wide storage figures. last_crawled_at and last_crawl_status belong to the
    latest finished crawl; unfinished_crawl is a crawl still marked running (running now, or killed)."""
    sites = [dict(row) for row in arc.conn.execute(
        "SELECT c.site_id AS id, c.base_url, c.posts, c.deleted_posts, c.versions, c.crawls, c.last_crawled_at, "
        "(SELECT status FROM crawls WHERE site_id = c.site_id AND status != 'running' ORDER BY id DESC LIMIT 1) "
        " AS last_crawl_status, "
        "(SELECT max(id) FROM crawls WHERE site_id = c.site_id AND status = 'running') AS unfinished_crawl, "
        "(SELECT count(*) FROM post_versions v JOIN posts p ON p.id = v.post_id WHERE p.site_id = c.site_id "
        " AND v.reason IN ('changed', 'restored')) AS site_edits "
        "FROM site_counts c ORDER BY c.site_id")]
    pages = arc.conn.execute("SELECT count(*), coalesce(sum(size), 0), coalesce(sum(stored_size), 0) FROM pages").fetchone()
    fetched = arc.conn.execute("SELECT count(*), coalesce(sum(bytes), 0) FROM fetches").fetchone()
    size = sum(os.path.getsize(arc.path + suffix) for suffix in ("", "-wal") if os.path.exists(arc.path + suffix))
    return {"file": arc.path, "file_bytes": size, "sites": sites, "fetches": fetched[0], "bytes_fetched": fetched[1],
            "pages": pages[0], "page_bytes_raw": pages[1], "page_bytes_stored": pages[2],
            "tracked_fields": list(TRACKED_FIELDS)}


def stats_lines(figures: dict[str, Any]) -> list[str]:
    """stats() as text: one line per site, then the archive file's storage figures."""
    lines = []
    for site in figures["sites"]:
        lines.append(f"{site['base_url']}  (site {site['id']})\n"
                     f"  posts {site['posts']}, deleted {site['deleted_posts']}, versions {site['versions']} "
                     f"({site['site_edits']} edits on the site), crawls {site['crawls']}, last "
                     f"{site['last_crawled_at'] or 'never'} {site['last_crawl_status'] or ''}".rstrip()
                     + (f" (crawl {site['unfinished_crawl']} unfinished: running, or killed)"
                        if site["unfinished_crawl"] else ""))
    raw, stored = figures["page_bytes_raw"], figures["page_bytes_stored"]
    ratio = f"{figures['file_bytes'] / figures['bytes_fetched']:.1%} of" if figures["bytes_fetched"] else "vs"
    lines.append(f"{figures['file']}: {figures['file_bytes'] / 1e6:.1f} MB, {ratio} {figures['bytes_fetched'] / 1e6:.1f} "
                 f"MB fetched in {figures['fetches']} responses; {figures['pages']} distinct pages "
                 f"({raw / 1e6:.1f} MB raw, {stored / 1e6:.1f} MB compressed)")
    return lines
