"""Discovery: URL canonicalisation, the post filter, WordPress detection, REST fallback, sitemaps and feeds.

Served pages are hand-written minimal WordPress-shaped responses (labelled as such), not captures.
"""
from __future__ import annotations

import json

import pytest

from faultserver import FaultServer, Reply
from scraper import discover as d
from scraper.fetch import Fetcher, FetchSettings

SITE = "https://news.example/"


def fetcher() -> Fetcher:
    return Fetcher(FetchSettings(delay=0, backoff=0.01, retries=1, read_timeout=2))


@pytest.mark.parametrize("raw, canon", [
    ("HTTPS://News.Example:443/2024/05/hello#comment-12", "https://news.example/2024/05/hello/"),
    ("https://news.example/hello/?replytocom=71#respond", "https://news.example/hello/"),
    ("https://news.example/hello/?utm_source=x&utm_medium=y&fbclid=z", "https://news.example/hello/"),
    ("https://news.example/hello/?share=facebook&nb=1", "https://news.example/hello/"),
    ("https://news.example/hello/comment-page-3/#comments", "https://news.example/hello/"),
    ("http://www.news.example/hello", "https://news.example/hello/"),
    ("/relative/post", "https://news.example/relative/post/"),
    ("https://news.example/?p=42", "https://news.example/?p=42"),
    ("https://news.example/été/", "https://news.example/%C3%A9t%C3%A9/"),
    ("https://news.example/file.html", "https://news.example/file.html"),
])
def test_canonicalize(raw, canon):
    assert d.canonicalize(raw, SITE) == canon


def test_canonicalize_ip_and_port_site_is_normal():
    base = "http://127.0.0.1:8080/"
    assert d.canonicalize("http://127.0.0.1:8080/a-post#x", base) == "http://127.0.0.1:8080/a-post/"
    assert d.non_post_reason("http://127.0.0.1:8080/a-post/", base) is None
    assert d.non_post_reason("http://127.0.0.1:9090/a-post/", base) == "other host"


def test_sixteen_comment_links_collapse_to_one_url():
    links = [f"https://news.example/post/#comment-{i}" for i in range(16)]
    links += [f"https://news.example/post/?replytocom={i}#respond" for i in range(71)]
    assert {d.canonicalize(u, SITE) for u in links} == {"https://news.example/post/"}


@pytest.mark.parametrize("url, reason", [
    ("https://news.example/category/monde/", "category archive"),
    ("https://news.example/tag/otan/", "tag archive"),
    ("https://news.example/author/jean/", "author archive"),
    ("https://news.example/2024/", "date archive"),
    ("https://news.example/2024/05/", "date archive"),
    ("https://news.example/2024/05/12/", "date archive"),
    ("https://news.example/feed/", "feed"),
    ("https://news.example/post/feed/", "feed"),
    ("https://news.example/post/attachment/photo/", "attachment"),
    ("https://news.example/?attachment_id=5", "attachment"),
    ("https://news.example/?s=otan", "search"),
    ("https://news.example/wp-login.php", "login"),
    ("https://news.example/wp-admin/", "admin"),
    ("https://news.example/page/3/", "pagination"),
    ("https://news.example/?m=202405", "date archive"),
    ("https://news.example/wp-content/uploads/a.jpg", "asset"),
    ("https://other.example/post/", "other host"),
    ("https://news.example/", "home page"),
    ("mailto:x@news.example", "not http"),
    ("https://news.example/comments/feed/", "feed"),
    ("https://news.example/2024/05/post/feed/atom/", "feed"),
    ("https://news.example/post/embed/", "embed"),
    ("https://news.example/post/trackback/", "trackback"),
    ("https://news.example/type/aside/", "post-format archive"),
    ("https://news.example/category/monde/page/2/", "pagination"),
])
def test_non_posts_rejected(url, reason):
    assert d.non_post_reason(url, SITE) == reason


@pytest.mark.parametrize("url", [
    "https://news.example/2024/05/12/la-haye-sommet/", "https://news.example/la-haye-sommet/",
    "https://news.example/?p=42", "https://news.example/archives/123/",
    # reserved words only where WordPress puts them (review 45 #8): a post slugged 'comments', a category 'type'
    "https://news.example/2025/06/comments/", "https://news.example/type/my-post/",
    "https://news.example/monde/page-de-garde/", "https://news.example/2025/06/search/",
    "https://news.example/tag-team-wins/", "https://news.example/author/",
])
def test_posts_accepted(url):
    assert d.non_post_reason(url, SITE) is None


def test_shortlink_id():
    assert d.shortlink_id("https://news.example/?p=42") == 42
    assert d.shortlink_id("https://news.example/x/?p=42") is None
    assert d.shortlink_id("https://news.example/?p=abc") is None


# ---------------------------------------------------------------------------- detection and REST

HOME_WP = ('<html lang="fr-FR"><head><meta name="generator" content="WordPress 6.1.1" />'
           '<meta property="og:site_name" content="Le Site" />'
           '<link rel="https://api.w.org/" href="{base}/wp-json/" /></head><body>'
           '<a href="{base}/a-post/">A</a><script src="/wp-content/themes/x.js"></script></body></html>')


def posts_json(ids):
    return json.dumps([{"id": i, "link": f"/p{i}/", "title": {"rendered": f"T&amp;{i}"}} for i in ids])


def test_detect_wordpress_with_rest():
    routes = {"/": lambda hit: Reply(200, HOME_WP.format(base=srv.base_url)),
              "/wp-json/wp/v2/posts": [Reply(200, posts_json([1]), content_type="application/json")]}
    with FaultServer(routes) as srv, fetcher() as f:
        site = d.detect(f, srv.base_url + "/")
    assert site.is_wordpress and site.rest_mode == "pretty"
    assert site.name == "Le Site" and site.language == "fr-FR"
    assert "generator meta" in site.evidence


def test_detect_falls_back_to_rest_route_when_wp_json_blocked():
    routes = {"/": [Reply(200, "<html><link rel='stylesheet' href='/wp-includes/css/x.css'></html>")],
              "/wp-json/wp/v2/posts": [Reply(403, "blocked by WAF")],
              "/?rest_route=/wp/v2/posts&per_page=1&_fields=id": [Reply(200, posts_json([1]),
                                                                          content_type="application/json")]}
    with FaultServer(routes) as srv, fetcher() as f:
        site = d.detect(f, srv.base_url + "/")
    assert site.is_wordpress and site.rest_mode == "query"
    assert site.rest_url("/wp/v2/posts", page=2) == srv.base_url + "/?rest_route=/wp/v2/posts&page=2"


def test_detect_rest_disabled_still_wordpress():
    refused = json.dumps({"code": "rest_login_required", "message": "REST API restricted"})
    routes = {"/": [Reply(200, "<html><meta name='generator' content='WordPress 6.1'></html>")],
              "/wp-json/wp/v2/posts": [Reply(401, refused, content_type="application/json")]}
    with FaultServer(routes) as srv, fetcher() as f:
        site = d.detect(f, srv.base_url + "/")
    assert site.is_wordpress and site.rest_mode is None and "401" in site.rest_blocked


def test_detect_not_wordpress():
    with FaultServer({"/": [Reply(200, "<html><body>static site</body></html>")]}) as srv, fetcher() as f:
        site = d.detect(f, srv.base_url + "/")
    assert not site.is_wordpress


def test_rest_listing_pages_and_total():
    def page(hit):
        from urllib.parse import parse_qs, urlsplit
        n = int(parse_qs(urlsplit(hit.path).query)["page"][0])
        ids = range((n - 1) * 2 + 1, min(n * 2, 5) + 1)
        return Reply(200, posts_json(ids), content_type="application/json",
                     headers={"X-WP-Total": "5", "X-WP-TotalPages": "3"})
    with FaultServer({"/wp-json/wp/v2/posts": page}) as srv, fetcher() as f:
        site = d.Site(base_url=srv.base_url + "/", rest_mode="pretty", rest_root=srv.base_url + "/wp-json/")
        listing = d.rest_listing(f, site, per_page=2)
    assert sorted(listing.posts) == [1, 2, 3, 4, 5] and listing.expected_total == 5 and listing.complete
    assert len([h for h in srv.hits if h.path != "/robots.txt"]) == 3


def test_rest_names_reads_every_page_the_first_announces_and_none_when_refused():
    def page(hit):
        from urllib.parse import parse_qs, urlsplit
        n = int(parse_qs(urlsplit(hit.path).query)["page"][0])
        rows = [{"id": i, "name": f"Cat&#233;gorie {i}"} for i in range((n - 1) * 100 + 1, min(n * 100, 230) + 1)]
        return Reply(200, json.dumps(rows), content_type="application/json",
                     headers={"X-WP-Total": "230", "X-WP-TotalPages": "3"})
    routes = {"/wp-json/wp/v2/categories": page, "/wp-json/wp/v2/users": [Reply(401, "{}")]}
    with FaultServer(routes) as srv, fetcher() as f:
        site = d.Site(base_url=srv.base_url + "/", rest_mode="pretty", rest_root=srv.base_url + "/wp-json/")
        names = d.rest_names(f, site, "/wp/v2/categories")
        assert d.rest_names(f, site, "/wp/v2/users") is None
    assert len(names) == 230 and names[230] == "Catégorie 230"
    assert len([h for h in srv.hits if h.path.startswith("/wp-json/wp/v2/categories")]) == 3


def test_comments_watermark():
    rows = [{"id": 9, "post": 3}, {"id": 8, "post": 1}, {"id": 5, "post": 2}]
    routes = {"/wp-json/wp/v2/comments": [Reply(200, json.dumps(rows), content_type="application/json")]}
    with FaultServer(routes) as srv, fetcher() as f:
        site = d.Site(base_url=srv.base_url + "/", rest_mode="pretty", rest_root=srv.base_url + "/wp-json/")
        assert d.comments_since(f, site, None) == (set(), 9)
        assert d.comments_since(f, site, 7) == ({3, 1}, 9)


def test_api_view_and_fingerprint_follow_renames():
    row = {"id": 3, "link": "https://s/x/", "title": {"rendered": "A &amp; B"}, "author": 2, "categories": [4],
           "tags": [], "date_gmt": "2024-05-01T10:00:00", "modified_gmt": "2024-05-02T10:00:00"}
    view = d.api_view(row, {2: "Ann"}, {4: "Monde"}, {})
    assert view["title"] == "A & B" and view["author"] == "Ann" and view["categories"] == ["Monde"]
    assert view["published_at"] == "2024-05-01T10:00:00+00:00"
    fp = d.listing_fingerprint(row, {2: "Ann"}, {4: "Monde"}, {})
    assert fp == d.listing_fingerprint(row, {2: "Ann"}, {4: "Monde"}, {})
    assert fp != d.listing_fingerprint(row, {2: "Anne"}, {4: "Monde"}, {})
    assert fp != d.listing_fingerprint(row, {2: "Ann"}, {4: "World"}, {})


# ---------------------------------------------------------------------------- sitemaps and feeds

SITEMAP_INDEX = """<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{base}/wp-sitemap-posts-post-1.xml</loc></sitemap>
<sitemap><loc>{base}/wp-sitemap-posts-page-1.xml</loc></sitemap>
<sitemap><loc>{base}/wp-sitemap-taxonomies-category-1.xml</loc></sitemap>
<sitemap><loc>{base}/broken.xml</loc></sitemap>
<sitemap><loc>{base}/bomb.xml</loc></sitemap>
</sitemapindex>"""
URLSET = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{base}/one/</loc></url><url><loc>{base}/two/</loc><lastmod>2024-05-01</lastmod></url></urlset>"""
BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<urlset><url><loc>&lol3;</loc></url></urlset>"""


def test_sitemap_index_followed_safely(caplog):
    def xml(text):
        return lambda hit: Reply(200, text.format(base=srv.base_url), content_type="application/xml")
    routes = {"/wp-sitemap.xml": xml(SITEMAP_INDEX), "/wp-sitemap-posts-post-1.xml": xml(URLSET),
              "/wp-sitemap-posts-page-1.xml": xml(URLSET.replace("one", "about")),
              "/broken.xml": [Reply(200, "<urlset><url><loc>x", content_type="application/xml")],
              "/bomb.xml": [Reply(200, BILLION_LAUGHS, content_type="text/html")]}
    with FaultServer(routes) as srv, fetcher() as f:
        items = list(d.iter_sitemap_urls(f, [srv.url("/wp-sitemap.xml")]))
    assert [i.url for i in items] == [srv.url("/one/"), srv.url("/two/")]
    assert srv.hits_for("/wp-sitemap-posts-page-1.xml") == 0
    assert "malformed XML" in caplog.text and "unsafe XML refused" in caplog.text


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:slash="http://purl.org/rss/1.0/modules/slash/"><channel>{items}</channel></rss>"""
ITEM = "<item><link>{base}/post-{n}/</link><guid isPermaLink='false'>{base}/?p={n}</guid>" \
       "<pubDate>Mon, 06 May 2024 10:00:00 +0000</pubDate><slash:comments>{n}</slash:comments></item>"


def test_feed_pages_until_empty_or_repeated():
    def feed(hit):
        page = int(hit.path.split("paged=")[1]) if "paged=" in hit.path else 1
        if page > 3:  # an endless trap: page 4+ repeats page 3
            page = 3
        items = "".join(ITEM.format(base=srv.base_url, n=page * 10 + k) for k in range(2))
        return Reply(200, RSS.format(items=items), content_type="application/rss+xml")
    with FaultServer({"/feed/": feed}) as srv, fetcher() as f:
        site = d.Site(base_url=srv.base_url + "/")
        items = list(d.iter_feed_pages(f, site))
    assert [i.wp_id for i in items] == [10, 11, 20, 21, 30, 31]
    assert items[0].comment_count == 10
    assert srv.hits_for("/feed/?paged=5") == 0


def test_archive_pagination_trap_ends():
    def archive(hit):
        return Reply(200, f'<a href="/post-a/">a</a><a href="/category/x/">c</a><a href="/page/{len(srv.hits)}/">n</a>')
    with FaultServer({"/": archive, **{f"/page/{i}/": archive for i in range(2, 50)}}) as srv, fetcher() as f:
        site = d.Site(base_url=srv.base_url + "/")
        links = list(d.iter_archive_pages(f, site))
    assert links == [srv.url("/post-a/")] and len(srv.hits) <= 3


def test_malformed_and_hostile_feeds_are_logged_skips(caplog):
    routes = {"/feed/": [Reply(200, "<rss><channel><item><link>x</link>", content_type="application/rss+xml")]}
    with FaultServer(routes) as srv, fetcher() as f:
        assert list(d.iter_feed_pages(f, d.Site(base_url=srv.base_url + "/"))) == []
    assert "malformed XML" in caplog.text
    hostile = BILLION_LAUGHS.replace("urlset", "rss")
    with FaultServer({"/feed/": [Reply(200, hostile, content_type="text/xml")]}) as srv, fetcher() as f:
        assert list(d.iter_feed_pages(f, d.Site(base_url=srv.base_url + "/"))) == []
    assert "unsafe XML refused" in caplog.text


def test_json_with_wrong_content_type_is_still_read():
    routes = {"/wp-json/wp/v2/posts": [Reply(200, posts_json([7]), content_type="text/html; charset=UTF-8",
                                             headers={"X-WP-Total": "1", "X-WP-TotalPages": "1"})]}
    with FaultServer(routes) as srv, fetcher() as f:
        site = d.Site(base_url=srv.base_url + "/", rest_mode="pretty", rest_root=srv.base_url + "/wp-json/")
        assert list(d.rest_listing(f, site).posts) == [7]
