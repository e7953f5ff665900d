"""Shared pytest fixtures: the real WordPress site for end-to-end tests (see tests/wordpress/__init__.py)."""
from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest

from tests.wordpress import WordPressSite, missing_packages


def _interrupt(signum: int, frame: object) -> None:
    """Treat SIGTERM like Ctrl-C, so pytest runs fixture teardown (the WordPress site) before exiting."""
    raise KeyboardInterrupt(f"signal {signum}")


def pytest_configure(config: pytest.Config) -> None:
    """Install the SIGTERM handler unless someone else already set one."""
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _interrupt)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that use the WordPress site are end-to-end tests, whether or not they say so."""
    for item in items:
        if {"wordpress", "wordpress_clean"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.e2e)


def _require_packages() -> None:
    """Skip (or, under CI=true, fail) when the Debian packages of the harness are missing."""
    missing = missing_packages()
    if not missing:
        return
    reason = f"end-to-end tests need Debian packages: {' '.join(missing)} (run scripts/test.sh as root)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "ftp_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def _no_proxy_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests talk to 127.0.0.1 only: a proxy set in the environment (a CI runner's) must never carry their
    requests off the machine, so every *_proxy variable is removed and NO_PROXY covers loopback."""
    for name in list(os.environ):
        if name.lower() in PROXY_VARIABLES:
            monkeypatch.delenv(name)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost,::1")


@pytest.fixture(scope="session")
def wordpress() -> Iterator[WordPressSite]:
    """A started private WordPress with the seeded corpus, shared by the session; always torn down."""
    _require_packages()
    site = WordPressSite()
    try:
        site.start()
        yield site
    finally:
        site.stop()


@pytest.fixture
def wordpress_clean(wordpress: WordPressSite) -> WordPressSite:
    """The session's WordPress, reset to the seeded state first if an earlier test changed it."""
    if wordpress.dirty:
        wordpress.reset()
    return wordpress
