"""Posts split with <!--nextpage-->: the links to pages 2..N, and one Post from all pages (pure, no I/O).

The crawl passes the further pages it fetched, reparse the ones the archive stored: both parse them the same way.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from urllib.parse import urljoin

from scraper.parse import parse
from scraper.record import Post
from scraper.urls import host_key

#: Tag and attribute names in any case; the class name as WordPress writes it (class names are case-sensitive),
#: which is also what post_page_links' substring pre-check looks for.
PAGE_LINK = re.compile(rb'(?i:<a\s[^>]*class=["\'][^"\']*)post-page-numbers[^>]*>')
HREF_BYTES = re.compile(rb'href=["\']([^"\']+)["\']', re.I)
MAX_POST_PAGES = 50

#: A further page's body and response headers (the Content-Type's charset matters), or None when it is missing.
FurtherPage = Callable[[str], "tuple[bytes, Mapping[str, str] | None] | None"]


def post_page_links(body: bytes, url: str) -> list[str]:
    """URLs of pages 2..N of a post split with <!--nextpage--> (wp_link_pages' post-page-numbers links)."""
    if b"post-page-numbers" not in body:   # most pages: one substring test instead of a regex pass
        return []
    links: list[str] = []
    for tag in PAGE_LINK.finditer(body):
        href = HREF_BYTES.search(tag.group(0))
        if href:
            link = urljoin(url, href.group(1).decode("utf-8", "replace").replace("&amp;", "&"))
            if link != url and link not in links and host_key(link) == host_key(url):
                links.append(link)
    return links[:MAX_POST_PAGES]


def merge_page(post: Post, page: Post) -> None:
    """Append a further page's body to the post (a split post is one post with one body)."""
    if page.body_text:
        post.body_text = "\n\n".join(filter(None, [post.body_text, page.body_text]))
    if page.body_html:
        post.body_html = "\n".join(filter(None, [post.body_html, page.body_html]))


def parse_post(body: bytes, url: str, headers: Mapping[str, str] | None, further: FurtherPage) -> Post:
    """parse() of a post's first page with its further pages (looked up by URL with `further`) merged in.
    KeyError naming the page when `further` has none for one of the links."""
    post = parse(body, url=url, headers=headers)
    for link in post_page_links(body, url):
        page = further(link)
        if page is None:
            raise KeyError(f"page {link} of post {url} was never stored")
        merge_page(post, parse(page[0], url=url, headers=page[1]))
    return post
