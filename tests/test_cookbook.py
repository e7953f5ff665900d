"""Every SQL query of the README's archive cookbook runs, as written, and answers its question on a real archive."""
from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from scraper.record import Post
from scraper.store import Archive

README = Path(__file__).resolve().parent.parent / "README.md"
NEWS = "https://news.example/"


def cookbook() -> dict[str, str]:
    """Question heading -> SQL, from the README's archive section."""
    text = README.read_text(encoding="utf-8")
    section = text.split("<!-- section: archive -->", 1)[1].split("<!-- /section: archive -->", 1)[0]
    found = re.findall(r"^#### (\d+\. .+?)\n+```sql\n(.*?)```", section, flags=re.S | re.M)
    return {title.strip(): sql.strip() for title, sql in found}


def post(wp_id: int, **changes) -> Post:
    """Hand-written post records (not parser output) for a small news site."""
    base = {
        1: dict(title="L'OTAN se réunit à La Haye", author="Marie Dupont", categories=["Défense", "Europe"],
                tags=["otan", "sommet"], published_at="2025-05-10T10:00:00+02:00", comment_count=3,
                photo_credit="@OTAN", body_text="Les alliés se réunissent à La Haye pour parler de défense."),
        2: dict(title="Budget militaire en hausse", author="Paul Martin", categories=["Défense"], tags=["budget"],
                published_at="2025-06-02T08:00:00+02:00", comment_count=0, photo_credit="@OTAN",
                body_text="Le budget de la défense augmente."),
        3: dict(title="Les marchés rassurés", author="Marie Dupont", categories=["Économie"], tags=["otan"],
                published_at="2025-06-15T08:00:00+02:00", comment_count=1, photo_credit="AFP",
                body_text="Les marchés saluent l'accord."),
        4: dict(title="Article retiré", author="Paul Martin", categories=["Europe"], tags=[],
                published_at="2025-06-20T08:00:00+02:00", body_text="Ce texte sera retiré."),
    }[wp_id]
    base.update(url=f"{NEWS}{wp_id}/", wp_id=wp_id, authors=[base["author"]])
    base.update(changes)
    return Post(**base)


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """Two crawls of a small site: first sightings, then edits, comments, a deletion and an API disagreement."""
    path = tmp_path_factory.mktemp("cookbook") / "archive.db"
    with Archive(path) as arc:
        site = arc.upsert_site(NEWS, name="News")
        first = arc.start_crawl(site, {})
        for wp_id in (1, 2, 3, 4):
            sha = arc.record_fetch(first, f"{NEWS}{wp_id}/", status=200, body=f"<html>{wp_id}</html>".encode(),
                                   headers={"ETag": f'"{wp_id}"'})
            arc.save_post(post(wp_id), site_id=site, crawl_id=first, page_sha256=sha)
        arc.finish_crawl(first, "complete")
        second = arc.start_crawl(site, {})
        arc.record_fetch(second, f"{NEWS}1/", status=200, body=b"<html>1 edited</html>")
        for wp_id in (2, 3):
            arc.record_fetch(second, f"{NEWS}{wp_id}/", status=304)
        arc.save_post(post(1, title="L'OTAN s'accorde à La Haye", comment_count=5), site_id=site, crawl_id=second)
        arc.save_post(post(2, comment_count=2), site_id=site, crawl_id=second,
                      api={"title": "Budget militaire en hausse", "comment_count": 4})
        arc.save_post(post(3), site_id=site, crawl_id=second)
        arc.mark_deleted(site, wp_id=4, crawl_id=second)
        arc.finish_crawl(second, "complete")
    return path


def rows(path: Path, sql: str, **params) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return [tuple(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def check_changed_this_week(result):
    assert [(r[2], r[4]) for r in result] == [(f"{NEWS}4/", "deleted"), (f"{NEWS}2/", "changed"),
                                              (f"{NEWS}1/", "changed")]


def check_titles(result):
    assert [(r[0], r[1], r[2]) for r in result] == [(f"{NEWS}1/", "L'OTAN se réunit à La Haye",
                                                     "L'OTAN s'accorde à La Haye")]


def check_comments(result):
    assert [(r[0], r[2]) for r in result] == [(1, 3), (2, 5)]


def check_authors_per_category(result):
    assert result == [("Défense", "Marie Dupont", 1), ("Défense", "Paul Martin", 1),
                      ("Europe", "Marie Dupont", 1), ("Économie", "Marie Dupont", 1)]


def check_search(result):
    assert [r[0] for r in result] == [f"{NEWS}2/", f"{NEWS}1/"]  # budget de la défense: title match ranks first
    assert "[défense]" in result[0][2]


def check_deleted(result):
    assert [(r[0], r[1]) for r in result] == [(f"{NEWS}4/", "Article retiré")] and result[0][2]


def check_per_month(result):
    assert result == [("Défense", "2025-05", 1), ("Europe", "2025-05", 1), ("Défense", "2025-06", 1),
                      ("Économie", "2025-06", 1)]


def check_discrepancies(result):
    assert result == [(f"{NEWS}2/", "comment_count", 2, 4)]


def check_crawls(result):
    assert [(r[3], r[4], r[5], r[6], r[7], r[8]) for r in result] == [("complete", 3, 0, 2, 1, 1),
                                                                       ("complete", 4, 4, 0, 0, 0)]


def check_most_edited(result):
    assert {r[0] for r in result} == {f"{NEWS}1/", f"{NEWS}2/"} and all(r[2] == 1 for r in result)


def check_as_of(result):
    assert len(result) == 1 and result[0][2] == "L'OTAN s'accorde à La Haye" and result[0][0] == 2


def check_tags(result):
    assert result == [("otan", 2), ("budget", 1), ("sommet", 1)]


def check_credits(result):
    assert result == [("@OTAN", 2), ("AFP", 1)]


def check_304(result):
    assert [(r[1], r[2]) for r in result] == [(4, 0), (3, 2)]


CHECKS = {
    "1. What changed this week?": (check_changed_this_week, {}),
    "2. Posts whose title changed, and how": (check_titles, {}),
    "3. Comment counts over time for one post": (check_comments, {"url": f"{NEWS}1/"}),
    "4. Most prolific authors per category": (check_authors_per_category, {}),
    "5. Full-text search with snippets": (check_search, {"query": "defense budget OR haye"}),
    "6. Posts deleted from the site, with their last title": (check_deleted, {}),
    "7. Posts per category per month": (check_per_month, {}),
    "8. Where the page and the REST API disagree": (check_discrepancies, {}),
    "9. Every crawl of every site, with what it found": (check_crawls, {}),
    "10. Posts edited most often on the site": (check_most_edited, {}),
    "11. A post as it was on a given date": (check_as_of, {"url": f"{NEWS}1/", "date": "2999-01-01"}),
    "12. Most used tags": (check_tags, {}),
    "13. Photo credits, most frequent first": (check_credits, {}),
    "14. How much the conditional requests saved (304 Not Modified per crawl)": (check_304, {}),
}


def test_cookbook_has_at_least_ten_questions_each_checked():
    assert len(cookbook()) >= 10
    assert set(cookbook()) == set(CHECKS)


@pytest.mark.parametrize("title", sorted(CHECKS))
def test_cookbook_query(archive, title):
    check, params = CHECKS[title]
    check(rows(archive, cookbook()[title], **params))


def readme_datasette_metadata() -> dict:
    """The metadata.json the README's archive section tells Datasette users to write."""
    import json

    text = README.read_text(encoding="utf-8")
    section = text.split("<!-- section: archive -->", 1)[1].split("<!-- /section: archive -->", 1)[0]
    return json.loads(re.search(r"```json\n(.*?)```", section, flags=re.S).group(1))


def test_datasette_searches_the_posts_view_with_the_readme_metadata(archive):
    """Review 45 #10: without the metadata `?_search=` on `posts` was ignored (every row came back)."""
    import asyncio

    datasette_app = pytest.importorskip("datasette.app")
    ds = datasette_app.Datasette([str(archive)], metadata=readme_datasette_metadata())

    async def titles(query: str) -> list[str]:
        response = await ds.client.get(f"/archive/posts.json?_search={query}&_shape=array")
        assert response.status_code == 200, response.text
        return sorted(row["title"] for row in response.json())
    assert asyncio.run(titles("budget")) == ["Budget militaire en hausse"]
    assert asyncio.run(titles("nonsenseword")) == []


def test_the_sqlite_utils_cli_reads_the_archive(archive):
    """sqlite-utils stays a dependency for its command line on archive.db (README); it must read the file."""
    import json
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "sqlite_utils", "query", str(archive),
                             "SELECT count(*) AS n FROM posts"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [{"n": sqlite3.connect(archive).execute("SELECT count(*) FROM posts")
                                          .fetchone()[0]}]
