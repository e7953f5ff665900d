"""A small hand-written imitation of a WordPress 6.1 site (Twenty Twenty-One markup), served by FaultServer.

HAND-WRITTEN test double, not captured output: it answers the endpoints the crawler uses (home page, robots.txt,
REST posts/users/categories/tags/comments with X-WP-Total, core sitemaps, RSS feed with ?paged=, post pages) and
behaves like the measured WordPress facts: no ETag on post pages, categories/tags/comments leave modified_gmt alone,
trashed/draft posts answer 404 and vanish from every listing. Faults can be layered on per path.
"""
from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from email.utils import format_datetime
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

from faultserver import FaultServer, Hit, Reply


@dataclass
class FakePost:
    """One post of the fake site."""

    id: int
    slug: str
    title: str
    author: int = 1
    categories: list[int] = field(default_factory=lambda: [1])
    tags: list[int] = field(default_factory=list)
    status: str = "publish"
    date: str = "2024-05-01T10:00:00"
    modified: str = "2024-05-01T10:00:00"
    body: str = "<p>Body text.</p>"
    comments: list[int] = field(default_factory=list)   # approved comment ids


class FakeWordPress:
    """State of the fake site plus the request router; `server` is the FaultServer serving it."""

    def __init__(self, n_posts: int = 12, rest: str = "open", latency: float = 0.0, page_etags: bool = False):
        self.rest = rest              # 'open' | 'blocked-path' (only /wp-json/ blocked) | 'disabled'
        self.page_etags = page_etags  # like a caching plugin: ETag on post pages, 304 on If-None-Match
        self.users = {1: "Alice Martin", 2: "Bob Leroy"}
        self.categories = {1: "Monde", 2: "Europe", 3: "Sport"}
        self.tags = {1: "OTAN", 2: "UE"}
        self.posts: dict[int, FakePost] = {}
        self.next_comment = 100
        self.faults: dict[str, list[Reply | None]] = {}
        for i in range(1, n_posts + 1):
            self.add_post(f"Post number {i}", author=1 + i % 2, categories=[1 + i % 3], tags=[1 + i % 2])
        self.posts[n_posts + 1] = FakePost(n_posts + 1, "a-draft", "A draft", status="draft")
        self.server = FaultServer(latency=latency)
        self.server.reply_for = self.route  # type: ignore[method-assign]

    # -- mutations -------------------------------------------------------------------------------

    def add_post(self, title: str, **kw) -> FakePost:
        """Publish a new post."""
        pid = max(self.posts, default=0) + 1
        slug = f"post-{pid}"
        self.posts[pid] = FakePost(pid, slug, title, **kw)
        return self.posts[pid]

    def add_comment(self, pid: int) -> None:
        """An approved comment on a post (modified_gmt unchanged, as in WordPress)."""
        self.next_comment += 1
        self.posts[pid].comments.append(self.next_comment)

    def published(self) -> list[FakePost]:
        return [p for p in self.posts.values() if p.status == "publish"]

    # -- rendering -------------------------------------------------------------------------------

    @property
    def base(self) -> str:
        return self.server.base_url + "/"

    def link(self, post: FakePost) -> str:
        return f"{self.server.base_url}/{post.date[:4]}/{post.date[5:7]}/{post.slug}/"

    def page(self, post: FakePost) -> str:
        """A Twenty Twenty-One-like single post page."""
        cats = ", ".join(f'<a href="{self.base}category/c{c}/" rel="category tag">{html.escape(self.categories[c])}</a>'
                         for c in post.categories)
        tags = ", ".join(f'<a href="{self.base}tag/t{t}/" rel="tag">{html.escape(self.tags[t])}</a>' for t in post.tags)
        n = len(post.comments)
        comments = (f'<div id="comments" class="comments-area"><h2 class="comments-title">'
                    f'{"1 comment" if n == 1 else f"{n} comments"}</h2><ol class="comment-list">'
                    + "".join(f'<li id="comment-{c}" class="comment"><p>c{c}</p>'
                              f'<a href="{self.link(post)}?replytocom={c}#respond">Reply</a></li>'
                              for c in post.comments) + "</ol></div>") if n else ""
        return f"""<!doctype html><html lang="en-US"><head><meta charset="UTF-8">
<title>{html.escape(post.title)} &#8211; Fake News</title>
<link rel="https://api.w.org/" href="{self.base}wp-json/" />
<link rel="canonical" href="{self.link(post)}" />
<link rel='shortlink' href='{self.base}?p={post.id}' />
<meta name="generator" content="WordPress 6.1.1" />
<meta property="og:site_name" content="Fake News" />
</head><body class="post-template-default single single-post postid-{post.id} single-format-standard">
<article id="post-{post.id}" class="post-{post.id} post type-post status-publish format-standard hentry">
<header class="entry-header alignwide"><h1 class="entry-title">{html.escape(post.title)}</h1></header>
<div class="entry-content">{post.body}</div>
<footer class="entry-footer default-max-width"><div class="posted-by"><span class="posted-on">Published
<time class="entry-date published updated" datetime="{post.date}+00:00">May 1, 2024</time></span>
<span class="byline">By <a href="{self.base}author/u{post.author}/" rel="author">{html.escape(self.users[post.author])}</a></span>
</div><div class="post-taxonomies"><span class="cat-links">Categorized as {cats}</span>
{f'<span class="tags-links">Tagged {tags}</span>' if tags else ''}</div></footer></article>
{comments}
<a href="{self.link(post)}#comment-1">permalink</a> <a href="{self.base}?s=x">search</a>
</body></html>"""

    def home(self) -> str:
        links = "".join(f'<h2><a href="{self.link(p)}">{html.escape(p.title)}</a></h2>' for p in self.published())
        api = f'<link rel="https://api.w.org/" href="{self.base}wp-json/" />' if self.rest == "open" else ""
        return (f'<!doctype html><html lang="en-US"><head><meta name="generator" content="WordPress 6.1.1" />{api}'
                f'<meta property="og:site_name" content="Fake News" /></head><body class="home blog">{links}'
                f'<a href="{self.base}category/c1/">Monde</a></body></html>')

    def rest_post(self, post: FakePost) -> dict:
        return {"id": post.id, "link": self.link(post), "slug": post.slug, "date_gmt": post.date,
                "modified_gmt": post.modified, "title": {"rendered": html.escape(post.title)}, "author": post.author,
                "categories": post.categories, "tags": post.tags, "excerpt": {"rendered": "<p>Body text.</p>"},
                "featured_media": 0}

    # -- routing ---------------------------------------------------------------------------------

    def route(self, hit: Hit) -> Reply:
        """Answer one request like WordPress would (faults first)."""
        parts = urlsplit(hit.path)
        path, query = parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}
        if hit.path in self.faults and self.faults[hit.path]:
            queue = self.faults[hit.path]
            fault = queue.pop(0) if len(queue) > 1 else queue[0]
            if fault is not None:      # None in a fault list: answer normally this time
                return fault
        if path == "/robots.txt":
            return Reply(200, f"User-agent: *\nDisallow: /wp-admin/\nSitemap: {self.base}wp-sitemap.xml\n",
                         content_type="text/plain")
        if "rest_route" in query:
            return self.rest_route(query.pop("rest_route"), query, blocked=self.rest == "disabled")
        if path.startswith("/wp-json/"):
            return self.rest_route(path[len("/wp-json"):], query, blocked=self.rest != "open")
        if path == "/":
            if "p" in query and query["p"].isdigit() and int(query["p"]) in self.posts:
                post = self.posts[int(query["p"])]
                if post.status == "publish":
                    return Reply(301, headers={"Location": self.link(post)})
            return Reply(200, self.home())
        if path == "/feed/":
            return self.feed(int(query.get("paged", 1)))
        if path == "/wp-sitemap.xml":
            return Reply(200, f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                              f'<sitemap><loc>{self.base}wp-sitemap-posts-post-1.xml</loc></sitemap></sitemapindex>',
                         content_type="application/xml")
        if path == "/wp-sitemap-posts-post-1.xml":
            urls = "".join(f"<url><loc>{self.link(p)}</loc></url>" for p in self.published())
            return Reply(200, f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                              f'{urls}</urlset>', content_type="application/xml")
        for post in self.posts.values():
            if path == urlsplit(self.link(post)).path:
                if post.status != "publish":
                    break
                if self.page_etags:
                    import hashlib
                    etag = '"%s"' % hashlib.md5(self.page(post).encode()).hexdigest()
                    if hit.headers.get("if-none-match") == etag:
                        return Reply(304, headers={"ETag": etag})
                    return Reply(200, self.page(post), headers={"ETag": etag})
                return Reply(200, self.page(post), headers={
                    "Link": f'<{self.base}wp-json/>; rel="https://api.w.org/", <{self.base}?p={post.id}>; rel=shortlink'})
        return Reply(404, "<html><body class='error404'>Not found</body></html>")

    def rest_route(self, route: str, query: dict, blocked: bool) -> Reply:
        """The few REST routes the crawler reads."""
        if blocked:
            return Reply(401, json.dumps({"code": "rest_login_required", "message": "REST API restricted"}),
                         content_type="application/json")
        per_page, page = int(query.get("per_page", 10)), int(query.get("page", 1))
        if route == "/wp/v2/posts":
            rows = [self.rest_post(p) for p in sorted(self.published(), key=lambda p: p.id)]
        elif route == "/wp/v2/users":
            rows = [{"id": k, "name": v} for k, v in self.users.items()]
        elif route == "/wp/v2/categories":
            rows = [{"id": k, "name": v} for k, v in self.categories.items()]
        elif route == "/wp/v2/tags":
            rows = [{"id": k, "name": v} for k, v in self.tags.items()]
        elif route == "/wp/v2/comments":
            rows = [{"id": c, "post": p.id} for p in self.published() for c in p.comments]
            if "post" in query:
                rows = [r for r in rows if r["post"] == int(query["post"])]
            rows.sort(key=lambda r: r["id"], reverse=query.get("order") == "desc")
        elif route == "/":
            return Reply(200, json.dumps({"namespaces": ["wp/v2"]}), content_type="application/json")
        else:
            return Reply(404, json.dumps({"code": "rest_no_route"}), content_type="application/json")
        chunk = rows[(page - 1) * per_page: page * per_page]
        if page > 1 and not chunk:
            return Reply(400, json.dumps({"code": "rest_post_invalid_page_number"}), content_type="application/json")
        pages = max(1, -(-len(rows) // per_page))
        return Reply(200, json.dumps(chunk), content_type="application/json",
                     headers={"X-WP-Total": str(len(rows)), "X-WP-TotalPages": str(pages)})

    def feed(self, paged: int) -> Reply:
        """RSS2, 10 items per page, newest first; one site-wide ETag; 304 on a matching If-None-Match."""
        posts = sorted(self.published(), key=lambda p: (p.date, p.id), reverse=True)
        chunk = posts[(paged - 1) * 10: paged * 10]
        if not chunk:
            return Reply(404, "<html>Not found</html>")
        items = "".join(
            f"<item><title>{html.escape(p.title)}</title><link>{self.link(p)}</link>"
            f"<guid isPermaLink='false'>{self.base}?p={p.id}</guid>"
            f"<pubDate>{format_datetime(datetime.fromisoformat(p.date).replace(tzinfo=timezone.utc))}</pubDate>"
            f"<slash:comments>{len(p.comments)}</slash:comments></item>" for p in chunk)
        return Reply(200, f'<?xml version="1.0"?><rss version="2.0" xmlns:slash="http://purl.org/rss/1.0/modules/slash/">'
                          f'<channel><title>Fake News</title>{items}</channel></rss>',
                     content_type="application/rss+xml; charset=UTF-8", headers={"ETag": '"feed-etag-1"'})
