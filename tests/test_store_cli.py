"""reparse over stored pages with the real parser, and the archive CLI commands on real archive files."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.cli import main
from scraper.parse import PARSER_VERSION, parse
from scraper.store import Archive
from scraper.store.reparse import reparse

THEME_PAGES = sorted((Path(__file__).parent / "fixtures" / "themes").glob("*.html"))
TITLED = sum(1 for page in THEME_PAGES if parse(page.read_bytes()).title)
SITE = "https://seed.example/"


def archive_pages(path: Path, *, older_parser: bool) -> list[int]:
    """Fetch-and-save the theme fixture pages; `older_parser` mimics an earlier parser that read titles badly."""
    ids = []
    with Archive(path) as arc:
        site = arc.upsert_site(SITE, name="Seed")
        crawl = arc.start_crawl(site, {})
        for page in THEME_PAGES:
            body = page.read_bytes()
            sha = arc.record_fetch(crawl, SITE + page.name, status=200, body=body)
            post = parse(body)
            if older_parser and post.title:
                post.title = f"{post.title} | Seed"     # what a parser that kept the site-name suffix produced
            ids.append(arc.save_post(post, site_id=site, crawl_id=crawl, page_sha256=sha).post_id)
        if older_parser:
            arc.conn.execute("UPDATE post_state SET parser_version = '0.9'")
        arc.finish_crawl(crawl, "complete")
    return ids


@pytest.fixture
def db(tmp_path) -> Path:
    assert THEME_PAGES, "theme fixture pages are missing"
    path = tmp_path / "archive.db"
    archive_pages(path, older_parser=True)
    return path


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("processes", [1, 2])
def test_reparse_records_parser_differences_as_reparse_versions(db, processes):
    with Archive(db) as arc:
        report = reparse(arc, processes=processes)
        assert (report.pages, report.changed, report.failed) == (len(THEME_PAGES), TITLED, 0)
        assert report.changed_fields == {"title": TITLED}
        rows = arc.conn.execute("SELECT reason, changed_fields, parser_version, crawl_id FROM post_versions "
                                "WHERE version = 2").fetchall()
        assert [tuple(r) for r in rows] == [("reparse", '["title"]', PARSER_VERSION, None)] * TITLED
        assert all(not (t or "").endswith("| Seed") for (t,) in arc.conn.execute("SELECT title FROM posts"))
        stamps = arc.conn.execute("SELECT DISTINCT parser_version FROM posts").fetchall()
        assert [tuple(r) for r in stamps] == [(PARSER_VERSION,)]
        again = reparse(arc, processes=processes)
        assert (again.changed, again.unchanged) == (0, len(THEME_PAGES))


def _body_bug(post, page):
    raise AttributeError("simulated bug in the body extractor")


def _whole_page_bug(post, html, url, headers):
    raise AttributeError("simulated parser bug")


@pytest.mark.parametrize("crash", ["whole page", "one field"])
def test_reparse_with_a_crashing_parser_fails_and_keeps_the_archived_posts(db, monkeypatch, crash):
    """Review quality #1: a parser bug during reparse is counted as failed and makes no version."""
    from scraper.parse import extract

    if crash == "whole page":
        monkeypatch.setattr(extract, "extract_into", _whole_page_bug)
    else:
        monkeypatch.setattr(extract, "_EXTRACTORS", [(name, _body_bug if name == "body" else extractor)
                                                     for name, extractor in extract._EXTRACTORS])
    with Archive(db) as arc:
        before = arc.conn.execute("SELECT id, title, body_text FROM posts ORDER BY id").fetchall()
        report = reparse(arc, processes=1)
        broken = sum(parse(page.read_bytes()).incomplete for page in THEME_PAGES)
        assert broken > 0 and (report.pages, report.changed, report.failed) == (len(THEME_PAGES), 0, broken)
        after = arc.conn.execute("SELECT id, title, body_text FROM posts ORDER BY id").fetchall()
        assert [tuple(r) for r in after] == [tuple(r) for r in before]
        assert arc.conn.execute("SELECT count(*) FROM post_versions WHERE version > 1").fetchone()[0] == 0


def test_reparse_selects_site_and_since(db):
    with Archive(db) as arc:
        assert reparse(arc, since="2999-01-01", processes=1).pages == 0
        other = arc.upsert_site("https://other.example/")
        assert reparse(arc, site_id=other, processes=1).pages == 0


def test_crawl_of_the_same_page_with_a_new_parser_is_a_reparse_not_an_edit(db):
    with Archive(db) as arc:
        site = arc.conn.execute("SELECT id FROM sites").fetchone()[0]
        page = THEME_PAGES[0]
        sha = arc.record_fetch(None, SITE + page.name, status=200, body=page.read_bytes())
        res = arc.save_post(parse(page.read_bytes()), site_id=site, page_sha256=sha)
        assert (res.status, res.changed_fields) == ("changed", ["title"])
        reason = arc.conn.execute("SELECT reason FROM post_versions WHERE post_id = ? AND version = 2",
                                  (res.post_id,)).fetchone()[0]
        assert reason == "reparse"


def test_reparse_command(db):
    result = run("reparse", "--db", str(db), "-j", "2")
    assert result.exit_code == 0
    assert f"reparsed {len(THEME_PAGES)} pages with parser {PARSER_VERSION}" in result.output
    assert f"{TITLED} posts changed" in result.output and "title " in result.output


def test_history_shows_versions_and_diffs(db):
    with Archive(db) as arc:
        post = arc.conn.execute("SELECT id, url, title FROM posts ORDER BY id LIMIT 1").fetchone()
        body = arc.post(post["id"])["body_text"]
        site = arc.conn.execute("SELECT id FROM sites").fetchone()[0]
        edited = parse(THEME_PAGES[0].read_bytes())
        edited.title = post["title"]
        edited.body_text = body.replace(body.split()[0], "ÉDITÉ", 1)
        arc.save_post(edited, site_id=site)
    result = run("history", post["url"], "--db", str(db))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "v1 " in out and "v2 " in out and " changed " in out and "changed: body_text" in out
    assert "--- v1" in out and "+++ v2" in out and "+ÉDITÉ" in out.replace(" ", "")
    by_id = run("history", str(post["id"]), "--db", str(db))
    assert by_id.output == out


def test_history_unknown_post_and_missing_archive(db, tmp_path):
    result = CliRunner().invoke(main, ["history", "https://nowhere.example/", "--db", str(db)])
    assert result.exit_code == 1 and "no post with id or URL" in result.output
    missing = CliRunner().invoke(main, ["stats", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 4 and "none.db: no such archive" in missing.output


def test_corrupt_archive_exits_4_naming_the_file(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"garbage" * 1000)
    for command in (["stats"], ["search", "x"], ["reparse"], ["export"]):
        result = CliRunner().invoke(main, [*command, "--db", str(bad)])
        assert result.exit_code == 4, command
        assert "bad.db: is not a SQLite database or is corrupt" in result.output


def test_search_with_snippets_and_bad_syntax(db):
    result = run("search", "OTAN", "--db", str(db))
    assert result.exit_code == 0
    assert "[OTAN]" in result.output and "https://infos-defense.example/" in result.output
    assert "[" in result.output.splitlines()[2]  # the snippet line highlights the match
    folded = run("search", "defense", "--db", str(db))  # accents are folded
    assert "infos-defense" in folded.output
    odd = run("search", 'OTAN"(', "--db", str(db))  # not FTS5 syntax: searched as plain words
    assert odd.exit_code == 0
    # hyphenated words (review 45 #10): as written when the text has them, else each word anywhere (a slug)
    assert "Seine" in run("search", "Seine-Maritime", "--db", str(db)).output
    assert "infos-defense" in run("search", "defense-otan", "--db", str(db)).output


def test_export_jsonl_and_csv(db):
    lines = run("export", "--db", str(db)).output.splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == len(THEME_PAGES)
    assert all(isinstance(r["categories"], list) and r["site"] == SITE for r in records)
    table = list(csv.DictReader(io.StringIO(run("export", "--db", str(db), "--format", "csv").output)))
    assert [row["url"] for row in table] == [r["url"] for r in records]
    assert json.loads(table[0]["tags"]) == records[0]["tags"]
    assert run("export", "--db", str(db), "--since", "2999-01-01").output == ""
    assert len(run("export", "--db", str(db), "--site", "seed.example").output.splitlines()) == len(THEME_PAGES)
    unknown = CliRunner().invoke(main, ["export", "--db", str(db), "--site", "nope.example"])
    assert unknown.exit_code == 1 and "matches no site" in unknown.output


def test_stats(db):
    out = run("stats", "--db", str(db)).output
    assert f"posts {len(THEME_PAGES)}, deleted 0, versions {len(THEME_PAGES)}" in out
    figures = json.loads(run("stats", "--db", str(db), "--json").output)
    assert figures["pages"] == len(THEME_PAGES) and figures["page_bytes_stored"] < figures["page_bytes_raw"]
    finished = figures["sites"][0]["last_crawled_at"]
    with Archive(db) as arc:                       # a crawl starts: the last finished one is still what stats shows
        running = arc.start_crawl(1, {})
    out = run("stats", "--db", str(db)).output     # review 45 #10: no 'last <previous time> running' mix-up
    assert f"last {finished} complete (crawl {running} unfinished: running, or killed)" in out


@pytest.mark.parametrize("command", ["reparse", "history", "search", "export", "stats"])
def test_help_has_an_example(command):
    result = run(command, "--help")
    assert result.exit_code == 0 and "Example" in result.output and "--db" in result.output


def test_schema_file_reaches_the_package():
    from importlib.resources import files

    packaged = files("scraper").joinpath("schema.sql").read_text(encoding="utf-8")
    assert packaged == (Path(__file__).parent.parent / "schema.sql").read_text(encoding="utf-8")


def test_reparse_refuses_while_a_crawl_holds_the_archive(db):
    with Archive(db) as arc, arc.crawl_lock():
        result = CliRunner().invoke(main, ["reparse", "--db", str(db), "-j", "1"])
    assert result.exit_code == 5 and "another crawl" in result.output


def test_history_finds_a_post_by_its_former_url(db):
    with Archive(db) as arc:
        site = arc.conn.execute("SELECT id FROM sites").fetchone()[0]
        post = parse(THEME_PAGES[0].read_bytes())
        old_url = arc.conn.execute("SELECT url FROM posts WHERE wp_id = ?", (post.wp_id,)).fetchone()[0]
        post.url = old_url + "renamed/"
        arc.save_post(post, site_id=site)
    result = run("history", old_url, "--db", str(db))
    assert result.exit_code == 0 and "changed: " in result.output and "url" in result.output
    assert f"+ {old_url}renamed/" in result.output
