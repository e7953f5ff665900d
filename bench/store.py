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

from scraper.parse import parse  # noqa: E402
from scraper.record import Post  # noqa: E402
from scraper.store import Archive  # noqa: E402
from scraper.store.reparse import reparse  # noqa: E402


def load_pages() -> tuple[list[bytes], str]:
    """The benchmark pages and a label saying where they come from."""
    captured = sorted((ROOT / "tests" / "fixtures" / "wordpress").glob("*/posts/*.html.gz"))
    if captured:
        sites = len({p.parent.parent.name for p in captured})
        return [gzip.decompress(p.read_bytes()) for p in captured], \
            f"{len(captured)} real pages captured from the WordPress harness ({sites} sites)"
    themed = sorted((ROOT / "tests" / "fixtures" / "themes").glob("*.html"))
    return [p.read_bytes() for p in themed], f"{len(themed)} hand-written theme fixture pages (no captures yet)"


def distinct_copies(pages: list[bytes], records: list[Post], copies: int) -> list[tuple[str, int, bytes, Post]]:
    """(url, wp_id, body, record) for `copies` distinct copies of every page."""
    items = []
    for copy in range(copies):
        for index, (body, record) in enumerate(zip(pages, records)):
            wp_id = copy * len(pages) + index + 1
            url = f"https://bench.example/{wp_id}/"
            copy_body = body.replace(b"</body>", f"<!-- copy {copy} -->\n</body>".encode(), 1)
            items.append((url, wp_id, copy_body, Post(**{**record.to_dict(), "url": url, "wp_id": wp_id})))
    return items


def crawl_once(arc: Archive, site: int, items) -> float:
    """Seconds to record every page and save every record, as one crawl."""
    crawl = arc.start_crawl(site, {"bench": True})
    start = time.perf_counter()
    for url, _, body, record in items:
        sha = arc.record_fetch(crawl, url, status=200, headers={"Content-Type": "text/html"}, body=body)
        arc.save_post(record, site_id=site, crawl_id=crawl, page_sha256=sha)
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
        for url, _, _, record in items:
            result = arc.save_post(record, site_id=site, page_sha256=shas[url])
            assert result.status == "unchanged", result
        unchanged_seconds = time.perf_counter() - start
        many = reparse(arc, processes=processes)
        one = reparse(arc, processes=1)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return {"new_per_s": len(items) / new_seconds, "unchanged_per_s": len(items) / unchanged_seconds,
            "reparse_all_per_s": many.pages_per_second, "reparse_one_per_s": one.pages_per_second}


def size_run(folder: Path, pages: list[bytes], records: list[Post]) -> dict[str, float]:
    """Two crawls of the unmodified pages; archive size against raw bytes fetched."""
    path = folder / "size.db"
    fetched = 0
    with Archive(path) as arc:
        site = arc.upsert_site("https://bench.example/")
        items = [(record.url or f"https://bench.example/{i}/", record.wp_id, body, record)
                 for i, (body, record) in enumerate(zip(pages, records))]
        items = [(url, wp_id, body, Post(**{**record.to_dict(), "url": url})) for url, wp_id, body, record in items]
        for _ in range(2):
            crawl_once(arc, site, items)
            fetched += sum(len(body) for _, _, body, _ in items)
        tables = {name: arc.conn.execute("SELECT sum(pgsize) FROM dbstat WHERE name = ?", (name,)).fetchone()[0]
                  for name in ("pages", "posts", "post_versions", "posts_fts_data", "fetches")} \
            if _has_dbstat(arc) else {}
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
    pages, label = load_pages()
    records = [parse(page) for page in pages]
    copies = options.copies or max(1, 600 // len(pages))
    items = distinct_copies(pages, records, copies)
    print(f"pages: {label}; raw {sum(map(len, pages)) / 1e6:.2f} MB; speed runs on {len(items)} distinct copies; "
          f"{options.processes} reparse processes on {os.cpu_count()} cores; {options.rounds} rounds")
    with tempfile.TemporaryDirectory() as folder:
        rounds = [speed_round(Path(folder), items, options.processes) for _ in range(options.rounds)]
        size = size_run(Path(folder), pages, records)
    for key, target in (("new_per_s", ">= 500/s"), ("unchanged_per_s", ">= 2000/s"),
                        ("reparse_all_per_s", None), ("reparse_one_per_s", None)):
        values = [r[key] for r in rounds]
        spread = f"(rounds: {', '.join(f'{v:.0f}' for v in values)})"
        print(f"{key:<18} median {statistics.median(values):8.0f} {spread}" + (f"  target {target}" if target else ""))
    speedup = statistics.median(r["reparse_all_per_s"] / r["reparse_one_per_s"] for r in rounds)
    print(f"reparse speed-up all cores / one process: {speedup:.2f}x")
    print(f"size after two crawls: file {size['file'] / 1e6:.2f} MB = {size['ratio']:.1%} of "
          f"{size['raw_fetched'] / 1e6:.2f} MB raw fetched (target <= 15%); pages table "
          f"{size['pages_stored'] / 1e6:.2f} MB compressed from {size['pages_raw'] / 1e6:.2f} MB distinct raw")
    breakdown = {k[6:]: v for k, v in size.items() if k.startswith("table_")}
    if breakdown:
        print("bytes by table: " + ", ".join(f"{k} {v / 1e6:.2f} MB" for k, v in breakdown.items()))


if __name__ == "__main__":
    main()
