"""scraper: crawl, parse and archive WordPress sites into a queryable SQLite history."""
from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("scraper")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

from scraper.record import Post  # noqa: E402
from scraper.parse import parse  # noqa: E402

__all__ = ["Post", "parse", "__version__"]
