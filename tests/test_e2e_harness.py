"""Smoke tests proving the WordPress harness: real pages, real 404s, mutations that do what they say."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import requests
from lxml import html as lxml_html

from procs import group_pids
from tests.wordpress import WordPressSite

# Tests that take the `wordpress` fixtures are marked e2e by tests/conftest.py; the others here need no site.


def page_text(body: bytes) -> str:
    """Visible text of a page, whitespace (incl. no-break spaces) collapsed."""
    tree = lxml_html.fromstring(body)
    for bad in tree.xpath("//script|//style"):
        bad.drop_tree()
    return re.sub(r"\s+", " ", tree.text_content())


def squash(text: str) -> str:
    """Collapse whitespace the way page_text does."""
    return re.sub(r"\s+", " ", text)


SESSION = requests.Session()
SESSION.trust_env = False   # straight to 127.0.0.1, never through an http_proxy


def get(url: str, follow: bool = False) -> requests.Response:
    """GET; by default without following redirects (a redirect to a 404 would hide what the URL answers)."""
    return SESSION.get(url, timeout=30, allow_redirects=follow)


def test_every_published_post_page_shows_its_title(wordpress_clean: WordPressSite) -> None:
    truth = wordpress_clean.truth()
    assert len(truth["posts"]) >= 30
    for post in truth["posts"]:
        resp = get(post["url"])
        assert resp.status_code == 200, post["url"]
        assert squash(post["title"]) in page_text(resp.content), post["url"]


def test_unpublished_posts_are_not_reachable(wordpress_clean: WordPressSite) -> None:
    truth = wordpress_clean.truth()
    statuses = {p["status"] for p in truth["unpublished"]}
    assert {"draft", "private", "future", "pending", "trash"} <= statuses
    for post in truth["unpublished"]:
        for url in (post["url"], f"{wordpress_clean.base_url}?p={post['wp_id']}"):
            resp = get(url)
            if post["password_protected"]:
                # Reachable, but only as a password form: the body never reaches an anonymous visitor.
                secret = wordpress_clean.php(
                    f"echo harness_text(get_post({post['wp_id']})->post_content);", read_only=True)[:60]
                resp = get(url, follow=True)
                assert resp.status_code == 200 and b"post-password-form" in resp.content, url
                assert secret and secret not in page_text(resp.content), url
            else:
                assert resp.status_code == 404, (url, post["status"], resp.status_code)


def test_truth_reads_the_adversarial_corpus_back(wordpress_clean: WordPressSite) -> None:
    posts = {p["wp_id"]: p for p in wordpress_clean.truth()["posts"]}
    ids = wordpress_clean.ids
    seed = posts[ids["otan-la-haye"]]
    assert seed["categories"] == ["MONDE"] and seed["comment_count"] == 0
    assert seed["photo_caption"].endswith("Photo : @OTAN") and seed["photo_credit"] == "@OTAN"
    assert seed["body_text"].startswith("En marge du sommet") and seed["body_text"].endswith("Communiqué de l’OTAN.")
    assert "“" not in posts[ids["titre-piege"]]["title"] and "🎉" in posts[ids["titre-piege"]]["title"]
    assert posts[ids["nouvel-an"]]["published_at"] == "2025-01-01T00:30:00+01:00"
    assert posts[ids["debat"]]["comment_count"] == 12          # pending, spam and trashed ones do not count
    assert posts[ids["commentaires-fermes"]]["comments_open"] is False
    assert posts[ids["pagine"]]["page_count"] == 3
    assert 5000 <= len(posts[ids["dossier-long"]]["body_text"].split()) <= 6500
    assert posts[ids["meme-titre-1"]]["title"] == posts[ids["meme-titre-2"]]["title"]
    assert posts[ids["meme-titre-1"]]["url"] != posts[ids["meme-titre-2"]]["url"]
    assert "Presse & Communication" in {p["author"] for p in posts.values()}


def test_mutate_changes_what_it_says(wordpress_clean: WordPressSite) -> None:
    try:
        result = wordpress_clean.mutate()
        did, changed = result["intended"], {int(k): v for k, v in result["changed"].items()}
        assert "title" in changed[did["retitled"]]
        assert "body_text" in changed[did["body_edited"]]
        assert changed[int(next(iter(did["comments_added"])))] == ["comment_count"]
        assert did["pending_comment_on"] not in changed
        assert "categories" in changed[did["recategorised"]]
        assert result["removed"] == {did["trashed"]: "trash"}
        assert result["new"] == [did["published"]]
        published = {p["wp_id"] for p in result["truth"]["posts"]}
        for wp_id in set(did["author_renamed"]["posts"]) & published:
            assert "author" in changed[wp_id]
        after = {p["wp_id"]: p for p in result["truth"]["posts"]}
        retitled = get(after[did["retitled"]]["url"])
        assert squash(after[did["retitled"]]["title"]) in page_text(retitled.content)
        assert get(after[did["published"]]["url"]).status_code == 200
        trashed_url = next(p["url"] for p in result["truth"]["unpublished"] if p["wp_id"] == did["trashed"])
        assert get(trashed_url).status_code == 404
    finally:
        wordpress_clean.reset()
    assert not wordpress_clean.dirty
    assert wordpress_clean.truth()["site"]["published_count"] == len(result["truth"]["posts"])


@pytest.mark.parametrize("theme", ["twentytwentyone", "twentytwentytwo", "twentytwentythree"])
def test_themes_speak_french_and_english(wordpress: WordPressSite, theme: str) -> None:
    post_id = wordpress.ids["debat"]
    try:
        for locale, words in (("fr_FR", "Laisser un commentaire"), ("en_US", "Leave a")):
            wordpress.switch(theme=theme, locale=locale)
            url = next(p["url"] for p in wordpress.truth()["posts"] if p["wp_id"] == post_id)
            text = page_text(get(url).content)
            assert words in text, (theme, locale)
            assert wordpress.truth()["site"]["language"] == locale.replace("_", "-")
    finally:
        wordpress.switch(theme="twentytwentyone", locale="fr_FR")


def _listening_tcp_inodes() -> dict[str, str]:
    """inode -> local address of every listening TCP socket (from /proc/net/tcp and tcp6)."""
    out = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            cols = line.split()
            if cols[3] == "0A":   # LISTEN
                out[cols[9]] = cols[1]
    return out


def _socket_inodes(pid: int) -> set[str]:
    """Socket inodes held by a process."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd)
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def test_nothing_listens_beyond_loopback(wordpress: WordPressSite) -> None:
    listening = _listening_tcp_inodes()
    php_inodes = set().union(*(_socket_inodes(pid) for pid in group_pids(wordpress._php.pid)))
    php_addrs = {listening[i] for i in php_inodes if i in listening}
    assert php_addrs == {f"0100007F:{wordpress.port:04X}"}        # 127.0.0.1:PORT only
    assert not _socket_inodes(wordpress._mariadb.pid) & listening.keys()   # MariaDB: unix socket only


def test_sitemap_feed_and_rest_answer(wordpress: WordPressSite) -> None:
    for path, marker in (("wp-sitemap.xml", b"<sitemapindex"), ("feed/", b"<rss"),
                         ("wp-json/wp/v2/posts?per_page=100", b'"id"'), ("robots.txt", b"wp-sitemap.xml")):
        resp = get(wordpress.base_url + path)
        assert resp.status_code == 200 and marker in resp.content, path


FIXTURES = Path(__file__).parent / "fixtures" / "wordpress"
CAPTURE_BASE = "http://127.0.0.1:8089/"


def test_committed_fixtures_match_the_live_site(wordpress: WordPressSite) -> None:
    """The captured truth.json files are what the harness reads back today (else: re-run the capture)."""
    try:
        for theme in ("twentytwentyone", "twentytwentytwo", "twentytwentythree"):
            for locale in ("fr_FR", "en_US"):
                wordpress.switch(theme=theme, locale=locale)
                live = json.loads(json.dumps(wordpress.truth()).replace(wordpress.base_url, CAPTURE_BASE))
                saved = json.loads((FIXTURES / f"{theme}-{locale}" / "truth.json").read_text(encoding="utf-8"))
                for post in saved["posts"]:
                    for extra in ("file", "page_files", "on_page"):
                        post.pop(extra)
                assert saved == live, f"{theme}-{locale}: run python3 -m tests.wordpress.capture"
    finally:
        wordpress.switch(theme="twentytwentyone", locale="fr_FR")


def test_missing_packages_skip_but_fail_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    import tests.conftest as conftest
    monkeypatch.setattr(conftest, "missing_packages", lambda: ["mariadb-server"])
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="mariadb-server"):
        conftest._require_packages()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="mariadb-server"):
        conftest._require_packages()


def test_fixture_files_are_complete_and_small() -> None:
    """Every file named in the manifests exists; the whole fixture tree stays under 15 MB."""
    sets = sorted(p for p in FIXTURES.iterdir() if p.is_dir())
    assert len(sets) == 6
    for folder in sets:
        responses = json.loads((folder / "responses.json").read_text())
        assert all((folder / r["file"]).is_file() for r in responses)
        truth = json.loads((folder / "truth.json").read_text())
        assert {p["file"] for p in truth["posts"]} <= {r["file"] for r in responses}
    assert sum(f.stat().st_size for f in FIXTURES.rglob("*") if f.is_file()) < 15_000_000


def test_wordpress_cannot_reach_the_internet(wordpress: WordPressSite) -> None:
    out = wordpress.php("$r = wp_remote_get('https://wordpress.org/'); "
                        "echo is_wp_error($r) ? $r->get_error_code() : 'reached';", read_only=True)
    assert out == "http_request_blocked"
