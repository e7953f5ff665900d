"""A real, private WordPress for end-to-end tests and fixture capture (issue 2, items 3-5).

Interface other tests code against:

- pytest: the session-scoped fixture ``wordpress`` (tests/conftest.py) returns a started ``WordPressSite``;
  ``wordpress_clean`` is the same site, reset first if an earlier test changed it (mutate, php, or another
  theme/locale). Tests using either are marked ``e2e`` automatically. Without the Debian packages they skip
  with a one-line reason, except under ``CI=true`` where a missing package fails. The site is always torn
  down (end of session, Ctrl-C, SIGTERM; its servers also die if the test process is SIGKILLed).
- ``WordPressSite.base_url``: ``"http://127.0.0.1:PORT/"``.
- ``WordPressSite.truth() -> dict``: ground truth read back from WordPress:
  ``{"site": {name, description, url, language, locale, theme, timezone, ...},
  "posts": [{wp_id, url, status, title, author, authors, categories, tags, published_at, modified_at,
  featured_image, photo_caption, photo_credit, excerpt, body_text, comment_count, language, site_name,
  + extras page_count, body_pages, sticky, comments_open}, ...],       # published posts, by wp_id
  "unpublished": [{wp_id, status, url, title, password_protected}, ...]}``.
  Field names are the ``Post`` record's (scraper/record.py). body_text has one line per block element
  (all pages of a <!--nextpage--> post; body_pages one by one); excerpt is the hand-written one or None;
  photo_credit is the seeder's annotation of the lead caption, verified against the rendered caption.
  Truth is WordPress's data, not what a theme prints (block themes print no featured-image caption).
- ``WordPressSite.switch(theme=..., locale=...)``: themes twentytwentyone|twentytwentytwo|twentytwentythree,
  locales fr_FR|en_US (default after start/reset: twentytwentyone, fr_FR).
- ``WordPressSite.mutate() -> dict``: edits the site like life does and returns
  ``{"intended": {...what mutate.php did, by wp_id...}, "changed": {wp_id: [field, ...]},
  "new": [wp_id], "removed": {wp_id: status}, "truth": <truth after>}``. Call ``reset()`` first if another
  test may have mutated the site; mutate refuses to run twice without a reset.
- ``WordPressSite.reset()``: back to the seeded state (database restored from the template).
- ``WordPressSite.php(code) -> str``: run PHP inside WordPress (``echo`` what you want back).
- ``WordPressSite.ids``: corpus key -> wp_id (keys in tests/wordpress/corpus.py); ``.dirty``; ``.stop()``.
  Outside pytest: ``with WordPressSite() as site: ...`` (run from the repository root).
- Fixtures: ``python3 -m tests.wordpress.capture`` writes tests/fixtures/wordpress/<theme>-<locale>/
  (layout and caveats in tests/fixtures/wordpress/README.md); captured URLs start http://127.0.0.1:8089/.
"""
from tests.wordpress.harness import LOCALES, THEMES, WordPressSite, start_site
from tests.wordpress.template import HarnessError, PACKAGES, missing_packages

__all__ = ["WordPressSite", "start_site", "HarnessError", "missing_packages", "PACKAGES", "THEMES", "LOCALES"]
