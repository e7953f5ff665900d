"""Exception classes: each names what went wrong and what the user can do about it."""


class ScraperError(Exception):
    """Base class for every error scraper raises on purpose; `exit_code` is what the CLI exits with."""

    exit_code = 1


class ArchiveError(ScraperError):
    """archive.db cannot be opened, migrated or written (corrupt, foreign, newer, read-only, full disk)."""

    exit_code = 4


class ArchiveLocked(ArchiveError):
    """Another crawl holds the archive's crawl lock."""

    exit_code = 5


class IncompleteRecord(ScraperError):
    """A record a parser bug left incomplete (Post.incomplete): never saved over an archived version.

    Not an ArchiveError: the archive is fine, this one page is what the crawl counts as an error."""


class FetchError(ScraperError):
    """A page could not be fetched after retries (network error, HTTP error, too big, bad redirect)."""


class RobotsDisallowed(FetchError):
    """robots.txt forbids fetching this URL for our User-Agent."""


class NotWordPress(ScraperError):
    """The site shows none of WordPress's markers."""

    exit_code = 3
