"""parse(html, url) -> Post: pure extraction of a WordPress post from its saved HTML."""
from __future__ import annotations

from collections.abc import Mapping

from scraper.record import Post

#: Bumped whenever parsing output may change; the archive stamps reparse versions with it.
PARSER_VERSION = "0.1"


def parse(html: bytes | str, url: str | None = None, headers: Mapping[str, str] | None = None) -> Post:
    """Parse one saved page into a Post. Pure and deterministic; never raises."""
    raise NotImplementedError("parser not written yet (issue 3)")
