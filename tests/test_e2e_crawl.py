"""End to end on the real WordPress 6.1 (tests/wordpress), all three themes: a crawl equals WordPress's truth;
after mutate() the next incremental crawl records exactly the mutations; a third crawl adds nothing.

Request counts of each crawl are printed (run with -s to see them) and written to the test report's sections.
"""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from scraper.store import Archive
from scraper.store.compare import same

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parent.parent
THEMES = ("twentytwentyone", "twentytwentytwo", "twentytwentythree")
#: Fields each theme shows on a single post (block themes never print the featured image's caption).
SHOWN = {
    "twentytwentyone": ("url", "title", "author", "authors", "categories", "tags", "published_at", "featured_image",
                        "body_text", "comment_count"),
    "twentytwentytwo": ("url", "title", "author", "authors", "categories", "tags", "published_at", "featured_image",
                        "body_text", "comment_count"),
    "twentytwentythree": ("url", "title", "author", "authors", "categories", "tags", "published_at",
                          "featured_image", "body_text", "comment_count"),
}
#: Fields none of the themes shows that the crawl takes from the REST listing when the page leaves them empty
#: (a hand-written excerpt only: WordPress's automatic one is the body's opening).
FROM_API = ("modified_at", "excerpt")
ON_PAGE = SHOWN
SHOWN = {theme: fields + FROM_API for theme, fields in ON_PAGE.items()}
#: Block themes print author and term names through wptexturize (' becomes ’): what the page shows.
TEXTURIZED = str.maketrans({"’": "'"})


def crawl(site_url: str, db: Path, *extra: str) -> dict:
    """One `scraper crawl` run as cron would do it; returns its JSON summary."""
    result = subprocess.run([sys.executable, "-m", "scraper", "crawl", site_url, "--db", str(db), "--delay", "0",
                             "--concurrency", "4", "--log-format", "json", *extra],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    return json.loads(result.stdout)


def archive_rows(db: Path) -> dict[int, dict]:
    """Every archived post (deleted ones too) as full rows, by wp_id."""
    with Archive(db) as arc:
        return {p["wp_id"]: arc.post(p["id"]) for p in arc.iter_posts(1, include_deleted=True)}


def versions(db: Path) -> dict[int, list[tuple[str, list[str]]]]:
    """wp_id -> [(reason, changed_fields)] in version order."""
    conn = sqlite3.connect(db)
    out: dict[int, list] = {}
    for wp_id, reason, changed in conn.execute(
            "SELECT p.wp_id, v.reason, v.changed_fields FROM post_versions v JOIN posts p ON p.id = v.post_id "
            "ORDER BY p.wp_id, v.version"):
        out.setdefault(wp_id, []).append((reason, json.loads(changed or "[]")))
    conn.close()
    return out


def matches(theme: str, field: str, archived, truth) -> bool:
    """Archive value equals truth after the archive's own normalisation (block themes texturize names)."""
    if theme != "twentytwentyone" and field in ("author", "authors", "tags"):
        fold = (lambda v: v.translate(TEXTURIZED) if isinstance(v, str) else
                [x.translate(TEXTURIZED) for x in v] if isinstance(v, list) else v)
        archived, truth = fold(archived), fold(truth)
    return same(field, archived, truth)


def mismatches(theme: str, rows: dict[int, dict], truth_posts: list[dict], shown: dict = SHOWN) -> list[str]:
    """'wp_id field: archived != truth' for every shown field that differs."""
    out = []
    for post in truth_posts:
        row = rows[post["wp_id"]]
        out += [f"{post['wp_id']} {f}: {row.get(f)!r:.80} != {post.get(f)!r:.80}"
                for f in shown[theme] if not matches(theme, f, row.get(f), post.get(f))]
    return out


@pytest.mark.parametrize("theme", THEMES)
def test_one_crawl_equals_truth(wordpress_clean, theme, tmp_path, record_property):
    site = wordpress_clean
    site.switch(theme=theme)
    truth = site.truth()
    db = tmp_path / "archive.db"
    summary = crawl(site.base_url, db)
    print(f"\n{theme}: first crawl {summary['requests']} requests, {summary['posts_new']} posts")
    record_property("requests_first_crawl", summary["requests"])
    rows = archive_rows(db)
    published = {p["wp_id"] for p in truth["posts"]}
    assert set(rows) == published                                  # every published post, nothing else
    assert not set(rows) & {p["wp_id"] for p in truth["unpublished"]}
    assert summary["posts_new"] == len(published) and summary["errors"] == 0
    assert mismatches(theme, rows, truth["posts"]) == []
    # the page and the REST API were both kept, disagreements listed per field
    assert all(row["api_data"] and row["api_data"]["wp_id"] == wp_id for wp_id, row in rows.items())


def test_photo_credit_where_the_theme_shows_captions(wordpress_clean, tmp_path):
    site = wordpress_clean
    truth = site.truth()
    db = tmp_path / "archive.db"
    crawl(site.base_url, db)
    rows = archive_rows(db)
    wrong = [f"{p['wp_id']} {f}: {rows[p['wp_id']].get(f)!r} != {p.get(f)!r}" for p in truth["posts"]
             for f in ("photo_caption", "photo_credit") if not same(f, rows[p["wp_id"]].get(f), p.get(f))]
    assert wrong == []


@pytest.mark.parametrize("theme", THEMES)
def test_incremental_crawl_records_exactly_the_mutations(wordpress_clean, theme, tmp_path, record_property):
    site = wordpress_clean
    site.switch(theme=theme)
    db = tmp_path / "archive.db"
    first = crawl(site.base_url, db)
    before = archive_rows(db)
    mutation = site.mutate()
    intended = mutation["intended"]
    second = crawl(site.base_url, db, "--revalidate", "0")   # no revalidation: every change must be detected
    third = crawl(site.base_url, db)
    print(f"\n{theme}: requests per crawl: first {first['requests']}, after mutate {second['requests']}, "
          f"no change {third['requests']} (pages {third['pages_fetched']})")
    for name, run in (("first", first), ("second", second), ("third", third)):
        record_property(f"requests_{name}_crawl", run["requests"])
    rows, history = archive_rows(db), versions(db)
    shown = set(SHOWN[theme])

    # each edited post: exactly one new version naming exactly the shown fields that changed
    expected_changed = {int(k): set(v) & shown for k, v in mutation["changed"].items()}
    expected_changed = {k: v for k, v in expected_changed.items() if v}
    for wp_id, fields in expected_changed.items():
        assert len(history[wp_id]) == 2, (wp_id, history[wp_id])
        reason, changed = history[wp_id][-1]
        assert reason == "changed" and set(changed) - {"body_html"} == fields, (wp_id, changed, fields)
    # the new post, the trashed post
    assert history[intended["published"]] == [("new", [])]
    assert history[intended["trashed"]][-1][0] == "deleted" and rows[intended["trashed"]]["deleted_at"]
    # the pending comment changes nothing; untouched posts get no version
    assert intended["pending_comment_on"] not in expected_changed
    untouched = set(before) - set(expected_changed) - {intended["trashed"]}
    assert untouched and all(len(history[w]) == 1 for w in untouched), \
        {w: history[w] for w in untouched if len(history[w]) > 1}
    assert second["posts_new"] == 1 and second["posts_deleted"] == 1
    assert second["posts_changed"] == len(expected_changed)
    # the archive now equals the truth after mutation
    assert mismatches(theme, {k: v for k, v in rows.items() if not v["deleted_at"]},
                      mutation["truth"]["posts"]) == []
    # a third crawl with no change adds nothing and fetches little
    assert third["posts_new"] == third["posts_changed"] == third["posts_deleted"] == 0
    assert versions(db) == history
    assert third["requests"] <= 15 and third["pages_fetched"] <= 5


DISABLE_REST = """<?php
// Test-only mu-plugin, like the "Disable WP REST API" plugins: anonymous REST requests get 401 and the REST
// links leave the head and headers.
add_filter('rest_authentication_errors', function ($result) {
    if (!empty($result) || is_user_logged_in()) { return $result; }
    return new WP_Error('rest_login_required', 'REST API restricted to authenticated users.', ['status' => 401]);
});
remove_action('wp_head', 'rest_output_link_wp_head', 10);
remove_action('template_redirect', 'rest_output_link_header', 11);
"""


def test_without_rest_api_sitemaps_and_feeds_still_archive_everything(wordpress_clean, tmp_path):
    site = wordpress_clean
    plugin = site.docroot / "wp-content" / "mu-plugins" / "zz-test-disable-rest.php"
    plugin.write_text(DISABLE_REST)
    try:
        truth = site.truth()
        db = tmp_path / "archive.db"
        first = crawl(site.base_url, db)
        rows = archive_rows(db)
        assert set(rows) == {p["wp_id"] for p in truth["posts"]}
        assert first["mode"] == "no-rest" and any("no REST API" in n for n in first["notes"])
        assert mismatches("twentytwentyone", rows, truth["posts"], ON_PAGE) == []   # no listing: the page alone
        mutation = site.mutate()
        second = crawl(site.base_url, db, "--revalidate", "0")
        third = crawl(site.base_url, db)
    finally:
        plugin.unlink()
    print(f"\nno REST API: requests per crawl: first {first['requests']}, after mutate {second['requests']}, "
          f"no change {third['requests']}")
    rows, history = archive_rows(db), versions(db)
    intended = mutation["intended"]
    # without the listing, a new post (sitemap, feed) and a trashed post (gone from the sitemap) are still seen
    assert history[intended["published"]] == [("new", [])]
    assert rows[intended["trashed"]]["deleted_at"]
    assert second["posts_new"] == 1 and second["posts_deleted"] == 1
    assert third["posts_new"] == third["posts_deleted"] == 0
