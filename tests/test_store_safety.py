"""archive.db under abuse: SIGKILL mid-save, a second writer, corrupt/foreign/newer files, read-only, full disk."""
from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
import uuid

import pytest

from scraper.exceptions import ArchiveError
from scraper.record import Post
from scraper.store import SCHEMA_VERSION, Archive

# A child process that archives N deterministic posts (page + record), resuming from the frontier like a crawl.
WRITER = textwrap.dedent("""
    import sys
    from scraper.record import Post
    from scraper.store import Archive
    path, total = sys.argv[1], int(sys.argv[2])
    arc = Archive(path)
    site = arc.upsert_site("https://kill.example/")
    with arc.crawl_lock():
        if not arc.frontier_counts(site).get("pending"):
            arc.frontier_add(site, [{"url": f"https://kill.example/{i}/", "wp_id": i} for i in range(total)])
        crawl = arc.start_crawl(site, {})
        while batch := arc.frontier_next(site, 10):
            for entry in batch:
                i = entry["wp_id"]
                body = (f"<html><p>post {i}</p>" + "<p>texte de remplissage</p>" * (50 + i % 50) + "</html>").encode()
                sha = arc.record_fetch(crawl, entry["url"], status=200, body=body)
                post = Post(url=entry["url"], wp_id=i, title=f"Post {i}", author="A", categories=["c"],
                            tags=[f"t{i % 7}"], body_text=f"post {i} " * 100, body_html=body.decode())
                arc.save_post(post, site_id=site, crawl_id=crawl, page_sha256=sha)
                arc.frontier_done(site, entry["url"])
                print(i, flush=True)
        arc.finish_crawl(crawl, "complete")
    print("finished", flush=True)
""")


def run_writer(path, total: int, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(total)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)


def check_consistent(path) -> sqlite3.Connection:
    """integrity_check ok, one post per wp_id, every post's versions are 1..version."""
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) - count(DISTINCT wp_id) FROM posts").fetchone()[0] == 0
    bad = conn.execute("SELECT p.id FROM posts p WHERE p.version != (SELECT count(*) FROM post_versions v "
                       "WHERE v.post_id = p.id) OR p.version != (SELECT max(version) FROM post_versions v "
                       "WHERE v.post_id = p.id)").fetchall()
    assert bad == []
    orphans = conn.execute("SELECT count(*) FROM posts WHERE page_sha256 IS NOT NULL "
                           "AND page_sha256 NOT IN (SELECT sha256 FROM pages)")
    assert orphans.fetchone()[0] == 0
    conn.execute("INSERT INTO posts_fts(posts_fts) VALUES ('integrity-check')")
    return conn


def test_sigkill_mid_save_leaves_a_consistent_archive_and_a_rerun_completes(tmp_path):
    path = tmp_path / "archive.db"
    total = 3000
    rng = random.Random(4)
    kills = 0
    for _ in range(6):
        child = run_writer(path, total)
        time.sleep(rng.uniform(0.3, 1.2))
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
            kills += 1
        child.communicate()
        if path.exists():
            check_consistent(path).close()
    assert kills >= 3, "the writer finished too fast to be killed mid-save; raise total"
    child = run_writer(path, total)
    out, err = child.communicate(timeout=300)
    assert child.returncode == 0, err
    assert out.strip().endswith("finished")
    conn = check_consistent(path)
    assert conn.execute("SELECT count(*) FROM posts").fetchone()[0] == total
    # the content is deterministic, so however often a post was re-saved it has exactly one version
    assert conn.execute("SELECT count(*) FROM post_versions").fetchone()[0] == total
    assert conn.execute("SELECT count(*) FROM frontier WHERE state = 'pending'").fetchone()[0] == 0


def test_second_writer_waits_for_the_first(tmp_path):
    path = tmp_path / "archive.db"
    with Archive(path) as first, Archive(path, busy_timeout=10) as second:
        site = first.upsert_site("https://a.example/")
        holding = threading.Event()

        def hold_lock():
            with first.transaction() as conn:
                conn.execute("UPDATE sites SET name = 'first' WHERE id = ?", (site,))
                holding.set()
                time.sleep(0.7)

        worker = threading.Thread(target=hold_lock)
        worker.start()
        holding.wait()
        started = time.monotonic()
        res = second.save_post(Post(url="https://a.example/p/", wp_id=1, title="t"), site_id=site)
        waited = time.monotonic() - started
        worker.join()
        assert res.status == "new" and waited > 0.3
        assert second.conn.execute("SELECT name FROM sites").fetchone()[0] == "first"


def test_second_writer_gives_up_with_a_clear_message(tmp_path):
    path = tmp_path / "archive.db"
    Archive(path).close()
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import sqlite3, sys, time
        conn = sqlite3.connect(sys.argv[1], isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        print("holding", flush=True)
        time.sleep(30)
    """), str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        with Archive(path, busy_timeout=0.3) as second:
            with pytest.raises(ArchiveError, match=r"archive\.db: is busy: another process kept its write lock"):
                second.upsert_site("https://b.example/")
            assert second.conn.execute("SELECT count(*) FROM sites").fetchone()[0] == 0
    finally:
        holder.kill()
        holder.wait()


def test_corrupt_file_is_refused_naming_it(tmp_path):
    path = tmp_path / "broken.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(ArchiveError, match=r"broken\.db: is not a SQLite database or is corrupt"):
        Archive(path)
    assert path.read_bytes() == b"this is not sqlite at all" * 100


def test_damaged_archive_is_refused(tmp_path):
    path = tmp_path / "archive.db"
    with Archive(path) as arc:
        arc.upsert_site("https://a.example/")
    data = bytearray(path.read_bytes())
    data[16:18] = b"\x00\x03"  # page size 3: an impossible header
    path.write_bytes(bytes(data))
    with pytest.raises(ArchiveError, match="is not a SQLite database or is corrupt"):
        Archive(path)


def test_foreign_sqlite_database_is_refused_untouched(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(ArchiveError, match=r"other\.db: is another application's SQLite database \(tables: invoices\)"):
        Archive(path)
    assert path.read_bytes() == before


def test_other_application_id_is_refused(tmp_path):
    path = tmp_path / "app.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1234")
    conn.execute("CREATE TABLE schema_version (version INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(ArchiveError, match="belongs to another application"):
        Archive(path)


def test_newer_schema_version_is_refused(tmp_path):
    path = tmp_path / "archive.db"
    Archive(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    conn.commit()
    conn.close()
    with pytest.raises(ArchiveError, match=rf"written by a newer scraper \(schema version {SCHEMA_VERSION + 1}"):
        Archive(path)


def test_reopening_keeps_data_and_schema_is_idempotent(tmp_path):
    path = tmp_path / "archive.db"
    with Archive(path) as arc:
        site = arc.upsert_site("https://a.example/")
        arc.save_post(Post(url="https://a.example/p/", wp_id=1, title="t"), site_id=site)
    with Archive(path) as arc:
        assert arc.conn.execute("SELECT count(*) FROM posts").fetchone()[0] == 1
        assert [tuple(r) for r in arc.conn.execute("SELECT version FROM schema_version")] == [(SCHEMA_VERSION,)]


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ArchiveError, match="does not exist"):
        Archive(tmp_path / "nowhere" / "archive.db")


@pytest.fixture
def tiny_fs(tmp_path):
    """A real 1 MiB tmpfs (needs root and mount rights; skipped otherwise)."""
    mount_point = tmp_path / f"fs-{uuid.uuid4().hex[:6]}"
    mount_point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tiny tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_full_disk_is_a_clear_error_and_nothing_half_written(tiny_fs):
    path = tiny_fs / "archive.db"
    rng = random.Random(1)
    saved = 0
    with Archive(path) as arc:
        site = arc.upsert_site("https://full.example/")
        with pytest.raises(ArchiveError, match=r"archive\.db: disk is full"):
            for i in range(1000):
                text = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz ") for _ in range(20_000))
                arc.save_post(Post(url=f"https://full.example/{i}/", wp_id=i, title=f"T{i}", body_text=text),
                              site_id=site)
                saved += 1
    assert saved > 0
    conn = check_consistent(path)
    assert conn.execute("SELECT count(*) FROM posts").fetchone()[0] == saved
    assert conn.execute("SELECT count(*) FROM post_versions").fetchone()[0] == saved


def test_read_only_file_system_refuses_writes_but_allows_reading(tiny_fs):
    path = tiny_fs / "archive.db"
    with Archive(path) as arc:
        site = arc.upsert_site("https://ro.example/")
        arc.save_post(Post(url="https://ro.example/p/", wp_id=1, title="t"), site_id=site)
    done = subprocess.run(["mount", "-o", "remount,ro", str(tiny_fs)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot remount read-only: {done.stderr.strip()}")
    with pytest.raises(ArchiveError, match=r"archive\.db: .*read-only"):
        Archive(path)
    with Archive(path, readonly=True) as arc:
        assert [p["title"] for p in arc.iter_posts(1)] == ["t"]
        with pytest.raises(ArchiveError, match="opened read-only"):
            arc.upsert_site("https://other.example/")


def test_older_file_is_migrated_in_one_step(tmp_path, monkeypatch):
    """The migration machinery, exercised with a hypothetical version 2 that adds a column and a view."""
    from scraper.store import connection

    path = tmp_path / "archive.db"
    with Archive(path) as arc:
        site = arc.upsert_site("https://a.example/")
        arc.save_post(Post(url="https://a.example/p/", wp_id=1, title="t"), site_id=site)
        arc.conn.execute("DROP VIEW site_counts")  # as if version 1 had not had it yet
    monkeypatch.setattr(connection, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    monkeypatch.setattr(connection, "MIGRATIONS", {SCHEMA_VERSION: ["ALTER TABLE post_state ADD COLUMN mood TEXT"]})
    with Archive(path) as arc:
        columns = {r[1] for r in arc.conn.execute("PRAGMA table_info(post_state)")}
        assert "mood" in columns
        assert arc.conn.execute("SELECT posts FROM site_counts").fetchone()[0] == 1
        assert arc.conn.execute("SELECT version FROM schema_version").fetchone()[0] == SCHEMA_VERSION + 1


def test_failed_migration_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    from scraper.store import connection

    path = tmp_path / "archive.db"
    Archive(path).close()
    monkeypatch.setattr(connection, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    monkeypatch.setattr(connection, "MIGRATIONS", {SCHEMA_VERSION: ["ALTER TABLE post_state ADD COLUMN mood TEXT",
                                                                    "ALTER TABLE nowhere ADD COLUMN x"]})
    with pytest.raises(ArchiveError, match="no such table: nowhere"):
        Archive(path)
    conn = sqlite3.connect(path)
    assert "mood" not in {r[1] for r in conn.execute("PRAGMA table_info(post_state)")}
    assert conn.execute("SELECT version FROM schema_version").fetchone()[0] == SCHEMA_VERSION


def test_development_schema_1_is_refused_with_advice(tmp_path):
    path = tmp_path / "archive.db"
    Archive(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE schema_version SET version = 1")
    conn.commit()
    conn.close()
    with pytest.raises(ArchiveError, match=r"archive\.db: schema version 1 was a development format .* new file"):
        Archive(path)


REPARSER = textwrap.dedent("""
    import sys
    from scraper.store import Archive
    from scraper.store.reparse import reparse
    with Archive(sys.argv[1]) as arc:
        print(reparse(arc, processes=1).changed, flush=True)
""")


def reparsed_so_far(path) -> int:
    """Posts a reparse has already stamped with the current parser version (it commits them in batches)."""
    conn = sqlite3.connect(path, timeout=30)
    try:
        return conn.execute("SELECT count(*) FROM post_state WHERE parser_version != 'old'").fetchone()[0]
    finally:
        conn.close()


def test_sigkill_mid_reparse_leaves_a_consistent_archive_and_a_rerun_completes(tmp_path):
    from pathlib import Path

    from scraper.parse import parse

    pages = sorted((Path(__file__).parent / "fixtures" / "themes").glob("*.html"))
    path = tmp_path / "archive.db"
    titled = 0
    with Archive(path) as arc:
        site = arc.upsert_site("https://reparse.example/")
        for copy in range(20):
            for index, page in enumerate(pages):
                body = page.read_bytes().replace(b"</body>", f"<!-- copy {copy} -->".encode() + b"</body>", 1)
                sha = arc.record_fetch(None, f"https://reparse.example/{copy}/{index}/", status=200, body=body)
                post = parse(body)
                post.url, post.wp_id = f"https://reparse.example/{copy}/{index}/", copy * 1000 + index
                if post.title:  # what an older parser that kept a site-name suffix would have saved
                    post.title += " | Old"
                    titled += 1
                arc.save_post(post, site_id=site, page_sha256=sha)
        arc.conn.execute("UPDATE post_state SET parser_version = 'old'")
    kills, stamped = 0, 0
    for _ in range(4):   # kill each run right after it commits a batch (progress seen), not after a fixed delay
        child = subprocess.Popen([sys.executable, "-c", REPARSER, str(path)], stdout=subprocess.PIPE, text=True)
        while child.poll() is None and reparsed_so_far(path) <= stamped:
            time.sleep(0.005)
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
            kills += 1
        child.communicate()
        stamped = reparsed_so_far(path)
        conn = check_consistent(path)
        assert conn.execute("SELECT count(*) FROM post_versions WHERE reason = 'reparse' "
                            "GROUP BY post_id HAVING count(*) > 1").fetchall() == []
        conn.close()
    assert kills >= 2, "reparse finished too fast to be killed mid-way"
    done = subprocess.run([sys.executable, "-c", REPARSER, str(path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    conn = check_consistent(path)
    assert conn.execute("SELECT count(*) FROM post_versions WHERE reason = 'reparse'").fetchone()[0] == titled
    assert conn.execute("SELECT count(*) FROM posts WHERE title LIKE '% | Old'").fetchone()[0] == 0
