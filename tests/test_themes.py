"""Acceptance tests for parse() on hand-written theme fixtures (tests/fixtures/themes/).

Each `X.html` is a single-post page HAND-WRITTEN from the reference facts (theme templates, core and SEO-plugin
head output, language packs) — not captured from a live site; its first line is an HTML comment saying so.
Its `X.expected.json` holds what the page shows:

* Post field names (scraper/record.py) with their correct values; null where the page reveals nothing.
  Fields absent from the file are not checked (e.g. `excerpt` when the page prints no description, `body_html`,
  `sources`).
* `published_at` / `modified_at`: compared as instants when the expected value has a time and offset; when the page
  shows only a calendar day ("24 juin 2025") the expected value is that day ("2025-06-24") and only the day of the
  parsed value is compared (the time and offset it may attach are not checked).
* `body_text_start` / `body_text_end`: what body_text must begin / end with; `body_text_includes`: strings it must
  contain (e.g. a paragraph boundary "…Ukraine.\\n\\nFace à…"); `body_text_excludes`: page noise it must not contain.
  Runs of spaces/tabs (incl. no-break spaces) are collapsed to one space on both sides before comparing.
* `warnings_nonempty`: true when the record must carry at least one warning (e.g. a listing page).
* Keys starting with "_" are notes for humans, except `_fetched_url`: the URL passed to parse() (default: `url`).
"""
from __future__ import annotations

import functools
import json
import re
from datetime import datetime
from pathlib import Path

import pytest

import scraper
from scraper.record import Post

THEMES_DIR = Path(__file__).parent / "fixtures" / "themes"
FIXTURES = sorted(p.name[: -len(".html")] for p in THEMES_DIR.glob("*.html"))
POST_FIELDS = set(Post.__dataclass_fields__)
BODY_KEYS = {"body_text_start", "body_text_end", "body_text_includes", "body_text_excludes"}
EXTRA_KEYS = BODY_KEYS | {"warnings_nonempty"}
DATE_FIELDS = {"published_at", "modified_at"}
LABEL_MARK = "HAND-WRITTEN"


def load_expected(name: str) -> dict:
    """The expected.json of one fixture."""
    return json.loads((THEMES_DIR / f"{name}.expected.json").read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=None)
def parsed(name: str) -> Post:
    """parse() of one fixture, once per test session (the parser is pure and deterministic)."""
    expected = load_expected(name)
    html = (THEMES_DIR / f"{name}.html").read_bytes()
    return scraper.parse(html, url=expected.get("_fetched_url", expected.get("url")))


def checked_keys(name: str) -> list[str]:
    """The keys of one expected.json that are checks (not notes)."""
    return [k for k in load_expected(name) if not k.startswith("_")]


CASES = [pytest.param(name, key, id=f"{name}:{key}") for name in FIXTURES for key in checked_keys(name)]


def squash(text: str) -> str:
    """Collapse runs of horizontal whitespace (incl. no-break spaces) so layout spacing does not matter."""
    return re.sub(r"[^\S\n]+", " ", text)


def check_date(name: str, key: str, want: str | None, got: str | None) -> None:
    """Compare a date field: instants when a time is expected, calendar day when the page shows only a day."""
    if want is None:
        assert got is None, f"{name}: {key} should be null (the page shows no such date), got {got!r}"
        return
    assert got is not None, f"{name}: {key} is null, expected {want!r}"
    got_dt = datetime.fromisoformat(got)
    if len(want) == 10:
        assert got[:10] == want, f"{name}: {key} day is {got[:10]!r}, expected {want!r} (page shows only the day)"
        return
    assert got_dt.tzinfo is not None, f"{name}: {key} {got!r} has no UTC offset"
    assert got_dt == datetime.fromisoformat(want), f"{name}: {key} is {got!r}, expected the instant {want!r}"


def check_body(name: str, key: str, want, body: str | None) -> None:
    """Check one body_text_* expectation."""
    assert body is not None, f"{name}: body_text is null"
    text = squash(body.strip())
    if key == "body_text_start":
        assert text.startswith(squash(want)), f"{name}: body_text starts {text[:80]!r}, expected {want!r}"
    elif key == "body_text_end":
        assert text.endswith(squash(want)), f"{name}: body_text ends {text[-80:]!r}, expected {want!r}"
    elif key == "body_text_includes":
        missing = [s for s in want if squash(s) not in text]
        assert not missing, f"{name}: body_text lacks {missing!r}"
    else:
        leaked = [s for s in want if squash(s) in text]
        assert not leaked, f"{name}: body_text contains page noise {leaked!r}"


@pytest.mark.parametrize("name,key", CASES)
def test_field(name: str, key: str) -> None:
    """One expected field of one hand-written theme page."""
    want = load_expected(name)[key]
    post = parsed(name)
    if key in BODY_KEYS:
        check_body(name, key, want, post.body_text)
    elif key == "warnings_nonempty":
        assert bool(post.warnings) == want, f"{name}: warnings {post.warnings!r}, expected nonempty={want}"
    elif key in DATE_FIELDS:
        check_date(name, key, want, getattr(post, key))
    else:
        got = getattr(post, key)
        assert got == want, f"{name}: {key} is {got!r}, expected {want!r}"


# --- the fixtures themselves: labelled, well-formed expectations, values really on the page ---------------------

@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_is_labelled_hand_written(name: str) -> None:
    """Every page opens with a comment saying it is hand-written from the reference, not captured."""
    head = (THEMES_DIR / f"{name}.html").read_text(encoding="utf-8")[:600]
    assert head.lstrip().startswith("<!--") and LABEL_MARK in head, f"{name}.html lacks its hand-written label"


@pytest.mark.parametrize("name", FIXTURES)
def test_expected_keys_are_known(name: str) -> None:
    """An expected.json uses only Post field names, the body/warning checks and _notes (catches typos)."""
    unknown = [k for k in checked_keys(name) if k not in POST_FIELDS | EXTRA_KEYS]
    assert not unknown, f"{name}.expected.json has unknown keys {unknown}"
    assert "is_wordpress" in load_expected(name), f"{name}.expected.json must state is_wordpress"


@pytest.mark.parametrize("name", FIXTURES)
def test_expected_strings_are_on_the_page(name: str) -> None:
    """Every expected text value occurs in the page (as visible text or attribute/JSON), so no typo in truth."""
    from bs4 import BeautifulSoup  # only here: the fixture checks need a decoded view of the page

    raw = (THEMES_DIR / f"{name}.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(raw, "lxml")
    # visible text (with and without separators around inline tags), plus markup for attributes and JSON-LD
    page = squash(soup.get_text(" ") + " " + soup.get_text("") + " " + str(soup))
    page = page + " " + json.dumps(_json_ld_strings(soup), ensure_ascii=False)
    expected = load_expected(name)
    values: list[str] = []
    for key in ("title", "author", "photo_credit", "photo_caption", "featured_image", "site_name", "url",
                "body_text_start", "body_text_end"):
        if isinstance(expected.get(key), str):
            values.append(expected[key])
    for key in ("authors", "categories", "tags", "body_text_excludes"):
        values += expected.get(key) or []
    values += [s.split("\n\n")[0] for s in expected.get("body_text_includes", [])]
    missing = [v for v in values if squash(v) not in page]
    assert not missing, f"{name}: expected values not found in the page: {missing}"


def _json_ld_strings(soup) -> list:
    """Decoded JSON-LD blocks of a page (so values escaped inside JSON also count as on the page)."""
    blocks = []
    for script in soup.find_all("script", type="application/ld+json"):
        try:
            blocks.append(json.loads(script.string or ""))
        except json.JSONDecodeError:
            continue  # a deliberately broken block is allowed; it just proves nothing here
    return blocks
