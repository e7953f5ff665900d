"""parse(html, url) -> Post: pure extraction of a WordPress post from its saved HTML."""
from __future__ import annotations

import logging
from collections.abc import Mapping

from scraper.record import Post

#: Bumped whenever parsing output may change; the archive stamps reparse versions with it.
PARSER_VERSION = "1.0"

log = logging.getLogger(__name__)


def parse(html: bytes | str, url: str | None = None, headers: Mapping[str, str] | None = None) -> Post:
    """Parse one saved page into a Post. Pure and deterministic; never raises (problems go to Post.warnings)."""
    from scraper.parse.extract import extract_into  # lazy: keeps `import scraper.parse` cheap for workers

    post = Post()
    try:
        extract_into(post, html, url, headers)
    except Exception as exc:  # last-resort guard: parse() must never raise; the record names the failure
        log.exception("parser failed on %s", url or "a page")
        post.warnings.append(f"parser error, record incomplete: {type(exc).__name__}: {exc}")
    return post
