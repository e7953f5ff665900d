"""Benchmark: scraper's parse() against trafilatura on the same pages, in one process, alternating.

Usage: python3 bench/parse.py [FOLDER ...] [--rounds N]
Default folders: the repository's page fixtures (tests/fixtures/wordpress and tests/fixtures/themes).
Pages: *.html, *.htm and *.html.gz files. Prints pages/s of both (median over rounds), their ratio, and peak memory
(resident set size) of a parse-only child process and of this process. The machine is shared: read ratios and medians.
"""
from __future__ import annotations

import argparse
import gzip
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FOLDERS = [ROOT / "tests" / "fixtures" / "wordpress", ROOT / "tests" / "fixtures" / "themes"]


def load_pages(folders: list[Path]) -> list[bytes]:
    """Every page under the folders, as bytes (gzip files decompressed), in a stable order."""
    pages = []
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.name.endswith((".html", ".htm")):
                pages.append(path.read_bytes())
            elif path.name.endswith((".html.gz", ".htm.gz")):
                pages.append(gzip.decompress(path.read_bytes()))
    return pages


def run_trafilatura(page: bytes) -> None:
    """trafilatura's extraction with metadata (title, author, date, categories, tags, text): the comparable job."""
    import trafilatura

    trafilatura.bare_extraction(page, with_metadata=True)


def run_scraper(page: bytes) -> None:
    """scraper's parse() of one page."""
    from scraper.parse import parse

    parse(page)


def time_all(function, pages: list[bytes]) -> float:
    """Seconds to run function over every page once."""
    start = time.perf_counter()
    for page in pages:
        function(page)
    return time.perf_counter() - start


def peak_rss_mb() -> float:
    """Peak resident set size of this process, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def parse_only_child(folders: list[Path]) -> float:
    """Peak RSS (MB) of a fresh process that only imports scraper and parses every page once."""
    code = ("import sys, resource; sys.path.insert(0, %r); from bench.parse import load_pages, run_scraper; "
            "from pathlib import Path; pages = load_pages([Path(p) for p in %r]); "
            "[run_scraper(p) for p in pages]; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
            % (str(ROOT), [str(f) for f in folders]))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    """Time both extractors over the pages, alternating per round, and print the comparison as JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, default=DEFAULT_FOLDERS)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    folders = [f for f in args.folders if f.exists()]
    pages = load_pages(folders)
    if not pages:
        sys.exit(f"no pages under {', '.join(map(str, args.folders))}")
    child_rss = parse_only_child(folders)
    run_scraper(pages[0]), run_trafilatura(pages[0])   # warm-up: imports and caches outside the timings
    ours, theirs = [], []
    for round_number in range(args.rounds):
        order = [(run_scraper, ours), (run_trafilatura, theirs)]
        for function, results in order if round_number % 2 == 0 else reversed(order):
            results.append(len(pages) / time_all(function, pages))
    ours_median, theirs_median = statistics.median(ours), statistics.median(theirs)
    size_kb = sum(map(len, pages)) / len(pages) / 1024
    print(json.dumps({
        "pages": len(pages), "mean_page_kb": round(size_kb, 1), "rounds": args.rounds,
        "scraper_pages_per_s": round(ours_median, 1), "trafilatura_pages_per_s": round(theirs_median, 1),
        "ratio": round(ours_median / theirs_median, 2),
        "scraper_ms_per_page": round(1000 / ours_median, 2), "trafilatura_ms_per_page": round(1000 / theirs_median, 2),
        "peak_rss_mb_parse_only_process": round(child_rss, 1), "peak_rss_mb_this_process": round(peak_rss_mb(), 1),
    }, indent=2))


if __name__ == "__main__":
    main()
