"""The Archive API on real SQLite files: identity, change tracking, deletions, pages, frontier, state."""
from __future__ import annotations

import json
import sqlite3

import pytest

from scraper.exceptions import ArchiveLocked, IncompleteRecord
from scraper.record import Post
from scraper.store import Archive

BASE = "https://news.example/"


def make_post(**changes) -> Post:
    """A hand-written post record (not parser output) for store tests."""
    values = dict(url=BASE + "2025/06/otan/", wp_id=42, title="L'OTAN se réunit", author="Marie Dupont",
                  authors=["Marie Dupont", "Paul Martin"], categories=["Défense", "Europe"], tags=["otan", "sommet"],
                  published_at="2025-06-01T10:00:00+02:00", modified_at="2025-06-02T09:00:00+02:00",
                  photo_credit="@OTAN", photo_caption="Le sommet. Photo : @OTAN",
                  featured_image=BASE + "wp-content/uploads/otan.jpg", excerpt="Les alliés se réunissent.",
                  body_text="Les alliés se réunissent à La Haye.\n\nIls parlent de défense.",
                  body_html="<p>Les alliés se réunissent à La Haye.</p>\n<p>Ils parlent de défense.</p>",
                  comment_count=3, language="fr-FR", sources={"title": "jsonld"})
    values.update(changes)
    return Post(**values)


@pytest.fixture
def arc(tmp_path):
    with Archive(tmp_path / "archive.db") as archive:
        yield archive


@pytest.fixture
def site(arc):
    return arc.upsert_site(BASE, name="News", language="fr-FR", is_wordpress=True)


def versions(arc: Archive, post_id: int) -> list[tuple[int, str, list[str]]]:
    rows = arc.conn.execute("SELECT version, reason, changed_fields FROM post_versions WHERE post_id = ? "
                            "ORDER BY version", (post_id,)).fetchall()
    return [(r[0], r[1], json.loads(r[2])) for r in rows]


def test_new_post_is_version_one_with_all_fields(arc, site):
    res = arc.save_post(make_post(), site_id=site)
    assert (res.status, res.version, res.changed_fields) == ("new", 1, [])
    row = arc.post(res.post_id)
    assert row["title"] == "L'OTAN se réunit" and row["authors"] == ["Marie Dupont", "Paul Martin"]
    assert row["categories"] == ["Défense", "Europe"] and row["comment_count"] == 3
    assert versions(arc, res.post_id) == [(1, "new", [])]
    snapshot = arc.conn.execute("SELECT title, tags, body_text FROM post_versions WHERE post_id = ?",
                                (res.post_id,)).fetchone()
    assert tuple(snapshot) == (row["title"], '["otan", "sommet"]', row["body_text"])


def test_saving_the_same_record_twice_makes_no_version(arc, site):
    first = arc.save_post(make_post(), site_id=site)
    before = arc.post(first.post_id)["last_seen_at"]
    again = arc.save_post(make_post(), site_id=site)
    assert (again.status, again.version) == ("unchanged", 1)
    assert arc.post(first.post_id)["last_seen_at"] > before
    assert versions(arc, first.post_id) == [(1, "new", [])]


def test_normalisation_whitespace_entities_and_unordered_lists_are_no_change(arc, site):
    arc.save_post(make_post(), site_id=site)
    noisy = make_post(title="  L&#039;OTAN   se réunit ", categories=["Europe", "Défense"], tags=["sommet", "otan"],
                      body_text="Les alliés  se réunissent à La Haye.\nIls parlent de défense.",
                      body_html="<p>Les alliés se réunissent à La Haye.</p>\n\n   <p>Ils parlent de défense.</p>",
                      published_at="2025-06-01T08:00:00Z")
    assert arc.save_post(noisy, site_id=site).status == "unchanged"


def test_author_order_matters(arc, site):
    arc.save_post(make_post(), site_id=site)
    res = arc.save_post(make_post(authors=["Paul Martin", "Marie Dupont"]), site_id=site)
    assert (res.status, res.changed_fields) == ("changed", ["authors"])


def test_changed_fields_are_exactly_those_that_changed(arc, site):
    first = arc.save_post(make_post(), site_id=site)
    res = arc.save_post(make_post(title="L'OTAN s'est réunie", comment_count=5), site_id=site)
    assert (res.status, res.version, res.changed_fields) == ("changed", 2, ["title", "comment_count"])
    assert versions(arc, first.post_id) == [(1, "new", []), (2, "changed", ["title", "comment_count"])]
    old, new = arc.conn.execute("SELECT title FROM post_versions WHERE post_id = ? ORDER BY version",
                                (first.post_id,)).fetchall()
    assert (old[0], new[0]) == ("L'OTAN se réunit", "L'OTAN s'est réunie")


def test_new_url_for_same_wp_id_is_a_url_change_not_a_new_post(arc, site):
    first = arc.save_post(make_post(), site_id=site)
    res = arc.save_post(make_post(url=BASE + "2025/06/otan-renamed/"), site_id=site)
    assert (res.post_id, res.status, res.changed_fields) == (first.post_id, "changed", ["url"])
    assert arc.conn.execute("SELECT count(*) FROM posts").fetchone()[0] == 1


def test_post_without_wp_id_is_identified_by_url_and_gains_its_id_later(arc, site):
    first = arc.save_post(make_post(wp_id=None), site_id=site)
    assert arc.save_post(make_post(wp_id=None), site_id=site).status == "unchanged"
    later = arc.save_post(make_post(), site_id=site)
    # learning the id is identity, not an edit on the site: no version (review 45 #10), but the post has it now
    assert (later.post_id, later.status, later.version) == (first.post_id, "unchanged", 1)
    assert arc.conn.execute("SELECT wp_id FROM posts").fetchone()[0] == make_post().wp_id
    # a page that hides its id again is the same post, and not a change
    assert arc.save_post(make_post(wp_id=None), site_id=site).status == "unchanged"
    edited = arc.save_post(make_post(title="Edited"), site_id=site)
    assert (edited.changed_fields, edited.version) == (["title"], 2)
    assert arc.conn.execute("SELECT wp_id FROM post_versions WHERE version = 2").fetchone()[0] == make_post().wp_id


def test_a_date_that_loses_its_offset_with_the_same_clock_reading_is_no_change(arc, site):
    """Review 45 #10: '2025-06-01T10:00:00' (a template without offsets) is the date '…10:00:00+02:00' showed."""
    arc.save_post(make_post(), site_id=site)
    assert arc.save_post(make_post(published_at="2025-06-01T10:00:00"), site_id=site).status == "unchanged"
    assert arc.save_post(make_post(published_at="2025-06-01T08:00:00Z"), site_id=site).status == "unchanged"
    moved = arc.save_post(make_post(published_at="2025-06-01T11:00:00"), site_id=site)
    assert moved.changed_fields == ["published_at"]


def test_same_url_with_another_wp_id_is_another_post(arc, site):
    first = arc.save_post(make_post(), site_id=site)
    other = arc.save_post(make_post(wp_id=43), site_id=site)
    assert other.status == "new" and other.post_id != first.post_id


def test_delete_then_restore(arc, site):
    crawl = arc.start_crawl(site, {})
    first = arc.save_post(make_post(), site_id=site, crawl_id=crawl)
    assert arc.mark_deleted(site, wp_id=42, crawl_id=crawl) is True
    assert arc.mark_deleted(site, wp_id=42, crawl_id=crawl) is False
    assert arc.mark_deleted(site, url=BASE + "unknown/") is False
    assert arc.post(first.post_id)["deleted_at"] is not None
    assert list(arc.iter_posts(site)) == []
    assert [p["id"] for p in arc.iter_posts(site, include_deleted=True)] == [first.post_id]
    back = arc.save_post(make_post(), site_id=site, crawl_id=crawl)
    assert (back.status, back.version) == ("restored", 3)
    assert arc.post(first.post_id)["deleted_at"] is None
    assert [v[1] for v in versions(arc, first.post_id)] == ["new", "deleted", "restored"]
    crawl_row = arc.crawl(crawl)
    assert (crawl_row["posts_new"], crawl_row["posts_deleted"], crawl_row["posts_changed"]) == (1, 1, 1)


def test_versions_are_append_only(arc, site):
    first = arc.save_post(make_post(), site_id=site)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        arc.conn.execute("DELETE FROM post_versions WHERE post_id = ?", (first.post_id,))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        arc.conn.execute("UPDATE post_versions SET title = 'x'")


def test_crawl_counters_and_finish(arc, site):
    crawl = arc.start_crawl(site, {"since": "2025-01-01"})
    arc.record_fetch(crawl, BASE + "a/", status=200, body=b"<html>a</html>")
    arc.record_fetch(crawl, BASE + "b/", status=None, error="timeout")
    arc.save_post(make_post(), site_id=site, crawl_id=crawl)
    arc.save_post(make_post(), site_id=site, crawl_id=crawl)
    arc.save_post(make_post(title="Autre"), site_id=site, crawl_id=crawl)
    arc.count_error(crawl)
    arc.finish_crawl(crawl, "partial")
    row = arc.crawl(crawl)
    assert row["status"] == "partial" and row["finished_at"] and row["options"] == {"since": "2025-01-01"}
    counts = {k: row[k] for k in ("pages_fetched", "posts_new", "posts_changed", "posts_unchanged",
                                  "posts_deleted", "errors")}
    assert counts == dict(pages_fetched=2, posts_new=1, posts_changed=1, posts_unchanged=1, posts_deleted=0,
                          errors=1)
    assert arc.conn.execute("SELECT last_crawled_at FROM sites WHERE id = ?", (site,)).fetchone()[0] == \
        row["finished_at"]
    with pytest.raises(ValueError):
        arc.finish_crawl(crawl, "done")


def test_upsert_site_keeps_details_not_given(arc, site):
    assert arc.upsert_site(BASE) == site
    row = arc.conn.execute("SELECT name, language, is_wordpress FROM sites WHERE id = ?", (site,)).fetchone()
    assert tuple(row) == ("News", "fr-FR", 1)


def test_pages_are_content_addressed_and_compressed(arc, site):
    crawl = arc.start_crawl(site, {})
    body = ("<html><body>" + "<p>Les alliés se réunissent.</p>" * 200 + "</body></html>").encode()
    sha1 = arc.record_fetch(crawl, BASE + "a/", status=200, body=body,
                            headers={"ETag": '"v1"', "Last-Modified": "Mon, 02 Jun 2025 09:00:00 GMT",
                                     "Content-Type": "text/html; charset=UTF-8"}, elapsed_ms=12)
    sha2 = arc.record_fetch(crawl, BASE + "a/", status=200, body=body)
    assert sha1 == sha2 and arc.page_bytes(sha1) == body
    assert arc.conn.execute("SELECT count(*) FROM pages").fetchone()[0] == 1
    assert arc.conn.execute("SELECT count(*) FROM fetches").fetchone()[0] == 2
    stored = arc.conn.execute("SELECT stored_size, size FROM pages").fetchone()
    assert stored[0] < stored[1] / 10
    fetch = arc.conn.execute("SELECT etag, last_modified, content_type, bytes, elapsed_ms FROM fetches "
                             "ORDER BY id LIMIT 1").fetchone()
    assert tuple(fetch) == ('"v1"', "Mon, 02 Jun 2025 09:00:00 GMT", "text/html; charset=UTF-8", len(body), 12)
    assert arc.record_fetch(crawl, BASE + "c/", status=None, error="connection refused") is None
    with pytest.raises(KeyError):
        arc.page_bytes("0" * 64)


def test_conditional_headers_come_from_the_last_200(arc, site):
    crawl = arc.start_crawl(site, {})
    assert arc.conditional_headers(BASE + "a/") == {}
    arc.record_fetch(crawl, BASE + "a/", status=200, body=b"x", headers={"etag": '"1"'})
    arc.record_fetch(crawl, BASE + "a/", status=200, body=b"y",
                     headers={"ETag": '"2"', "Last-Modified": "Tue, 03 Jun 2025 09:00:00 GMT"})
    arc.record_fetch(crawl, BASE + "a/", status=304, headers={"ETag": '"3"'})
    assert arc.conditional_headers(BASE + "a/") == {"If-None-Match": '"2"',
                                                    "If-Modified-Since": "Tue, 03 Jun 2025 09:00:00 GMT"}


def test_site_dictionary_is_trained_and_old_pages_still_read_back(arc, site):
    crawl = arc.start_crawl(site, {})
    bodies = [(f"<html><head><title>Post {i}</title></head><body><nav>menu accueil défense europe</nav>"
               f"<article><p>Article numéro {i} sur la défense {i * 7}.</p></article></body></html>" * 5).encode()
              for i in range(40)]
    shas = [arc.record_fetch(crawl, f"{BASE}{i}/", status=200, body=b) for i, b in enumerate(bodies)]
    assert arc.conn.execute("SELECT count(*) FROM zstd_dicts WHERE site_id = ?", (site,)).fetchone()[0] == 1
    assert arc.conn.execute("SELECT count(*) FROM pages WHERE dict_id IS NULL").fetchone()[0] == 0
    assert [arc.page_bytes(s) for s in shas] == bodies
    with Archive(arc.path) as other:  # another process/connection reads them back too
        assert other.page_bytes(shas[0]) == bodies[0]


def french_pages(n: int, start: int = 0) -> list[bytes]:
    """Hand-written pages sharing boilerplate, like one site's posts."""
    return [(f"<html><head><title>Post {i}</title></head><body><nav>menu accueil défense europe</nav>"
             f"<article><p>Article numéro {i} sur la défense {i * 7}.</p></article></body></html>" * 5).encode()
            for i in range(start, start + n)]


def test_pages_packed_on_other_threads_are_stored_like_the_writers_own(arc, site):
    from concurrent.futures import ThreadPoolExecutor

    crawl = arc.start_crawl(site, {})
    early = french_pages(40)
    # before the site has a dictionary: packed without one, on 8 threads at once
    with ThreadPoolExecutor(8) as pool:
        packs = list(pool.map(lambda body: arc.pack_page(body, site), early))
    shas = [arc.record_fetch(crawl, f"{BASE}{i}/", status=200, body=b, packed=p)
            for i, (b, p) in enumerate(zip(early, packs))]
    assert shas == [p.sha256 for p in packs] and [arc.page_bytes(s) for s in shas] == early
    # the dictionary was trained on the way, so the packs made before it were recompressed by record_fetch
    assert arc.conn.execute("SELECT count(*) FROM pages WHERE dict_id IS NULL").fetchone()[0] == 0
    later = french_pages(40, start=40)
    with ThreadPoolExecutor(8) as pool:
        packs = list(pool.map(lambda body: arc.pack_page(body, site), later))
    dict_id = arc.conn.execute("SELECT id FROM zstd_dicts").fetchone()[0]
    assert {p.dict_id for p in packs} == {dict_id}
    shas = [arc.record_fetch(crawl, f"{BASE}l{i}/", status=200, body=b, packed=p)
            for i, (b, p) in enumerate(zip(later, packs))]
    stored = arc.conn.execute(f"SELECT data FROM pages WHERE sha256 IN ({', '.join('?' * len(shas))})",
                              shas).fetchall()
    assert sorted(bytes(r[0]) for r in stored) == sorted(p.data for p in packs)   # used as packed
    with Archive(arc.path) as other:
        assert [other.page_bytes(s) for s in shas] == later


def test_a_pack_made_with_a_dictionary_that_was_rolled_back_is_recompressed(arc, site):
    from scraper.store.connection import utc_now

    crawl = arc.start_crawl(site, {})
    pages = french_pages(17)
    for i, body in enumerate(pages[:15]):   # one short of training
        arc.record_fetch(crawl, f"{BASE}{i}/", status=200, body=body)
    body = french_pages(1, start=99)[0]
    with pytest.raises(RuntimeError):
        with arc.transaction():
            arc.codec.train(site, utc_now())
            stale = arc.pack_page(body, site)        # a fetch thread packs with the dictionary being trained...
            raise RuntimeError("...and the training transaction rolls back")
    assert stale.dict_id is not None
    for i, page in enumerate(pages[15:], start=15):   # the next training makes a dictionary with the same id
        arc.record_fetch(crawl, f"{BASE}{i}/", status=200, body=page)
    assert arc.conn.execute("SELECT id FROM zstd_dicts").fetchone()[0] == stale.dict_id
    sha = arc.record_fetch(crawl, f"{BASE}x/", status=200, body=body, packed=stale)
    with Archive(arc.path) as other:
        assert other.page_bytes(sha) == body
    with pytest.raises(ValueError):
        arc.record_fetch(crawl, f"{BASE}y/", status=200, body=body + b"!", packed=stale)


def test_api_view_is_kept_and_discrepancies_listed(arc, site):
    api = {"title": "L’OTAN se réunit", "comment_count": 4, "categories": ["Europe", "Défense"],
           "published_at": "2025-06-01T08:00:00Z"}
    res = arc.save_post(make_post(), site_id=site, api=api)
    row = arc.post(res.post_id)
    assert row["api_data"] == api
    assert row["discrepancies"] == {"title": {"page": "L'OTAN se réunit", "api": "L’OTAN se réunit"},
                                    "comment_count": {"page": 3, "api": 4}}
    # discrepancies are not tracked: the same page with another API answer makes no version
    again = arc.save_post(make_post(), site_id=site, api={"comment_count": 3})
    assert again.status == "unchanged"
    assert arc.post(res.post_id)["discrepancies"] is None


def test_frontier_resumes_and_requeues(arc, site):
    added = arc.frontier_add(site, [{"url": BASE + "a/", "wp_id": 1, "source": "rest", "reason": "new"},
                                    {"url": BASE + "b/", "source": "sitemap", "reason": "new", "priority": 5},
                                    {"url": BASE + "a/", "priority": 2}])
    assert added == 2
    assert [e["url"] for e in arc.frontier_next(site, 10)] == [BASE + "b/", BASE + "a/"]
    assert arc.frontier_next(site, 10)[1]["priority"] == 2 and arc.frontier_next(site, 10)[1]["wp_id"] == 1
    arc.frontier_done(site, BASE + "b/")
    arc.frontier_done(site, BASE + "c/", state="gone", error="404")
    assert arc.frontier_counts(site) == {"pending": 1, "done": 1, "gone": 1}
    with Archive(arc.path) as reopened:  # a killed crawl resumes from what is in the file
        assert [e["url"] for e in reopened.frontier_next(site, 10)] == [BASE + "a/"]
    assert arc.frontier_add(site, [{"url": BASE + "b/", "reason": "modified"}]) == 1
    arc.frontier_clear(site)
    assert arc.frontier_counts(site) == {"pending": 2}
    with pytest.raises(ValueError):
        arc.frontier_done(site, BASE + "a/", state="weird")


def test_site_state_and_listing(arc, site):
    assert arc.state_get(site, "comment_watermark", 0) == 0
    arc.state_set(site, "comment_watermark", 1234)
    arc.state_set(site, "feed", {"etag": '"x"', "totals": [1, 2]})
    assert arc.state_get(site, "comment_watermark") == 1234
    assert arc.state_get(site, "feed") == {"etag": '"x"', "totals": [1, 2]}
    arc.listing_put(site, [{"wp_id": 1, "url": BASE + "a/", "fingerprint": "f1", "modified_gmt": "2025-06-01T00:00:00"}])
    arc.listing_put(site, [{"wp_id": 1, "url": BASE + "a2/", "fingerprint": "f2", "modified_gmt": "2025-06-02T00:00:00"},
                           {"wp_id": 2, "url": BASE + "b/", "fingerprint": "g", "modified_gmt": None}])
    listing = arc.listing_get(site)
    assert set(listing) == {1, 2}
    assert listing[1]["url"] == BASE + "a2/" and listing[1]["fingerprint"] == "f2" and listing[1]["seen_at"]


def test_crawl_lock_is_exclusive_and_released(arc):
    with arc.crawl_lock():
        with Archive(arc.path) as other:
            with pytest.raises(ArchiveLocked, match="another crawl"):
                with other.crawl_lock():
                    pass
    with Archive(arc.path) as other:
        with other.crawl_lock():
            pass


def test_taxonomy_tables_follow_the_current_state(arc, site):
    first = arc.save_post(make_post(), site_id=site)
    arc.save_post(make_post(categories=["Europe", "Monde"]), site_id=site)
    names = [r[0] for r in arc.conn.execute(
        "SELECT c.name FROM post_categories pc JOIN categories c ON c.id = pc.category_id WHERE pc.post_id = ? "
        "ORDER BY c.name", (first.post_id,))]
    assert names == ["Europe", "Monde"]
    authors = [r[0] for r in arc.conn.execute(
        "SELECT a.name FROM post_authors pa JOIN authors a ON a.id = pa.author_id WHERE pa.post_id = ? "
        "ORDER BY pa.position", (first.post_id,))]
    assert authors == ["Marie Dupont", "Paul Martin"]


def test_a_term_added_in_a_rolled_back_transaction_is_added_again(arc, site):
    with pytest.raises(RuntimeError):
        with arc.transaction():
            arc.save_post(make_post(categories=["Nouvelle rubrique"]), site_id=site)
            raise RuntimeError("the crawl's transaction fails after the save")
    res = arc.save_post(make_post(wp_id=43, url=BASE + "2025/06/autre/", categories=["Nouvelle rubrique"]),
                        site_id=site)
    names = [r[0] for r in arc.conn.execute(
        "SELECT c.name FROM post_categories pc JOIN categories c ON c.id = pc.category_id WHERE pc.post_id = ?",
        (res.post_id,))]
    assert names == ["Nouvelle rubrique"]


def test_full_text_search_follows_title_and_body(arc, site):
    first = arc.save_post(make_post(), site_id=site)
    match = "SELECT rowid FROM posts_fts WHERE posts_fts MATCH ?"
    assert [r[0] for r in arc.conn.execute(match, ("defense",))] == [first.post_id]  # diacritics folded
    arc.save_post(make_post(body_text="Tout autre chose."), site_id=site)
    assert arc.conn.execute(match, ("haye",)).fetchall() == []
    assert [r[0] for r in arc.conn.execute(match, ("chose",))] == [first.post_id]


def test_a_field_only_the_api_has_is_not_a_discrepancy(arc, site):
    res = arc.save_post(make_post(excerpt=None, tags=[]), site_id=site,
                        api={"excerpt": "Résumé de l'API", "tags": ["otan"], "title": "L'OTAN se réunit"})
    assert arc.post(res.post_id)["discrepancies"] is None
    assert arc.post(res.post_id)["api_data"]["excerpt"] == "Résumé de l'API"


def test_threads_sharing_an_archive_take_turns(arc, site):
    import threading

    def save_many(offset: int) -> None:
        for i in range(100):
            arc.save_post(make_post(wp_id=offset + i, url=f"{BASE}{offset + i}/"), site_id=site)

    threads = [threading.Thread(target=save_many, args=(n * 1000,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert arc.conn.execute("SELECT count(*) FROM posts").fetchone()[0] == 400
    assert arc.conn.execute("SELECT count(*) FROM post_versions").fetchone()[0] == 400


@pytest.mark.parametrize("warning", ["parser error, record incomplete: RuntimeError: bug",
                                     "parser error: body extraction failed (AttributeError: bug)"])
def test_an_incomplete_record_never_replaces_a_version(arc, site, warning):
    """Review quality #1: Post.incomplete (a parser bug, whole page or one field) is refused by save and reparse."""
    post_id = arc.save_post(make_post(), site_id=site).post_id
    broken = make_post(body_text=None, body_html=None, warnings=[warning])
    with pytest.raises(IncompleteRecord, match="parser error"):
        arc.save_post(broken, site_id=site)
    with pytest.raises(IncompleteRecord, match="parser error"):
        arc.reparse_post(post_id, broken, "9.9")
    assert versions(arc, post_id) == [(1, "new", [])]
    assert arc.post(post_id)["body_text"] == make_post().body_text
