"""The archive against a real WordPress: crawl, edit the site, crawl again — versions match what WordPress changed.

Runs the real crawler and parser against the private WordPress of tests/wordpress on 127.0.0.1; what is checked is
the archive: one row per published post, no version without a real change, a 'changed' version for every post the
site edited, 'deleted' for posts that left, nothing new on an idle re-crawl, nothing from a reparse with the same
parser, and the size of the file against the raw bytes fetched.
"""
from __future__ import annotations

import json

import pytest

from scraper.crawl import CrawlOptions, crawl_sites
from scraper.fetch import Fetcher, FetchSettings
from scraper.store import Archive
from scraper.store.reparse import reparse

pytestmark = pytest.mark.e2e

#: Fields the harness reports changed -> the archive's tracked fields that must then show a change.
VERSIONED = ("title", "categories", "tags", "body_text", "comment_count", "url", "excerpt", "photo_credit",
             "photo_caption", "featured_image", "author", "authors")


def crawl(db, site) -> None:
    settings = FetchSettings(delay=0.0, concurrency=4, retries=1, backoff=0.1)
    with Archive(db) as arc, Fetcher(settings) as fetcher:
        reports = crawl_sites(arc, fetcher, [site.base_url], CrawlOptions(full=True))
    assert [r.status for r in reports] == ["complete"], reports


def versions(db) -> dict[int, list[tuple[str, list[str]]]]:
    """wp_id -> [(reason, changed_fields)] in version order."""
    with Archive(db, readonly=True) as arc:
        rows = arc.conn.execute("SELECT p.wp_id, v.reason, v.changed_fields FROM post_versions v "
                                "JOIN posts p ON p.id = v.post_id ORDER BY p.wp_id, v.version").fetchall()
    found: dict[int, list[tuple[str, list[str]]]] = {}
    for wp_id, reason, changed in rows:
        found.setdefault(wp_id, []).append((reason, json.loads(changed)))
    return found


def test_crawl_edit_recrawl_versions_match_the_site(wordpress_clean, tmp_path):
    site = wordpress_clean
    db = tmp_path / "archive.db"
    published = {p["wp_id"] for p in site.truth()["posts"]}

    crawl(db, site)
    first = versions(db)
    assert set(first) == published
    assert all(history == [("new", [])] for history in first.values())

    crawl(db, site)  # nothing changed on the site: nothing may change in the archive
    assert versions(db) == first

    diff = site.mutate()
    crawl(db, site)
    after = versions(db)
    for wp_id in diff["new"]:
        assert after[wp_id] == [("new", [])], wp_id
    for wp_id in diff["removed"]:
        assert after[wp_id][-1] == ("deleted", []), (wp_id, after.get(wp_id))
    edited = {wp_id: [f for f in fields if f in VERSIONED] for wp_id, fields in diff["changed"].items()}
    for wp_id, fields in edited.items():
        if not fields:
            continue
        changes = [set(changed) for reason, changed in after[wp_id][1:] if reason == "changed"]
        assert changes and set(fields) <= set().union(*changes), (wp_id, fields, after[wp_id])
    untouched = published - set(diff["changed"]) - set(diff["removed"])
    spurious = {w: after[w] for w in untouched if after[w] != first[w]}
    assert spurious == {}, f"versions without a change on the site: {spurious}"

    with Archive(db) as arc:
        report = reparse(arc, processes=2)
        assert (report.changed, report.failed) == (0, 0), report
        raw = arc.conn.execute("SELECT sum(bytes) FROM fetches").fetchone()[0]
    size = db.stat().st_size
    print(f"archive {size} bytes for {raw} raw bytes fetched over three crawls: {size / raw:.1%}")
    assert size < raw * 0.5
