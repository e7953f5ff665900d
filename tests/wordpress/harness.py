"""Start, drive and stop a private WordPress (Debian packages, MariaDB, `php -S`) on 127.0.0.1.

Layout of one running site (all under a fresh temp folder, removed on stop):
``db/`` MariaDB datadir (socket and pid next to it, networking off), ``docroot/`` a private copy of
/usr/share/wordpress with symlinks resolved, our wp-config.php, mu-plugin and translations (files
hard-linked from the template's docroot, uploads copied).
The seeded database is built once per machine into a cached template (see template.py) and copied
per start, so a start costs a copy and two process launches instead of an install.
"""
from __future__ import annotations

import atexit
import json
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.wordpress import template
from tests.wordpress.template import (HarnessError, PHP_DIR, TEMPLATE_URL, link_docroot, make_work_dir,
                                      mariadb_sql, php_env, run_php, start_mariadb, stop_process,
                                      write_mariadb_cnf, write_wp_config)

THEMES = ("twentytwentyone", "twentytwentytwo", "twentytwentythree")
LOCALES = ("fr_FR", "en_US")
DEFAULT_THEME, DEFAULT_LOCALE = "twentytwentyone", "fr_FR"
#: Fields compared by mutate() to report what changed (the Post record's fields that truth() fills).
COMPARED_FIELDS = ("url", "title", "author", "authors", "categories", "tags", "published_at", "modified_at",
                   "featured_image", "photo_caption", "photo_credit", "excerpt", "body_text", "comment_count")


def ensure_port_free(port: int) -> None:
    """Raise HarnessError if something already listens on 127.0.0.1:port (we would talk to it instead)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # TIME_WAIT leftovers are no obstacle
        try:
            s.bind(("127.0.0.1", port))
        except OSError as exc:
            raise HarnessError(f"port {port} on 127.0.0.1 is busy ({exc.strerror}); pick another") from exc


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: Talks to 127.0.0.1 directly, whatever http_proxy says.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def wait_http(url: str, timeout: float = 20.0, proc: subprocess.Popen | None = None) -> None:
    """Wait until `url` answers any HTTP status (the PHP server is up and WordPress loads)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise HarnessError(f"php -S exited with {proc.returncode} before answering {url}")
        try:
            _DIRECT.open(url, timeout=5).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.05)
    raise HarnessError(f"WordPress did not answer {url} within {timeout:.0f} s")


class WordPressSite:
    """A running private WordPress with the seeded corpus; use as a context manager or call stop()."""

    def __init__(self, port: int | None = None, workers: int = 4):
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/"
        self.workers = workers
        self.root = make_work_dir("scraper-wp-")
        atexit.register(self.stop)
        self.docroot = self.root / "docroot"
        self.db_dir = self.root / "db"
        self.log_dir = self.root / "logs"
        self._template: Path | None = None
        self._mariadb: subprocess.Popen | None = None
        self._php: subprocess.Popen | None = None
        self._truth: dict[str, Any] | None = None
        self.ids: dict[str, int] = {}
        self.theme, self.locale = DEFAULT_THEME, DEFAULT_LOCALE
        self._changed = False   # mutate() or php() may have changed content since start/reset

    # -- lifecycle -----------------------------------------------------------------------------------------

    def start(self) -> "WordPressSite":
        """Copy the seeded template, start MariaDB and the PHP server; stops everything if a step fails."""
        try:
            self._template = template.ensure_template()
            self.ids = json.loads((self._template / "seed.json").read_text())["ids"]
            self.log_dir.mkdir()
            link_docroot(self._template / "docroot", self.docroot)
            write_wp_config(self.docroot, self.base_url.rstrip("/"), self.socket)
            self._start_db()
            self._start_php()
        except BaseException:
            self.stop()
            raise
        return self

    @property
    def socket(self) -> Path:
        return self.root / "mysqld.sock"

    def _start_db(self) -> None:
        """Copy the template's datadir, start MariaDB on it and point the content at our base URL."""
        shutil.copytree(self._template / "db", self.db_dir)
        cnf = write_mariadb_cnf(self.root, self.db_dir, self.socket)
        self._mariadb = start_mariadb(cnf, self.socket, self.log_dir / "mariadb.log")
        new = self.base_url.rstrip("/")
        mariadb_sql(self.socket, f"""
            UPDATE wp_posts SET post_content = REPLACE(post_content, '{TEMPLATE_URL}', '{new}'),
                                guid = REPLACE(guid, '{TEMPLATE_URL}', '{new}');
            UPDATE wp_options SET option_value = '{new}' WHERE option_name IN ('home', 'siteurl');""")

    def _start_php(self) -> None:
        """`php -S 127.0.0.1:PORT -t docroot router.php` in its own session (its workers die with the group)."""
        ensure_port_free(self.port)
        env = php_env(self.docroot, self.base_url) | {"PHP_CLI_SERVER_WORKERS": str(self.workers)}
        log = open(self.log_dir / "php-server.log", "wb")
        self._php = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("reaper.py")), "php", "-d", "opcache.enable_cli=1", "-d", "memory_limit=256M", "-S", f"127.0.0.1:{self.port}",
             "-t", str(self.docroot), str(PHP_DIR / "router.php")],
            cwd=self.docroot, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        log.close()
        wait_http(self.base_url + "robots.txt", proc=self._php)

    def stop(self) -> None:
        """Kill the PHP server's process group, shut MariaDB down, remove the temp folder. Idempotent."""
        stop_process(self._php, group=True)
        self._php = None
        stop_process(self._mariadb, group=True, grace=15)
        self._mariadb = None
        shutil.rmtree(self.root, ignore_errors=True)
        atexit.unregister(self.stop)

    def __enter__(self) -> "WordPressSite":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- driving the site ---------------------------------------------------------------------------------

    def php(self, code: str, read_only: bool = False) -> str:
        """Run PHP code inside the loaded WordPress (lib.php helpers available); return what it echoes.

        Unless `read_only`, the site counts as changed (truth recomputed, `dirty` until reset()).
        """
        if not read_only:
            self._truth, self._changed = None, True
        return run_php("php.php", self.docroot, self.base_url, stdin=code)

    def truth(self) -> dict[str, Any]:
        """Ground truth read back from WordPress now: {"site": …, "posts": […], "unpublished": […]}."""
        if self._truth is None:
            self._truth = json.loads(run_php("truth.php", self.docroot, self.base_url))
        return json.loads(json.dumps(self._truth))

    def switch(self, theme: str | None = None, locale: str | None = None) -> None:
        """Activate another theme and/or site language (fr_FR, en_US)."""
        theme, locale = theme or self.theme, locale or self.locale
        if theme not in THEMES or locale not in LOCALES:
            raise HarnessError(f"unknown theme/locale {theme}/{locale}; known: {THEMES} × {LOCALES}")
        run_php("switch.php", self.docroot, self.base_url, args=[theme, locale])
        self.theme, self.locale, self._truth = theme, locale, None

    def mutate(self) -> dict[str, Any]:
        """Edit the site the way life does (see mutate.php) and report what changed, from two truths."""
        before = self.truth()
        self._changed = True
        intended = json.loads(run_php("mutate.php", self.docroot, self.base_url, args=[json.dumps(self.ids)]))
        self._truth = None
        after = self.truth()
        return {"intended": intended, **diff_truths(before, after), "truth": after}

    def reset(self) -> None:
        """Back to the freshly seeded state (default theme and locale): restart MariaDB on a new template copy."""
        stop_process(self._mariadb, group=True, grace=15)
        self._mariadb = None
        shutil.rmtree(self.db_dir)
        self._start_db()
        self.theme, self.locale, self._truth = DEFAULT_THEME, DEFAULT_LOCALE, None
        self._changed = False

    @property
    def dirty(self) -> bool:
        """True when the site differs from the seeded state (content changed, or another theme/locale)."""
        return self._changed or (self.theme, self.locale) != (DEFAULT_THEME, DEFAULT_LOCALE)


def diff_truths(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Per wp_id the compared fields that differ; posts that appeared (new) and disappeared (trashed…)."""
    old = {p["wp_id"]: p for p in before["posts"]}
    new = {p["wp_id"]: p for p in after["posts"]}
    changed = {}
    for wp_id in old.keys() & new.keys():
        fields = [f for f in COMPARED_FIELDS if old[wp_id].get(f) != new[wp_id].get(f)]
        if fields:
            changed[wp_id] = fields
    gone_status = {p["wp_id"]: p["status"] for p in after["unpublished"]}
    return {"changed": dict(sorted(changed.items())), "new": sorted(new.keys() - old.keys()),
            "removed": {i: gone_status.get(i, "deleted") for i in sorted(old.keys() - new.keys())}}


def start_site(**kwargs: Any) -> WordPressSite:
    """Start a WordPressSite (convenience for scripts)."""
    return WordPressSite(**kwargs).start()


def stop_on_signals(site: WordPressSite) -> None:
    """Make SIGTERM tear the site down like Ctrl-C does (for long-running scripts such as capture)."""
    def handler(signum: int, frame: object) -> None:
        site.stop()
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, handler)
