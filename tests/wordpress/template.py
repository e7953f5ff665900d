"""Process helpers and the seeded template: a MariaDB datadir + a docroot with uploads, built once per machine.

Building = install MariaDB's system tables (`mariadb-install-db`), copy the docroot, run seed.php (wp_install
and the corpus), shut MariaDB down cleanly. The result is cached under ~/.cache/scraper/ (or
$SCRAPER_WP_CACHE) keyed by a hash of everything that shapes it (our PHP, corpus, translations, the
WordPress/MariaDB/PHP versions), so a change to any of them rebuilds it. Content URLs in the template use
TEMPLATE_URL and are rewritten to the live base URL when a site starts.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from tests.wordpress.corpus import write_corpus
from tests.wordpress.reaper import die_with_parent

HERE = Path(__file__).resolve().parent
PHP_DIR = HERE / "php"
LANG_DIR = HERE / "languages"
WP_SOURCE = Path("/usr/share/wordpress")
TEMPLATE_URL = "http://wp-template.invalid"
TEMPLATE_FORMAT = 2   # bump when the template layout changes
#: Debian packages the harness needs (scripts/test.sh installs them as root).
PACKAGES = tuple(line.strip() for line in (Path(__file__).parent / "debian-packages.txt").read_text().splitlines()
                 if line.strip() and not line.startswith("#"))
#: Salts are fixed: the site is private and throw-away, and fixed salts keep captures reproducible.
_SALT_NAMES = ("AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY", "AUTH_SALT", "SECURE_AUTH_SALT",
               "LOGGED_IN_SALT", "NONCE_SALT")


class HarnessError(RuntimeError):
    """The test WordPress could not be built, started or driven; the message says which step and why."""


def missing_packages() -> list[str]:
    """Debian packages of PACKAGES that are not installed (all of them when dpkg is absent)."""
    if not shutil.which("dpkg-query"):
        return list(PACKAGES)
    missing = []
    for pkg in PACKAGES:
        res = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True, text=True)
        if "install ok installed" not in res.stdout:
            missing.append(pkg)
    return missing


# -- processes -------------------------------------------------------------------------------------------------

def stop_process(proc: subprocess.Popen | None, group: bool = True, grace: float = 5.0) -> None:
    """SIGTERM the process (and its process group), wait `grace` seconds, then SIGKILL the group."""
    if proc is None:
        return
    targets = [lambda sig: os.killpg(proc.pid, sig)] if group else []
    targets.append(proc.send_signal)
    for send in targets:
        try:
            send(signal.SIGTERM)
        except ProcessLookupError:
            pass
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass
    if group:
        try:
            os.killpg(proc.pid, signal.SIGKILL)   # php -S workers outlive their parent otherwise
        except ProcessLookupError:
            pass
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=5)


def php_env(docroot: Path, base_url: str) -> dict[str, str]:
    """Environment for PHP scripts and the PHP server: where WordPress is and which URL it answers on."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "WP_DOCROOT": str(docroot), "WP_BASE_URL": base_url,
            "LANG": "C.UTF-8", "TZ": "UTC", "HOME": os.environ.get("HOME", "/tmp")}


def run_php(script: str, docroot: Path, base_url: str, args: list[str] | None = None, stdin: str | None = None,
            timeout: float = 600) -> str:
    """Run one of our PHP scripts against the site; return stdout or raise HarnessError with stderr."""
    cmd = ["php", "-d", "memory_limit=1G", "-d", "display_errors=stderr", str(PHP_DIR / script), *(args or [])]
    res = subprocess.run(cmd, cwd=docroot, env=php_env(docroot, base_url), input=stdin, capture_output=True,
                         text=True, timeout=timeout)
    if res.returncode != 0:
        detail = (res.stderr.strip() or res.stdout.strip())[-3000:]
        raise HarnessError(f"php {script} failed (exit {res.returncode}): {detail}")
    return res.stdout


def write_mariadb_cnf(root: Path, datadir: Path, sock: Path) -> Path:
    """A my.cnf for a private, socket-only MariaDB (no TCP listener at all; grant tables off: socket is private)."""
    root.joinpath("tmp").mkdir(exist_ok=True)
    lines = ["[mysqld]", f"datadir={datadir}", f"socket={sock}", f"pid-file={root / 'mysqld.pid'}",
             f"tmpdir={root / 'tmp'}", "skip-networking", "skip-grant-tables", "skip-log-bin",
             "innodb_log_file_size=8M", "innodb_buffer_pool_size=64M", "innodb_flush_log_at_trx_commit=0",
             "innodb_doublewrite=0", "character-set-server=utf8mb4", "collation-server=utf8mb4_unicode_ci"]
    if os.geteuid() == 0:
        lines.append("user=root")
    cnf = root / "my.cnf"
    cnf.write_text("\n".join(lines) + "\n")
    return cnf


def install_datadir(cnf: Path, log: Path) -> None:
    """Create MariaDB's system tables in the datadir named by `cnf`."""
    cmd = ["mariadb-install-db", f"--defaults-file={cnf}", "--skip-test-db", "--auth-root-authentication-method=socket"]
    with open(log, "ab") as out:
        res = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    if res.returncode != 0:
        raise HarnessError(f"mariadb-install-db failed (exit {res.returncode}), see {log}: {log.read_text()[-2000:]}")


def start_mariadb(cnf: Path, sock: Path, log: Path, timeout: float = 30) -> subprocess.Popen:
    """Start mariadbd in its own session and wait until it accepts a query on the socket."""
    out = open(log, "ab")
    proc = subprocess.Popen(["mariadbd", f"--defaults-file={cnf}"], stdout=out, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=die_with_parent)
    out.close()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise HarnessError(f"mariadbd exited with {proc.returncode}: {log.read_text()[-2000:]}")
        if sock.exists():
            ping = subprocess.run(["mariadb-admin", f"--socket={sock}", "-uroot", "ping"], capture_output=True)
            if ping.returncode == 0:
                return proc
        time.sleep(0.05)
    stop_process(proc)
    raise HarnessError(f"mariadbd did not accept connections within {timeout:.0f} s: {log.read_text()[-2000:]}")


def mariadb_sql(sock: Path, sql: str, database: str = "wordpress") -> str:
    """Run SQL through the private socket; return the client's output."""
    res = subprocess.run(["mariadb", f"--socket={sock}", "-uroot", "--batch", database], input=sql,
                         capture_output=True, text=True)
    if res.returncode != 0:
        raise HarnessError(f"SQL failed: {res.stderr.strip()}")
    return res.stdout


# -- docroot ---------------------------------------------------------------------------------------------------

def _ignore_foreign_files(src: str, names: list[str]) -> set[str]:
    """copytree filter: Debian's config indirection and the language files of locales we do not use."""
    skip = {n for n in names if n in ("wp-config.php", ".htaccess") and Path(src) == WP_SOURCE}
    if Path(src) == WP_SOURCE / "wp-content" / "languages":
        skip |= {n for n in names if "fr_FR" not in n and not os.path.isdir(os.path.join(src, n))}
    return skip


def copy_docroot(docroot: Path) -> None:
    """Private docroot: /usr/share/wordpress with symlinks resolved, plus our mu-plugin and translations."""
    shutil.copytree(WP_SOURCE, docroot, symlinks=False, ignore=_ignore_foreign_files)
    content = docroot / "wp-content"
    (content / "mu-plugins").mkdir(exist_ok=True)
    shutil.copy(PHP_DIR / "mu-harness.php", content / "mu-plugins" / "scraper-harness.php")
    compile_languages(content / "languages")


def _link_or_copy(src: str, dest: str) -> None:
    """Hard-link a file (fast, no bytes copied); copy it when linking is impossible (another filesystem)."""
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)


def link_docroot(template_docroot: Path, docroot: Path) -> None:
    """A session's docroot from the template's: code hard-linked (WordPress never edits it in place with
    updates off), uploads copied (WordPress writes there); wp-config.php is written per session."""
    uploads = template_docroot / "wp-content" / "uploads"

    def skip_uploads(folder: str, names: list[str]) -> set[str]:
        return {"uploads"} if Path(folder) == uploads.parent else set()

    shutil.copytree(template_docroot, docroot, copy_function=_link_or_copy, ignore=skip_uploads)
    shutil.copytree(uploads, docroot / "wp-content" / "uploads")


def write_wp_config(docroot: Path, home: str, sock: Path) -> None:
    """Our own wp-config.php (not Debian's /etc/wordpress scheme): private DB socket, fixed URL, no cron/updates."""
    salts = "\n".join(f"define('{n}', 'scraper-harness-{n.lower()}');" for n in _SALT_NAMES)
    (docroot / "wp-config.php").write_text(f"""<?php
// Written by tests/wordpress/template.py for a throw-away test site.
define('DB_NAME', 'wordpress');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', 'localhost:{sock}');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
$table_prefix = 'wp_';
{salts}
define('WP_HOME', '{home}');
define('WP_SITEURL', '{home}');
define('WP_DEBUG', false);
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_AUTO_UPDATE_CORE', false);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('FS_METHOD', 'direct');
if (!defined('ABSPATH')) {{
    define('ABSPATH', __DIR__ . '/');
}}
require_once ABSPATH . 'wp-settings.php';
""")


# -- translations ------------------------------------------------------------------------------------------------

def compile_languages(dest: Path) -> None:
    """Build our fr_FR .mo files: core = our strings first, then Debian's 3.6-era fr_FR.mo; themes = ours alone."""
    dest.joinpath("themes").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        debian_po = Path(tmp) / "debian-fr_FR.po"
        _gettext(["msgunfmt", str(WP_SOURCE / "wp-content/languages/fr_FR.mo"), "-o", str(debian_po)])
        merged = Path(tmp) / "fr_FR.po"
        _gettext(["msgcat", "--use-first", "-o", str(merged), str(LANG_DIR / "fr_FR.po"), str(debian_po)])
        _gettext(["msgfmt", "-o", str(dest / "fr_FR.mo"), str(merged)])
    for po in sorted(LANG_DIR.glob("themes/*.po")):
        _gettext(["msgfmt", "-o", str(dest / "themes" / (po.stem + ".mo")), str(po)])


def _gettext(cmd: list[str]) -> None:
    """Run a gettext tool; raise HarnessError with its message on failure."""
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        raise HarnessError(f"{cmd[0]} failed: {res.stderr.strip()}")


# -- the template ------------------------------------------------------------------------------------------------

def _versions() -> str:
    """Versions of the software that shape the template."""
    parts = [(WP_SOURCE / "wp-includes/version.php").read_text()]
    for cmd in (["mariadbd", "--version"], ["php", "--version"]):
        parts.append(subprocess.run(cmd, capture_output=True, text=True).stdout)
    return "\n".join(parts)


def template_key() -> str:
    """Hash of everything the template depends on."""
    h = hashlib.sha256(f"format {TEMPLATE_FORMAT}\n{_versions()}".encode())
    for path in sorted([*PHP_DIR.rglob("*"), *LANG_DIR.rglob("*.po"), HERE / "corpus.py", HERE / "template.py"]):
        if path.is_file():
            h.update(path.relative_to(HERE).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def cache_root() -> Path:
    """Where templates are cached: $SCRAPER_WP_CACHE, else ~/.cache/scraper, else a per-user temp folder."""
    candidates = [os.environ.get("SCRAPER_WP_CACHE"), Path.home() / ".cache" / "scraper",
                  Path(tempfile.gettempdir()) / f"scraper-wp-cache-{os.getuid()}"]
    for root in (Path(c) for c in candidates if c):
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(root, os.W_OK):
            return root
    raise HarnessError(f"no writable cache folder among {candidates}; set SCRAPER_WP_CACHE")


def make_work_dir(prefix: str) -> Path:
    """A temp folder stamped with our pid, so a later run can remove it if we die without cleaning up."""
    sweep_orphans()
    path = Path(tempfile.mkdtemp(prefix=prefix))
    (path / "owner.pid").write_text(str(os.getpid()))
    return path


def sweep_orphans() -> None:
    """Remove harness temp folders whose owning process is gone (left by a SIGKILLed test run)."""
    for folder in Path(tempfile.gettempdir()).glob("scraper-wp-*"):
        try:
            os.kill(int((folder / "owner.pid").read_text()), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except (OSError, ValueError):
            continue   # not ours to judge: no pid file yet, or another user's process


def prune_templates(keep: Path) -> None:
    """Remove cached templates of older harness versions."""
    for old in keep.parent.glob("wordpress-template-*"):
        if old.is_dir() and old != keep:
            shutil.rmtree(old, ignore_errors=True)


def ensure_template() -> Path:
    """The template directory for the current key, built under a file lock if missing."""
    root = cache_root()
    final = root / f"wordpress-template-{template_key()}"
    if (final / "seed.json").exists():
        return final
    with open(root / "wordpress-template.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)   # another pytest session may be building the same template
        if not (final / "seed.json").exists():
            build_template(final)
            prune_templates(final)
    return final


def build_template(final: Path) -> None:
    """Install and seed a WordPress in a temp folder, then move its db/, docroot/ and seed.json to `final`."""
    work = make_work_dir("scraper-wp-build-")
    mariadb = None
    try:
        out = work / "template"
        out.mkdir()
        sock, log = work / "mysqld.sock", work / "build.log"
        cnf = write_mariadb_cnf(work, out / "db", sock)
        install_datadir(cnf, log)
        mariadb = start_mariadb(cnf, sock, log)
        mariadb_sql(sock, "CREATE DATABASE wordpress CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci", database="")
        docroot = out / "docroot"
        copy_docroot(docroot)
        write_wp_config(docroot, TEMPLATE_URL, sock)
        seeded = run_php("seed.php", docroot, TEMPLATE_URL + "/", args=[str(write_corpus(work / "corpus.json"))])
        (out / "seed.json").write_text(json.dumps(json.loads(seeded), indent=1))
        stop_process(mariadb, grace=30)
        mariadb = None
        (docroot / "wp-config.php").unlink()   # each session writes its own (URL, socket)
        shutil.rmtree(final, ignore_errors=True)
        os.replace(out, final)
    finally:
        stop_process(mariadb, grace=30)
        shutil.rmtree(work, ignore_errors=True)
