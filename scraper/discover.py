"""Find a WordPress site's published posts: detection, REST listing, sitemaps, feeds, pagination, links.

Everything here is about URLs and listings; fetching goes through a `scraper.fetch.Fetcher`, so the
politeness rules (robots.txt, delay, retries, size limits) apply to discovery requests too.
"""
from __future__ import annotations

import gzip
import hashlib
import html
import io
import json
import logging
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_xml_fromstring
from xml.etree.ElementTree import ParseError

from scraper.exceptions import FetchError
from scraper.urls import COMMENT_PAGE_SUFFIX, canonicalize, host_key, shortlink_id  # noqa: F401 - re-exported

if TYPE_CHECKING:
    from scraper.fetch import Fetcher, Response

log = logging.getLogger("scraper.discover")
T = TypeVar("T")

#: Reserved path segments, each only where WordPress's rewrite rules put it (a post may be slugged 'comments', and
#: a category 'type'): first after the site's path, last, or second to last (attachment/<name>, feed/<type>).
FIRST_SEGMENTS = {"category": "category archive", "tag": "tag archive", "author": "author archive",
                  "search": "search", "page": "pagination"}
ANY_SEGMENT = {"wp-admin": "admin", "wp-json": "REST API", "wp-content": "asset", "wp-includes": "asset"}
LAST_SEGMENTS = {"feed": "feed", "embed": "embed", "trackback": "trackback"}
FEED_TYPES = frozenset({"feed", "rss", "rss2", "rdf", "atom"})
POST_FORMATS = frozenset({"aside", "gallery", "link", "image", "quote", "status", "video", "audio", "chat"})
NON_POST_FILES = {"wp-login.php": "login", "xmlrpc.php": "XML-RPC", "wp-cron.php": "cron",
                  "wp-signup.php": "login", "wp-trackback.php": "trackback", "wp-comments-post.php": "comment form"}
NON_POST_QUERY = {"s": "search", "cat": "category archive", "tag": "tag archive", "author": "author archive",
                  "m": "date archive", "year": "date archive", "monthnum": "date archive", "attachment_id": "attachment",
                  "feed": "feed", "paged": "pagination", "page_id": "page", "preview": "preview",
                  "rest_route": "REST API", "sitemap": "sitemap", "author_name": "author archive",
                  "post_format": "post-format archive", "action": "admin"}
ASSET_EXTENSIONS = re.compile(
    r"\.(jpe?g|png|gif|webp|avif|svg|ico|bmp|tiff?|pdf|zip|gz|rar|7z|mp[34]|m4a|wav|ogg|webm|mov|avi|"
    r"css|js|json|xml|txt|docx?|xlsx?|pptx?|odt|woff2?|ttf|eot)$", re.I)
DATE_ARCHIVE = re.compile(r"^/\d{4}(/\d{1,2}(/\d{1,2})?)?/?$")
PAGINATION_SUFFIX = re.compile(r"/page/\d+/?$")


# --------------------------------------------------------------------------------------------- URLs

def _query_reason(parts) -> str | None:
    """The non-post kind a query parameter names (?s= search, ?cat= archive...), the same whatever their order."""
    params = {k.lower() for k, _ in parse_qsl(parts.query, keep_blank_values=True)}
    return next((reason for name, reason in NON_POST_QUERY.items() if name in params), None)


def non_post_reason(url: str, site: str, allow_hosts: frozenset[str] = frozenset()) -> str | None:
    """Why `url` is certainly not a post of `site` (category, feed, other host…), or None if it may be one."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return "not http"
    if host_key(url) != host_key(site) and host_key(url) not in allow_hosts:
        return "other host"
    query_reason = _query_reason(parts)
    if query_reason:
        return query_reason
    if shortlink_id(url) is not None:
        return None
    site_path = urlsplit(site).path.rstrip("/")
    path = parts.path
    if site_path and path.startswith(site_path):
        path = path[len(site_path):] or "/"
    if path in ("", "/"):
        return "home page"
    if COMMENT_PAGE_SUFFIX.search(path):
        return "comment page"
    if DATE_ARCHIVE.match(path):
        return "date archive"
    if PAGINATION_SUFFIX.search(path):
        return "pagination"
    segments = [s for s in path.split("/") if s]
    reason = _reserved_segment_reason(segments)
    if reason:
        return reason
    if ASSET_EXTENSIONS.search(path):
        return "file"
    return None


def _reserved_segment_reason(segments: list[str]) -> str | None:
    """Why a path (split into segments below the site's path) is a WordPress archive, feed or system URL."""
    for segment in segments:
        if segment in NON_POST_FILES:
            return NON_POST_FILES[segment]
        if segment.lower() in ANY_SEGMENT:
            return ANY_SEGMENT[segment.lower()]
    lowered = [s.lower() for s in segments]
    first, last = lowered[0], lowered[-1]
    if len(lowered) >= 2 and first in FIRST_SEGMENTS:
        return FIRST_SEGMENTS[first]
    if first == "type" and len(lowered) >= 2 and lowered[1] in POST_FORMATS:
        return "post-format archive"
    if last in LAST_SEGMENTS and (len(lowered) >= 2 or last == "feed"):   # /feed/ itself; /embed/ may be a slug
        return LAST_SEGMENTS[last]
    if len(lowered) >= 2 and lowered[-2] == "feed" and last in FEED_TYPES:
        return "feed"
    if len(lowered) >= 2 and lowered[-2] == "attachment":
        return "attachment"
    return None


# --------------------------------------------------------------------------------------------- detection

@dataclass
class Site:
    """What detection learned about a site: is it WordPress, and where its REST API answers."""

    base_url: str
    is_wordpress: bool = False
    evidence: list[str] = field(default_factory=list)
    rest_root: str | None = None          # e.g. https://site/wp-json/ or https://site/?rest_route=/
    rest_mode: str | None = None          # 'pretty' (/wp-json/) | 'query' (?rest_route=) | None (no REST)
    rest_blocked: str | None = None       # why the REST API is not used, when it is not
    name: str | None = None
    language: str | None = None
    home_links: list[str] = field(default_factory=list)

    def rest_url(self, route: str, **params: Any) -> str:
        """URL of a REST route (e.g. '/wp/v2/posts') with query params, in whichever form answers on this site."""
        query = urlencode({k: v for k, v in params.items() if v is not None})
        if self.rest_mode == "query":
            base = self.base_url.rstrip("/") + "/"
            return f"{base}?rest_route={route}" + (f"&{query}" if query else "")
        root = (self.rest_root or self.base_url.rstrip("/") + "/wp-json/").rstrip("/")
        return f"{root}{route}" + (f"?{query}" if query else "")


LINK_HEADER_API = re.compile(r'<([^>]+)>\s*;\s*rel="https://api\.w\.org/"')
HTML_API_LINK = re.compile(r'<link[^>]+rel=["\']https://api\.w\.org/["\'][^>]*>', re.I)
HREF = re.compile(r'href=["\']([^"\']+)["\']', re.I)
GENERATOR = re.compile(r'<meta[^>]+name=["\']generator["\'][^>]+content=["\']WordPress', re.I)
WP_PATHS = re.compile(r'/wp-(content|includes)/')
SITE_NAME = re.compile(r'<meta[^>]+property=["\']og:site_name["\'][^>]+content=["\']([^"\']+)', re.I)
HTML_LANG = re.compile(r'<html[^>]*\slang=["\']([A-Za-z-]+)', re.I)
TITLE = re.compile(r'<title[^>]*>([^<]*)</title>', re.I)
ANCHOR = re.compile(r'<a\s[^>]*?href=["\']([^"\'#][^"\']*|#[^"\']*)["\']', re.I)


def detect(fetcher: "Fetcher", base_url: str) -> Site:
    """Fetch the home page (and probe /wp-json/ if needed) to decide whether this is WordPress and find REST."""
    site = Site(base_url=base_url)
    try:
        home = fetcher.get(base_url)
    except FetchError as exc:
        raise FetchError(f"cannot fetch the home page {base_url}: {exc}") from exc
    text = home.text if home.status == 200 else ""
    link_header = home.headers.get("link", "")
    api_from_header = LINK_HEADER_API.search(link_header)
    if api_from_header:
        site.evidence.append("Link rel=https://api.w.org/ header")
        site.rest_root = urljoin(home.final_url, api_from_header.group(1))
    tag = HTML_API_LINK.search(text)
    if tag:
        site.evidence.append("api.w.org <link>")
        href = HREF.search(tag.group(0))
        if href and not site.rest_root:
            site.rest_root = urljoin(home.final_url, html.unescape(href.group(1)))
    if GENERATOR.search(text):
        site.evidence.append("generator meta")
    if WP_PATHS.search(text):
        site.evidence.append("/wp-content/ paths")
    if (match := SITE_NAME.search(text)) or (match := TITLE.search(text)):
        site.name = html.unescape(match.group(1)).strip() or None
    if match := HTML_LANG.search(text):
        site.language = match.group(1)
    site.home_links = page_links(text, home.final_url)
    find_rest(fetcher, site)
    if site.rest_mode:
        site.evidence.append(f"REST API answers ({site.rest_mode})")
    site.is_wordpress = bool(site.evidence)
    return site


def find_rest(fetcher: "Fetcher", site: Site) -> None:
    """Find a REST posts endpoint that answers: the advertised root, /wp-json/, then ?rest_route=."""
    candidates: list[tuple[str, str]] = []
    if site.rest_root:
        mode = "query" if "rest_route=" in site.rest_root else "pretty"
        candidates.append((mode, site.rest_root))
    candidates += [("pretty", site.base_url.rstrip("/") + "/wp-json/"),
                   ("query", site.base_url.rstrip("/") + "/?rest_route=/")]
    reasons = []
    for mode, root in dict.fromkeys(candidates):
        probe = Site(base_url=site.base_url, rest_root=root, rest_mode=mode)
        url = probe.rest_url("/wp/v2/posts", per_page=1, _fields="id")
        try:
            resp = fetcher.get(url)
        except FetchError as exc:
            reasons.append(f"{url}: {exc}")
            continue
        if resp.status == 200 and isinstance(resp.json_or_none(), list):
            site.rest_root, site.rest_mode = root, mode
            return
        reasons.append(f"{url}: HTTP {resp.status}")
    site.rest_root, site.rest_mode = None, None
    site.rest_blocked = "; ".join(reasons)


def page_links(text: str, page_url: str) -> list[str]:
    """Absolute href targets of the <a> tags of an HTML page (cheap regex scan, no tree)."""
    return [urljoin(page_url, html.unescape(m.group(1))) for m in ANCHOR.finditer(text)]


# --------------------------------------------------------------------------------------------- REST

#: Fields of the REST listing: enough to see every change the archive tracks without fetching content.
LISTING_FIELDS = "id,link,date_gmt,modified_gmt,title,author,categories,tags,excerpt,featured_media,slug"


@dataclass
class Listing:
    """The REST API's view of the published posts, plus the totals the API announced."""

    posts: dict[int, dict] = field(default_factory=dict)
    expected_total: int | None = None
    complete: bool = True


def _rest_pages(fetcher: "Fetcher", url_of: Callable[[int], str], max_pages: int) -> Iterator[tuple[int, "Response"]]:
    """(page number, response) of a REST collection in order: page 1, then the pages its X-WP-TotalPages announces,
    fetched concurrently (within the fetcher's per-host limits). Stop iterating to stop at a bad page."""
    first = fetcher.get(url_of(1))
    yield 1, first
    total_pages = min(_int_header(first, "x-wp-totalpages") or 1, max_pages)
    if total_pages > 1:
        with ThreadPoolExecutor(max_workers=max(1, fetcher.settings.concurrency)) as pool:
            pages = range(2, total_pages + 1)
            yield from zip(pages, pool.map(lambda page: fetcher.get(url_of(page)), pages))


def rest_listing(fetcher: "Fetcher", site: Site, per_page: int = 100, max_pages: int = 10_000,
                 on_total: Callable[[int | None], None] | None = None) -> Listing:
    """Every published post's listing row: page 1 says how many pages (`X-WP-Total`, `X-WP-TotalPages`), the
    others are fetched concurrently (within the fetcher's per-host limits) and read in order. on_total hears
    X-WP-Total as soon as page 1 has come, while the other pages are still to come."""
    listing = Listing()

    def page_url(page: int) -> str:
        return site.rest_url("/wp/v2/posts", per_page=per_page, page=page, _fields=LISTING_FIELDS, orderby="id",
                             order="asc")
    for page, resp in _rest_pages(fetcher, page_url, max_pages):
        if not _add_listing_page(listing, resp, page):
            break
        if page == 1:
            listing.expected_total = _int_header(resp, "x-wp-total")
            if on_total is not None:
                on_total(listing.expected_total)
    if listing.expected_total is not None and len(listing.posts) < listing.expected_total:
        listing.complete = False
    return listing


def _add_listing_page(listing: Listing, resp: "Response", page: int) -> bool:
    """Add one listing page's rows; False (listing marked incomplete) when the page is unusable."""
    rows = resp.json_or_none() if resp.status == 200 else None
    if not isinstance(rows, list):
        log.warning("REST listing page %d unusable (HTTP %s); listing incomplete", page, resp.status)
        listing.complete = False
        return False
    for row in rows:
        if isinstance(row, dict) and isinstance(row.get("id"), int) and row.get("link"):
            listing.posts[row["id"]] = row
    return True


def rest_names(fetcher: "Fetcher", site: Site, route: str, max_pages: int = 100) -> dict[int, str] | None:
    """id -> name of users, categories or tags from the REST API; None when the route is refused."""
    names: dict[int, str] = {}
    pages = _rest_pages(fetcher, lambda page: site.rest_url(route, per_page=100, page=page, _fields="id,name"),
                        max_pages)
    for page, resp in pages:
        rows = resp.json_or_none() if resp.status == 200 else None
        if not isinstance(rows, list):
            return None if page == 1 else names
        names.update({r["id"]: html.unescape(str(r.get("name") or "")) for r in rows
                      if isinstance(r, dict) and isinstance(r.get("id"), int)})
        if not rows:
            break
    return names


def comments_since(fetcher: "Fetcher", site: Site, watermark: int | None,
                   max_pages: int = 50) -> tuple[set[int], int | None]:
    """Post IDs with approved comments whose ID is above `watermark`, and the new watermark (highest ID seen).

    Comment IDs, not dates: a comment approved late keeps its old date but its ID is above any watermark taken
    while it was pending. With no watermark yet, one request sets it; None means the endpoint is refused."""
    posts: set[int] = set()
    highest = watermark
    for page in range(1, max_pages + 1):
        resp = fetcher.get(site.rest_url("/wp/v2/comments", per_page=100, page=page, orderby="id", order="desc",
                                         _fields="id,post"))
        rows = resp.json_or_none() if resp.status == 200 else None
        if not isinstance(rows, list):
            if page == 1:
                return set(), watermark
            break
        highest = 0 if highest is None else highest  # the endpoint answers: "no comments yet" is watermark 0
        for row in rows:
            cid, pid = row.get("id"), row.get("post")
            if not isinstance(cid, int):
                continue
            highest = max(highest, cid)
            if watermark is not None and cid > watermark and isinstance(pid, int):
                posts.add(pid)
        ids = [r.get("id") for r in rows if isinstance(r.get("id"), int)]
        if watermark is None or not ids or min(ids) <= watermark or len(rows) < 100:
            break
    return posts, highest


def comment_total(fetcher: "Fetcher", site: Site, wp_id: int) -> int | None:
    """Approved comments of one post according to the REST comments endpoint's X-WP-Total, if it answers."""
    resp = fetcher.get(site.rest_url("/wp/v2/comments", post=wp_id, per_page=1, _fields="id"))
    return _int_header(resp, "x-wp-total") if resp.status == 200 else None


def _int_header(resp: "Response", name: str) -> int | None:
    """An integer response header, or None when absent or malformed."""
    value = resp.headers.get(name, "").strip()
    return int(value) if value.isdigit() else None


def api_view(row: dict, users: dict[int, str] | None, categories: dict[int, str] | None,
             tags: dict[int, str] | None) -> dict:
    """The REST listing row as Post field names, for the archive's page-versus-API comparison."""
    view: dict[str, Any] = {"wp_id": row.get("id"), "url": row.get("link")}
    title = (row.get("title") or {}).get("rendered") if isinstance(row.get("title"), dict) else None
    if title is not None:
        view["title"] = html.unescape(title)
    excerpt = (row.get("excerpt") or {}).get("rendered") if isinstance(row.get("excerpt"), dict) else None
    if excerpt:
        view["excerpt"] = _strip_tags(excerpt)
    if users is not None and row.get("author") in users:
        view["author"] = users[row["author"]]
    if categories is not None:
        view["categories"] = sorted(categories[c] for c in row.get("categories") or [] if c in categories)
    if tags is not None:
        view["tags"] = sorted(tags[t] for t in row.get("tags") or [] if t in tags)
    if row.get("date_gmt"):
        view["published_at"] = row["date_gmt"] + "+00:00"
    if row.get("modified_gmt"):
        view["modified_at"] = row["modified_gmt"] + "+00:00"
    return view


def _strip_tags(fragment: str) -> str:
    """Plain text of a small HTML fragment (REST excerpts), whitespace collapsed."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", fragment))
    return re.sub(r"\s+", " ", text).strip()


def listing_fingerprint(row: dict, users: dict[int, str] | None, categories: dict[int, str] | None,
                        tags: dict[int, str] | None) -> str:
    """A digest of everything in a listing row that changes what the archive records (ids resolved to names,
    so renaming an author or a category changes the fingerprint of their posts)."""
    view = api_view(row, users, categories, tags)
    view["author_id"] = row.get("author")
    view["category_ids"] = sorted(row.get("categories") or [])
    view["tag_ids"] = sorted(row.get("tags") or [])
    view.pop("excerpt", None)  # excerpts drift with plugins; body changes move modified_gmt anyway
    blob = json.dumps(view, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


# --------------------------------------------------------------------------------------------- XML

@dataclass
class FeedItem:
    """One item of an RSS/Atom feed or a sitemap: a URL plus what the source says about it."""

    url: str
    wp_id: int | None = None
    published: str | None = None
    comment_count: int | None = None


def parse_xml(body: bytes, source: str):
    """Parse XML safely (no entity expansion, no external entities); None and a logged skip when malformed."""
    if body[:2] == b"\x1f\x8b":
        try:
            body = _gunzip_bounded(body)
        except (OSError, EOFError, ValueError) as exc:
            log.warning("skipping %s: bad gzip (%s)", source, exc)
            return None
    try:
        return safe_xml_fromstring(body.lstrip())
    except DefusedXmlException as exc:
        log.warning("skipping %s: unsafe XML refused (%s)", source, type(exc).__name__)
    except ParseError as exc:
        log.warning("skipping %s: malformed XML (%s)", source, exc)
    return None


def _gunzip_bounded(body: bytes, limit: int = 50 * 1024 * 1024) -> bytes:
    """Decompress a gzipped sitemap, refusing to grow past `limit` bytes (gzip bombs)."""
    with gzip.GzipFile(fileobj=io.BytesIO(body)) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"decompresses past {limit} bytes")
    return data


def _local(tag: str) -> str:
    """Tag name without its namespace."""
    return tag.rsplit("}", 1)[-1]


def sitemap_entries(root) -> tuple[list[str], list[FeedItem]]:
    """(child sitemaps, page entries) of a parsed sitemap or sitemap index."""
    children, items = [], []
    kind = _local(root.tag)
    for node in root:
        if _local(node.tag) not in ("sitemap", "url"):
            continue
        loc = next((c.text.strip() for c in node if _local(c.tag) == "loc" and c.text), None)
        if not loc:
            continue
        lastmod = next((c.text.strip() for c in node if _local(c.tag) == "lastmod" and c.text), None)
        if kind == "sitemapindex":
            children.append(loc)
        else:
            items.append(FeedItem(url=loc, published=lastmod))
    return children, items


#: Sitemaps of things that are not posts (pages, taxonomies, users, attachments); skipped when named so.
NON_POST_SITEMAP = re.compile(r"(posts-page|taxonomies|users|page-sitemap|category-sitemap|tag-sitemap|"
                              r"author-sitemap|attachment-sitemap|post_tag-sitemap|local-sitemap|news-sitemap-page)",
                              re.I)


def iter_sitemap_urls(fetcher: "Fetcher", roots: list[str], max_sitemaps: int = 500) -> Iterator[FeedItem]:
    """Entries of every sitemap reachable from `roots` (indexes followed; page/taxonomy/user sitemaps skipped)."""
    queue, seen = list(dict.fromkeys(roots)), set()
    while queue and len(seen) < max_sitemaps:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        try:
            resp = fetcher.get(url)
        except FetchError as exc:
            log.info("sitemap %s skipped: %s", url, exc)
            continue
        if resp.status != 200:
            continue
        root = parse_xml(resp.body, url)
        if root is None:
            continue
        children, items = sitemap_entries(root)
        queue += [c for c in children if not NON_POST_SITEMAP.search(c)]
        yield from items


def feed_items(root) -> list[FeedItem]:
    """Items of a parsed RSS 2 or Atom feed: link, ?p=ID guid, date and slash:comments."""
    items = []
    for node in root.iter():
        name = _local(node.tag)
        if name not in ("item", "entry"):
            continue
        link, wp_id, published, comments = None, None, None, None
        for child in node:
            cname, text = _local(child.tag), (child.text or "").strip()
            if cname == "link":
                href = child.get("href")
                if href and child.get("rel", "alternate") == "alternate":
                    link = href
                elif text:
                    link = text
            elif cname in ("guid", "id") and text:
                wp_id = shortlink_id(text) if wp_id is None else wp_id
            elif cname in ("pubDate", "published") and text:
                published = text
            elif cname == "comments" and text.isdigit() and "slash" in child.tag:
                comments = int(text)
        if link:
            items.append(FeedItem(url=link, wp_id=wp_id, published=published, comment_count=comments))
    return items


def feed_url(site: Site, page: int = 1) -> str:
    """The site's main RSS feed, page `page` (feeds honour ?paged=)."""
    base = site.base_url.rstrip("/") + "/feed/"
    return base if page == 1 else f"{base}?paged={page}"


def _walk_pages(fetcher: "Fetcher", url_of: Callable[[int], str], items_of: Callable[["Response"], list[T]],
                key: Callable[[T], str], what: str, max_pages: int) -> Iterator[T]:
    """Items of pages 1, 2, … (url_of(N)) until a page is missing, unusable, empty or brings nothing new (which
    also ends endless pagination traps: a page that repeats known items ends the walk)."""
    seen: set[str] = set()
    for page in range(1, max_pages + 1):
        url = url_of(page)
        try:
            resp = fetcher.get(url)
        except FetchError as exc:
            log.info("%s page %s skipped: %s", what, url, exc)
            return
        fresh = []
        for item in items_of(resp) if resp.status == 200 else []:
            if key(item) not in seen:
                seen.add(key(item))
                fresh.append(item)
        if not fresh:
            return
        yield from fresh


def iter_feed_pages(fetcher: "Fetcher", site: Site, max_pages: int = 1000) -> Iterator[FeedItem]:
    """Items of /feed/?paged=N for N = 1, 2, … until a page is missing, empty or brings nothing new."""
    def items_of(resp: "Response") -> list[FeedItem]:
        root = parse_xml(resp.body, resp.url)
        return [] if root is None else feed_items(root)
    return _walk_pages(fetcher, lambda page: feed_url(site, page), items_of, lambda item: item.url, "feed",
                       max_pages)


def archive_page_url(site: Site, page: int) -> str:
    """Page `page` of the home archive (/page/N/)."""
    return site.base_url.rstrip("/") + ("/" if page == 1 else f"/page/{page}/")


def iter_archive_pages(fetcher: "Fetcher", site: Site, max_pages: int = 1000) -> Iterator[str]:
    """Candidate post links from /page/N/ archive pages until a page is missing or brings nothing new."""
    def links_of(resp: "Response") -> list[str]:
        canon = (canonicalize(link, site.base_url) for link in page_links(resp.text, resp.final_url))
        return [link for link in canon if non_post_reason(link, site.base_url) is None]
    return _walk_pages(fetcher, lambda page: archive_page_url(site, page), links_of, lambda link: link, "archive",
                       max_pages)
