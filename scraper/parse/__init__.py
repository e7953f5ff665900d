"""parse(html, url) -> Post: pure extraction of a WordPress post from its saved HTML.

`scraper/__init__.py` re-exports the function, so `scraper.parse(html)` is parse(); import the submodules by name
(`from scraper.parse import document`), as attribute access through `scraper.parse` reaches the function.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping

from scraper.record import PARSER_ERROR, Post

#: Bumped whenever parsing output changes; the archive tells re-parses from site edits by it.
PARSER_VERSION = "1.6"
#: sha256 of parse() output over the test fixtures made by each version (tests/test_parse_wordpress.py recomputes
#: it): output changed -> bump PARSER_VERSION and ADD a line here; never edit an existing one.
OUTPUT_DIGESTS = {
    "1.1": "a69e54e87a60b80bbdcb42dc2f92389ad7a0c9fa431a24a1eddd8cd07f2e1e98",
    "1.2": "03fb51d7b30f00aec0e7fb74fb1e9183438fbe1abe97721fccbe842439d8452e",
    "1.3": "8fd70b91e005eb74a7b1f11fac27f51c57be1ebb694f47d358022adeef327bf0",
    "1.4": "86b36dbfdbb680426179e13a64c91c5d32833521bbf0f49f64bb5a4e3980f22b",
    "1.5": "97ea23f3cfd1e5d257ca69c4769f96aa114f30833a128e47a08b83b0f3b0d059",   # digest also covers PATTERN_PAGES
    "1.6": "78d3175339162ba5c3812e22ce630c640953a755f352885832bba1c46033ec10",
}

log = logging.getLogger(__name__)


def parse(html: bytes | str, url: str | None = None, headers: Mapping[str, str] | None = None) -> Post:
    """Parse one saved page into a Post. Pure and deterministic; never raises (problems go to Post.warnings)."""
    from scraper.parse.extract import extract_into  # lazy: keeps `import scraper.parse` cheap for workers

    post = Post()
    try:
        extract_into(post, html, url, headers)
    except Exception as exc:  # last-resort guard: parse() must never raise; the record names the failure
        log.exception("parser failed on %s", url or "a page")
        post.warnings.append(f"{PARSER_ERROR}, record incomplete: {type(exc).__name__}: {exc}")
    return post
