"""parse() against real WordPress output: pages captured from the test WordPress (6.1, Twenty Twenty-One/Two/Three,
fr_FR and en_US; tests/wordpress/capture.py) with the truth WordPress itself reports for each post.

Per theme × locale and post: every field equals the truth wherever the page shows it (the capture's `on_page`
flags), null where it does not (block themes print no featured-image caption; no theme here prints the modified
date or an excerpt), and body_text reaches token F1 >= 0.98 against the rendered content of that page.

One normalisation, on both sides: typographic apostrophes (’) compare equal to ASCII ones ('). WordPress's
wptexturize prints "O'Brien" as "O’Brien" in block-theme output, so the name on the page is the truth's name.
"""
from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import os
import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import pytest

from scraper.parse import OUTPUT_DIGESTS, PARSER_VERSION, parse
from scraper.record import Post
from scoring import token_f1, untexturize

FIXTURES = Path(os.environ.get("SCRAPER_WP_FIXTURES", Path(__file__).parent / "fixtures" / "wordpress"))
SETS = sorted(p.parent for p in FIXTURES.glob("*/truth.json"))
SHOWN_FIELDS = ("title", "author", "categories", "tags", "featured_image", "photo_caption", "photo_credit")
NEVER_SHOWN = ("modified_at", "excerpt")   # Twenty Twenty-One/Two/Three print neither
MIN_BODY_F1 = 0.98


def load_truth(folder: Path) -> dict:
    """truth.json of one theme × locale set."""
    return json.loads((folder / "truth.json").read_text(encoding="utf-8"))


def cases() -> list:
    """One case per (set, post)."""
    params = []
    for folder in SETS:
        for post in load_truth(folder)["posts"]:
            params.append(pytest.param(folder, post["wp_id"], id=f"{folder.name}:{post['wp_id']}"))
    return params or [pytest.param(None, None, marks=pytest.mark.skip(reason=f"no fixtures under {FIXTURES}"))]


@lru_cache(maxsize=None)
def truth_post(folder: Path, wp_id: int) -> dict:
    """The truth of one post."""
    return next(p for p in load_truth(folder)["posts"] if p["wp_id"] == wp_id)


@lru_cache(maxsize=None)
def parsed(folder: Path, rel_file: str) -> Post:
    """parse() of one captured page (gzip), once per session."""
    return parse(gzip.decompress((folder / rel_file).read_bytes()))


@pytest.mark.parametrize("folder,wp_id", cases())
def test_fields_equal_wordpress_truth(folder: Path, wp_id: int):
    truth = truth_post(folder, wp_id)
    post = parsed(folder, truth["file"])
    site = load_truth(folder)["site"]
    problems = []
    for name in SHOWN_FIELDS:
        want = truth[name] if truth["on_page"].get(name) else ([] if isinstance(truth[name], list) else None)
        got = getattr(post, name)
        texturized_but_shown = not truth["on_page"].get(name) and untexturize(got) == untexturize(truth[name])
        if untexturize(got) != untexturize(want) and not texturized_but_shown:
            problems.append(f"{name}: got {got!r}, expected {want!r} (on page: {truth['on_page'].get(name)})")
    for name in NEVER_SHOWN:
        if getattr(post, name) is not None:
            problems.append(f"{name}: got {getattr(post, name)!r}, expected null (the theme does not print it)")
    if datetime.fromisoformat(post.published_at or "1970-01-01T00:00:00+00:00") != datetime.fromisoformat(
            truth["published_at"]):
        problems.append(f"published_at: got {post.published_at!r}, expected the instant {truth['published_at']!r}")
    expected_plain = {"wp_id": wp_id, "url": truth["url"], "comment_count": truth["comment_count"],
                      "language": site["language"], "site_name": site["name"], "is_wordpress": True}
    if post.warnings:   # a crashing extractor only shows here: parse() turns it into a warning
        problems.append(f"warnings: {post.warnings!r}")
    if untexturize(post.authors) != untexturize([truth["author"]]) and truth["on_page"].get("author"):
        problems.append(f"authors: got {post.authors!r}, expected [{truth['author']!r}]")
    if not post.body_html or re.search(r"<(?:script|form|style)\b", post.body_html):
        problems.append(f"body_html: empty or holding a script/form/style ({(post.body_html or '')[:80]!r})")
    for name, want in expected_plain.items():
        if getattr(post, name) != want:
            problems.append(f"{name}: got {getattr(post, name)!r}, expected {want!r}")
    assert not problems, f"{folder.name} post {wp_id} ({truth['title']}):\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("folder,wp_id", cases())
def test_body_text_token_f1(folder: Path, wp_id: int):
    truth = truth_post(folder, wp_id)
    pages = truth["body_pages"] or [truth["body_text"]]
    for rel_file, expected in zip([truth["file"], *truth["page_files"]], pages, strict=True):
        got = parsed(folder, rel_file).body_text
        score = token_f1(expected, got)
        assert score >= MIN_BODY_F1, f"{folder.name} {rel_file}: body token F1 {score:.4f} < {MIN_BODY_F1}"


SEED_TITLE = "La Haye : l’OTAN mise sur l’innovation et la coopération industrielle pour renforcer sa défense"


@pytest.mark.parametrize("folder", SETS or [pytest.param(None, marks=pytest.mark.skip(reason="no fixtures"))],
                         ids=lambda folder: folder.name if folder else "none")
def test_the_users_seed_post(folder: Path):
    """The user's example (shared/seed) as the real WordPress renders it: what its README says a record holds."""
    seed = next(p for p in load_truth(folder)["posts"] if p["title"] == SEED_TITLE)
    post = parsed(folder, seed["file"])
    assert post.title == SEED_TITLE
    assert post.categories == ["MONDE"]
    assert post.comment_count == 0
    assert post.body_text.startswith("En marge du sommet")
    assert post.body_text.endswith("Source : Communiqué de l’OTAN.")
    if seed["on_page"]["photo_credit"]:   # block themes print no featured-image caption
        assert post.photo_credit == "@OTAN"


def output_digest() -> str:
    """sha256 of parse() output over every fixture page (real WordPress pages, feeds, and the hand-written themes)
    and over the hand-written open-world pattern pages of test_parse.py (since 1.5: rules only they exercise)."""
    fixtures = Path(__file__).parent / "fixtures"
    files = sorted([*fixtures.glob("wordpress/*/**/*.gz"), *fixtures.glob("themes/*.html")])
    digest = hashlib.sha256()
    for path in files:
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        digest.update(path.relative_to(fixtures).as_posix().encode() + b"\0")
        digest.update(json.dumps(parse(data).to_dict(), ensure_ascii=False, sort_keys=True).encode() + b"\0")
    for name, html in sorted(_pattern_pages().items()):
        digest.update(f"pattern:{name}".encode() + b"\0")
        digest.update(json.dumps(parse(html).to_dict(), ensure_ascii=False, sort_keys=True).encode() + b"\0")
    return digest.hexdigest()


def _pattern_pages() -> dict[str, str]:
    """test_parse.PATTERN_PAGES, loaded by path (tests/ is not a package)."""
    spec = importlib.util.spec_from_file_location("_parse_pattern_pages", Path(__file__).with_name("test_parse.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.PATTERN_PAGES


def test_parser_output_changes_come_with_a_new_parser_version():
    """The archive tells re-parses from site edits by PARSER_VERSION: any change of output must bump it.
    Output changed? Bump PARSER_VERSION in scraper/parse/__init__.py and ADD a line to OUTPUT_DIGESTS with the
    digest printed here (never edit an existing line): python3 -c 'from tests.test_parse_wordpress import
    output_digest; print(output_digest())'"""
    versions = list(OUTPUT_DIGESTS)
    assert versions[-1] == PARSER_VERSION, "the current PARSER_VERSION must be the last entry of OUTPUT_DIGESTS"
    assert len(set(OUTPUT_DIGESTS.values())) == len(versions), "two versions cannot share one output"
    got = output_digest()
    assert got == OUTPUT_DIGESTS[PARSER_VERSION], (
        f"parse() output over the fixtures changed ({got}) but PARSER_VERSION is still {PARSER_VERSION}: bump it "
        "and add the new digest to OUTPUT_DIGESTS")
