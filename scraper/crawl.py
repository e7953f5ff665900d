"""One crawl of a site: discover -> plan (what may have changed) -> fetch -> parse -> store, streaming.

The plan lives in the archive's frontier, so a killed crawl resumes where it stopped: entries saved before the
kill are 'done' (or their listing fingerprint now matches) and are not fetched again.
"""
from __future__ import annotations

import logging
import math
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, TextIO

from scraper import discover as d
from scraper.exceptions import ArchiveError, FetchError, IncompleteRecord, NotWordPress, RobotsDisallowed, ScraperError
from scraper.fetch import Fetcher, Response
from scraper.parse import dates
from scraper.parse.document import decode
from scraper.parse.pages import parse_post, post_page_links
from scraper.record import Post, empty
from scraper.urls import canonicalize, host_key, normalize_base, shortlink_id
from scraper.workers import PoolUnavailable, ProcessPool, WorkerDied

if TYPE_CHECKING:   # parser processes import this module: keep the store (zstandard, sqlite) out of them
    from scraper.store.pages import PackedPage

log = logging.getLogger("scraper.crawl")

#: Frontier order by the reason an entry is fetched (higher first; --max-posts keeps the first ones).
PRIORITY = {"new": 40, "restored": 35, "changed": 30, "comments": 30, "lastmod": 30, "gone?": 20, "full": 10,
            "revalidate": 5, "links": 1}
#: HTTP statuses that say a post is gone (trashed, deleted, made private or draft). 401/403 are not among them: a
#: WAF, rate limiter or login wall answers them for posts that are still published, so they count as errors.
GONE_STATUSES = frozenset({404, 410})
POST_BODY_CLASS = re.compile(rb'<body[^>]*class=["\'][^"\']*\b(single-post|postid-\d+|single-format-)', re.I)
#: Body classes of a WordPress page that is not a single post (an archive, a page, the 404 template...).
WP_OTHER_PAGE = re.compile(rb'<body[^>]*class=["\'][^"\']*\b(page-id-\d+|archive|home|blog|error404|search|'
                           rb'attachmentid-\d+)', re.I)
#: Fields a page may leave empty that the REST listing knows (api_view's names); the source they are marked with.
API_FILLED = ("title", "author", "published_at", "modified_at", "excerpt", "categories", "tags")
API_SOURCE = "api:rest-listing"
SHORTLINK_HEADER = re.compile(r'<([^>]+)>\s*;\s*rel=["\']?shortlink')
SHORTLINK_TAG = re.compile(rb'<link[^>]+rel=["\']shortlink["\'][^>]*href=["\']([^"\']+)', re.I)
#: How much of a page the byte-level checks read: the <head> and <body> tag (where those markers are) fit.
HEAD_BYTES = 80_000
PASSWORD_FORM = b"wp-login.php?action=postpass"   # a substring test: 2x cheaper than a regex on a 40 kB page
MAX_LINK_FRONTIER = 50_000


@dataclass
class CrawlOptions:
    """What the user asked for (CLI options), independent of any one site."""

    max_posts: int | None = None
    since: datetime | None = None
    full: bool = False
    best_effort: bool = False              # crawl a site that does not look like WordPress anyway
    revalidate: int | None = None          # posts re-fetched per incremental run (None: 0.5% of the archive, 5..50)
    confirm_comments: bool = True          # ask the REST comments endpoint for counts of posts with new comments
    follow_links: bool = True              # without a REST API, harvest in-site links from fetched pages
    parse_workers: int | None = None       # parser processes (None: one when 200+ pages are pending on 2+ cores)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able options for the crawls table."""
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in self.__dict__.items()}


@dataclass
class SiteReport:
    """What one site's crawl did; `line()` is the summary printed for cron."""

    site: str
    status: str = "complete"               # complete | partial | failed | interrupted
    mode: str = "rest"                      # rest | no-rest
    crawl_id: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    found: dict[str, int] = field(default_factory=dict)
    planned: dict[str, int] = field(default_factory=dict)
    expected_total: int | None = None
    requests: int = 0
    seconds: float = 0.0
    fetch_seconds: float = 0.0            # the fetch-parse-store phase alone (after detection and planning)
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    exit_code: int = 0

    def line(self) -> str:
        """One line: status, post counts, requests, sources and expected total."""
        c = self.counts
        parts = [f"{self.site}: {self.status}"]
        if self.error:
            parts.append(self.error)
        parts.append(f"{c.get('posts_new', 0)} new, {c.get('posts_changed', 0)} changed, "
                     f"{c.get('posts_unchanged', 0)} unchanged, {c.get('posts_deleted', 0)} deleted, "
                     f"{c.get('errors', 0)} errors")
        parts.append(f"{self.requests} requests in {self.seconds:.1f} s")
        if self.found:
            found = ", ".join(f"{k} {v}" for k, v in self.found.items())
            parts.append(f"found: {found}" + (f" (expected {self.expected_total})"
                                              if self.expected_total is not None else ""))
        parts += self.notes
        return "; ".join(parts)


@dataclass
class Fetched:
    """What a worker brings back for one entry: the page, a split post's further pages, the API comment count,
    the parsed post when parsing ran in a worker process, and each 200 body hashed and compressed for the store
    (page 1, then the further pages in order; None for a non-200) so that the archive's writer thread need not."""

    resp: Response
    extra: list[Response] = field(default_factory=list)
    api_comments: int | None = None
    post: Post | None = None
    packed: list[PackedPage | None] = field(default_factory=list)
    parse_error: str | None = None   # the parser process died on this page (twice): it must not be parsed here


@dataclass
class Work:
    """A frontier entry being fetched, with what the plan knows about it."""

    url: str
    wp_id: int | None
    reason: str
    source: str
    headers: dict[str, str] = field(default_factory=dict)   # conditional-GET headers from the last fetch


class SiteCrawl:
    """The crawl of one site against one archive; `run()` returns its SiteReport."""

    def __init__(self, arc, fetcher: Fetcher, base_url: str, options: CrawlOptions,
                 on_progress: Callable[[int, int], None] | None = None):
        self.arc = arc
        self.fetcher = fetcher
        self.base = normalize_base(base_url)
        self.options = options
        self.on_progress = on_progress or (lambda done, total: None)
        self.report = SiteReport(site=self.base)
        self.site: d.Site | None = None
        self.site_id = 0
        self.crawl_id = 0
        self.listing: d.Listing | None = None
        self.names: tuple[dict | None, dict | None, dict | None] = (None, None, None)
        self.archive_by_id: dict[int, dict] = {}
        self.archive_by_url: dict[str, dict] = {}
        self.comment_failures = 0
        self.new_watermark: int | None = None
        self.seen_ids: set[int] = set()
        self.parse_pool: ProcessPool | None = None     # parser processes in use (None: parse in this process)
        self.started_pool: ProcessPool | None = None   # the ones this crawl started (closed when it ends)
        self.pool_lock = threading.Lock()
        self.parsers_refused = False                    # the system would not start them: parse here
        self.resumed_since: str | None = None   # start of the killed crawl this run resumes (posts seen since: fresh)
        self.run_urls: set[str] = set()   # URLs queued this run: a link to one of them is not queued again
        self.exchanges: list[tuple[str, Response | None, str | None]] = []   # discovery responses not yet recorded
        self.exchanges_lock = threading.Lock()

    # ------------------------------------------------------------------------------------------ run

    def run(self) -> SiteReport:
        """Detect, plan, fetch and store; the crawl row gets its final status whatever happens."""
        start, requests_before = time.monotonic(), self.fetcher.requests_made
        previous_listener, self.fetcher.on_response = self.fetcher.on_response, self._exchange
        try:
            return self._run(start, requests_before)
        finally:
            self.fetcher.on_response = previous_listener

    def _run(self, start: float, requests_before: int) -> SiteReport:
        """run() with discovery responses collected for the fetches table."""
        try:
            self.site = d.detect(self.fetcher, self.base)
        except FetchError as exc:   # no site row yet: detection's exchanges are only in the report's count
            self.report.status, self.report.error, self.report.exit_code = "failed", str(exc), 1
            return self._finish(start, requests_before)
        if not self.site.is_wordpress and not self.options.best_effort:
            raise NotWordPress(f"{self.base} shows none of WordPress's markers (no api.w.org link, generator meta, "
                               "/wp-content/ paths or /wp-json/); use --best-effort to crawl it anyway")
        self.site_id = self.arc.upsert_site(self.base, name=self.site.name, language=self.site.language,
                                            is_wordpress=self.site.is_wordpress, rest_api_url=self.site.rest_root)
        self._close_dead_crawl()
        self.crawl_id = self.arc.start_crawl(self.site_id, self.options.as_dict())
        self.arc.state_set(self.site_id, "running_crawl", self.crawl_id)
        self.report.crawl_id = self.crawl_id
        status = "failed"
        try:
            self._record_exchanges()
            self._load_archive()
            self.arc.frontier_clear(self.site_id)
            leftover = self.arc.frontier_counts(self.site_id).get("pending", 0)
            if leftover:
                self.report.notes.append(f"resumed {leftover} pending from an interrupted crawl")
            self._plan()
            self._record_exchanges()
            phase = time.monotonic()
            self._process()
            self.report.fetch_seconds = time.monotonic() - phase
            self._after()
            status = "partial" if self.arc.crawl(self.crawl_id)["errors"] else "complete"
        except KeyboardInterrupt:
            status = "interrupted"
            raise
        finally:
            try:
                self._record_exchanges()
                self.arc.finish_crawl(self.crawl_id, status)
                self.report.status = status
                self._finish(start, requests_before)
            finally:
                self._stop_parsers()   # after the crawl row is final: a second Ctrl-C here cannot leave it running
        return self.report

    def _exchange(self, url: str, resp: Response | None, error: str | None) -> None:
        """(any thread) Fetcher.on_response: keep a discovery response until the writer thread records it."""
        with self.exchanges_lock:
            self.exchanges.append((url, resp, error))

    def _record_exchanges(self) -> None:
        """Put the collected discovery responses in `fetches` (200 bodies kept as pages: sitemaps, feeds and
        REST listings are archive material too)."""
        if not self.crawl_id:
            return
        with self.exchanges_lock:
            batch, self.exchanges = self.exchanges, []
        if not batch:   # the common case after a page: no empty write transaction (a lock round trip each)
            return
        with self.arc.transaction():
            for url, resp, error in batch:
                if resp is None:
                    self.arc.record_fetch(self.crawl_id, url, status=None, error=error, post_page=False)
                else:
                    self.arc.record_response(self.crawl_id, resp, url=url, error=error, post_page=False)

    def _close_dead_crawl(self) -> None:
        """A crawl row still 'running' while we hold the lock belongs to a killed process: mark it interrupted."""
        previous = self.arc.state_get(self.site_id, "running_crawl")
        row = self.arc.crawl(previous) if previous else None
        if row and row["status"] == "running":
            self.arc.finish_crawl(previous, "interrupted")
            self.resumed_since = row["started_at"]
            log.warning("crawl %s of %s was killed before it finished; resuming its work", previous, self.base)

    def _finish(self, start: float, requests_before: int) -> SiteReport:
        """Fill the report's counters, timing and exit code."""
        self.report.requests = self.fetcher.requests_made - requests_before
        self.report.seconds = time.monotonic() - start
        if self.crawl_id:
            row = self.arc.crawl(self.crawl_id)
            self.report.counts = {k: row[k] for k in ("pages_fetched", "posts_new", "posts_changed",
                                                      "posts_unchanged", "posts_deleted", "errors")}
        if self.report.status in ("partial", "failed") and not self.report.exit_code:
            self.report.exit_code = 1
        return self.report

    def _known(self, wp_id: int | None, url: str) -> dict | None:
        """What the archive holds for a post: by wp_id, else by canonical URL (None when never archived)."""
        row = self.archive_by_id.get(wp_id) if wp_id is not None else None
        return row or self.archive_by_url.get(url)

    def _load_archive(self) -> None:
        """What the archive already knows about this site, keyed by wp_id and canonical URL."""
        for row in self.arc.iter_posts(self.site_id, include_deleted=True):
            if row["wp_id"] is not None:
                self.archive_by_id[row["wp_id"]] = row
            if row["url"]:
                self.archive_by_url[canonicalize(row["url"], self.base)] = row

    # ------------------------------------------------------------------------------------------ plan

    def _plan(self) -> None:
        """Queue what may have changed: REST diff when the API answers, else sitemaps, feeds and pages."""
        if self.site.rest_mode:
            try:
                self._plan_rest()
                return
            except FetchError as exc:
                self.report.notes.append(f"REST listing failed ({exc}); fell back to sitemaps and feeds")
                self.listing = None
        self.report.mode = "no-rest"
        why = self.site.rest_blocked or "REST listing failed"
        self.report.notes.append(f"no REST API ({why[:120]}): discovery by sitemaps, feeds and pages costs more "
                                 "requests and sees fewer changes")
        self._plan_without_rest()

    def _plan_rest(self) -> None:
        """Compare the REST listing (ids, links, modified_gmt, titles, authors, terms) with the archive."""
        commented = self._load_listing()
        previous = self.arc.listing_get(self.site_id)
        entries, unchanged, protected = [], [], []
        for wp_id, row in self.listing.posts.items():
            if not self._wanted(row.get("date_gmt")):
                continue
            if _protected(row):
                protected.append(wp_id)  # password-protected: its page shows a form, not the post
                continue
            reason = self._rest_reason(wp_id, row, previous, commented)
            url = canonicalize(row["link"], self.base)
            if reason:
                entries.append(self._entry(url, wp_id, reason, "rest"))
            else:
                unchanged.append((wp_id, url))
        if protected:
            self.report.notes.append(f"{len(protected)} password-protected post(s) not archived")
            self._withdraw_protected(protected)
        if self.listing.complete and self.options.since is None:
            entries += self._gone_entries(set(self.listing.posts))
        entries += self._revalidation(unchanged, entries)
        self._queue(entries)

    def _load_listing(self) -> set[int]:
        """Fetch the listing, the user/category/tag names and the comments since the watermark side by side; returns
        the IDs of posts with new comments (FetchError when the listing itself fails)."""
        watermark = self.arc.state_get(self.site_id, "comment_watermark")
        with ThreadPoolExecutor(max_workers=max(1, min(5, self.fetcher.settings.concurrency))) as pool:
            names = [pool.submit(d.rest_names, self.fetcher, self.site, route)
                     for route in ("/wp/v2/users", "/wp/v2/categories", "/wp/v2/tags")]
            comments = pool.submit(d.comments_since, self.fetcher, self.site, watermark)
            listing = pool.submit(d.rest_listing, self.fetcher, self.site, on_total=self._expect_posts)
            users, categories, tags = (f.result() for f in names)
            self.listing = listing.result()
            commented, self.new_watermark = comments.result()
        if users is None:
            self.report.notes.append("REST users endpoint refused: author renames seen only by revalidation")
        self.names = (users, categories, tags)
        self.report.found["rest"] = len(self.listing.posts)
        self.report.expected_total = self.listing.expected_total
        return commented

    def _withdraw_protected(self, wp_ids: list[int]) -> None:
        """Archived public posts that the listing now shows password-protected are no longer published content:
        they become deleted (no fetch needed, the listing says so); when the password goes, they come back as
        'restored' like any post that returns."""
        for wp_id in wp_ids:
            known = self.archive_by_id.get(wp_id)
            if known and not known["deleted_at"]:
                if self.arc.mark_deleted(self.site_id, wp_id=wp_id, crawl_id=self.crawl_id):
                    log.info("gone %s (now password-protected)", known["url"])

    def _rest_reason(self, wp_id: int, row: dict, previous: dict, commented: set[int]) -> str | None:
        """Why this listed post must be fetched now, or None if nothing says it changed."""
        known = self.archive_by_id.get(wp_id)
        if known is None:
            return "new"
        if known["deleted_at"]:
            return "restored"
        fingerprint = d.listing_fingerprint(row, *self.names)
        if (previous.get(wp_id) or {}).get("fingerprint") != fingerprint:
            return "changed"
        if wp_id in commented:
            return "comments"
        return "full" if self.options.full else None

    def _gone_entries(self, listed_ids: set[int]) -> list[dict]:
        """Archived, not-deleted posts missing from a complete listing: fetched once to confirm they are gone."""
        return [self._entry(canonicalize(row["url"], self.base), wp_id, "gone?", "archive")
                for wp_id, row in self.archive_by_id.items()
                if wp_id not in listed_ids and not row["deleted_at"] and row["url"]]

    def _revalidation(self, candidates: list[tuple[int | None, str]], planned: list[dict]) -> list[dict]:
        """A bounded rolling revalidation: the posts seen longest ago, a few per run (all with --full)."""
        if self.options.full or not candidates:
            return []
        budget = self.options.revalidate
        if budget is None:
            budget = min(50, max(5, math.ceil(len(self.archive_by_id or self.archive_by_url) / 200)))
        planned_urls = {e["url"] for e in planned}

        def last_seen(item: tuple[int | None, str]) -> str:
            return (self._known(*item) or {}).get("last_seen_at") or ""
        # Posts the killed crawl saved are as fresh as revalidation could make them: not fetched again.
        fresh = (lambda item: last_seen(item) >= self.resumed_since) if self.resumed_since else (lambda item: False)
        chosen = sorted((c for c in candidates if c[1] not in planned_urls and not fresh(c)), key=last_seen)[:budget]
        return [self._entry(url, wp_id, "revalidate", "archive") for wp_id, url in chosen]

    def _plan_without_rest(self) -> None:
        """Sitemaps, then feeds with ?paged=, then archive pagination, then the home page's links."""
        candidates, lastmods, sitemap_urls = self._candidates()
        self.report.expected_total = len(sitemap_urls) or None
        entries, unchanged = self._classify(candidates, lastmods)
        if sitemap_urls and self.options.since is None:
            entries += self._sitemap_gone(sitemap_urls, candidates)
        entries += self._revalidation(unchanged, entries)
        self._queue(entries)

    def _candidates(self) -> tuple[dict[str, dict], dict[str, str], set[str]]:
        """Post URLs found by sitemaps, feeds, archive pages and home links (the first source found wins), each
        sitemap lastmod by URL, and the URLs the sitemaps list."""
        site, fresh_archive = self.site, not self.archive_by_url
        candidates: dict[str, dict] = {}

        def add(url: str, source: str, wp_id: int | None = None, when: str | None = None) -> None:
            canon = canonicalize(url, self.base)
            if d.non_post_reason(canon, self.base) is None and canon not in candidates and self._wanted(when):
                candidates[canon] = self._entry(canon, wp_id, "new", source)
                self.report.found[source] = self.report.found.get(source, 0) + 1

        roots = self.fetcher.sitemaps(self.base) or []
        roots += [self.base + "wp-sitemap.xml", self.base + "sitemap_index.xml"]
        lastmods: dict[str, str] = {}
        for item in d.iter_sitemap_urls(self.fetcher, roots):
            add(item.url, "sitemap", when=item.published)
            if item.published:
                lastmods[canonicalize(item.url, self.base)] = item.published
        sitemap_urls = set(candidates)
        if self._feed_changed():
            pages = d.iter_feed_pages(self.fetcher, site, max_pages=1000 if (fresh_archive and not sitemap_urls) else 1)
            for item in pages:
                add(item.url, "feed", item.wp_id, when=item.published)
                self._feed_comment_hint(item, candidates)
        if not candidates:
            for link in d.iter_archive_pages(self.fetcher, site):
                add(link, "archive")
        for link in site.home_links:
            add(link, "links")
        return candidates, lastmods, sitemap_urls

    def _classify(self, candidates: dict[str, dict],
                  lastmods: dict[str, str]) -> tuple[list[dict], list[tuple[int | None, str]]]:
        """The candidates to fetch, each with its reason, and the (wp_id, url) of those nothing says changed."""
        entries, unchanged = [], []
        for url, entry in candidates.items():
            known = self.archive_by_url.get(url)
            reason = self._candidate_reason(entry["reason"], known, lastmods.get(url))
            if reason:
                entries.append(self._entry(url, entry["wp_id"], reason, entry["source"]))
            else:
                unchanged.append((known.get("wp_id"), url))
        return entries, unchanged

    def _candidate_reason(self, reason: str, known: dict | None, lastmod: str | None) -> str | None:
        """Why a discovered URL must be fetched now (new, restored, lastmod, full, comments), or None."""
        if known is None:
            return reason
        if known["deleted_at"]:
            return "restored"
        if lastmod and _later(lastmod, known.get("last_seen_at")):
            return "lastmod"
        if self.options.full:
            return "full"
        return "comments" if reason == "comments" else None

    def _sitemap_gone(self, sitemap_urls: set[str], candidates: dict[str, dict]) -> list[dict]:
        """Archived, not-deleted posts that complete sitemaps no longer list: fetched once to confirm they are gone."""
        return [self._entry(url, row.get("wp_id"), "gone?", "archive") for url, row in self.archive_by_url.items()
                if url not in sitemap_urls and url not in candidates and not row["deleted_at"]]

    def _feed_changed(self) -> bool:
        """One conditional request: the site-wide feed ETag answers 304 when nothing was published."""
        etag = self.arc.state_get(self.site_id, "feed_etag")
        if not etag or not self.archive_by_url or self.options.full:
            return True
        try:
            resp = self.fetcher.get(d.feed_url(self.site), headers={"If-None-Match": etag})
        except FetchError:
            return True
        return resp.status != 304

    def _feed_comment_hint(self, item: d.FeedItem, candidates: dict[str, dict]) -> None:
        """A feed's slash:comments that differs from the archive's count marks the post for a refetch."""
        url = canonicalize(item.url, self.base)
        known = self.archive_by_url.get(url)
        if known and item.comment_count is not None and known.get("comment_count") != item.comment_count \
                and url in candidates and candidates[url]["reason"] == "new":
            candidates[url]["reason"] = "comments"

    def _wanted(self, when: str | None) -> bool:
        """--since: keep posts published (or last modified, for sitemaps) on or after the date; unknown dates pass."""
        if self.options.since is None or not when:
            return True
        moment = _moment(when)
        if moment is None:
            return True
        since = self.options.since if self.options.since.tzinfo else self.options.since.replace(tzinfo=timezone.utc)
        return moment >= since

    def _entry(self, url: str, wp_id: int | None, reason: str, source: str) -> dict:
        """A frontier entry."""
        return {"url": url, "wp_id": wp_id, "reason": reason, "source": source}

    def _queue(self, entries: list[dict]) -> None:
        """Put the plan in the frontier (highest priority first, cut at --max-posts)."""
        entries.sort(key=lambda e: -PRIORITY[e["reason"]])
        if self.options.max_posts is not None:
            entries = entries[: self.options.max_posts]
        for entry in entries:
            self.report.planned[entry["reason"]] = self.report.planned.get(entry["reason"], 0) + 1
            self.run_urls.add(entry["url"])
        self._frontier_add(entries)

    def _frontier_add(self, entries: list[dict]) -> int:
        """Queue entries with the priority of their reason; returns how many became pending."""
        return self.arc.frontier_add(self.site_id, [{**e, "priority": PRIORITY[e["reason"]]} for e in entries])

    # ------------------------------------------------------------------------------------------ fetch

    def _process(self) -> None:
        """Fetch pending entries on worker threads; parse and store each result here, as it arrives."""
        # More worker threads than requests in flight: the per-host gate caps requests at --concurrency while the
        # spare threads wait for parser processes, so a slow parse never idles a request slot.
        workers = max(1, self.fetcher.settings.concurrency) * 2
        window = workers + max(1, self.fetcher.settings.concurrency)
        limit = self.options.max_posts
        total = self.arc.frontier_counts(self.site_id).get("pending", 0)
        handled = 0
        inflight: dict[Future, Work] = {}
        self._start_parsers(total)
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch") as pool:
            while True:
                budget = None if limit is None else limit - handled - len(inflight)
                self._fill(pool, inflight, window, budget)
                if not inflight:
                    break
                done, _ = wait(inflight, return_when=FIRST_COMPLETED)
                for future in done:
                    work = inflight.pop(future)
                    with self.arc.transaction():  # page, post, listing row and frontier state commit together
                        self._handle(work, future)
                    self._record_exchanges()
                    handled += 1
                    total = max(total, handled)
                    self.on_progress(handled, total + len(inflight))
        self._stop_parsers()

    def _expect_posts(self, total: int | None) -> None:
        """(listing thread) The REST listing's X-WP-Total, before its other pages: on a first or --full crawl
        every post will be fetched (up to --max-posts; --since leaves the count unknown until the plan), so the
        parser processes start now and are ready when the pages come."""
        if total and (self.options.full or not self.archive_by_id) and self.options.since is None:
            self._start_parsers(min(total, self.options.max_posts or total))

    def _start_parsers(self, pending: int) -> None:
        """Start parser processes when `pending` pages make them worth it (once per crawl; see parse_pool); when
        the system refuses them, the crawl parses in this process."""
        with self.pool_lock:
            if self.started_pool is None and not self.parsers_refused:
                try:
                    self.parse_pool = self.started_pool = parse_pool(self.options.parse_workers, pending)
                except OSError as exc:
                    self.parsers_refused = True
                    log.warning("parser processes could not be started (%s); parsing in the crawler process", exc)

    def _stop_parsers(self) -> None:
        """Stop the parser processes this crawl started (the pages are all in; idempotent)."""
        self.parse_pool = None
        if self.started_pool is not None:
            self.started_pool.close()

    def _fill(self, pool: ThreadPoolExecutor, inflight: dict[Future, Work], window: int, budget: int | None) -> None:
        """Top up the in-flight window from the frontier (entries stay pending until handled)."""
        room = window - len(inflight)
        if budget is not None:
            room = min(room, budget)
        if room <= 0 or (inflight and room < max(1, window // 4)):
            return   # topped up in batches: one frontier query per few pages, and the fetch threads stay busy
        busy = {w.url for w in inflight.values()}
        for entry in self.arc.frontier_next(self.site_id, room + len(busy)):
            if entry["url"] in busy or room <= 0:
                continue
            reason = entry["reason"] or "new"
            headers = {} if reason in ("gone?", "new", "links") else self.arc.conditional_headers(entry["url"])
            work = Work(entry["url"], entry["wp_id"], reason, entry["source"] or "", headers)
            inflight[pool.submit(self._fetch, work)] = work
            room -= 1

    def _fetch(self, work: Work) -> Fetched:
        """(worker thread) The page (conditional headers from the last fetch), the further pages of a post split
        with <!--nextpage-->, the API comment count when comments changed, and the parsed post when a parser
        process pool is in use (so parsing runs on another core while this process stores)."""
        resp = self.fetcher.get(work.url, headers=work.headers, record=False)   # _handle records these
        links = post_page_links(resp.body, resp.final_url) if resp.status == 200 else []
        extra = [self.fetcher.get(url, record=False) for url in links]
        post, parse_error, processes = None, None, self.parse_pool
        if processes is not None and resp.status == 200 and all(p.status == 200 for p in extra):
            try:
                post = processes.run(parse_post, resp.body, resp.final_url, resp.headers, further_pages(extra))
            except WorkerDied as exc:
                parse_error = f"{exc}; raw page kept"
            except PoolUnavailable as exc:
                if self.parse_pool is not None:
                    log.warning("%s; parsing in the crawler process instead", exc)
                    self.parse_pool = None   # (started_pool: the crawl still stops it)
        api_comments = None
        if (self.options.confirm_comments and work.reason == "comments" and work.wp_id and self.site.rest_mode
                and resp.status == 200):
            try:
                api_comments = d.comment_total(self.fetcher, self.site, work.wp_id)
            except FetchError as exc:
                log.info("comment count of post %s unavailable: %s", work.wp_id, exc)
        packed = [self.arc.pack_page(page.body, self.site_id) if page.status == 200 else None
                  for page in (resp, *extra)]
        return Fetched(resp, extra, api_comments, post, packed, parse_error)

    # ------------------------------------------------------------------------------------------ store

    def _handle(self, work: Work, future: Future) -> None:
        """Store one fetch result: save the post, mark it gone, or record the failure; never lose the page."""
        try:
            fetched: Fetched = future.result()
        except RobotsDisallowed as exc:
            log.warning("skipped %s: %s", work.url, exc)
            self.arc.frontier_done(self.site_id, work.url, "skipped", str(exc))
            return
        except FetchError as exc:
            self._fail(work, str(exc), recorded=False)
            return
        resp = fetched.resp
        sha = self.arc.record_response(self.crawl_id, resp, url=work.url,
                                       packed=fetched.packed[0] if fetched.packed else None)
        if resp.status == 200:
            self._handle_page(work, fetched, sha)
        else:
            self._handle_status(work, resp)

    def _handle_status(self, work: Work, resp: Response) -> None:
        """A non-200 answer: gone (404/410, unless this run's listing shows the post), unchanged (304) or an error."""
        if resp.status in GONE_STATUSES and self._listed_public(work.wp_id):
            self._fail(work, f"HTTP {resp.status}, but this run's REST listing shows the post")
        elif resp.status in GONE_STATUSES:
            self._gone(work, f"HTTP {resp.status}")
        elif resp.status == 304:
            self._not_modified(work, resp)
        else:
            self._fail(work, f"HTTP {resp.status}")

    def _handle_page(self, work: Work, fetched: Fetched, sha: str | None) -> None:
        """A 200 page (already stored): saved as the post once it proves to be it; else skipped, gone or an error."""
        resp = fetched.resp
        if not _looks_like_html(resp):
            log.warning("skipped %s: not an HTML page (Content-Type %s)", work.url, resp.headers.get("content-type"))
            self.arc.frontier_done(self.site_id, work.url, "skipped", "not HTML")
        elif PASSWORD_FORM in resp.body:
            self._password_form(work)
        elif work.reason == "gone?" and not self._still_the_post(work, resp):
            if self._redirected(work, resp) or WP_OTHER_PAGE.search(resp.body[:HEAD_BYTES]):
                self._gone(work, f"now {resp.final_url}")
            else:   # a challenge or maintenance page proves nothing: try again next run
                self._fail(work, "missing from the listing, but the page shows neither the post nor another "
                                 "WordPress page")
        elif self._unverified(work) and not POST_BODY_CLASS.search(resp.body[:HEAD_BYTES]):
            log.info("skipped %s: not a single post (no single-post body class)", work.url)
            self.arc.frontier_done(self.site_id, work.url, "skipped", "not a post")
        elif not self._is_the_post(work, resp):
            self._fail(work, "the page is not the post (no postid/shortlink/single-post marker: a challenge, "
                             "login or maintenance page?); raw page kept")
        elif not self._extra_pages(work, fetched.extra, fetched.packed[1:]):
            return   # a further page failed (recorded)
        elif fetched.parse_error:
            self._fail(work, fetched.parse_error)
        else:
            post = fetched.post or parse_post(resp.body, resp.final_url, resp.headers, further_pages(fetched.extra))
            self._save(work, resp, sha, fetched.api_comments, post)

    def _extra_pages(self, work: Work, extra: list[Response], packed: list[PackedPage | None]) -> bool:
        """Store pages 2..N of a split post; False (and a failure) if one of them did not come back whole."""
        for page, pack in zip(extra, packed):
            self.arc.record_response(self.crawl_id, page, packed=pack)
        broken = [p for p in extra if p.status != 200]
        if broken:
            self._fail(work, f"page {broken[0].url} of the post answered HTTP {broken[0].status}")
            return False
        return True

    def _unverified(self, work: Work) -> bool:
        """True for URLs that only look like posts (sitemap, feed, page links) on a WordPress site: their page
        must carry WordPress's single-post body class before it is saved as a post."""
        return (self.site.is_wordpress and work.wp_id is None and work.source != "rest"
                and work.reason in ("new", "links"))

    def _save(self, work: Work, resp: Response, sha: str | None, api_comments: int | None, post: Post,
              body: bytes | None = None) -> None:
        """Save the parsed post with the API's view of it; `body` is the page's when resp has none (a 304)."""
        post = self._complete(post, work, resp)
        if post.wp_id is not None and post.wp_id in self.seen_ids and work.reason != "gone?":
            log.info("%s is post %s, already saved this run (duplicate URL)", work.url, post.wp_id)
            self.arc.frontier_done(self.site_id, work.url, "skipped", "duplicate")
            return
        row = self.listing.posts.get(post.wp_id) if (self.listing and post.wp_id is not None) else None
        api = d.api_view(row, *self.names) if row else None
        self._fill_from_api(post, api, work)
        if api is not None and api_comments is not None:
            api["comment_count"] = api_comments
        try:
            result = self.arc.save_post(post, site_id=self.site_id, crawl_id=self.crawl_id, page_sha256=sha, api=api)
        except IncompleteRecord as exc:   # parse() never raises: a bug leaves a record that must not be saved
            self._fail(work, f"{exc} (raw page kept as {sha})")
            return
        if post.wp_id is not None:
            self.seen_ids.add(post.wp_id)
        if row:
            self.arc.listing_put(self.site_id, [{"wp_id": post.wp_id, "url": row.get("link"),
                                                 "fingerprint": d.listing_fingerprint(row, *self.names),
                                                 "modified_gmt": row.get("modified_gmt")}])
        log.info("%s %s (%s)%s", result.status, work.url, work.reason,
                 f": {', '.join(result.changed_fields)}" if result.changed_fields else "")
        self.arc.frontier_done(self.site_id, work.url, "done")
        if self.site.rest_mode is None and self.options.follow_links:
            self._harvest_links(body if body is not None else resp.body, resp.final_url, resp.headers)

    def _fill_from_api(self, post: Post, api: dict | None, work: Work) -> None:
        """Fields the page left empty (a theme showing no modified date, no excerpt...) taken from the REST
        listing, with sources[field] = 'api:rest-listing' (reparse leaves such fields alone). On a run without a
        listing, the archived API values of those fields are carried over, so the missing API is not a change."""
        if api is not None:
            given, labels = api, dict.fromkeys(API_FILLED, API_SOURCE)
        else:
            given, labels = self._archived_api_fields(post, work)
        for name in API_FILLED:
            if not empty(getattr(post, name)) or empty(given.get(name)):
                continue
            if name == "excerpt" and api is not None and _auto_excerpt(given[name], post.body_text):
                continue   # WordPress made it from the body: not an excerpt anyone wrote
            setattr(post, name, given[name])
            post.sources[name] = labels[name]
        if not post.authors and post.author and post.sources.get("author", "").startswith("api"):
            post.authors, post.sources["authors"] = [post.author], post.sources["author"]

    def _archived_api_fields(self, post: Post, work: Work) -> tuple[dict, dict]:
        """The archived post's fields that came from the API, and their sources ({} when none or not archived)."""
        known = self._known(post.wp_id, work.url)
        if not known or known.get("id") is None or not any(empty(getattr(post, n)) for n in API_FILLED):
            return {}, {}
        row = self.arc.post(known["id"]) or {}
        labels = {name: how for name, how in (row.get("sources") or {}).items()
                  if name in API_FILLED and str(how).startswith("api")}
        return {name: row.get(name) for name in labels}, labels

    def _complete(self, post: Post, work: Work, resp: Response) -> Post:
        """Fill what the parser could not see but the crawl knows (URL, wp_id, site details)."""
        if not post.url:
            post.url = canonicalize(resp.final_url, self.base)
        if post.wp_id is None and work.wp_id is not None and work.reason != "gone?":
            post.wp_id = work.wp_id
        shortlink = SHORTLINK_HEADER.search(resp.headers.get("link", ""))
        if post.wp_id is None and shortlink:
            post.wp_id = shortlink_id(shortlink.group(1))
        return post

    def _archived_public(self, work: Work) -> bool:
        """True when the URL is a post the archive holds as published (not deleted)."""
        row = self._known(work.wp_id, work.url)
        return bool(row and row.get("id") is not None and not row["deleted_at"])   # link placeholders have no id

    def _listed_public(self, wp_id: int | None) -> bool:
        """True when this run's REST listing shows the post as published and not password-protected."""
        row = self.listing.posts.get(wp_id) if (self.listing is not None and wp_id is not None) else None
        return row is not None and not _protected(row)

    def _password_form(self, work: Work) -> None:
        """A page showing the password form: an archived public post became protected (deleted, 'restored' when it
        reopens), unless the listing still calls it public (then the page is not trusted: an error)."""
        if self._listed_public(work.wp_id):
            self._fail(work, "the page shows a password form, but the REST listing shows the post public")
        elif self._archived_public(work):
            self._gone(work, "password protected")
        else:
            log.info("skipped %s: password-protected post", work.url)
            self.arc.frontier_done(self.site_id, work.url, "skipped", "password protected")

    def _redirected(self, work: Work, resp: Response) -> bool:
        """True when the URL now redirects to another page."""
        return canonicalize(resp.final_url, self.base) != work.url

    def _is_the_post(self, work: Work, resp: Response) -> bool:
        """True when a 200 page shows the post: with a known wp_id, its postid-N body class, article id or shortlink
        (header or link tag); without one, WordPress's single-post body class (sites crawled with --best-effort
        that are not WordPress have no such marker: only the parser-error check applies to them)."""
        if work.wp_id is None:
            return not self.site.is_wordpress or POST_BODY_CLASS.search(resp.body[:HEAD_BYTES]) is not None
        return _shows_id(resp, work.wp_id, articles=True)

    def _still_the_post(self, work: Work, resp: Response) -> bool:
        """True when a URL we thought gone still shows the same post (its postid-N body class or shortlink; not an
        article id, which an archive page listing the post also has)."""
        if work.wp_id is None:
            return canonicalize(resp.final_url, self.base) == work.url
        return _shows_id(resp, work.wp_id, articles=False)

    def _gone(self, work: Work, why: str) -> None:
        """The post is no longer public: a 'deleted' version in the archive."""
        if self._listed_public(work.wp_id):   # a post this run's listing shows is never deleted
            self._fail(work, f"looked gone ({why}), but this run's REST listing shows it")
            return
        if work.wp_id is not None:
            deleted = self.arc.mark_deleted(self.site_id, wp_id=work.wp_id, crawl_id=self.crawl_id)
        else:
            row = self.archive_by_url.get(work.url)
            deleted = self.arc.mark_deleted(self.site_id, url=(row or {}).get("url") or work.url,
                                            crawl_id=self.crawl_id)
        log.info("gone %s (%s)%s", work.url, why, "" if deleted else ": was not archived")
        self.arc.frontier_done(self.site_id, work.url, "gone", why)

    def _not_modified(self, work: Work, resp: Response) -> None:
        """304: the page is the one archived. Re-save the post rebuilt from its stored pages (all of them for a post
        split with <!--nextpage-->, each parsed with its recorded Content-Type, as the crawl that stored them did),
        so that last_seen_at moves and nothing reads as a change."""
        from scraper.store.reparse import reparse_page

        sha = (self._known(work.wp_id, work.url) or {}).get("page_sha256")
        if not sha:
            self.arc.frontier_done(self.site_id, work.url, "done")   # nothing stored to re-save from
            return
        try:
            post = reparse_page(self.arc, sha, work.url)
        except KeyError as exc:   # a further page of a split post was never stored: leave the post as it is
            log.info("%s answered 304; left as archived: %s", work.url, exc)
            self.arc.frontier_done(self.site_id, work.url, "done")
            return
        self._save(work, resp, sha, None, post, body=self.arc.page_bytes(sha))

    def _fail(self, work: Work, error: str, recorded: bool = True) -> None:
        """A page that could not be archived this time: logged, counted, left for the next run. recorded=False
        when no response came back (the failure itself goes in `fetches`)."""
        log.warning("failed %s (%s): %s", work.url, work.reason, error)
        if not recorded:
            self.arc.record_fetch(self.crawl_id, work.url, status=None, error=error)
        self.arc.count_error(self.crawl_id)
        if work.reason == "comments":
            self.comment_failures += 1
        self.arc.frontier_done(self.site_id, work.url, "failed", error)

    def _harvest_links(self, body: bytes, url: str, headers: dict[str, str]) -> None:
        """Without a REST API, in-site links of fetched posts can reveal posts no listing showed."""
        counts = self.arc.frontier_counts(self.site_id)
        if sum(counts.values()) >= MAX_LINK_FRONTIER:
            return
        fresh = []
        for link in d.page_links(decode(body, headers, []), url):
            canon = canonicalize(link, self.base)
            if (canon not in self.archive_by_url and canon not in self.run_urls
                    and d.non_post_reason(canon, self.base, self.fetcher.settings.allow_hosts) is None):
                self.run_urls.add(canon)
                fresh.append(self._entry(canon, None, "links", "links"))
                self.archive_by_url.setdefault(canon, {"url": canon, "deleted_at": None, "wp_id": None,
                                                       "last_seen_at": "", "page_sha256": None})
        if fresh:
            added = self._frontier_add(fresh)
            self.report.found["links"] = self.report.found.get("links", 0) + added

    # ------------------------------------------------------------------------------------------ after

    def _after(self) -> None:
        """Per-site state for the next run: comment watermark (if every comment-driven fetch worked), feed ETag."""
        if self.site.rest_mode and self.listing is not None and self.new_watermark is not None:
            if self.comment_failures == 0:
                self.arc.state_set(self.site_id, "comment_watermark", self.new_watermark)
        if self.report.mode == "no-rest":
            try:
                resp = self.fetcher.get(d.feed_url(self.site))
            except FetchError:
                return
            if resp.status == 200 and resp.headers.get("etag"):
                self.arc.state_set(self.site_id, "feed_etag", resp.headers["etag"])


def _auto_excerpt(excerpt: str | None, body_text: str | None) -> bool:
    """True when a REST excerpt is WordPress's automatic one (the body's first words, '[…]' after): the REST API
    without credentials does not say whether an excerpt was written by hand, so its opening is looked up in the
    body (letters and digits only, as WordPress strips tags and shortcodes). A hand-written excerpt that copies
    the opening of the post is taken for an automatic one (and not filled)."""
    if not excerpt or not body_text:
        return False
    key = re.sub(r"\W+", "", re.sub(r"\[(…|&hellip;|\.\.\.)\]\s*$", "", excerpt)).lower()[:120]
    return bool(key) and key in re.sub(r"\W+", "", body_text).lower()


def _shows_id(resp: Response, wp_id: int, articles: bool) -> bool:
    """True when a page marks post wp_id as its own: its postid-N body class, a shortlink (Link header, <link> tag)
    or, with `articles`, the id="post-N" of an article. Looks for this one ID's markers with bytes.find rather than
    collecting every ID a page marks: 5% of the crawler's main-thread time went to that (py-spy --gil). Numbers are
    matched as WordPress writes them (no leading zeros: "postid-007" is not post 7)."""
    head = resp.body[:HEAD_BYTES]
    digits = b"%d" % wp_id
    if _has_word(head, b"postid-" + digits, digits_end=True):
        return True
    if articles and any(_has_word(head, b"id=%spost-%s%s" % (q1, digits, q2), digits_end=False)
                        for q1 in (b'"', b"'") for q2 in (b'"', b"'")):
        return True
    links = [m.group(1) for m in SHORTLINK_HEADER.finditer(resp.headers.get("link", ""))]
    links += [m.group(1).decode("utf-8", "replace") for m in SHORTLINK_TAG.finditer(head)]
    return any(shortlink_id(link.replace("&amp;", "&")) == wp_id for link in links)


def _has_word(text: bytes, needle: bytes, digits_end: bool) -> bool:
    """True when needle occurs in text at a word start (what a leading \\b checks) and, with digits_end, is not
    followed by a word character (its number is not the start of a longer one)."""
    at = text.find(needle)
    while at >= 0:
        after = text[at + len(needle):at + len(needle) + 1]
        if _at_word_start(text, at) and not (digits_end and _is_word_byte(after)):
            return True
        at = text.find(needle, at + 1)
    return False


def _at_word_start(text: bytes, index: int) -> bool:
    """True when text[index] starts a word: no ASCII letter, digit or _ before it."""
    return not _is_word_byte(text[index - 1:index]) if index else True


def _is_word_byte(char: bytes) -> bool:
    """True for one ASCII letter, digit or underscore (False for b"")."""
    return bool(char) and (char.isalnum() or char == b"_")


def _protected(row: dict) -> bool:
    """True when a REST listing row is a password-protected post."""
    return isinstance(row.get("excerpt"), dict) and bool(row["excerpt"].get("protected"))


def _moment(text: str | None) -> datetime | None:
    """A date string as an aware datetime (UTC when it has no offset), read as the parser reads dates; None when
    unreadable or partial (a sitemap lastmod of '2025' is not completed with today's month and day)."""
    normalised = dates.iso(text)
    if normalised is None:
        return None
    moment = datetime.fromisoformat(normalised)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _later(lastmod: str, seen: str | None) -> bool:
    """True when a sitemap lastmod is after the archive's last sighting (or the sighting is unknown)."""
    when, last = _moment(lastmod), _moment(seen)
    return when is not None and (last is None or when > last)


def further_pages(extra: list[Response]) -> Callable[[str], tuple[bytes, dict[str, str]] | None]:
    """parse_post's lookup of a split post's further pages among those fetched (picklable: a dict's get)."""
    return {page.url: (page.body, page.headers) for page in extra}.get


def parse_pool(workers: int | None, pending: int) -> ProcessPool | None:
    """Parser processes: parsing is the CPU-heavy step and the GIL keeps it on the crawler's core. By default two
    for big runs on a multi-core machine: with one, the parser idles while a page or a result crosses its pipe
    (bench/crawl.py on 2 cores, no latency: 2 beat 1 in 4 of 4 alternating runs, ~+12% posts/s), and the crawler
    (one writer, ~2 ms of CPU a post) cannot feed more; none for small runs, where starting processes costs more
    than it saves."""
    if workers is None:
        workers = 2 if pending >= 200 and (os.cpu_count() or 1) > 1 else 0
    if workers <= 0 or pending < 20:
        return None
    return ProcessPool(workers)


def _looks_like_html(resp: Response) -> bool:
    """HTML by Content-Type, or by content when the server mislabels it."""
    ctype = resp.headers.get("content-type", "").lower()
    if "html" in ctype:
        return True
    head = resp.body[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<head" in head


def site_targets(urls: Iterable[str], sites: TextIO | None = None) -> list[str]:
    """The site URLs given as arguments and in a --sites file (one per line, '#' comments), all checked before any
    request: ValueError naming the argument or file line of the first one that cannot be a site."""
    targets = [(url, f"argument {url!r}") for url in urls]
    if sites is not None:
        targets += [(line.strip(), f"{sites.name} line {number}") for number, line in enumerate(sites, 1)
                    if line.strip() and not line.lstrip().startswith("#")]
    for url, where in targets:
        try:
            normalize_base(url)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
    return [url for url, _ in targets]


def allowed_hosts(values: Iterable[str]) -> frozenset[str]:
    """--allow-host values ('cdn.example', 'www.site.example:8080') as the host keys redirects are checked against."""
    return frozenset(host_key(normalize_base(value)) for value in values if value.strip())


def crawl_sites(arc, fetcher: Fetcher, urls: Iterable[str], options: CrawlOptions,
                on_progress: Callable[[int, int], None] | None = None,
                on_report: Callable[[SiteReport], None] | None = None) -> list[SiteReport]:
    """Crawl each site in turn under the archive's crawl lock; one report per site."""
    reports = []
    with arc.crawl_lock():
        for url in urls:
            report = _crawl_site(arc, fetcher, url, options, on_progress)
            reports.append(report)
            if on_report:
                on_report(report)
    return reports


def _crawl_site(arc, fetcher: Fetcher, url: str, options: CrawlOptions,
                on_progress: Callable[[int, int], None] | None) -> SiteReport:
    """One site's report; a bad site URL (exit 2) or a site's ScraperError never stops the others, while an
    ArchiveError (the archive file itself failed) and bugs propagate."""
    try:
        normalize_base(url)
    except ValueError as exc:
        return SiteReport(site=url.strip(), status="failed", error=str(exc), exit_code=2)
    start, requests_before = time.monotonic(), fetcher.requests_made
    try:
        return SiteCrawl(arc, fetcher, url, options, on_progress).run()
    except ArchiveError:   # disk full, read-only...: no site can go on
        raise
    except ScraperError as exc:
        return SiteReport(site=normalize_base(url), status="failed", error=str(exc), exit_code=exc.exit_code,
                          requests=fetcher.requests_made - requests_before, seconds=time.monotonic() - start)
