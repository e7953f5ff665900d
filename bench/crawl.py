"""Benchmark: end-to-end crawl speed (fetch + parse + store) and the request cost of a no-change rerun.

Usage: python3 bench/crawl.py [--posts 1000] [--latencies 0,0.1] [--concurrency 8] [--memory-posts 0]

A local server on 127.0.0.1 plays a WordPress site of --posts posts whose pages are the captured fixture pages
(tests/fixtures/wordpress/*/posts/, else the hand-written tests/fixtures/themes/*.html), each copy rewritten to its
own URL and post ID; it answers robots.txt, the home page and the REST listing like WordPress, after a fixed latency.
Measured, each as the median of --rounds runs into a fresh archive:
  * parse-only rate of the same posts on one core, each with its further pages as the crawl parses it (the
    ceiling the crawler is compared with; taken again before each no-latency round, and the ratio reported is the
    median of the rounds' ratios); the first-pages-only rate (as bench/parse.py counts) is printed beside it;
  * crawl posts/s for each latency (`scraper crawl --delay 0 --concurrency N`, a child process);
  * HTTP requests of a no-change incremental rerun (target: under 30 for 1,000 posts with the REST API open);
  * with --memory-posts N: peak RSS of the crawl process over N posts (target: <= 200 MB for 10,000).
The machine has 2 shared cores and the server runs on them too: read the ratios, not the absolute numbers. The
server is kept lean (asyncio, each page one %-format of a pre-split template: ~0.1 ms of CPU a page, where the
tests' FaultServer on http.server took ~0.5 ms) because a real site's CPU is not on the crawler's machine.
"""
from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The benchmark talks to 127.0.0.1 only: no proxy from the environment may carry its requests (or the child
# crawler's, which inherits this environment) off the machine.
for _name in list(os.environ):
    if _name.lower() in ("http_proxy", "https_proxy", "all_proxy", "ftp_proxy", "no_proxy"):
        del os.environ[_name]
os.environ["NO_PROXY"] = "127.0.0.1,localhost,::1"
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from faultserver import Hit, Reply  # noqa: E402  (the tests' reply records)

FIXTURES = ROOT / "tests" / "fixtures"


Template = tuple[bytes, str | None, int | None, list[bytes]]   # page, its URL, its wp_id, pages 2..N


def load_templates() -> list[Template]:
    """Every captured post page (with the further pages of split posts), else every hand-written theme fixture."""
    from scraper.parse import parse

    captured = sorted((FIXTURES / "wordpress").glob("*/posts/*.html.gz"))
    firsts = [p for p in captured if "-p" not in p.name.split(".")[0]]
    if firsts:
        pages = [(gzip.decompress(p.read_bytes()),
                  [gzip.decompress(x.read_bytes()) for x in sorted(p.parent.glob(p.name.split(".")[0] + "-p*.html.gz"),
                                                                   key=lambda x: int(x.name.split("-p")[1].split(".")[0]))])
                 for p in firsts]
    else:
        pages = [(p.read_bytes(), []) for p in sorted((FIXTURES / "themes").glob("*.html"))]
    templates = []
    for page, extra in pages:
        post = parse(page)
        templates.append((page, post.url, post.wp_id, extra))
    return templates


class LeanServer:
    """A minimal HTTP/1.1 keep-alive server on 127.0.0.1 (asyncio on a thread): `reply_for(Hit) -> Reply` after
    `latency` seconds. No faults, no hit log: the benchmark's stand-in for a remote site."""

    def __init__(self, latency: float = 0.0):
        self.latency = latency
        self.loop = asyncio.new_event_loop()
        self.server = self.loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0))
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.base_url = f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"
        self.writers: set[asyncio.StreamWriter] = set()

    def reply_for(self, hit: Hit) -> Reply:
        return Reply(404, "not found")

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writers.add(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1].decode("latin-1")
                if self.latency:
                    await asyncio.sleep(self.latency)
                reply = self.reply_for(Hit(path, {}, time.monotonic()))
                body = reply.body.encode() if isinstance(reply.body, str) else reply.body
                headers = {"Content-Type": reply.content_type, **reply.headers, "Content-Length": str(len(body))}
                writer.write(f"HTTP/1.1 {reply.status} X\r\n".encode() + "".join(
                    f"{name}: {value}\r\n" for name, value in headers.items()).encode() + b"\r\n" + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.writers.discard(writer)
            writer.close()

    def __enter__(self) -> "LeanServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._close(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)

    async def _close(self) -> None:
        """Stop listening and end the open connections (their tasks close their sockets)."""
        self.server.close()
        for writer in list(self.writers):
            writer.close()
        await asyncio.sleep(0.05)   # their tasks see the end of input and return


def page_template(page: bytes, url: str | None, old_id: int | None) -> bytes:
    """The page as a bytes %-format with %(url)s where its URL was and %(id)d where its post ID was (body class,
    article id, shortlink, REST link), so that each copy costs one C-level format instead of regex passes."""
    parts = page.split(url.encode()) if url else [page]   # before escaping: URLs hold %-escapes too
    template = b"%(url)s".join(part.replace(b"%", b"%%") for part in parts)
    if old_id is not None:
        template = re.sub(rb"(postid-|post-|\?p=|posts/)%d\b" % old_id, rb"\g<1>%(id)d", template)
    return template


class BenchSite:
    """A WordPress-shaped site of n posts made of template pages, with REST listing; served on loopback."""

    def __init__(self, templates: list[Template], n_posts: int, latency: float):
        self.n = n_posts
        self.templates = [[page_template(p, url, old_id) for p in (page, *extra)]
                          for page, url, old_id, extra in templates]
        self.server = LeanServer(latency=latency)
        self.server.reply_for = self.route  # type: ignore[method-assign]

    def url(self, wp_id: int) -> str:
        return f"{self.server.base_url}/bench/{wp_id}/"

    def page(self, wp_id: int, number: int = 1) -> bytes | None:
        """Page `number` of template wp_id % len, rewritten to this post's URL and ID (None if it has no such page)."""
        pages = self.templates[wp_id % len(self.templates)]
        if number > len(pages):
            return None
        return pages[number - 1] % {b"url": self.url(wp_id).encode(), b"id": wp_id}

    def listing(self, page: int, per_page: int) -> list[dict]:
        first = (page - 1) * per_page + 1
        return [{"id": i, "link": self.url(i), "date_gmt": "2025-06-01T10:00:00", "modified_gmt": "2025-06-01T10:00:00",
                 "title": {"rendered": f"Post {i}"}, "author": 1, "categories": [1], "tags": [],
                 "excerpt": {"rendered": "", "protected": False}, "slug": f"p{i}", "featured_media": 0}
                for i in range(first, min(self.n, first + per_page - 1) + 1)]

    def route(self, hit: Hit) -> Reply:
        from urllib.parse import parse_qs, urlsplit

        parts = urlsplit(hit.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        json_type = "application/json; charset=UTF-8"
        if parts.path == "/robots.txt":
            return Reply(200, "User-agent: *\nDisallow: /wp-admin/\n", content_type="text/plain")
        if parts.path == "/":
            return Reply(200, f'<html><head><meta name="generator" content="WordPress 6.1.1" /><link rel="https://api.w.org/"'
                              f' href="{self.server.base_url}/wp-json/" /></head><body></body></html>')
        if parts.path == "/wp-json/wp/v2/posts":
            per_page, page = int(query.get("per_page", 10)), int(query.get("page", 1))
            pages = -(-self.n // per_page)
            return Reply(200, json.dumps(self.listing(page, per_page)), content_type=json_type,
                         headers={"X-WP-Total": str(self.n), "X-WP-TotalPages": str(pages)})
        if parts.path in ("/wp-json/wp/v2/users", "/wp-json/wp/v2/categories", "/wp-json/wp/v2/tags"):
            return Reply(200, json.dumps([{"id": 1, "name": "Name"}]), content_type=json_type,
                         headers={"X-WP-Total": "1", "X-WP-TotalPages": "1"})
        if parts.path == "/wp-json/wp/v2/comments":
            return Reply(200, "[]", content_type=json_type, headers={"X-WP-Total": "0", "X-WP-TotalPages": "0"})
        match = re.fullmatch(r"/bench/(\d+)/(?:(\d+)/)?", parts.path)
        if match and 1 <= int(match.group(1)) <= self.n:
            page = self.page(int(match.group(1)), int(match.group(2) or 1))
            if page is not None:
                return Reply(200, page)
        return Reply(404, "not found")


PARSE_WORKERS: list[str] = []


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants now, in MB (Linux /proc)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return total / 1024


def crawl(site: BenchSite, db: Path, concurrency: int, *extra: str) -> tuple[dict, float, float, float]:
    """One `scraper crawl` child process: (its JSON summary, wall seconds, its own peak RSS in MB (VmHWM, read every
    0.1 s: the kernel's ru_maxrss of a child would also count its descendants, spawned processes included), the peak
    RSS of its whole process tree in MB, parser processes included, sampled every 0.1 s)."""
    import threading

    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "scraper", "crawl", site.server.base_url + "/", "--db", str(db),
                             "--delay", "0", "--concurrency", str(concurrency), "--log-format", "json", "--quiet",
                             *PARSE_WORKERS, *extra], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    own_peak, tree_peak = [0.0], [0.0]
    exited = threading.Event()

    def sample() -> None:
        # Not proc.poll(): it would reap the child while it is read (the wait below does that).
        while not exited.wait(0.1):
            own_peak[0] = max(own_peak[0], high_water_mb(proc.pid))
            tree_peak[0] = max(tree_peak[0], tree_rss_mb(proc.pid))
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.stdout.read(), proc.stderr.read()   # --quiet: stderr stays small, no pipe deadlock
    proc.wait()
    exited.set()
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"crawl failed ({proc.returncode}): {err[-2000:]}")
    sampler.join(timeout=1)
    return json.loads(out), seconds, own_peak[0], tree_peak[0]


def high_water_mb(pid: int) -> float:
    """A live process's peak resident memory so far (VmHWM), in MB; 0 once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    return next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM:")), 0.0)


def parse_rate(templates: list[Template], rounds: int, whole_posts: bool = True) -> float:
    """Posts/s of the parser alone on one core, median of rounds. whole_posts: parse_post over each post with its
    further pages (a post split with <!--nextpage--> is parsed page by page: the parsing the crawl does for a post,
    so the ceiling it is compared with); else parse() over first pages only (pages/s, as bench/parse.py counts)."""
    from scraper.parse import parse
    from scraper.parse.pages import parse_post, post_page_links

    headers = {"content-type": "text/html; charset=utf-8"}   # what the bench server sends
    jobs = []
    for page, url, _, extra in templates:
        further = {link: (body, headers) for link, body in zip(post_page_links(page, url or ""), extra)}
        jobs.append((page, url, further))
    jobs *= max(1, 200 // len(jobs))
    rates = []
    for _ in range(rounds):
        start = time.perf_counter()
        for page, url, further in jobs:
            if whole_posts:
                parse_post(page, url, headers, further.get)
            else:
                parse(page)
        rates.append(len(jobs) / (time.perf_counter() - start))
    return statistics.median(rates)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=1000)
    ap.add_argument("--latencies", default="0,0.1", help="comma-separated seconds of server latency")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--memory-posts", type=int, default=0, help="also measure peak RSS over this many posts")
    ap.add_argument("--parse-workers", help="passed to scraper crawl (default: its automatic choice)")
    args = ap.parse_args()

    if args.parse_workers is not None:
        PARSE_WORKERS[:] = ["--parse-workers", args.parse_workers]
    templates = load_templates()
    print(f"pages: {len(templates)} distinct templates, {args.posts} posts per site")
    pages_only = parse_rate(templates, args.rounds, whole_posts=False)
    parser = parse_rate(templates, args.rounds)
    print(f"parse only, one core: {parser:.1f} posts/s with their further pages (the ceiling below); "
          f"{pages_only:.1f} first pages/s (median of {args.rounds})")
    results = {"templates": len(templates), "posts": args.posts, "parse_posts_per_s": round(parser, 1),
               "parse_first_pages_per_s": round(pages_only, 1)}
    with tempfile.TemporaryDirectory() as tmp:
        for latency in [float(x) for x in args.latencies.split(",")]:
            whole, phase, ratios = [], [], []
            for r in range(args.rounds):
                # Without latency the ceiling is the parser's rate, taken again right before each crawl: the shared
                # machine's speed drifts by 10% over minutes, and each ratio compares two runs under one condition.
                ceiling = args.concurrency / latency if latency else parse_rate(templates, 1)
                first_pages = parse_rate(templates, 1, whole_posts=False) if not latency else ceiling
                db = Path(tmp) / f"lat{latency}-{r}.db"
                site = BenchSite(templates, args.posts, latency)
                with site.server:
                    summary, seconds, _, _ = crawl(site, db, args.concurrency)
                assert summary["posts_new"] == args.posts, summary
                whole.append(args.posts / seconds)
                phase.append(args.posts / summary["fetch_seconds"])
                ratios.append((whole[-1] / ceiling, phase[-1] / ceiling, phase[-1] / first_pages))
            bound = f"the latency bound {args.concurrency / latency:.1f}/s" if latency else \
                "the parse-only rate measured before each round"
            for index, (name, rates) in enumerate((("whole run (process start to exit)", whole),
                                                   ("fetch-parse-store phase", phase))):
                each = [ratio[index] for ratio in ratios]
                print(f"latency {latency * 1000:.0f} ms, concurrency {args.concurrency}, {name}: "
                      f"{statistics.median(rates):.1f} posts/s (median of {args.rounds}: "
                      f"{', '.join(f'{x:.1f}' for x in rates)}) = {statistics.median(each):.0%} of {bound} "
                      f"(median of {', '.join(f'{x:.0%}' for x in each)})")
            key = f"latency_{int(latency * 1000)}ms"
            if not latency:
                each = [ratio[2] for ratio in ratios]
                print(f"  the same phase against the first-pages-only parse rate (a stricter ceiling: the crawl also "
                      f"parses split posts' further pages): {statistics.median(each):.0%} "
                      f"(median of {', '.join(f'{x:.0%}' for x in each)})")
                results[f"ratio_phase_first_pages_{key}"] = round(statistics.median(each), 3)
            results[f"posts_per_s_whole_{key}"] = round(statistics.median(whole), 1)
            results[f"posts_per_s_phase_{key}"] = round(statistics.median(phase), 1)
            results[f"ratio_phase_{key}"] = round(statistics.median(ratio[1] for ratio in ratios), 3)
        site = BenchSite(templates, args.posts, 0.0)
        with site.server:
            crawl(site, Path(tmp) / "rerun.db", args.concurrency)
            summary, seconds, _, _ = crawl(site, Path(tmp) / "rerun.db", args.concurrency)
        print(f"no-change rerun of {args.posts} posts: {summary['requests']} requests "
              f"({summary['pages_fetched']} pages revalidated), {summary['posts_new'] + summary['posts_changed']} "
              f"new or changed, {seconds:.1f} s")
        results["no_change_rerun_requests"] = summary["requests"]
        if args.memory_posts:
            site = BenchSite(templates, args.memory_posts, 0.0)
            with site.server:
                summary, seconds, rss, tree = crawl(site, Path(tmp) / "memory.db", args.concurrency)
            print(f"memory: {args.memory_posts} posts in {seconds:.0f} s, peak RSS of the crawl process (VmHWM) {rss:.0f} MB, "
                  f"of its process tree (parser processes included, sampled) {tree:.0f} MB")
            results.update(memory_posts=args.memory_posts, memory_peak_rss_mb=round(rss),
                           memory_peak_tree_rss_mb=round(tree))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
