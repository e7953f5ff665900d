"""Benchmark: archive.db write speed, reparse speed and archive size against raw HTML bytes.

Usage: python3 bench/store.py [--rounds N] [--copies N] [--processes N]

Pages: the captured WordPress pages tests/fixtures/wordpress/*/posts/*.html.gz (real output of the WordPress
harness); without them, the hand-written theme fixtures tests/fixtures/themes/*.html (labelled as such in the output).
Prints, as medians over rounds (the 2-core machine is shared and noisy):
- new posts saved with their pages per second (record_fetch + save_post; target >= 500/s),
- unchanged re-saves per second (save_post of the same record again; target >= 2,000/s),
- reparse pages per second with all cores and with one process,
- archive size after two crawls of the pages against the raw bytes fetched (target <= 15%).
The speed runs use `--copies` copies of each page, each made distinct by an HTML comment and its own URL and wp_id
(so that content addressing cannot skip work); the size run uses the pages unmodified, as a site would serve them.
"""
from __future__ import annotations

import argparse
import gzip
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scraper.parse.pages import merge_page  # noqa: E402
from scraper.parse import parse  # noqa: E402
from scraper.record import Post  # noqa: E402
from scraper.store import Archive  # noqa: E402
from scraper.store.reparse import reparse  # noqa: E402


def load_sites() -> tuple[dict[str, list[tuple[bytes, list[bytes]]]], str]:
    """{site name: [(page, [pages 2..N of a split post])]} and a label saying where the pages come from."""
    captured = sorted((ROOT / "tests" / "fixtures" / "wordpress").glob("*/posts"))
    if captured:
        sites = {}
        for folder in captured:
            posts = []
            for first in sorted(folder.glob("*.html.gz")):
                if "-p" in first.name:
                    continue
                extra = sorted(folder.glob(first.name.replace(".html.gz", "-p*.html.gz")),
                               key=lambda p: int(p.name.split("-p")[1].split(".")[0]))
                posts.append((gzip.decompress(first.read_bytes()), [gzip.decompress(p.read_bytes()) for p in extra]))
            sites[folder.parent.name] = posts
        pages = sum(1 + len(extra) for posts in sites.values() for _, extra in posts)
        return sites, f"{pages} real pages captured from the WordPress harness ({len(sites)} theme/locale sites)"
    themed = sorted((ROOT / "tests" / "fixtures" / "themes").glob("*.html"))
    return {"themes": [(p.read_bytes(), []) for p in themed]}, \
        f"{len(themed)} hand-written theme fixture pages (no captures yet)"


def parse_post(page: bytes, extra: list[bytes]) -> Post:
    """The record the crawler would save: page 1 parsed, pages 2..N merged in."""
    post = parse(page)
    for body in extra:
        merge_page(post, parse(body))
    return post


def distinct_copies(posts: list[tuple[bytes, list[bytes], Post]], copies: int) -> list[tuple[str, list[bytes], Post]]:
    """(url, [page, further pages], record) for `copies` distinct copies of every post."""
    items = []
    for copy in range(copies):
        for index, (page, extra, record) in enumerate(posts):
            wp_id = copy * len(posts) + index + 1
            url = f"https://bench.example/{wp_id}/"
            bodies = [body.replace(b"</body>", f"<!-- copy {copy} -->\n</body>".encode(), 1) for body in [page, *extra]]
            items.append((url, bodies, Post(**{**record.to_dict(), "url": url, "wp_id": wp_id})))
    return items


def crawl_once(arc: Archive, site: int, items) -> float:
    """Seconds to record every page and save every record, as one crawl."""
    crawl = arc.start_crawl(site, {"bench": True})
    start = time.perf_counter()
    for url, bodies, record in items:
        shas = [arc.record_fetch(crawl, f"{url}{n + 1}/" if n else url, status=200,
                                 headers={"Content-Type": "text/html; charset=UTF-8"}, body=body)
                for n, body in enumerate(bodies)]
        arc.save_post(record, site_id=site, crawl_id=crawl, page_sha256=shas[0])
    seconds = time.perf_counter() - start
    arc.finish_crawl(crawl, "complete")
    return seconds


def speed_round(folder: Path, items, processes: int) -> dict[str, float]:
    """One round: new saves/s, unchanged re-saves/s, reparse pages/s (all cores and one process)."""
    path = folder / f"speed-{time.monotonic_ns()}.db"
    with Archive(path) as arc:
        site = arc.upsert_site("https://bench.example/")
        new_seconds = crawl_once(arc, site, items)
        shas = {url: arc.conn.execute("SELECT page_sha256 FROM posts WHERE url = ?", (url,)).fetchone()[0]
                for url, *_ in items}
        start = time.perf_counter()
        for url, _, record in items:
            result = arc.save_post(record, site_id=site, page_sha256=shas[url])
            assert result.status == "unchanged", result
        unchanged_seconds = time.perf_counter() - start
        many = reparse(arc, processes=processes)
        one = reparse(arc, processes=1)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return {"new_per_s": len(items) / new_seconds, "unchanged_per_s": len(items) / unchanged_seconds,
            "reparse_all_per_s": many.pages_per_second, "reparse_one_per_s": one.pages_per_second}


def size_run(folder: Path, sites: dict[str, list[tuple[bytes, list[bytes], Post]]]) -> dict[str, float]:
    """Two crawls of every site's unmodified pages into one archive; its size against the raw bytes fetched."""
    path = folder / "size.db"
    fetched = 0
    with Archive(path) as arc:
        for name, posts in sites.items():
            site = arc.upsert_site(f"https://{name}.example/")
            items = [(record.url or f"https://{name}.example/{i}/", [page, *extra], record)
                     for i, (page, extra, record) in enumerate(posts)]
            items = [(url, bodies, Post(**{**record.to_dict(), "url": url})) for url, bodies, record in items]
            for _ in range(2):
                crawl_once(arc, site, items)
                fetched += sum(len(body) for _, bodies, _ in items for body in bodies)
        tables = {}
        if _has_dbstat(arc):
            tables = {name: size for name, size in arc.conn.execute(
                "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 8")}
        stored = arc.conn.execute("SELECT sum(size), sum(stored_size) FROM pages").fetchone()
    size = path.stat().st_size  # closed: the WAL is checkpointed into the file
    return {"raw_fetched": fetched, "file": size, "ratio": size / fetched, "pages_raw": stored[0],
            "pages_stored": stored[1], **{f"table_{k}": v or 0 for k, v in tables.items()}}


def _has_dbstat(arc: Archive) -> bool:
    try:
        arc.conn.execute("SELECT 1 FROM dbstat LIMIT 1")
        return True
    except sqlite3.OperationalError:  # dbstat is an optional SQLite build feature; only the breakdown is skipped
        return False


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--rounds", type=int, default=3)
    args.add_argument("--copies", type=int, default=0, help="copies per page for speed runs (default: enough for ~600)")
    args.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    options = args.parse_args()
    sites, label = load_sites()
    parsed = {name: [(page, extra, parse_post(page, extra)) for page, extra in posts] for name, posts in sites.items()}
    everything = [post for posts in parsed.values() for post in posts]
    copies = options.copies or max(1, 600 // len(everything))
    items = distinct_copies(everything, copies)
    raw = sum(len(b) for _, bodies, _ in items[:len(everything)] for b in bodies)
    print(f"pages: {label}; raw {raw / 1e6:.2f} MB; speed runs on {len(items)} distinct posts (copies of the "
          f"captured ones); {options.processes} reparse processes on {os.cpu_count()} cores; {options.rounds} rounds")
    with tempfile.TemporaryDirectory() as folder:
        rounds = [speed_round(Path(folder), items, options.processes) for _ in range(options.rounds)]
        size = size_run(Path(folder), parsed)
    for key, target in (("new_per_s", ">= 500/s"), ("unchanged_per_s", ">= 2000/s"),
                        ("reparse_all_per_s", None), ("reparse_one_per_s", None)):
        values = [r[key] for r in rounds]
        spread = f"(rounds: {', '.join(f'{v:.0f}' for v in values)})"
        print(f"{key:<18} median {statistics.median(values):8.0f} {spread}" + (f"  target {target}" if target else ""))
    speedup = statistics.median(r["reparse_all_per_s"] / r["reparse_one_per_s"] for r in rounds)
    print(f"reparse speed-up all cores / one process: {speedup:.2f}x")
    print(f"size after two crawls of every site: file {size['file'] / 1e6:.2f} MB = {size['ratio']:.1%} of "
          f"{size['raw_fetched'] / 1e6:.2f} MB raw fetched (target <= 15%); pages table "
          f"{size['pages_stored'] / 1e6:.2f} MB compressed from {size['pages_raw'] / 1e6:.2f} MB distinct raw")
    breakdown = {k[6:]: v for k, v in size.items() if k.startswith("table_")}
    if breakdown:
        print("largest tables and indexes: " + ", ".join(f"{k} {v / 1e3:.0f} kB" for k, v in breakdown.items()))


if __name__ == "__main__":
    main()
