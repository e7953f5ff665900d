"""Capture fixtures from the real test WordPress: `python3 -m tests.wordpress.capture`.

For every theme × locale it writes tests/fixtures/wordpress/<theme>-<locale>/:
  truth.json            truth() of the site, each post with "file", "page_files" (pages 2..N of <!--nextpage-->
                        posts) and "on_page" (which truth fields the page visibly shows, see on_page())
  responses.json        every captured response: path, status, headers (minus Date), file
  posts/<wp_id>.html.gz every published post page (posts/<wp_id>-p<N>.html.gz for its pages 2..N)
  http/*.gz             REST listings, wp-sitemap.xml and its sub-sitemaps, feed pages, robots.txt, home pages
The site runs on a fixed port (default 8089) so captures are byte-for-byte reproducible; URLs inside the
files are "http://127.0.0.1:8089/…" (a replay server on another port rewrites that prefix).
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import requests
from defusedxml import ElementTree
from lxml import html as lxml_html

from tests.wordpress.harness import LOCALES, THEMES, WordPressSite, stop_on_signals

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "wordpress"
CAPTURE_PORT = 8089
DROPPED_HEADERS = {"date"}   # the only header that changes from one capture to the next
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SITE_PATHS = ("robots.txt", "wp-sitemap.xml", "wp-json/wp/v2/posts?per_page=100",
              "wp-json/wp/v2/categories?per_page=100", "wp-json/wp/v2/tags?per_page=100",
              "wp-json/wp/v2/users?per_page=100")


def file_name(path: str) -> str:
    """A flat file name for a site path: 'wp-json/wp/v2/posts?per_page=100' -> 'wp-json_wp_v2_posts_per_page_100'."""
    return re.sub(r"[^A-Za-z0-9.-]+", "_", path).strip("_") or "home"


def main_text_and_images(page: bytes) -> tuple[str, set[str]]:
    """Visible text (whitespace collapsed) and image URLs of the page's <main> element."""
    tree = lxml_html.fromstring(page)
    main = (tree.xpath("//main") or [tree])[0]
    for bad in main.xpath(".//script|.//style"):
        bad.drop_tree()
    return re.sub(r"\s+", " ", main.text_content()), set(main.xpath(".//img/@src"))


def plain_quotes(text: str) -> str:
    """Undo wptexturize's curly quotes (block themes texturize author and term names too)."""
    return text.translate(str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'}))


def on_page(post: dict[str, Any], page: bytes) -> dict[str, bool]:
    """Which truth fields the post's first page shows inside <main> (a plain substring check, not a parser;
    curly quotes count as straight ones). Block themes print no featured-image caption, for instance.
    """
    text, images = main_text_and_images(page)
    text = plain_quotes(text)
    shown = lambda value: bool(value) and plain_quotes(re.sub(r"\s+", " ", value)) in text   # noqa: E731
    return {
        "title": shown(post["title"]),
        "author": shown(post["author"]),
        "categories": all(shown(c) for c in post["categories"]),
        "tags": all(shown(t) for t in post["tags"]),
        "featured_image": post["featured_image"] in images,
        "photo_caption": shown(post["photo_caption"]),
        "photo_credit": shown(post["photo_credit"]),
    }


class Capturer:
    """Fetches responses from the site and writes them, gzipped, with a manifest."""

    def __init__(self, site: WordPressSite, out: Path):
        self.site, self.out = site, out
        self.session = requests.Session()
        self.session.trust_env = False   # straight to 127.0.0.1, never through an http_proxy
        self.responses: list[dict[str, Any]] = []

    def fetch(self, path: str, rel_file: str) -> requests.Response:
        """GET base_url + path (no redirects followed), save body gzipped at rel_file, record it."""
        resp = self.session.get(self.site.base_url + path, allow_redirects=False, timeout=60)
        target = self.out / rel_file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(gzip.compress(resp.content, mtime=0))
        headers = [[k, v] for k, v in resp.raw.headers.items() if k.lower() not in DROPPED_HEADERS]
        self.responses.append({"path": "/" + path, "status": resp.status_code, "headers": headers,
                               "file": rel_file})
        return resp

    def fetch_until_missing(self, paths: list[str]) -> None:
        """Fetch paths in order, stopping after the first one that is not 200 (recorded too)."""
        for path in paths:
            if self.fetch(path, f"http/{file_name(path)}.gz").status_code != 200:
                return

    def capture_site(self) -> None:
        """Discovery endpoints: robots, sitemaps (index and children), REST listings, feed and home pages."""
        for path in SITE_PATHS:
            resp = self.fetch(path, f"http/{file_name(path)}.gz")
            if path == "wp-sitemap.xml":
                for loc in ElementTree.fromstring(resp.content).iter(SITEMAP_NS + "loc"):
                    sub = loc.text.removeprefix(self.site.base_url)
                    self.fetch(sub, f"http/{file_name(sub)}.gz")
        self.fetch_until_missing(["feed/"] + [f"feed/?paged={n}" for n in range(2, 10)])
        self.fetch_until_missing([""] + [f"page/{n}/" for n in range(2, 10)])

    def capture_posts(self, truth: dict[str, Any]) -> None:
        """Every published post's page (and its extra pages), recording the file names in the truth."""
        for post in truth["posts"]:
            path = post["url"].removeprefix(self.site.base_url)
            post["file"] = f"posts/{post['wp_id']}.html.gz"
            resp = self.fetch(path, post["file"])
            if resp.status_code != 200:
                raise RuntimeError(f"post {post['wp_id']} answered {resp.status_code}: {post['url']}")
            post["on_page"] = on_page(post, resp.content)
            post["page_files"] = [f"posts/{post['wp_id']}-p{n}.html.gz" for n in range(2, post["page_count"] + 1)]
            for n, rel in enumerate(post["page_files"], start=2):
                self.fetch(f"{path}{n}/", rel)

    def write_manifests(self, truth: dict[str, Any]) -> None:
        """truth.json and responses.json, sorted and indented so diffs stay readable."""
        dump = lambda obj: json.dumps(obj, ensure_ascii=False, indent=1, sort_keys=True) + "\n"   # noqa: E731
        (self.out / "truth.json").write_text(dump(truth), encoding="utf-8")
        (self.out / "responses.json").write_text(dump(self.responses), encoding="utf-8")


def capture(site: WordPressSite, theme: str, locale: str, root: Path) -> Path:
    """Switch the site to theme/locale and write its fixture folder (replacing an older one)."""
    site.switch(theme=theme, locale=locale)
    out = root / f"{theme}-{locale}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    truth = site.truth()
    cap = Capturer(site, out)
    cap.capture_posts(truth)
    cap.capture_site()
    cap.write_manifests(truth)
    return out


def folder_size(path: Path) -> int:
    """Bytes of all files under path."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main(argv: list[str] | None = None) -> int:
    """Capture the requested theme × locale sets; print one line per set."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=FIXTURES, help="fixture root (default: %(default)s)")
    ap.add_argument("--port", type=int, default=CAPTURE_PORT, help="fixed port, part of every captured URL")
    ap.add_argument("--themes", nargs="+", default=list(THEMES), choices=THEMES)
    ap.add_argument("--locales", nargs="+", default=list(LOCALES), choices=LOCALES)
    args = ap.parse_args(argv)
    with WordPressSite(port=args.port) as site:
        stop_on_signals(site)
        for theme in args.themes:
            for locale in args.locales:
                started = time.monotonic()
                out = capture(site, theme, locale, args.out)
                print(f"{out}: {len(json.loads((out / 'responses.json').read_text()))} responses, "
                      f"{folder_size(out) / 1e6:.2f} MB, {time.monotonic() - started:.1f} s")
    print(f"total {folder_size(args.out) / 1e6:.2f} MB in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
