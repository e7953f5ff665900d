"""crawl.py and the `crawl` command against the hand-written fake WordPress (tests/fakewp.py) on 127.0.0.1:
first crawl, no-change rerun, incremental detection, fallbacks, faults, SIGKILL resume, lock and exit codes."""
from __future__ import annotations

import dataclasses
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fakewp import FakePost, FakeWordPress
from faultserver import FaultServer, Reply
from procs import alive, child_pids
from scraper.crawl import CrawlOptions, SiteCrawl
from scraper.fetch import Fetcher, FetchSettings
from scraper.store import Archive
from scraper.store.reparse import reparse

ROOT = Path(__file__).resolve().parent.parent


def run_crawl(db: Path, wp: FakeWordPress, fetch: dict | None = None, **options) -> "object":
    """One in-process crawl of the fake site with test-speed politeness."""
    settings = FetchSettings(**{"delay": 0, "concurrency": 4, "backoff": 0.01, "retries": 1, **(fetch or {})})
    with Archive(db) as arc, Fetcher(settings) as f:
        with arc.crawl_lock():
            return SiteCrawl(arc, f, wp.base, CrawlOptions(**options)).run()


def crawl_then_fault(db: Path, wp: FakeWordPress, faults: dict[str, list], **options) -> "object":
    """The scenario fault tests share: a clean first crawl, then a crawl (--full unless options say otherwise)
    while `faults` (path -> replies) are served; the faults are gone afterwards. Returns the faulty run's report."""
    run_crawl(db, wp)
    wp.faults.update(faults)
    try:
        return run_crawl(db, wp, **{"full": True, **options})
    finally:
        for path in faults:
            wp.faults.pop(path, None)


def post_hits(wp: FakeWordPress) -> dict[str, int]:
    """Requests per post page path."""
    paths = {p.slug for p in wp.posts.values()}
    counts: dict[str, int] = {}
    for hit in wp.server.hits:
        parts = hit.path.strip("/").split("/")
        if len(parts) == 3 and parts[2] in paths:
            counts[parts[2]] = counts.get(parts[2], 0) + 1
    return counts


def archived(db: Path) -> dict[int, dict]:
    with Archive(db) as arc:
        return {p["wp_id"]: p for p in arc.iter_posts(1, include_deleted=True)}


def last_version(db: Path, wp_id: int) -> tuple[str, list[str], int]:
    """(reason, changed_fields, version) of a post's newest version."""
    conn = sqlite3.connect(db)
    row = conn.execute("SELECT v.reason, v.changed_fields, v.version FROM post_versions v JOIN posts p "
                       "ON p.id = v.post_id WHERE p.wp_id = ? ORDER BY v.version DESC LIMIT 1", (wp_id,)).fetchone()
    conn.close()
    return row[0], json.loads(row[1] or "[]"), row[2]


def test_first_crawl_archives_every_published_post_once(tmp_path):
    wp = FakeWordPress(12)
    wp.add_comment(3)
    with wp.server:
        report = run_crawl(tmp_path / "a.db", wp)
        hits = post_hits(wp)
    posts = archived(tmp_path / "a.db")
    assert report.status == "complete" and report.exit_code == 0
    assert sorted(posts) == sorted(p.id for p in wp.published())     # no draft
    assert all(v == 1 for v in hits.values()) and len(hits) == 12    # each page once, no ?replytocom copies
    assert posts[3]["title"] == "Post number 3" and posts[3]["author"] == wp.users[wp.posts[3].author]
    assert posts[3]["categories"] == [wp.categories[c] for c in wp.posts[3].categories]
    assert report.found == {"rest": 12} and report.expected_total == 12
    assert report.counts["posts_new"] == 12


def test_no_change_rerun_fetches_only_the_revalidation_budget(tmp_path):
    wp = FakeWordPress(30)
    with wp.server:
        run_crawl(tmp_path / "a.db", wp)
        before = len(wp.server.hits)
        report = run_crawl(tmp_path / "a.db", wp, revalidate=3)
        requests = len(wp.server.hits) - before
    assert report.counts["posts_new"] == report.counts["posts_changed"] == 0
    assert report.counts["posts_unchanged"] == 3 and report.planned == {"revalidate": 3}
    assert requests <= 12, requests


def test_incremental_records_exactly_the_mutations(tmp_path):
    db = tmp_path / "a.db"
    wp = FakeWordPress(10)
    with wp.server:
        run_crawl(db, wp)
        wp.posts[1].title, wp.posts[1].modified = "Edited title", "2024-06-01T00:00:00"   # edit: modified moves
        wp.posts[2].categories = [2 if wp.posts[2].categories != [2] else 1]   # category move: modified untouched
        wp.posts[3].tags = [1, 2]                      # tag change: modified_gmt untouched
        wp.add_comment(4)                              # new comment: modified_gmt untouched
        wp.users[2] = "Bob Leroy-Renamed"              # author rename touches every post of user 2
        wp.posts[5].status = "trash"
        new = wp.add_post("Brand new", author=1)
        report = run_crawl(db, wp, revalidate=0)
        posts = archived(db)
        third = run_crawl(db, wp, revalidate=0)   # a third run with no change adds nothing
    renamed = {p.id for p in wp.published() if p.author == 2} - {new.id}
    expected = {1: {"title", "modified_at"}, 2: {"categories"}, 3: {"tags"}, 4: {"comment_count"}}   # modified: API
    for pid in renamed:
        expected.setdefault(pid, set()).update({"author", "authors"})
    for pid, fields in expected.items():
        reason, changed, version = last_version(db, pid)
        assert (reason, set(changed), version) == ("changed", fields, 2), pid
    assert posts[4]["comment_count"] == 1
    assert last_version(db, 5)[0] == "deleted" and posts[5]["deleted_at"]
    assert posts[new.id]["version"] == 1 and posts[new.id]["title"] == "Brand new"
    untouched = set(posts) - set(expected) - {5, new.id}
    assert untouched and all(posts[p]["version"] == 1 for p in untouched)
    assert report.counts["posts_deleted"] == 1 and report.counts["posts_new"] == 1
    assert third.planned == {} and third.counts["pages_fetched"] == 0
    assert {p: v["version"] for p, v in archived(db).items()} == {p: v["version"] for p, v in posts.items()}


def test_restored_post_comes_back(tmp_path):
    db = tmp_path / "a.db"
    wp = FakeWordPress(4)
    with wp.server:
        run_crawl(db, wp)
        wp.posts[2].status = "trash"
        run_crawl(db, wp, revalidate=0)
        wp.posts[2].status = "publish"
        run_crawl(db, wp, revalidate=0)
    assert last_version(db, 2)[0] == "restored" and archived(db)[2]["deleted_at"] is None


def test_rest_route_fallback_when_wp_json_path_blocked(tmp_path):
    wp = FakeWordPress(5, rest="blocked-path")
    with wp.server:
        report = run_crawl(tmp_path / "a.db", wp)
    assert report.mode == "rest" and report.found == {"rest": 5}
    assert any("rest_route=" in h.path for h in wp.server.hits)


def test_without_rest_api_sitemaps_and_feeds_find_everything(tmp_path):
    db = tmp_path / "a.db"
    wp = FakeWordPress(25, rest="disabled")
    with wp.server:
        report = run_crawl(db, wp)
        assert sorted(archived(db)) == sorted(p.id for p in wp.published())
        assert report.mode == "no-rest" and any("no REST API" in n for n in report.notes)
        assert report.found["sitemap"] == 25
        new = wp.add_post("After the first crawl")
        second = run_crawl(db, wp, revalidate=0)
    assert second.counts["posts_new"] == 1 and new.id in archived(db)


def test_failed_page_makes_partial_and_is_retried_next_run(tmp_path):
    db = tmp_path / "a.db"
    wp = FakeWordPress(6)
    with wp.server:
        path = "/2024/05/post-2/"
        wp.faults[path] = [Reply(500)]
        report = run_crawl(db, wp)
        assert report.status == "partial" and report.exit_code == 1 and report.counts["errors"] == 1
        assert 2 not in archived(db) and len(archived(db)) == 5
        del wp.faults[path]
        again = run_crawl(db, wp, revalidate=0)
    assert again.status == "complete" and again.counts["posts_new"] == 1 and 2 in archived(db)


def test_robots_disallowed_post_is_a_logged_skip(tmp_path, caplog):
    wp = FakeWordPress(3)
    with wp.server:
        original = wp.route

        def route(hit):
            if hit.path == "/robots.txt":
                return Reply(200, "User-agent: *\nDisallow: /2024/05/post-2/\n", content_type="text/plain")
            return original(hit)
        wp.server.reply_for = route
        report = run_crawl(tmp_path / "a.db", wp)
    assert report.status == "complete" and sorted(archived(tmp_path / "a.db")) == [1, 3]
    assert "robots.txt disallows" in caplog.text


def test_max_posts_and_since(tmp_path):
    wp = FakeWordPress(8)
    for pid in (7, 8):
        wp.posts[pid].date = "2025-01-02T00:00:00"
    with wp.server:
        from datetime import datetime
        report = run_crawl(tmp_path / "a.db", wp, since=datetime(2025, 1, 1))
        assert sorted(archived(tmp_path / "a.db")) == [7, 8]
        report = run_crawl(tmp_path / "b.db", wp, max_posts=3)
    assert report.counts["posts_new"] == 3


def test_conditional_get_304_keeps_the_post_unchanged(tmp_path):
    wp = FakeWordPress(6, page_etags=True)
    with wp.server:
        run_crawl(tmp_path / "a.db", wp)
        report = run_crawl(tmp_path / "a.db", wp, revalidate=6)
        conditional = [h for h in wp.server.hits if "if-none-match" in h.headers]
    assert len(conditional) == 6 and report.counts["posts_unchanged"] == 6
    assert all(p["version"] == 1 for p in archived(tmp_path / "a.db").values())


#: WordPress's post password form (wp-includes/post-template.php get_the_password_form), HAND-WRITTEN copy.
PASSWORD_FORM = ('<form action="{base}wp-login.php?action=postpass" class="post-password-form" method="post">'
                 '<p>This content is password protected. To view it please enter your password below:</p>'
                 '<p><label for="pwbox-{id}">Password: <input name="post_password" id="pwbox-{id}" type="password" '
                 'size="20" /></label> <input type="submit" name="Submit" value="Enter" /></p></form>')


class MoreWordPress(FakeWordPress):
    """HAND-WRITTEN additions to tests/fakewp.py for two cases it lacks: posts split with <!--nextpage-->
    (wp_link_pages' post-page-numbers links, page 2 at <link>2/) and password-protected posts (REST
    excerpt.protected true, the page shows the password form, the core sitemap leaves them out)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.split: dict[int, str] = {}     # post id -> body of its page 2
        self.protected: set[int] = set()

    def page_links(self, post: FakePost) -> str:
        return (f'<div class="page-links">Pages: <span class="post-page-numbers current">1</span> '
                f'<a href="{self.link(post)}2/" class="post-page-numbers">2</a></div>')

    def page(self, post: FakePost) -> str:
        if post.id in self.protected:
            post = dataclasses.replace(post, body=PASSWORD_FORM.format(base=self.base, id=post.id))
        elif post.id in self.split:
            post = dataclasses.replace(post, body=post.body + self.page_links(post))
        return super().page(post)

    def rest_post(self, post: FakePost) -> dict:
        row = super().rest_post(post)
        if post.id in self.protected:
            row["excerpt"] = {"rendered": "", "protected": True}
        return row

    def route(self, hit):
        from urllib.parse import urlsplit

        path = urlsplit(hit.path).path
        for pid, body in self.split.items():
            post = self.posts[pid]
            if path == urlsplit(self.link(post)).path + "2/":
                return Reply(200, super().page(dataclasses.replace(post, body=body + self.page_links(post))))
        if path == "/wp-sitemap-posts-post-1.xml":
            urls = "".join(f"<url><loc>{self.link(p)}</loc></url>" for p in self.published()
                           if p.id not in self.protected)
            return Reply(200, f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                              f'{urls}</urlset>', content_type="application/xml")
        return super().route(hit)


class Cp1251WordPress(FakeWordPress):
    """Post pages in windows-1251 declared only by the Content-Type header (no <meta charset>)."""

    def route(self, hit):
        reply = super().route(hit)
        if reply.status in (200, 304) and isinstance(reply.body, str) and "single-post" in reply.body:
            body = reply.body.replace('<meta charset="UTF-8">', "").encode("cp1251")
            return Reply(reply.status, body, headers=reply.headers, content_type="text/html; charset=windows-1251")
        return reply


def test_304_resave_reads_the_stored_page_with_its_header_charset(tmp_path):
    """Review 45 (verified fixed at a74ba9c, kept as a regression test): the 304 re-save parsed the stored page
    without its Content-Type and made mojibake 'changed' versions."""
    db = tmp_path / "a.db"
    wp = Cp1251WordPress(4, page_etags=True)
    for post in wp.posts.values():
        post.title = f"Оборона: жаркое лето в Женеве {post.id}"
    with wp.server:
        run_crawl(db, wp)
        again = run_crawl(db, wp, full=True)
        not_modified = sum(1 for h in wp.server.hits if "if-none-match" in h.headers)
    assert not_modified == 4 and again.counts["posts_unchanged"] == 4
    assert versions_by_reason(db) == {"new": 4} and archived(db)[1]["title"].startswith("Оборона")


def test_304_on_a_split_post_resaves_the_whole_post_from_its_stored_pages(tmp_path):
    db = tmp_path / "a.db"
    wp = MoreWordPress(3, page_etags=True)
    wp.split[2] = "<p>Second page text.</p>"
    with wp.server:
        run_crawl(db, wp)
        first = archived(db)[2]
        report = run_crawl(db, wp, revalidate=3)
        conditional = [h for h in wp.server.hits if "if-none-match" in h.headers]
    with Archive(db) as arc:
        body = arc.post(first["id"])["body_text"]
    assert "Body text." in body and "Second page text." in body        # both pages archived by the first crawl
    assert len(conditional) == 3 and report.counts["posts_unchanged"] == 3 and report.counts["posts_changed"] == 0
    assert last_version(db, 2) == ("new", [], 1)                         # no false change of body_text/body_html
    assert archived(db)[2]["last_seen_at"] > first["last_seen_at"]        # but it was seen


class SplitCp1251WordPress(Cp1251WordPress, MoreWordPress):
    """Split posts whose pages are windows-1251 declared only by the Content-Type header."""


def test_every_page_of_a_split_post_is_read_with_its_header_charset(tmp_path):
    """Review quality #2: the crawl parsed pages 2..N without their Content-Type (reparse and 304 used it)."""
    db = tmp_path / "a.db"
    wp = SplitCp1251WordPress(3, page_etags=True)
    wp.split[2] = "<p>Вторая страница.</p>"
    with wp.server:
        run_crawl(db, wp)
        again = run_crawl(db, wp, full=True)
    with Archive(db) as arc:
        body = arc.post(archived(db)[2]["id"])["body_text"]
        assert reparse(arc, processes=1).changed == 0
    assert "Вторая страница." in body
    assert again.counts["posts_unchanged"] == 3 and versions_by_reason(db) == {"new": 3}


def test_a_post_made_password_protected_is_deleted_and_restored_when_public_again(tmp_path):
    db = tmp_path / "a.db"
    wp = MoreWordPress(4)
    with wp.server:
        run_crawl(db, wp)
        wp.protected.add(3)
        hidden = run_crawl(db, wp)
        after_hidden, hidden_version = archived(db)[3], last_version(db, 3)
        again = run_crawl(db, wp)
        wp.protected.discard(3)
        back = run_crawl(db, wp)
    assert hidden.counts["posts_deleted"] == 1 and hidden.counts["posts_changed"] == 0
    assert after_hidden["deleted_at"] is not None and hidden_version == ("deleted", [], 2)
    assert again.counts["posts_deleted"] == 0 and last_version(db, 3)[2] <= 3
    assert back.planned.get("restored") == 1 and archived(db)[3]["deleted_at"] is None
    assert last_version(db, 3)[0] == "restored"


def test_without_rest_a_post_showing_the_password_form_is_deleted(tmp_path):
    db = tmp_path / "a.db"
    wp = MoreWordPress(4, rest="disabled")
    with wp.server:
        run_crawl(db, wp)
        wp.protected.add(3)
        hidden = run_crawl(db, wp)
        hidden_version = last_version(db, 3)
        wp.protected.discard(3)
        back = run_crawl(db, wp)
    assert hidden.counts["posts_deleted"] == 1 and hidden_version == ("deleted", [], 2)
    assert back.counts["posts_changed"] == 1 and last_version(db, 3)[0] == "restored"


def test_parser_processes_give_the_same_archive(tmp_path):
    wp = FakeWordPress(30)
    with wp.server:
        inline = run_crawl(tmp_path / "a.db", wp)
        pooled = run_crawl(tmp_path / "b.db", wp, parse_workers=2)
    assert inline.counts["posts_new"] == pooled.counts["posts_new"] == 30
    strip = lambda rows: {k: {f: v[f] for f in ("title", "author", "categories", "tags", "url")} for k, v in rows.items()}
    assert strip(archived(tmp_path / "a.db")) == strip(archived(tmp_path / "b.db"))


def test_a_first_crawl_starts_its_parser_processes_while_the_listing_is_still_coming(tmp_path, monkeypatch):
    import scraper.crawl
    from scraper.workers import ProcessPool
    wp = FakeWordPress(210)
    started: list[tuple[int, int]] = []   # (listing pages, post pages) requested when the processes started
    pools: list[ProcessPool] = []

    def watched_pool(size: int) -> ProcessPool:
        paths = [h.path for h in wp.server.hits]
        listing_pages = sum("/wp/v2/posts" in h and "per_page=100" in h for h in paths)   # not detection's probe
        started.append((listing_pages, sum("/2024/" in h for h in paths)))
        pools.append(ProcessPool(size))
        return pools[-1]
    monkeypatch.setattr(scraper.crawl, "ProcessPool", watched_pool)
    with wp.server:
        first = run_crawl(tmp_path / "a.db", wp, parse_workers=2)   # (explicit: the default is 0 on one core)
        again = run_crawl(tmp_path / "a.db", wp, parse_workers=2)   # nothing changed: no processes
        run_crawl(tmp_path / "b.db", wp, parse_workers=2, max_posts=10)   # a first crawl that fetches 10: none
    assert first.counts["posts_new"] == 210 and again.counts["posts_new"] == 0
    assert started == [(1, 0)]   # after listing page 1 (the other pages are asked for after it), before any post
    assert len(pools[0].workers) == 2 and not any(w.process.is_alive() for w in pools[0].workers)   # closed at the end


def test_when_the_system_refuses_parser_processes_the_crawler_parses_itself(tmp_path, monkeypatch, caplog):
    import scraper.crawl

    def refuse(size: int):
        raise OSError(11, "Resource temporarily unavailable")
    monkeypatch.setattr(scraper.crawl, "ProcessPool", refuse)
    wp = FakeWordPress(30)
    with wp.server:
        report = run_crawl(tmp_path / "a.db", wp, parse_workers=2)
    assert report.counts["posts_new"] == 30 and report.counts["errors"] == 0
    assert "parser processes could not be started" in caplog.text


TEST_PROCESS = int(os.environ.setdefault("SCRAPER_TEST_PID", str(os.getpid())))   # spawned children inherit it


def parse_or_die(body: bytes, *args):
    """parse_post, except that a page saying KILL-THE-PARSER kills the parser process parsing it (in the test
    process itself, as when no parser process could start, it raises instead of killing pytest)."""
    from scraper.parse.pages import parse_post
    if b"KILL-THE-PARSER" in body:
        if os.getpid() == TEST_PROCESS:
            raise AssertionError("the page was parsed in the crawler process, not in a parser process")
        os._exit(11)
    return parse_post(body, *args)


def test_a_page_that_kills_the_parser_process_is_an_error_with_its_raw_page_kept(tmp_path, monkeypatch):
    import scraper.crawl
    monkeypatch.setattr(scraper.crawl, "parse_post", parse_or_die)   # pickled by name: the processes run it too
    db = tmp_path / "a.db"
    wp = FakeWordPress(24)
    wp.posts[5].body = "<p>KILL-THE-PARSER</p>"
    with wp.server:
        report = run_crawl(db, wp, parse_workers=1)
    assert report.counts["posts_new"] == 23 and report.counts["errors"] == 1
    assert 5 not in archived(db)
    with sqlite3.connect(db) as conn:
        state, error = conn.execute("SELECT state, error FROM frontier WHERE url LIKE '%/post-5/'").fetchone()
        kept = conn.execute("SELECT count(*) FROM fetches WHERE url LIKE '%/post-5/' AND status = 200 "
                            "AND page_sha256 IN (SELECT sha256 FROM pages)").fetchone()[0]
    assert state == "failed" and "parser process died twice" in error and kept == 1


def exit_at_start(conn) -> None:
    """A parser process that cannot start (as when the crawler's main module cannot be imported again)."""
    os._exit(1)


def test_when_parser_processes_cannot_start_the_crawler_parses_itself(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr("scraper.workers._serve", exit_at_start)
    wp = FakeWordPress(24)
    with wp.server:
        report = run_crawl(tmp_path / "a.db", wp, parse_workers=1)
    assert report.counts["posts_new"] == 24 and report.counts["errors"] == 0
    assert "could not start" in caplog.text and "parsing in the crawler process instead" in caplog.text


def test_faults_end_in_retry_skip_or_error_and_no_post_is_lost(tmp_path, caplog):
    from faultserver import gzip_bomb
    db = tmp_path / "a.db"
    wp = FakeWordPress(9)
    path = {pid: f"/2024/05/post-{pid}/" for pid in wp.posts}
    wp.faults = {
        path[1]: [Reply(fault="reset"), None],                                  # retried
        path[2]: [Reply(429, headers={"Retry-After": "0"}), None],             # retried after Retry-After
        path[3]: [Reply(200, "x" * 5000, fault="truncate"), None],             # retried
        path[4]: [Reply(503), Reply(500), None],                               # burst, retried
        path[5]: [Reply(200, gzip_bomb(8_000_000), headers={"Content-Encoding": "gzip"})],   # clear error
        path[6]: [Reply(302, headers={"Location": "http://elsewhere.invalid/"})],            # clear error
        path[7]: [Reply(200, wp.page(wp.posts[7]), content_type="application/octet-stream")],  # sniffed as HTML
        path[8]: [Reply(200, b"\x89PNG\r\n\x1a\n" + b"\0" * 100, content_type="image/png")],  # logged skip
    }
    with wp.server:
        report = run_crawl(db, wp, fetch={"retries": 2, "max_bytes": 1_000_000})
        assert report.status == "partial" and report.exit_code == 1 and report.counts["errors"] == 2
        assert sorted(archived(db)) == [1, 2, 3, 4, 7, 9]
        assert "not an HTML page" in caplog.text
        wp.faults = {}
        again = run_crawl(db, wp, revalidate=0)
    assert again.status == "complete" and sorted(archived(db)) == list(range(1, 10))


def versions_by_reason(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    rows = dict(conn.execute("SELECT reason, count(*) FROM post_versions GROUP BY reason").fetchall())
    conn.close()
    return rows


def test_fetches_holds_every_http_response_discovery_included(tmp_path):
    """Review 45 #5: REST, robots.txt, sitemaps, feeds, redirect hops and retried attempts are in `fetches`."""
    for rest, wanted in (("open", "/wp-json/wp/v2/posts"), ("disabled", "/wp-sitemap-posts-post-1.xml")):
        db = tmp_path / f"{rest}.db"
        wp = FakeWordPress(5, rest=rest)
        wp.faults["/robots.txt"] = [Reply(503), None]                       # one retried attempt
        with wp.server:
            report = run_crawl(db, wp)
            requests = len(wp.server.hits)
        conn = sqlite3.connect(db)
        rows = conn.execute("SELECT count(*) FROM fetches WHERE status IS NOT NULL").fetchone()[0]
        assert rows == requests == report.requests, (rest, rows, requests)
        assert report.counts["pages_fetched"] == 5                          # still post pages only
        body = conn.execute("SELECT count(*) FROM fetches WHERE url LIKE ? AND status = 200 AND page_sha256 "
                            "IS NOT NULL", (f"%{wanted}%",)).fetchone()[0]
        assert body >= 1, rest                                              # the listing itself is kept
        assert conn.execute("SELECT count(*) FROM fetches WHERE url LIKE '%robots.txt' AND status = 503"
                            ).fetchone()[0] == 1


def test_fields_the_page_leaves_empty_come_from_the_rest_listing(tmp_path):
    """Review 45 #6: the theme shows no modified date and no excerpt; the REST listing has both."""
    from scraper.store.reparse import reparse
    db = tmp_path / "a.db"
    wp = FakeWordPress(3)
    listing_row = wp.rest_post
    wp.rest_post = lambda post: {**listing_row(post), **({"excerpt": {"rendered": "<p>A summary by hand.</p>"}}
                                                       if post.id == 2 else {})}
    with wp.server:
        run_crawl(db, wp)
        with Archive(db) as arc:
            first = {p["wp_id"]: arc.post(p["id"]) for p in arc.iter_posts(1)}
            assert reparse(arc, processes=1).changed == 0            # API-sourced fields are not the page's
        wp.posts[1].title, wp.posts[1].modified = "Edited", "2024-06-01T08:00:00"
        run_crawl(db, wp, revalidate=0)
        wp.rest = "disabled"                                         # a run without the listing: no change
        without = run_crawl(db, wp, full=True)
    assert first[1]["modified_at"] == "2024-05-01T10:00:00+00:00"
    assert first[1]["sources"]["modified_at"] == "api:rest-listing" and first[1]["excerpt"] is None   # automatic
    assert first[2]["excerpt"] == "A summary by hand." and first[2]["sources"]["excerpt"] == "api:rest-listing"
    assert first[2]["discrepancies"] in (None, {}, [])
    reason, changed, version = last_version(db, 1)
    assert (reason, sorted(changed), version) == ("changed", ["modified_at", "title"], 2)
    assert without.mode == "no-rest" and without.counts["posts_changed"] == 0 and without.counts["posts_unchanged"] == 3
    assert archived(db)[1]["modified_at"] == "2024-06-01T08:00:00+00:00"


def test_403_on_listed_posts_is_an_error_never_a_deletion(tmp_path):
    """Review 45 #1: a WAF answering 403 to the post pages of a site whose listing still shows them."""
    db = tmp_path / "a.db"
    wp = FakeWordPress(6)
    with wp.server:
        blocked = crawl_then_fault(db, wp, {f"/2024/05/{post.slug}/": [Reply(403, "<html>Access denied</html>")]
                                            for post in wp.published()})
        after = run_crawl(db, wp, full=True)
    assert blocked.status == "partial" and blocked.exit_code == 1 and blocked.counts["errors"] == 6
    assert blocked.counts["posts_deleted"] == 0 and after.counts["posts_unchanged"] == 6
    assert versions_by_reason(db) == {"new": 6}
    assert all(p["deleted_at"] is None for p in archived(db).values())


def test_404_on_a_post_the_listing_still_shows_is_an_error_and_401_on_a_gone_one_too(tmp_path):
    db = tmp_path / "a.db"
    wp = FakeWordPress(4)
    with wp.server:
        run_crawl(db, wp)
        wp.faults["/2024/05/post-2/"] = [Reply(404, "<html><body class='error404'>Not found</body></html>")]
        wp.posts[3].status = "trash"                                # missing from the listing...
        wp.faults["/2024/05/post-3/"] = [Reply(401, "<html>Login required</html>")]   # ...but 401 proves nothing
        report = run_crawl(db, wp, full=True)
        posts = archived(db)
        wp.faults.clear()
        later = run_crawl(db, wp, revalidate=0)
    assert report.counts["errors"] == 2 and report.counts["posts_deleted"] == 0 and report.exit_code == 1
    assert posts[2]["deleted_at"] is None and posts[3]["deleted_at"] is None
    assert later.counts["posts_deleted"] == 1 and archived(db)[3]["deleted_at"] is not None   # 404 confirms


CHALLENGE = ("<!doctype html><html><head><title>Just a moment...</title></head><body><h1>Checking your browser</h1>"
             "<p>Please enable JavaScript and cookies to continue.</p></body></html>")


def test_a_challenge_page_instead_of_the_post_is_a_failure_not_a_version(tmp_path):
    """Review 45 #2: a 200 interstitial on a REST-listed post must not become its current version."""
    db = tmp_path / "a.db"
    wp = FakeWordPress(6)
    with wp.server:
        another_post = wp.page(wp.posts[5])
        report = crawl_then_fault(db, wp, {"/2024/05/post-2/": [Reply(200, CHALLENGE)],
                                           "/2024/05/post-4/": [Reply(200, another_post)]})
    assert report.status == "partial" and report.counts["errors"] == 2
    assert versions_by_reason(db) == {"new": 6}
    assert archived(db)[2]["title"] == "Post number 2"
    conn = sqlite3.connect(db)
    kept = conn.execute("SELECT count(*) FROM fetches f JOIN pages p ON p.sha256 = f.page_sha256 "
                        "WHERE f.url LIKE '%post-2/' AND f.status = 200").fetchone()[0]
    assert kept == 2                                            # the challenge page is kept as evidence


def test_a_record_with_a_parser_error_is_a_failure_not_a_version(tmp_path, monkeypatch):
    """Review 45 #2: parse() never raises; its 'parser error' warning must stop the save."""
    from scraper.parse import extract

    real = extract.extract_into

    def crash_on_post_2(post, html, url, headers):
        if url and "post-2" in url:
            post.title = "Post number 2"
            raise RuntimeError("simulated parser bug after partial extraction")
        return real(post, html, url, headers)
    db = tmp_path / "a.db"
    wp = FakeWordPress(4)
    with wp.server:
        run_crawl(db, wp)
        monkeypatch.setattr(extract, "extract_into", crash_on_post_2)
        report = run_crawl(db, wp, full=True)
    assert report.counts["errors"] == 1 and report.exit_code == 1
    assert versions_by_reason(db) == {"new": 4}


def test_a_crash_in_one_field_extractor_is_a_failure_not_a_version(tmp_path, monkeypatch):
    """Review quality #1: extract._guarded's per-field 'parser error' also stops the save (the body would be lost)."""
    from scraper.parse import extract

    def body_bug(post, page):
        raise AttributeError("simulated bug in the body extractor")
    db = tmp_path / "a.db"
    wp = FakeWordPress(3)
    with wp.server:
        run_crawl(db, wp)
        monkeypatch.setattr(extract, "_EXTRACTORS", [(name, body_bug if name == "body" else extractor)
                                                     for name, extractor in extract._EXTRACTORS])
        report = run_crawl(db, wp, full=True)
    assert report.counts["errors"] == 3 and report.status == "partial"
    assert versions_by_reason(db) == {"new": 3}
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM posts WHERE body_text IS NULL").fetchone()[0] == 0
    kept = conn.execute("SELECT count(*) FROM fetches WHERE url LIKE '%post-%' AND status = 200 "
                        "AND page_sha256 IS NOT NULL").fetchone()[0]
    assert kept == 6                                            # the raw pages of both runs are kept


def test_a_partial_sitemap_lastmod_is_not_completed_with_today():
    """Review quality #13: '2025' was read as today's month and day of 2025 (a false 'lastmod' refetch, and a
    --since comparison against a made-up day); now it is an unknown date, as the parser treats partial dates."""
    from scraper.crawl import _later, _moment

    assert _moment("2025") is None and _moment("2025-06") is None
    assert not _later("2025", "2025-03-01T00:00:00+00:00")
    assert _later("2025-06-01", "2025-03-01T00:00:00+00:00") and not _later("2025-02-01", "2025-03-01T00:00:00Z")
    assert _moment("2025-06-01T10:00:00+02:00").isoformat() == "2025-06-01T10:00:00+02:00"


def test_stale_sitemap_entry_answering_404_is_a_skip_not_an_error(tmp_path):
    wp = FakeWordPress(5, rest="disabled")
    wp.faults["/2024/05/post-2/"] = [Reply(404, "gone")]
    with wp.server:
        report = run_crawl(tmp_path / "a.db", wp)
    assert report.status == "complete" and report.counts["errors"] == 0
    assert sorted(archived(tmp_path / "a.db")) == [1, 3, 4, 5]


def test_full_revalidates_everything(tmp_path):
    wp = FakeWordPress(7)
    with wp.server:
        run_crawl(tmp_path / "a.db", wp)
        report = run_crawl(tmp_path / "a.db", wp, full=True)
    assert report.planned == {"full": 7} and report.counts["posts_unchanged"] == 7


def test_best_effort_crawls_a_site_without_wordpress_markers(tmp_path):
    pages = {f"/story-{i}/": [Reply(200, f"<html><head><title>Story {i}</title></head><body><h1>Story {i}</h1>"
                                       f"<p>Text {i}.</p><a href='/story-{i % 3 + 1}/'>next</a></body></html>")]
             for i in range(1, 4)}
    home = "<html><body><a href='/story-1/'>1</a><a href='/story-2/'>2</a><a href='/tag/x/'>t</a></body></html>"
    with FaultServer({"/": [Reply(200, home)], **pages}) as srv:
        with Archive(tmp_path / "a.db") as arc, Fetcher(FetchSettings(delay=0)) as f, arc.crawl_lock():
            report = SiteCrawl(arc, f, srv.base_url, CrawlOptions(best_effort=True)).run()
            titles = sorted(p["title"] for p in arc.iter_posts(1))
    assert report.mode == "no-rest" and titles == ["Story 1", "Story 2", "Story 3"]


def test_progress_is_drawn_only_on_a_terminal(monkeypatch):
    import io
    from scraper.console import TerminalProgress

    class Tty(io.StringIO):
        def isatty(self):
            return True
    for stream, drawn in ((Tty(), True), (io.StringIO(), False)):
        monkeypatch.setattr(sys, "stderr", stream)
        progress = TerminalProgress(enabled=True)
        progress(5, 5)
        assert ("5/5 pages" in stream.getvalue()) is drawn


# ---------------------------------------------------------------------------------------- the command


def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scraper", "crawl", "--delay", "0", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def test_cli_quiet_prints_one_line_and_json_logs(tmp_path):
    wp = FakeWordPress(4)
    with wp.server:
        quiet = cli(wp.base, "--db", str(tmp_path / "a.db"), "--quiet")
        js = cli(wp.base, "--db", str(tmp_path / "a.db"), "--log-format", "json", "--verbose")
    assert quiet.returncode == 0, quiet.stderr
    assert len(quiet.stdout.strip().splitlines()) == 1 and "4 new" in quiet.stdout and quiet.stderr == ""
    summary = json.loads(js.stdout)
    assert summary["status"] == "complete" and summary["posts_unchanged"] >= 1
    assert all(json.loads(line)["level"] for line in js.stderr.splitlines())


def test_cli_not_wordpress_exit_3(tmp_path):
    with FaultServer({"/": [Reply(200, "<html><body>plain static site</body></html>")]}) as srv:
        result = cli(srv.base_url + "/", "--db", str(tmp_path / "a.db"))
    assert result.returncode == 3 and "WordPress" in result.stdout
    assert "0 requests" not in result.stdout                  # detection's requests are counted (review 45 #10)


def test_cli_bad_site_urls_are_usage_errors_naming_the_line(tmp_path):
    """Review 45 #4: a bad port crashed with a traceback; ftp:// was fetched."""
    sites = tmp_path / "sites.txt"
    sites.write_text("# my sites\nhttps://ok.invalid/\n\nhttp://127.0.0.1:99999/\n")
    result = cli("--db", str(tmp_path / "a.db"), "--sites", str(sites))
    assert result.returncode == 2 and "line 4" in result.stderr and "port" in result.stderr
    assert "Traceback" not in result.stderr
    for bad, why in (("ftp://foo.example/", "http"), ("http://:80/", "host")):
        result = cli(bad, "--db", str(tmp_path / "a.db"))
        assert result.returncode == 2 and why in result.stderr, result.stderr
    assert not (tmp_path / "a.db").exists()                    # refused before anything is opened or fetched


def test_allow_host_lets_a_redirect_to_another_host_through(tmp_path):
    """Review 45 #10: 'never another host unless asked' -- now it can be asked from the command line."""
    wp = FakeWordPress(2)
    with wp.server:
        port = wp.server.httpd.server_address[1]
        elsewhere = f"http://localhost:{port}/2024/05/post-2/"           # loopback under another host name
        wp.faults["/2024/05/post-2/"] = [Reply(301, headers={"Location": elsewhere}), None]
        refused = cli(wp.base, "--db", str(tmp_path / "a.db"), "--quiet")
        allowed = cli(wp.base, "--db", str(tmp_path / "b.db"), "--quiet", "--allow-host", f"localhost:{port}")
    assert refused.returncode == 1 and "1 errors" in refused.stdout
    assert allowed.returncode == 0, allowed.stderr + allowed.stdout
    assert sorted(archived(tmp_path / "b.db")) == [1, 2]
    assert cli(wp.base, "--allow-host", "ftp://x", "--db", str(tmp_path / "c.db")).returncode == 2


def test_one_failing_site_never_stops_the_others(tmp_path):
    from scraper.crawl import crawl_sites
    wp = FakeWordPress(3)
    with wp.server, FaultServer({"/": [Reply(200, "<html><body>static</body></html>")]}) as static:
        with Archive(tmp_path / "a.db") as arc, Fetcher(FetchSettings(delay=0, retries=0)) as f:
            reports = crawl_sites(arc, f, ["http://127.0.0.1:99999/", static.base_url + "/", wp.base],
                                  CrawlOptions())
    assert [r.exit_code for r in reports] == [2, 3, 0]
    assert "port" in reports[0].error and reports[1].requests > 0
    assert reports[2].counts["posts_new"] == 3


def test_a_bug_during_a_site_crawl_is_raised_not_reported_as_a_bad_site_url(tmp_path, monkeypatch):
    """Review quality #7: a ValueError from inside the crawl (a bug) was reported as 'site failed, exit 2'."""
    from scraper.crawl import crawl_sites

    def bug(*args, **kwargs):
        raise ValueError("simulated bug in the store")
    monkeypatch.setattr(Archive, "save_post", bug)
    wp = FakeWordPress(2)
    with wp.server, Archive(tmp_path / "a.db") as arc, Fetcher(FetchSettings(delay=0, retries=0)) as f:
        with pytest.raises(ValueError, match="simulated bug"):
            crawl_sites(arc, f, [wp.base], CrawlOptions())


def test_cli_usage_error_exit_2(tmp_path):
    assert cli("--db", str(tmp_path / "a.db")).returncode == 2
    assert cli("http://127.0.0.1:1/", "--concurrency", "0").returncode == 2


def test_cli_second_crawl_on_locked_archive_exits_5(tmp_path):
    db = tmp_path / "a.db"
    wp = FakeWordPress(2)
    with wp.server, Archive(db) as arc, arc.crawl_lock():
        result = cli(wp.base, "--db", str(db))
    assert result.returncode == 5 and "another crawl" in result.stderr


def test_cli_corrupt_archive_exit_4(tmp_path):
    db = tmp_path / "a.db"
    db.write_bytes(b"this is not a database" * 100)
    result = cli("http://127.0.0.1:1/", "--db", str(db))
    assert result.returncode == 4 and str(db) in result.stderr


def test_sigterm_marks_the_crawl_interrupted(tmp_path):
    db = tmp_path / "a.db"
    wp = FakeWordPress(30, latency=0.05)
    with wp.server:
        proc = subprocess.Popen([sys.executable, "-m", "scraper", "crawl", wp.base, "--db", str(db), "--delay", "0",
                                 "--concurrency", "1"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (db.exists() and archived_count(db) >= 3):
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    conn = sqlite3.connect(db)
    assert [r[0] for r in conn.execute("SELECT status FROM crawls")] == ["interrupted"]
    assert proc.returncode == 143 and b"Traceback" not in proc.stderr.read()   # 128 + SIGTERM, not click's 1


def archived_count(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            return conn.execute("SELECT count(*) FROM posts").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


@pytest.mark.parametrize("revalidation", [("--revalidate", "0"), ()], ids=["no-revalidation", "default"])
def test_sigkill_then_rerun_finishes_without_refetching_saved_posts(tmp_path, revalidation):
    """With the default revalidation too (review 45 #7): posts the killed crawl saved are not revalidated."""
    db = tmp_path / "a.db"
    wp = FakeWordPress(40, latency=0.03)
    with wp.server:
        proc = subprocess.Popen([sys.executable, "-m", "scraper", "crawl", wp.base, "--db", str(db), "--delay", "0",
                                 "--concurrency", "2", *revalidation], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        saved = 0
        while time.monotonic() < deadline and saved < 12:
            time.sleep(0.05)
            if db.exists():
                try:
                    with sqlite3.connect(db, timeout=1) as conn:
                        saved = conn.execute("SELECT count(*) FROM posts").fetchone()[0]
                except sqlite3.OperationalError:
                    pass
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        assert 12 <= saved < 40
        result = cli(wp.base, "--db", str(db), *revalidation, "--quiet")
        hits = post_hits(wp)
    assert result.returncode == 0, result.stderr
    assert sorted(archived(db)) == list(range(1, 41))
    refetched = sum(n - 1 for n in hits.values())
    assert refetched <= 4, hits   # at most the pages that were in flight when the crawl was killed
    conn = sqlite3.connect(db)
    statuses = [r[0] for r in conn.execute("SELECT status FROM crawls ORDER BY id")]
    assert statuses == ["interrupted", "complete"]
    assert conn.execute("SELECT count(*) FROM post_versions").fetchone()[0] == 40


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_parser_processes_do_not_outlive_a_killed_crawl(tmp_path, sig):
    db = tmp_path / "a.db"
    wp = FakeWordPress(60, latency=0.02)
    with wp.server:
        proc = subprocess.Popen([sys.executable, "-m", "scraper", "crawl", wp.base, "--db", str(db), "--delay", "0",
                                 "--concurrency", "2", "--parse-workers", "2"], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and archived_count(db) < 5:
            time.sleep(0.05)
        parsers = child_pids(proc.pid)
        proc.send_signal(sig)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(alive(pid) for pid in parsers):
            time.sleep(0.05)
    assert len(parsers) >= 2   # the two parser processes (and multiprocessing's resource tracker)
    assert not [pid for pid in parsers if alive(pid)]


def test_fetcher_reads_the_environment_once_unless_it_holds_proxies(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))                 # no ~/.netrc
    monkeypatch.delenv("NETRC", raising=False)
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "ca.pem"))
    with Fetcher(FetchSettings()) as f:
        assert f.session.trust_env is False and f.session.verify == str(tmp_path / "ca.pem")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:3128")
    with Fetcher(FetchSettings()) as f:                        # proxies depend on no_proxy per URL: requests decides
        assert f.session.trust_env is True
