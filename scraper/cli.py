"""The `scraper` command line: thin wrappers that call the pipeline stages."""
from __future__ import annotations

import json
import sys

import click

from scraper import __version__
from scraper.exceptions import ScraperError

DEFAULT_DB = "archive.db"
_DB_OPTION = click.option("--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
                          help="Archive file.")
_SITE_OPTION = click.option("--site", help="Only this site: its id, base URL, or a unique part of it.")
_SINCE = click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"])

# Exit codes (documented in the README): 0 all good, 1 partial (some pages failed), 2 usage error,
# 3 not WordPress, 4 archive error, 5 archive locked by another crawl, 130/143 interrupted (Ctrl-C/SIGTERM).
# ScraperError subclasses carry theirs.


class _Group(click.Group):
    """A click group that turns ScraperError into a one-line message and the error's exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ScraperError as exc:
            click.echo(f"scraper: error: {exc}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="scraper")
def main() -> None:
    """Crawl, parse and archive WordPress sites into a queryable SQLite history.

    \b
    Archive a site (writes ./archive.db), then look at what you have:
      scraper crawl https://site.example/
      scraper stats
      scraper search "défense"
    """


@main.command("parse")
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True, dir_okay=False))
@click.option("--url", help="URL the page was fetched from (default: its canonical link); one FILE only.")
@click.option("--format", "fmt", type=click.Choice(["json", "jsonl"]), default=None,
              help="json: one indented object, or an array of them for several files (default for one file); "
                   "jsonl: one line per file (default for several).")
def parse_cmd(files: tuple[str, ...], url: str | None, fmt: str | None) -> None:
    """Parse saved WordPress pages and print their records as JSON.

    Nothing is fetched and nothing is written: FILE is read from disk ('-' for standard input, once).

    \b
    Examples:
      scraper parse saved/post.html
      scraper parse --url https://site.example/2025/06/post/ post.html
      scraper parse --format jsonl pages/*.html > records.jsonl
    """
    from pathlib import Path

    from scraper.parse import parse

    if url and len(files) > 1:
        raise click.UsageError("--url names the address of one page: give it with one FILE only")
    if files.count("-") > 1:
        raise click.UsageError("standard input ('-') can be read only once")
    fmt = fmt or ("json" if len(files) == 1 else "jsonl")
    records, unreadable = [], 0
    for name in files:
        try:
            data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        except OSError as exc:   # skip it, say so, parse the others; exit 1 (partial) at the end
            click.echo(f"scraper: cannot read {name}: {exc.strerror}", err=True)
            unreadable += 1
            continue
        record = parse(data, url=url).to_dict()
        if fmt == "jsonl":
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            records.append(record)
    if fmt == "json":
        shown = records[0] if len(files) == 1 and records else records
        if len(files) > 1 or records:
            click.echo(json.dumps(shown, ensure_ascii=False, indent=2))
    if unreadable:
        sys.exit(1)


@main.command("crawl")
@click.argument("urls", nargs=-1)
@_DB_OPTION
@click.option("--sites", "sites_file", type=click.File("r"), help="File with one site URL per line (# comments).")
@click.option("--max-posts", type=click.IntRange(min=1), help="Fetch at most N post pages per site this run.")
@click.option("--since", type=_SINCE,
              help="Only posts published (or, found by sitemaps, last modified) on or after this date (YYYY-MM-DD).")
@click.option("--full", is_flag=True, help="Revalidate every post, not only what may have changed.")
@click.option("--concurrency", type=click.IntRange(min=1, max=32), default=2, show_default=True,
              help="Requests in flight per host.")
@click.option("--delay", type=click.FloatRange(min=0), default=0.5, show_default=True,
              help="Seconds between request starts per host (robots.txt Crawl-delay may raise it).")
@click.option("--user-agent", help="User-Agent header (default names scraper and its version).")
@click.option("--ignore-robots", is_flag=True, help="Do not obey robots.txt (your responsibility).")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="HOST[:PORT]",
              help="Another host the site's redirects and links may lead to (repeatable); others are never fetched.")
@click.option("--best-effort", is_flag=True, help="Crawl a site even if it does not look like WordPress.")
@click.option("--revalidate", type=click.IntRange(min=0),
              help="Unchanged posts re-fetched per run to catch silent edits (default 0.5% of the archive, 5-50).")
@click.option("--parse-workers", type=click.IntRange(min=0),
              help="Parser processes beside the crawler (default: 2 for runs of 200+ pages on a multi-core machine; "
                   "runs of under 20 pages always parse in the crawler).")
@click.option("--quiet", "-q", is_flag=True, help="Print only one summary line per site (for cron mail).")
@click.option("--verbose", "-v", is_flag=True, help="Log every page fetched and what became of it.")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: one JSON object per log line and per summary, for log shippers.")
def crawl_cmd(urls: tuple[str, ...], db: str, sites_file, max_posts: int | None, since, full: bool,
              concurrency: int, delay: float, user_agent: str | None, ignore_robots: bool, allow_hosts: tuple[str, ...],
              best_effort: bool,
              revalidate: int | None, parse_workers: int | None, quiet: bool, verbose: bool,
              log_format: str) -> None:
    """Archive WordPress sites: every published post the first time, only what changed afterwards.

    Exit codes: 0 all good, 1 partial (some pages failed; rerun to retry), 2 usage error,
    3 not WordPress, 4 archive error, 5 another crawl holds the archive, 130 interrupted by Ctrl-C,
    143 stopped by SIGTERM (both resume on the next run).

    \b
    Examples:
      scraper crawl https://site.example/
      scraper crawl --db news.db --sites sites.txt --quiet      # from cron
      scraper crawl --full --concurrency 4 https://site.example/
    """
    from scraper import console
    from scraper import crawl as crawling
    from scraper.fetch import DEFAULT_USER_AGENT, Fetcher, FetchSettings
    from scraper.store import Archive

    try:   # every site checked before the first request: a typo is a usage error (exit 2)
        sites = crawling.site_targets(urls, sites_file)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if not sites:
        raise click.UsageError("give at least one site URL or --sites FILE")
    try:
        hosts = crawling.allowed_hosts(allow_hosts)
    except ValueError as exc:
        raise click.UsageError(f"--allow-host: {exc}") from None
    console.setup_logging(log_format, quiet, verbose)
    console.interrupt_on_sigterm()
    settings = FetchSettings(user_agent=user_agent or DEFAULT_USER_AGENT, concurrency=concurrency, delay=delay,
                             ignore_robots=ignore_robots, allow_hosts=hosts)
    options = crawling.CrawlOptions(max_posts=max_posts, since=since, full=full, best_effort=best_effort,
                                    revalidate=revalidate, parse_workers=parse_workers)
    progress = console.TerminalProgress(enabled=not quiet and log_format == "text")

    def summary(report: "crawling.SiteReport") -> None:
        progress.clear()
        click.echo(console.report_json(report) if log_format == "json" else report.line())

    try:
        with Archive(db) as arc, Fetcher(settings) as fetcher:
            reports = crawling.crawl_sites(arc, fetcher, sites, options,
                                           on_progress=progress, on_report=summary)
    except KeyboardInterrupt as exc:   # Ctrl-C or SIGTERM: the crawl row says 'interrupted'; a rerun resumes
        progress.clear()
        code = console.interrupted_exit_code(exc)
        click.echo(f"scraper: interrupted ({'SIGTERM' if code == 143 else 'Ctrl-C'}); rerun to resume", err=True)
        sys.exit(code)
    code = max((r.exit_code for r in reports), default=0)
    if code:
        sys.exit(code)


# -- archive commands (issue 4): thin wrappers over scraper.store ------------------------------------------------


@main.command("reparse")
@_DB_OPTION
@_SITE_OPTION
@click.option("--since", type=_SINCE, help="Only posts seen on or after this date (YYYY-MM-DD, UTC).")
@click.option("--processes", "-j", type=click.IntRange(min=1), help="Parser processes (default: all cores).")
def reparse_cmd(db: str, site: str | None, since, processes: int | None) -> None:
    """Re-run the parser over the raw pages stored in the archive, on all cores.

    Nothing is fetched. What the current parser reads differently becomes a version with reason
    'reparse', stamped with the parser version, never mistaken for an edit made on the site.

    \b
    Examples:
      scraper reparse
      scraper reparse --site news.example --since 2025-01-01
    """
    from scraper.store import Archive
    from scraper.store.report import resolve_site
    from scraper.store.reparse import reparse

    with Archive(db) as arc, arc.crawl_lock():  # not while a crawl writes the same posts
        result = reparse(arc, site_id=resolve_site(arc, site), since=since and since.isoformat(), processes=processes)
    fields = ", ".join(f"{name} {count}" for name, count in sorted(result.changed_fields.items())) or "none"
    click.echo(f"reparsed {result.pages} pages with parser {result.parser_version} in {result.seconds:.1f}s "
               f"({result.pages_per_second:.0f}/s): {result.changed} posts changed, {result.unchanged} unchanged, "
               f"{result.failed} failed; fields changed: {fields}")


@main.command("history")
@click.argument("post")
@_DB_OPTION
def history_cmd(post: str, db: str) -> None:
    """Show every version of a post with a field-level diff (unified diff for the body).

    POST is the post's id in the archive or its URL (current or former).

    \b
    Examples:
      scraper history https://site.example/2025/06/my-post/
      scraper history 42 --db news.db
    """
    from scraper.store import Archive
    from scraper.store.report import NotFound, find_posts, history_lines

    with Archive(db, readonly=True) as arc:
        ids = find_posts(arc, post)
        if not ids:
            raise NotFound(f"no post with id or URL {post!r} in {db}")
        for index, post_id in enumerate(ids):
            if index:
                click.echo("")
            click.echo("\n".join(history_lines(arc, post_id)))


@main.command("search")
@click.argument("query")
@_DB_OPTION
@_SITE_OPTION
@click.option("--limit", "-n", type=click.IntRange(min=1), default=20, show_default=True, help="Results to show.")
def search_cmd(query: str, db: str, site: str | None, limit: int) -> None:
    """Full-text search in titles and bodies, best matches first, with snippets.

    Accents and case are ignored. QUERY uses SQLite FTS5 syntax: words (all must match), "a phrase",
    OR, NOT, prefix*; text that is not valid syntax is searched as plain words.

    \b
    Examples:
      scraper search défense
      scraper search '"sommet de l'\\''OTAN" OR otan*' --site news.example
    """
    from scraper.store import Archive
    from scraper.store.report import resolve_site, search

    with Archive(db, readonly=True) as arc:
        hits = search(arc, query, limit=limit, site_id=resolve_site(arc, site))
    for hit in hits:
        gone = "  [deleted]" if hit["deleted_at"] else ""
        click.echo(f"{hit['id']}  {hit['title']}{gone}\n    {hit['url']}\n    {hit['snippet']}")
    if not hits:
        click.echo(f"no post matches {query!r}", err=True)


@main.command("export")
@_DB_OPTION
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True,
              help="jsonl: one JSON object per post; csv: one row per post, lists as JSON arrays.")
@_SITE_OPTION
@click.option("--since", type=_SINCE, help="Only posts that changed (or appeared) on or after this date (YYYY-MM-DD, UTC).")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-", help="File to write (default: stdout).")
def export_cmd(db: str, fmt: str, site: str | None, since, output) -> None:
    """Export the current state of the archived posts (deleted ones included, with deleted_at).

    \b
    Examples:
      scraper export > posts.jsonl
      scraper export --format csv --site news.example --since 2025-06-01 -o june.csv
    """
    import csv

    from scraper.store import Archive
    from scraper.store.report import EXPORT_COLUMNS, export_rows, resolve_site

    with Archive(db, readonly=True) as arc:
        rows = export_rows(arc, site_id=resolve_site(arc, site), since=since and since.isoformat())
        if fmt == "jsonl":
            for row in rows:
                output.write(json.dumps(row, ensure_ascii=False) + "\n")
            return
        writer = csv.DictWriter(output, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v
                             for k, v in row.items()})


@main.command("stats")
@_DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def stats_cmd(db: str, as_json: bool) -> None:
    """Summarise the archive: posts, deletions, versions and crawls per site, and storage used.

    \b
    Examples:
      scraper stats
      scraper stats --db news.db --json
    """
    from scraper.store import Archive
    from scraper.store.report import stats, stats_lines

    with Archive(db, readonly=True) as arc:
        figures = stats(arc)
    if as_json:
        click.echo(json.dumps(figures, ensure_ascii=False, indent=2))
        return
    for line in stats_lines(figures):
        click.echo(line)
