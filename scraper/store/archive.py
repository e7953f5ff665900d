"""The Archive: archive.db's one entry point for the crawler, the CLI and reparse."""
from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scraper.exceptions import ArchiveError, ArchiveLocked, IncompleteRecord
from scraper.record import PARSER_ERROR, TRACKED_FIELDS, Post
from scraper.store import compare
from scraper.store.connection import DEFAULT_BUSY_TIMEOUT, connect, immediate, prepare, sqlite_errors, utc_now
from scraper.store.pages import PackedPage, PageCodec

if TYPE_CHECKING:
    from scraper.fetch import Response

log = logging.getLogger("scraper.store")

CRAWL_STATUSES = ("complete", "partial", "failed", "interrupted")
FRONTIER_STATES = ("done", "failed", "gone", "skipped")
POST_SUMMARY_COLUMNS = ("id", "url", "wp_id", "title", "author", "categories", "tags", "modified_at",
                        "comment_count", "version", "first_seen_at", "last_seen_at", "deleted_at", "page_sha256")
_COUNTERS = {"new": "posts_new", "changed": "posts_changed", "restored": "posts_changed",
             "unchanged": "posts_unchanged"}
_MAX_TERM_IDS = 100_000   # remembered term ids (a few MB at most)
_TAXONOMIES = (("authors", "authors", "post_authors", "author_id"),
               ("categories", "categories", "post_categories", "category_id"),
               ("tags", "tags", "post_tags", "tag_id"))


@dataclass(frozen=True)
class SaveResult:
    """What save_post did: the post's id, its status, its current version and the fields that changed."""

    post_id: int
    status: str                     # 'new' | 'changed' | 'unchanged' | 'restored'
    version: int
    changed_fields: list[str] = field(default_factory=list)


def current_parser_version() -> str:
    """The parser version that stamps saved records (imported late: the parser may be mid-rewrite)."""
    from scraper.parse import PARSER_VERSION

    return PARSER_VERSION


def post_values(post: Post) -> dict[str, Any]:
    """The tracked fields of a Post as plain values; authors falls back to [author]."""
    values = {name: getattr(post, name) for name in TRACKED_FIELDS}
    if not values["authors"] and values["author"]:
        values["authors"] = [values["author"]]
    for name in compare.LIST_FIELDS:
        values[name] = list(values[name] or [])
    return values


def to_column(name: str, value: Any) -> Any:
    """A value as stored in its posts column (lists as JSON arrays)."""
    if name in compare.LIST_FIELDS:
        return json.dumps(list(value or []), ensure_ascii=False)
    return value


def from_json(text: str | None) -> Any:
    """Decode a JSON column (None stays None)."""
    return None if text is None else json.loads(text)


def decoded(row: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """The row as a dict with the JSON columns `names` decoded."""
    data = dict(row)
    for name in names:
        data[name] = from_json(data[name])
    return data


def reparse_changes(row: Mapping[str, Any], values: dict[str, Any]) -> list[str]:
    """Fields a re-parse changes: identity (url, wp_id) and fields the crawl took from the REST API are not
    the page's to change."""
    from_api = {name for name, how in (from_json(row["sources"]) or {}).items()
                if str(how).lower().startswith(("api", "rest"))}
    fields = tuple(f for f in TRACKED_FIELDS if f not in ("url", "wp_id") and f not in from_api)
    return compare.changed_fields(dict(row), values, fields)


class Archive:
    """archive.db opened for the crawler and the CLI. Each public write is one transaction."""

    def __init__(self, path: str | os.PathLike[str] = "archive.db", *, readonly: bool = False,
                 busy_timeout: float | None = None) -> None:
        self.path = os.fspath(path)
        self.readonly = readonly
        self.busy_timeout = busy_timeout if busy_timeout is not None else float(
            os.environ.get("SCRAPER_BUSY_TIMEOUT", DEFAULT_BUSY_TIMEOUT))
        self._depth = 0
        self._lock = threading.RLock()
        self._term_ids: dict[tuple[str, int, str], int] = {}   # (table, site_id, name) -> id, see _term_id
        self._crawl_sites: dict[int, int] = {}
        with self._errors():
            self.conn = connect(self.path, readonly=readonly, busy_timeout=self.busy_timeout)
            try:
                prepare(self.conn, self.path, readonly=readonly)
            except BaseException:
                self.conn.close()
                raise
        self.conn.row_factory = sqlite3.Row
        self.codec = PageCodec(self.conn)

    # -- plumbing ---------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection (SQLite checkpoints the WAL when the last connection closes)."""
        self.conn.close()

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Translate SQLite errors into ArchiveError naming the file."""
        with sqlite_errors(self.path, self.busy_timeout):
            yield

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE: waits for other writers up to the busy timeout); nests.

        Thread-safe: threads sharing this Archive take turns."""
        if self.readonly:
            raise ArchiveError(f"{self.path}: opened read-only")
        with self._lock:  # one connection, shared by threads: one transaction at a time
            if self._depth:
                self._depth += 1
                try:
                    yield self.conn
                finally:
                    self._depth -= 1
                return
            with self._errors(), immediate(self.conn, on_rollback=self._forget_uncommitted):
                self._depth = 1
                try:
                    yield self.conn
                finally:
                    self._depth = 0

    def _forget_uncommitted(self) -> None:
        """After a rollback: drop the compression dictionaries and term ids the rolled-back transaction made."""
        self.codec = PageCodec(self.conn)
        self._term_ids.clear()

    def _one(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
        """First row of a query."""
        with self._errors():
            return self.conn.execute(sql, tuple(params)).fetchone()

    def _bump(self, crawl_id: int | None, counter: str | None, by: int = 1) -> None:
        """Add to one of a crawl's counters (inside the caller's transaction)."""
        if crawl_id is not None and counter is not None:
            self.conn.execute(f"UPDATE crawls SET {counter} = {counter} + ? WHERE id = ?", (by, crawl_id))

    # -- crawl lock -------------------------------------------------------------------------------

    @contextmanager
    def crawl_lock(self) -> Iterator[None]:
        """Hold "<db>.lock" for one crawl; raise ArchiveLocked at once if another process holds it.

        An fcntl lock: the kernel releases it when the holder exits or is killed, so no stale locks.
        """
        lock_path = self.path + ".lock"
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise ArchiveError(f"{lock_path}: cannot create the crawl lock file: {exc.strerror}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise ArchiveLocked(f"{self.path}: another crawl (pid {holder}) is running on this archive; "
                                    "wait for it to finish or stop it") from exc
            raise ArchiveError(f"{lock_path}: cannot lock: {exc.strerror}") from exc
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    # -- sites and crawls -------------------------------------------------------------------------

    def upsert_site(self, base_url: str, name: str | None = None, language: str | None = None,
                    is_wordpress: bool | None = None, rest_api_url: str | None = None) -> int:
        """The site's id, creating it or updating the details given (None leaves a detail as it is)."""
        wp = None if is_wordpress is None else int(bool(is_wordpress))
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO sites (base_url, name, language, is_wordpress, rest_api_url) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (base_url) DO UPDATE SET name = coalesce(excluded.name, name), "
                "language = coalesce(excluded.language, language), "
                "is_wordpress = coalesce(excluded.is_wordpress, is_wordpress), "
                "rest_api_url = coalesce(excluded.rest_api_url, rest_api_url)",
                (base_url, name, language, wp, rest_api_url))
            return conn.execute("SELECT id FROM sites WHERE base_url = ?", (base_url,)).fetchone()[0]

    def start_crawl(self, site_id: int, options: Mapping[str, Any] | None = None) -> int:
        """Record a crawl as 'running' and return its id."""
        now = utc_now()
        with self.transaction() as conn:
            crawl_id = conn.execute(
                "INSERT INTO crawls (site_id, started_at, status, options) VALUES (?, ?, 'running', ?)",
                (site_id, now, json.dumps(dict(options or {}), ensure_ascii=False, default=str))).lastrowid
            conn.execute("UPDATE sites SET first_crawled_at = coalesce(first_crawled_at, ?) WHERE id = ?",
                         (now, site_id))
        self._crawl_sites[crawl_id] = site_id
        return crawl_id

    def finish_crawl(self, crawl_id: int, status: str) -> None:
        """Close a crawl with its final status; the site's last_crawled_at moves."""
        if status not in CRAWL_STATUSES:
            raise ValueError(f"crawl status must be one of {', '.join(CRAWL_STATUSES)}, not {status!r}")
        now = utc_now()
        with self.transaction() as conn:
            conn.execute("UPDATE crawls SET status = ?, finished_at = ? WHERE id = ?", (status, now, crawl_id))
            conn.execute("UPDATE sites SET last_crawled_at = ? WHERE id = (SELECT site_id FROM crawls WHERE id = ?)",
                         (now, crawl_id))

    def count_error(self, crawl_id: int, by: int = 1) -> None:
        """errors += by on the crawl."""
        with self.transaction():
            self._bump(crawl_id, "errors", by)

    def crawl(self, crawl_id: int) -> dict[str, Any] | None:
        """The crawls row as a dict (options decoded)."""
        row = self._one("SELECT * FROM crawls WHERE id = ?", (crawl_id,))
        return None if row is None else decoded(row, ["options"])

    def _site_of_crawl(self, crawl_id: int | None) -> int | None:
        """The site a crawl belongs to (cached)."""
        if crawl_id is None:
            return None
        if crawl_id not in self._crawl_sites:
            row = self.conn.execute("SELECT site_id FROM crawls WHERE id = ?", (crawl_id,)).fetchone()
            if row is None:
                raise ArchiveError(f"{self.path}: no crawl with id {crawl_id}")
            self._crawl_sites[crawl_id] = row[0]
        return self._crawl_sites[crawl_id]

    # -- fetches and pages ------------------------------------------------------------------------

    def pack_page(self, body: bytes, site_id: int | None) -> PackedPage:
        """(any thread) Hash and compress a body for record_fetch(packed=...), off the writer's thread."""
        return self.codec.pack(body, site_id)

    def record_response(self, crawl_id: int | None, resp: "Response", *, url: str | None = None,
                        packed: PackedPage | None = None, post_page: bool = True,
                        error: str | None = None) -> str | None:
        """record_fetch of a fetch.Response (under `url` when given, else resp.url); the body is kept for a 200."""
        return self.record_fetch(crawl_id, url or resp.url, status=resp.status, final_url=resp.final_url,
                                 headers=resp.headers, body=resp.body if resp.status == 200 else None,
                                 elapsed_ms=resp.elapsed_ms, error=error, packed=packed, post_page=post_page)

    def record_fetch(self, crawl_id: int | None, url: str, *, status: int | None, final_url: str | None = None,
                     headers: Mapping[str, str] | None = None, body: bytes | None = None,
                     elapsed_ms: int | None = None, error: str | None = None,
                     packed: PackedPage | None = None, post_page: bool = True) -> str | None:
        """Store one HTTP response (body once per sha256, compressed); return the body's sha256.
        post_page=False for discovery requests (robots.txt, REST, sitemaps, feeds, redirect hops, retried
        attempts): recorded the same way but not counted in the crawl's pages_fetched.

        `packed`: pack_page(body, site_id) of this same body, made on another thread: its hash and compressed
        bytes are used as they are unless the site's dictionary changed meanwhile (then it is recompressed here)."""
        if packed is not None and (body is None or len(body) != packed.size):
            raise ValueError(f"{url}: packed page given without its body, or for another body")
        lowered = {k.lower(): v for k, v in (headers or {}).items()}
        sha = None if body is None else packed.sha256 if packed is not None else hashlib.sha256(body).hexdigest()
        now = utc_now()
        with self._errors():
            site_id = self._site_of_crawl(crawl_id)
            known = sha is None or self.conn.execute("SELECT 1 FROM pages WHERE sha256 = ?", (sha,)).fetchone()
            if known:
                stored = None
            elif packed is not None and self.codec.usable(packed, site_id):
                stored = packed.data, packed.dict_id
            else:
                stored = self.codec.compress(body, site_id)  # outside the write lock
        with self.transaction() as conn:
            if stored is not None:
                data, dict_id = stored
                conn.execute(
                    "INSERT OR IGNORE INTO pages (sha256, site_id, size, stored_size, content_type, compression, "
                    "dict_id, data, stored_at) VALUES (?, ?, ?, ?, ?, 'zstd', ?, ?, ?)",
                    (sha, site_id, len(body), len(data), lowered.get("content-type"), dict_id, data, now))
            conn.execute(
                "INSERT INTO fetches (url, crawl_id, fetched_at, status, final_url, etag, last_modified, content_type,"
                " bytes, elapsed_ms, error, page_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (url, crawl_id, now, status, final_url, lowered.get("etag"), lowered.get("last-modified"),
                 lowered.get("content-type"), None if body is None else len(body), elapsed_ms, error, sha))
            if post_page:
                self._bump(crawl_id, "pages_fetched")
        if stored is not None and stored[1] is None and self.codec.needs_dict(site_id):
            with self.transaction():
                self.codec.train(site_id, utc_now())
        return sha

    def conditional_headers(self, url: str) -> dict[str, str]:
        """If-None-Match / If-Modified-Since from the last 200 response for url ({} if none)."""
        row = self._one("SELECT etag, last_modified FROM fetches WHERE url = ? AND status = 200 "
                        "ORDER BY id DESC LIMIT 1", (url,))
        headers: dict[str, str] = {}
        if row is not None and row["etag"]:
            headers["If-None-Match"] = row["etag"]
        if row is not None and row["last_modified"]:
            headers["If-Modified-Since"] = row["last_modified"]
        return headers

    def page_bytes(self, sha256: str) -> bytes:
        """The raw body stored under this sha256 (KeyError if there is none)."""
        row = self._one("SELECT compression, dict_id, data FROM pages WHERE sha256 = ?", (sha256,))
        if row is None:
            raise KeyError(f"no page {sha256} in {self.path}")
        return self.codec.decompress(row["data"], row["compression"], row["dict_id"])

    def latest_page(self, url: str) -> tuple[str, str | None] | None:
        """(sha256, content type) of the last 200 response with a body for url, or None."""
        row = self._one("SELECT page_sha256, content_type FROM fetches WHERE url = ? AND status = 200 "
                        "AND page_sha256 IS NOT NULL ORDER BY id DESC LIMIT 1", (url,))
        return None if row is None else (row[0], row[1])

    def page_content_type(self, sha256: str) -> str | None:
        """The Content-Type the page was first served with (its charset matters to the parser)."""
        row = self._one("SELECT content_type FROM pages WHERE sha256 = ?", (sha256,))
        return None if row is None else row[0]

    # -- posts ------------------------------------------------------------------------------------

    def _find_post(self, site_id: int, wp_id: int | None, url: str) -> sqlite3.Row | None:
        """The stored post with this identity: (site, wp_id) when known, else the URL (a post without wp_id)."""
        if wp_id is not None:
            row = self.conn.execute("SELECT * FROM posts WHERE site_id = ? AND wp_id = ?", (site_id, wp_id)).fetchone()
            if row is not None:
                return row
            return self.conn.execute(
                "SELECT * FROM posts WHERE site_id = ? AND url = ? AND wp_id IS NULL "
                "ORDER BY deleted_at IS NOT NULL, last_seen_at DESC LIMIT 1", (site_id, url)).fetchone()
        return self.conn.execute(
            "SELECT * FROM posts WHERE site_id = ? AND url = ? "
            "ORDER BY deleted_at IS NOT NULL, last_seen_at DESC LIMIT 1", (site_id, url)).fetchone()

    def save_post(self, post: Post, *, site_id: int, crawl_id: int | None = None, page_sha256: str | None = None,
                  api: Mapping[str, Any] | None = None) -> SaveResult:
        """Save a parsed post in one transaction: new, changed (new version), unchanged or restored.
        IncompleteRecord (nothing written) for a record a parser bug left incomplete."""
        if not post.url:
            raise ValueError("save_post needs post.url (the canonical URL identifies posts without wp_id)")
        _refuse_incomplete(post)
        values = post_values(post)
        parser_version = current_parser_version()
        with self.transaction():
            row = self._find_post(site_id, values["wp_id"], values["url"])
            if row is None:
                result, current = self._insert_post(site_id, values, post, page_sha256, parser_version, crawl_id)
            else:
                if values["wp_id"] is None:
                    values["wp_id"] = row["wp_id"]  # the page hid its id this time: not a change
                result, current = self._update_post(row, values, post, page_sha256, parser_version, crawl_id)
            self._store_api(result.post_id, api, current)
            self._bump(crawl_id, _COUNTERS[result.status])
        return result

    def _insert_post(self, site_id: int, values: dict[str, Any], post: Post, page_sha256: str | None,
                     parser_version: str, crawl_id: int | None) -> tuple[SaveResult, dict[str, Any]]:
        """A first sighting: its post_state row and version 1 ('new'); also its tracked fields as stored."""
        now = utc_now()
        post_id = self.conn.execute(
            "INSERT INTO post_state (site_id, url, wp_id, sources, page_sha256, parser_version, version, "
            "first_seen_at, last_seen_at, last_changed_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?)",
            (site_id, values["url"], values["wp_id"], json.dumps(post.sources, ensure_ascii=False), page_sha256,
             parser_version, now, now, now)).lastrowid
        fields = {name: to_column(name, values[name]) for name in TRACKED_FIELDS}
        self._new_version(post_id, 1, fields, now=now, crawl_id=crawl_id, reason="new", changed=[],
                          page_sha256=page_sha256, parser_version=parser_version)
        self._sync_taxonomies(post_id, site_id, values, compare.LIST_FIELDS, new=True)
        return SaveResult(post_id, "new", 1, []), fields

    def _update_post(self, row: Mapping[str, Any], values: dict[str, Any], post: Post, page_sha256: str | None,
                     parser_version: str, crawl_id: int | None) -> tuple[SaveResult, dict[str, Any]]:
        """Compare with the current version; a new version only when something changed (or the post is back).
        Also returns the tracked fields of the post's current version as stored."""
        now = utc_now()
        sources = json.dumps(post.sources, ensure_ascii=False)
        changed = compare.changed_fields(dict(row), values)
        if row["wp_id"] is None and values["wp_id"] is not None:   # identity learnt, not an edit: no version
            self.conn.execute("UPDATE post_state SET wp_id = ? WHERE id = ?", (values["wp_id"], row["id"]))
            row = {**dict(row), "wp_id": values["wp_id"]}
            changed.remove("wp_id")
        restored = row["deleted_at"] is not None
        if not changed and not restored:
            self.conn.execute(
                "UPDATE post_state SET last_seen_at = ?, page_sha256 = coalesce(?, page_sha256), parser_version = ?, "
                "sources = ? WHERE id = ?", (now, page_sha256, parser_version, sources, row["id"]))
            return SaveResult(row["id"], "unchanged", row["version"], []), {name: row[name] for name in TRACKED_FIELDS}
        same_page = page_sha256 is not None and page_sha256 == row["page_sha256"]
        if restored:
            reason = "restored"
        elif same_page and row["parser_version"] != parser_version:
            reason = "reparse"  # same bytes, new parser: not an edit on the site
        else:
            reason = "changed"
        fields = {name: row[name] for name in TRACKED_FIELDS}
        fields.update({name: to_column(name, values[name]) for name in changed})
        version = row["version"] + 1
        self._new_version(row["id"], version, fields, now=now, crawl_id=crawl_id, reason=reason, changed=changed,
                          page_sha256=page_sha256 or row["page_sha256"], parser_version=parser_version,
                          state={"sources": sources, "last_seen_at": now, "deleted_at": None})
        self._sync_taxonomies(row["id"], row["site_id"], values, [f for f in compare.LIST_FIELDS if f in changed])
        return SaveResult(row["id"], "changed" if reason == "reparse" else reason, version, changed), fields

    def reparse_post(self, post_id: int, post: Post, parser_version: str) -> list[str]:
        """Apply a re-parse of the post's stored page: differing fields make a 'reparse' version.

        Identity (url, wp_id) stays as the crawl established it, and fields the crawl took from the REST API
        (sources "api…"/"rest…") are left alone: the page alone cannot speak for them. Returns changed fields.
        IncompleteRecord (nothing written) for a record a parser bug left incomplete.
        """
        _refuse_incomplete(post)
        values = post_values(post)
        with self.transaction() as conn:
            row = conn.execute("SELECT * FROM posts WHERE id = ?", (post_id,)).fetchone()
            if row is None:
                raise ArchiveError(f"{self.path}: no post with id {post_id}")
            changed = reparse_changes(row, values)
            if not changed:
                conn.execute("UPDATE post_state SET parser_version = ? WHERE id = ?", (parser_version, post_id))
                return []
            snapshot = {name: row[name] for name in TRACKED_FIELDS}
            snapshot.update({name: to_column(name, values[name]) for name in changed})
            self._new_version(post_id, row["version"] + 1, snapshot, now=utc_now(), crawl_id=None, reason="reparse",
                              changed=changed, page_sha256=row["page_sha256"], parser_version=parser_version)
            self._sync_taxonomies(post_id, row["site_id"], values, [f for f in compare.LIST_FIELDS if f in changed])
        return changed

    def _new_version(self, post_id: int, version: int, fields: dict[str, Any], *, now: str, crawl_id: int | None,
                     reason: str, changed: list[str], page_sha256: str | None, parser_version: str | None,
                     state: dict[str, Any] | None = None) -> int:
        """Append a version with these tracked fields and make it the post's current one (FTS follows)."""
        columns = ["post_id", "version", "captured_at", "crawl_id", "reason", "changed_fields", *TRACKED_FIELDS,
                   "page_sha256", "parser_version"]
        params = [post_id, version, now, crawl_id, reason, json.dumps(changed), *(fields[n] for n in TRACKED_FIELDS),
                  page_sha256, parser_version]
        version_id = self.conn.execute(
            f"INSERT INTO post_versions ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            params).lastrowid
        sets = {"current_version_id": version_id, "version": version, "url": fields["url"], "wp_id": fields["wp_id"],
                "last_changed_at": now, "parser_version": parser_version, "page_sha256": page_sha256, **(state or {})}
        self.conn.execute(f"UPDATE post_state SET {', '.join(f'{k} = ?' for k in sets)} WHERE id = ?",
                          [*sets.values(), post_id])
        return version_id

    def _sync_taxonomies(self, post_id: int, site_id: int, values: dict[str, Any], which: Iterable[str],
                         new: bool = False) -> None:
        """Rewrite the post's rows in the join tables of the list fields named in `which` (a `new` post has none
        to delete yet)."""
        for field_name, table, join, key in _TAXONOMIES:
            if field_name not in which:
                continue
            if not new:
                self.conn.execute(f"DELETE FROM {join} WHERE post_id = ?", (post_id,))
            names = compare.norm_list(values[field_name], ordered=True)
            for position, name in enumerate(names):
                term_id = self._term_id(table, site_id, name)
                if join == "post_authors":
                    self.conn.execute("INSERT OR IGNORE INTO post_authors (post_id, author_id, position) "
                                      "VALUES (?, ?, ?)", (post_id, term_id, position))
                else:
                    self.conn.execute(f"INSERT OR IGNORE INTO {join} (post_id, {key}) VALUES (?, ?)",
                                      (post_id, term_id))

    def _term_id(self, table: str, site_id: int, name: str) -> int:
        """The id of a site's author, category or tag, added when new. Ids are remembered (terms are never deleted
        or renamed; a rollback forgets them), so a known term costs no statement; the caller's write transaction
        rules out a race with another writer adding the same term."""
        key = (table, site_id, name)
        known = self._term_ids.get(key)
        if known is not None:
            return known
        row = self.conn.execute(f"SELECT id FROM {table} WHERE site_id = ? AND name = ?", (site_id, name)).fetchone()
        term_id = row[0] if row is not None else self.conn.execute(
            f"INSERT INTO {table} (site_id, name) VALUES (?, ?)", (site_id, name)).lastrowid
        if len(self._term_ids) >= _MAX_TERM_IDS:
            self._term_ids.clear()
        self._term_ids[key] = term_id
        return term_id

    def _store_api(self, post_id: int, api: Mapping[str, Any] | None, current: Mapping[str, Any]) -> None:
        """Keep the REST API's view (when given) and recompute page/API discrepancies against `current`, the
        tracked fields of the post's current version as stored."""
        if api is None:
            row = self.conn.execute("SELECT api_data FROM post_state WHERE id = ?", (post_id,)).fetchone()
            if row[0] is None:
                return
            api = json.loads(row[0])
        found = compare.discrepancies(dict(current), dict(api))
        self.conn.execute("UPDATE post_state SET api_data = ?, discrepancies = ? WHERE id = ?",
                          (json.dumps(dict(api), ensure_ascii=False, default=str),
                           json.dumps(found, ensure_ascii=False, default=str) if found else None, post_id))

    def mark_deleted(self, site_id: int, *, wp_id: int | None = None, url: str | None = None,
                     crawl_id: int | None = None) -> bool:
        """Mark a post gone from the site (deleted_at + a 'deleted' version); False if unknown or already gone."""
        if wp_id is None and url is None:
            raise ValueError("mark_deleted needs wp_id or url")
        with self.transaction() as conn:
            if wp_id is not None:
                row = conn.execute("SELECT * FROM posts WHERE site_id = ? AND wp_id = ?", (site_id, wp_id)).fetchone()
            else:
                row = conn.execute("SELECT * FROM posts WHERE site_id = ? AND url = ? "
                                   "ORDER BY deleted_at IS NOT NULL LIMIT 1", (site_id, url)).fetchone()
            if row is None or row["deleted_at"] is not None:
                return False
            now = utc_now()
            self._new_version(row["id"], row["version"] + 1, {n: row[n] for n in TRACKED_FIELDS}, now=now,
                              crawl_id=crawl_id, reason="deleted", changed=[], page_sha256=row["page_sha256"],
                              parser_version=row["parser_version"], state={"deleted_at": now})
            self._bump(crawl_id, "posts_deleted")
        return True

    def iter_posts(self, site_id: int, include_deleted: bool = False) -> Iterator[dict[str, Any]]:
        """Summaries of the site's posts (lists decoded), oldest first."""
        where = "" if include_deleted else " AND deleted_at IS NULL"
        with self._errors():
            rows = self.conn.execute(f"SELECT {', '.join(POST_SUMMARY_COLUMNS)} FROM posts WHERE site_id = ?{where} "
                                     "ORDER BY id", (site_id,)).fetchall()
        for row in rows:
            yield decoded(row, ["categories", "tags"])

    def post(self, post_id: int) -> dict[str, Any] | None:
        """The full posts row (JSON columns decoded), or None."""
        row = self._one("SELECT * FROM posts WHERE id = ?", (post_id,))
        return None if row is None else decoded(row, [*compare.LIST_FIELDS, "sources", "api_data", "discrepancies"])

    # -- frontier, per-site state, listing --------------------------------------------------------

    def frontier_add(self, site_id: int, entries: Iterable[Mapping[str, Any]]) -> int:
        """Queue URLs; returns how many became pending (new, or re-queued after being finished)."""
        now = utc_now()
        queued = 0
        with self.transaction() as conn:
            for entry in entries:
                url = entry["url"]
                row = conn.execute("SELECT state FROM frontier WHERE site_id = ? AND url = ?", (site_id, url)).fetchone()
                priority = int(entry.get("priority") or 0)
                if row is None:
                    conn.execute("INSERT INTO frontier (site_id, url, wp_id, source, reason, priority, queued_at) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 (site_id, url, entry.get("wp_id"), entry.get("source"), entry.get("reason"),
                                  priority, now))
                    queued += 1
                elif row["state"] == "pending":
                    conn.execute("UPDATE frontier SET priority = max(priority, ?), wp_id = coalesce(wp_id, ?) "
                                 "WHERE site_id = ? AND url = ?", (priority, entry.get("wp_id"), site_id, url))
                else:
                    conn.execute("UPDATE frontier SET state = 'pending', error = NULL, finished_at = NULL, "
                                 "priority = ?, source = ?, reason = ?, wp_id = coalesce(?, wp_id), queued_at = ? "
                                 "WHERE site_id = ? AND url = ?",
                                 (priority, entry.get("source"), entry.get("reason"), entry.get("wp_id"), now,
                                  site_id, url))
                    queued += 1
        return queued

    def frontier_next(self, site_id: int, limit: int) -> list[dict[str, Any]]:
        """Pending entries, highest priority first, then oldest (they stay pending until frontier_done)."""
        with self._errors():
            rows = self.conn.execute(
                "SELECT url, wp_id, source, reason, priority, queued_at FROM frontier "
                "WHERE site_id = ? AND state = 'pending' ORDER BY priority DESC, queued_at, id LIMIT ?",
                (site_id, limit)).fetchall()
        return [dict(row) for row in rows]

    def frontier_done(self, site_id: int, url: str, state: str = "done", error: str | None = None) -> None:
        """Record what became of a URL: done, failed, gone or skipped."""
        if state not in FRONTIER_STATES:
            raise ValueError(f"frontier state must be one of {', '.join(FRONTIER_STATES)}, not {state!r}")
        now = utc_now()
        with self.transaction() as conn:
            conn.execute("INSERT INTO frontier (site_id, url, state, error, queued_at, finished_at) "
                         "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (site_id, url) DO UPDATE SET "
                         "state = excluded.state, error = excluded.error, finished_at = excluded.finished_at",
                         (site_id, url, state, error, now, now))

    def frontier_counts(self, site_id: int) -> dict[str, int]:
        """How many entries are in each state."""
        with self._errors():
            rows = self.conn.execute("SELECT state, count(*) FROM frontier WHERE site_id = ? GROUP BY state",
                                     (site_id,)).fetchall()
        return {row[0]: row[1] for row in rows}

    def frontier_clear(self, site_id: int) -> None:
        """Forget finished entries (the start of a fresh crawl); pending ones stay."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM frontier WHERE site_id = ? AND state != 'pending'", (site_id,))

    def state_get(self, site_id: int, key: str, default: Any = None) -> Any:
        """A per-site JSON value, or default."""
        row = self._one("SELECT value FROM site_state WHERE site_id = ? AND key = ?", (site_id, key))
        return default if row is None else json.loads(row[0])

    def state_set(self, site_id: int, key: str, value: Any) -> None:
        """Store a per-site JSON value."""
        with self.transaction() as conn:
            conn.execute("INSERT INTO site_state (site_id, key, value, updated_at) VALUES (?, ?, ?, ?) "
                         "ON CONFLICT (site_id, key) DO UPDATE SET value = excluded.value, "
                         "updated_at = excluded.updated_at",
                         (site_id, key, json.dumps(value, ensure_ascii=False), utc_now()))

    def listing_get(self, site_id: int) -> dict[int, dict[str, Any]]:
        """The stored listing: wp_id -> {url, fingerprint, modified_gmt, seen_at}."""
        with self._errors():
            rows = self.conn.execute("SELECT wp_id, url, fingerprint, modified_gmt, seen_at FROM listing "
                                     "WHERE site_id = ?", (site_id,)).fetchall()
        return {row["wp_id"]: {k: row[k] for k in ("url", "fingerprint", "modified_gmt", "seen_at")} for row in rows}

    def listing_put(self, site_id: int, rows: Iterable[Mapping[str, Any]]) -> None:
        """Upsert listing rows {wp_id, url, fingerprint, modified_gmt}; seen_at becomes now."""
        now = utc_now()
        with self.transaction() as conn:
            conn.executemany(
                "INSERT INTO listing (site_id, wp_id, url, fingerprint, modified_gmt, seen_at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (site_id, wp_id) DO UPDATE SET url = excluded.url, fingerprint = excluded.fingerprint, "
                "modified_gmt = excluded.modified_gmt, seen_at = excluded.seen_at",
                [(site_id, r["wp_id"], r.get("url"), r.get("fingerprint"), r.get("modified_gmt"), now) for r in rows])



def parser_failure(post: Post) -> str | None:
    """The warning saying a parser bug left the record incomplete (Post.incomplete), None for a whole record."""
    return next((w for w in post.warnings if w.startswith(PARSER_ERROR)), None) if post.incomplete else None


def _refuse_incomplete(post: Post) -> None:
    """IncompleteRecord when a parser bug left the record incomplete: it must not replace the archived version."""
    if post.incomplete:
        raise IncompleteRecord(f"{post.url or 'a page'}: {parser_failure(post)}")
