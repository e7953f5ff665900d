"""The `scraper` command line: thin wrappers that call the pipeline stages."""
from __future__ import annotations

import json
import sys

import click

from scraper import __version__
from scraper.exceptions import ScraperError

DEFAULT_DB = "archive.db"

# Exit codes (documented in the README): 0 all good, 1 partial (some pages failed), 2 usage error,
# 3 not WordPress, 4 archive error, 5 archive locked by another crawl. ScraperError subclasses carry theirs.


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
@click.option("--url", help="URL the page was fetched from (default: its canonical link).")
@click.option("--format", "fmt", type=click.Choice(["json", "jsonl"]), default=None,
              help="json: one indented object (default for one file); jsonl: one line per file (default for several).")
def parse_cmd(files: tuple[str, ...], url: str | None, fmt: str | None) -> None:
    """Parse saved WordPress pages and print their records as JSON.

    Nothing is fetched and nothing is written: FILE is read from disk ('-' for standard input).

    \b
    Examples:
      scraper parse saved/post.html
      scraper parse --url https://site.example/2025/06/post/ post.html
      scraper parse pages/*.html > records.jsonl
    """
    from scraper.parse import parse

    fmt = fmt or ("json" if len(files) == 1 else "jsonl")
    for name in files:
        try:
            data = sys.stdin.buffer.read() if name == "-" else open(name, "rb").read()
        except OSError as exc:
            raise click.ClickException(f"cannot read {name}: {exc.strerror}") from exc
        record = parse(data, url=url).to_dict()
        if fmt == "json":
            click.echo(json.dumps(record, ensure_ascii=False, indent=2))
        else:
            click.echo(json.dumps(record, ensure_ascii=False))
