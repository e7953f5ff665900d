"""Opening archive.db safely: WAL, busy timeout, schema application and migration, clear errors."""
from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from importlib.resources import files
from urllib.parse import quote

from scraper.exceptions import ArchiveError

#: Version of schema.sql; bump it and add a MIGRATIONS step whenever the schema changes.
SCHEMA_VERSION = 2
#: PRAGMA application_id of archive.db files ('SCRP'), so `file` and scraper can recognise them.
APPLICATION_ID = 0x53435250
#: Statements that bring a file from version N to N + 1, run before schema.sql is re-applied
#: (schema.sql only adds objects; renames and column additions go here).
MIGRATIONS: dict[int, list[str]] = {}
#: Versions that were never released and cannot be migrated, with what to tell the user.
UNMIGRATABLE = {1: "schema version 1 was a development format (before `posts` became a view) that cannot be "
                   "migrated; crawl into a new file"}
DEFAULT_BUSY_TIMEOUT = 30.0
#: Page size of new archives: 1 KiB pages waste less space around small rows and per table/index than 4 KiB,
#: and the saves stay far above the speed targets (bench/store.py; SCRAPER_PAGE_SIZE overrides it to compare).
PAGE_SIZE = int(os.environ.get("SCRAPER_PAGE_SIZE", "1024"))


@contextmanager
def immediate(conn: sqlite3.Connection, on_rollback: Callable[[], None] | None = None) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE (the write lock now, not at the first write) ... COMMIT; on any exception, Ctrl-C included,
    ROLLBACK, call on_rollback and re-raise."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if on_rollback is not None:
            on_rollback()
        raise


def utc_now() -> str:
    """The current UTC time as ISO 8601 text with microseconds and a Z, the archive's time format."""
    return datetime.now(timezone.utc).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"  # 5x strftime


def schema_statements() -> list[str]:
    """schema.sql split into complete statements (triggers keep their inner semicolons)."""
    text = files("scraper").joinpath("schema.sql").read_text(encoding="utf-8")
    statements: list[str] = []
    buffer = ""
    for line in text.splitlines(keepends=True):
        if not buffer and (not line.strip() or line.lstrip().startswith("--")):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        raise ArchiveError(f"schema.sql ends with an incomplete statement: {buffer.strip()[:80]}")
    return statements


def explain(path: str, exc: sqlite3.Error, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> ArchiveError:
    """Turn an SQLite error into an ArchiveError that names the file and says what to do."""
    message = str(exc)
    lowered = message.lower()
    if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        text = "is not a SQLite database or is corrupt; move it aside and start a new archive, or restore a backup"
    elif "disk is full" in lowered or "database or disk is full" in lowered:
        text = "disk is full; the last change was rolled back. Free some space and run again"
    elif "readonly" in lowered or "read-only" in lowered:
        text = "cannot be written (read-only file, folder or file system); fix the permissions or use a copy"
    elif "unable to open" in lowered:
        text = "cannot be opened (missing folder, or a read-only folder where SQLite needs its -wal/-shm files)"
    elif "locked" in lowered or "busy" in lowered:
        text = (f"is busy: another process kept its write lock for more than {busy_timeout:g}s; "
                "wait for it to finish or stop it, then run again")
    else:
        text = f"SQLite error: {message}"
    return ArchiveError(f"{path}: {text}")


@contextmanager
def sqlite_errors(path: str, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> Iterator[None]:
    """Re-raise any sqlite3.Error inside the block as an explained ArchiveError."""
    try:
        yield
    except sqlite3.Error as exc:
        raise explain(path, exc, busy_timeout) from exc


def connect(path: str, *, readonly: bool, busy_timeout: float) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL, with a busy timeout."""
    if readonly:
        if not os.path.exists(path):
            raise ArchiveError(f"{path}: no such archive (run `scraper crawl` first, or pass --db)")
        conn = connect_readonly(path, busy_timeout)
    else:
        check_writable(path)
        conn = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None, check_same_thread=False)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error:
        conn.close()
        raise
    return conn


def connect_readonly(path: str, busy_timeout: float) -> sqlite3.Connection:
    """A read-only connection; on read-only media where SQLite cannot make its -shm file, open it immutable."""
    uri = "file:" + quote(os.path.abspath(path))
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=busy_timeout, isolation_level=None,
                           check_same_thread=False)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError as exc:
        conn.close()
        if "unable to open" not in str(exc) or os.access(os.path.dirname(os.path.abspath(path)), os.W_OK):
            raise
    return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, timeout=busy_timeout, isolation_level=None,
                           check_same_thread=False)


def check_writable(path: str) -> None:
    """Fail early, naming the file, when the archive or its folder cannot be written."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ArchiveError(f"{path}: folder {folder} does not exist")
    if os.path.isdir(path):
        raise ArchiveError(f"{path}: is a folder, not an archive file")
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise ArchiveError(f"{path}: cannot be written (read-only file); fix its permissions or use a copy")
    if not os.access(folder, os.W_OK):
        raise ArchiveError(f"{path}: its folder {folder} is read-only; SQLite needs to create -wal/-shm files there")


def stored_version(conn: sqlite3.Connection, path: str) -> int | None:
    """The file's schema version: None for an empty file; ArchiveError for another application's database."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    if app_id not in (0, APPLICATION_ID):
        raise ArchiveError(f"{path}: belongs to another application (application_id {app_id:#x}); "
                           "pass --db with a new file name")
    if not tables:
        return None
    if "schema_version" not in tables:
        listed = ", ".join(sorted(tables)[:5])
        raise ArchiveError(f"{path}: is another application's SQLite database (tables: {listed}); "
                           "pass --db with a new file name")
    row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
    if row is None or row[0] is None:
        raise ArchiveError(f"{path}: has an empty schema_version table; it is not a complete scraper archive")
    return int(row[0])


def prepare(conn: sqlite3.Connection, path: str, *, readonly: bool) -> None:
    """Create or migrate the schema in one transaction; refuse newer or foreign files."""
    version = stored_version(conn, path)
    if version is not None and version > SCHEMA_VERSION:
        raise ArchiveError(f"{path}: was written by a newer scraper (schema version {version}, this one knows "
                           f"up to {SCHEMA_VERSION}); upgrade scraper to use it")
    if readonly:
        if version is None:
            raise ArchiveError(f"{path}: is empty, not an archive")
        if version in UNMIGRATABLE:
            raise ArchiveError(f"{path}: {UNMIGRATABLE[version]}")
        if version < SCHEMA_VERSION:
            raise ArchiveError(f"{path}: uses schema version {version}; open it once for writing to migrate it")
        return
    # only now that the file is known to be ours (or empty) is it changed: WAL is persistent in the file
    if version is None:
        conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    if version == SCHEMA_VERSION:
        return
    with immediate(conn):
        version = stored_version(conn, path)  # again, under the write lock: another process may have done it
        if version != SCHEMA_VERSION:
            apply_schema(conn, version, path)


def apply_schema(conn: sqlite3.Connection, version: int | None, path: str) -> None:
    """Run migrations from `version`, then schema.sql, then record SCHEMA_VERSION (caller holds a transaction)."""
    for step in range(version or SCHEMA_VERSION, SCHEMA_VERSION):
        if step not in MIGRATIONS:
            raise ArchiveError(f"{path}: " + UNMIGRATABLE.get(step, f"no migration from schema version {step}"))
        for statement in MIGRATIONS[step]:
            conn.execute(statement)
    for statement in schema_statements():
        conn.execute(statement)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("DELETE FROM schema_version")
    conn.execute("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", (SCHEMA_VERSION, utc_now()))
