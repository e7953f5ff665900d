"""Fetcher against a local fault-injecting server: retries, limits, redirects, robots.txt, charset, pacing."""
from __future__ import annotations

import codecs
import time

import pytest

from scraper.exceptions import FetchError, RobotsDisallowed
from scraper.fetch import DEFAULT_USER_AGENT, Fetcher, FetchSettings
from faultserver import FaultServer, Reply, gzip_bomb


def fast(**kw) -> Fetcher:
    """A fetcher with test-speed settings (no delay, tiny backoff, short timeouts)."""
    base = dict(delay=0.0, backoff=0.01, connect_timeout=2, read_timeout=1.0, retries=3, concurrency=4)
    base.update(kw)
    return Fetcher(FetchSettings(**base))


def test_plain_get_sends_honest_user_agent():
    with FaultServer({"/a/": [Reply(200, "<p>hi</p>")]}) as srv, fast() as f:
        resp = f.get(srv.url("/a/"))
    assert resp.status == 200 and resp.body == b"<p>hi</p>"
    assert srv.hits[-1].headers["user-agent"] == DEFAULT_USER_AGENT
    assert "scraper" in DEFAULT_USER_AGENT


@pytest.mark.parametrize("environment", [False, True], ids=["lean-path", "session-request"])
def test_cookies_and_headers_are_sent_whichever_way_the_request_is_prepared(environment, monkeypatch):
    """Without environment settings the Fetcher prepares requests itself (cheaper than Session.request): the
    server must see the same thing either way: our User-Agent and encodings, the caller's headers, the cookies
    the site set."""
    prepared = []
    monkeypatch.setattr(Fetcher, "_prepare", lambda self, url, headers, original=Fetcher._prepare:
                        prepared.append(url) or original(self, url, headers))
    with FaultServer({"/a/": [Reply(200, "a", headers={"Set-Cookie": "visitor=42; Path=/"})],
                      "/b/": [Reply(200, "b")]}) as srv, fast() as f:
        f.session.trust_env = environment
        f.get(srv.url("/a/"))
        f.get(srv.url("/b/"), headers={"If-None-Match": '"v1"'})
    assert len(prepared) == (0 if environment else 3)   # robots.txt, /a/, /b/
    sent = srv.hits[-1].headers
    assert sent["user-agent"] == DEFAULT_USER_AGENT and "gzip" in sent["accept-encoding"]
    assert sent["if-none-match"] == '"v1"' and sent["cookie"] == "visitor=42"


def test_500_burst_then_success_is_retried():
    routes = {"/p/": [Reply(503), Reply(500), Reply(200, "ok")]}
    with FaultServer(routes) as srv, fast() as f:
        resp = f.get(srv.url("/p/"))
    assert resp.status == 200 and srv.hits_for("/p/") == 3


def test_persistent_500_returns_last_status_after_retries():
    with FaultServer({"/p/": [Reply(500)]}) as srv, fast(retries=2) as f:
        resp = f.get(srv.url("/p/"))
    assert resp.status == 500 and srv.hits_for("/p/") == 3


def test_429_retry_after_is_honoured():
    routes = {"/p/": [Reply(429, headers={"Retry-After": "1"}), Reply(200, "ok")]}
    with FaultServer(routes) as srv, fast() as f:
        start = time.monotonic()
        resp = f.get(srv.url("/p/"))
        waited = time.monotonic() - start
    assert resp.status == 200 and waited >= 0.9


def test_retry_after_too_long_is_a_clear_error():
    with FaultServer({"/p/": [Reply(429, headers={"Retry-After": "3600"})]}) as srv, fast() as f:
        with pytest.raises(FetchError, match="Retry-After 3600"):
            f.get(srv.url("/p/"))


def test_connection_reset_is_retried():
    with FaultServer({"/p/": [Reply(fault="reset"), Reply(200, "ok")]}) as srv, fast() as f:
        assert f.get(srv.url("/p/")).body == b"ok"


def test_truncated_body_is_retried():
    body = "x" * 100_000
    with FaultServer({"/p/": [Reply(200, body, fault="truncate"), Reply(200, body)]}) as srv, fast() as f:
        assert len(f.get(srv.url("/p/")).body) == 100_000
    assert srv.hits_for("/p/") == 2


def test_timeout_retried_then_clear_error():
    with FaultServer({"/slow/": [Reply(200, "late", delay=1.5)]}) as srv, fast(read_timeout=0.3, retries=1) as f:
        with pytest.raises(FetchError, match="after 2 attempts"):
            f.get(srv.url("/slow/"))


def test_slow_but_within_timeout_succeeds():
    with FaultServer({"/slow/": [Reply(200, "late", delay=0.3)]}) as srv, fast(read_timeout=2) as f:
        assert f.get(srv.url("/slow/")).body == b"late"


def test_huge_page_refused():
    with FaultServer({"/big/": [Reply(200, b"a" * 300_000)]}) as srv, fast(max_bytes=100_000) as f:
        with pytest.raises(FetchError, match="limit"):
            f.get(srv.url("/big/"))


def test_gzip_bomb_refused_after_decompression():
    bomb = gzip_bomb(20 * 1024 * 1024)
    assert len(bomb) < 100_000
    routes = {"/bomb/": [Reply(200, bomb, headers={"Content-Encoding": "gzip"})]}
    with FaultServer(routes) as srv, fast(max_bytes=1024 * 1024) as f:
        with pytest.raises(FetchError, match="after decompression"):
            f.get(srv.url("/bomb/"))


def test_gzip_body_is_decoded():
    import gzip
    routes = {"/gz/": [Reply(200, gzip.compress(b"<p>zipped</p>"), headers={"Content-Encoding": "gzip"})]}
    with FaultServer(routes) as srv, fast() as f:
        assert f.get(srv.url("/gz/")).body == b"<p>zipped</p>"


def test_redirect_followed_and_recorded():
    routes = {"/old/": [Reply(301, headers={"Location": "/new/"})], "/new/": [Reply(200, "here")]}
    with FaultServer(routes) as srv, fast() as f:
        resp = f.get(srv.url("/old/"))
    assert resp.body == b"here" and resp.final_url == srv.url("/new/") and resp.redirects == [srv.url("/old/")]


def test_redirect_loop_is_a_clear_error():
    routes = {"/a/": [Reply(302, headers={"Location": "/b/"})], "/b/": [Reply(302, headers={"Location": "/a/"})]}
    with FaultServer(routes) as srv, fast() as f:
        with pytest.raises(FetchError, match="redirect loop"):
            f.get(srv.url("/a/"))


def test_endless_redirect_chain_is_bounded():
    def chain(hit):
        n = int(hit.path.strip("/").split("/")[-1])
        return Reply(302, headers={"Location": f"/r/{n + 1}"})
    routes = {f"/r/{i}": chain for i in range(100)}
    with FaultServer(routes) as srv, fast() as f:
        with pytest.raises(FetchError, match="too many redirects"):
            f.get(srv.url("/r/0"))
    assert len(srv.hits) <= 13


def test_redirect_to_other_host_not_followed():
    routes = {"/go/": [Reply(302, headers={"Location": "http://elsewhere.invalid/x/"})]}
    with FaultServer(routes) as srv, fast() as f:
        with pytest.raises(FetchError, match="another host"):
            f.get(srv.url("/go/"))


def test_robots_disallow_and_ignore():
    robots = "User-agent: *\nDisallow: /private/\n"
    routes = {"/robots.txt": [Reply(200, robots, content_type="text/plain")], "/private/x/": [Reply(200, "secret")]}
    with FaultServer(routes) as srv:
        with fast() as f:
            with pytest.raises(RobotsDisallowed, match="--ignore-robots"):
                f.get(srv.url("/private/x/"))
        assert srv.hits_for("/private/x/") == 0
        with fast(ignore_robots=True) as f:
            assert f.get(srv.url("/private/x/")).body == b"secret"


def test_robots_crawl_delay_is_obeyed():
    routes = {"/robots.txt": [Reply(200, "User-agent: *\nCrawl-delay: 0.4\n", content_type="text/plain")],
              "/p/": [Reply(200, "ok")]}
    with FaultServer(routes) as srv, fast(concurrency=1) as f:
        for _ in range(3):
            f.get(srv.url("/p/"))
    starts = [h.at for h in srv.hits if h.path == "/p/"]
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert min(gaps) >= 0.35


def test_robots_5xx_means_keep_out():
    with FaultServer({"/robots.txt": [Reply(503)], "/p/": [Reply(200, "ok")]}) as srv, fast(retries=0) as f:
        with pytest.raises(RobotsDisallowed):
            f.get(srv.url("/p/"))


def test_robots_sitemaps_listed():
    robots = "Sitemap: http://127.0.0.1/wp-sitemap.xml\n"
    with FaultServer({"/robots.txt": [Reply(200, robots, content_type="text/plain")]}) as srv, fast() as f:
        assert f.sitemaps(srv.url("/")) == ["http://127.0.0.1/wp-sitemap.xml"]


def test_charset_from_header_and_meta():
    latin = "<p>été</p>".encode("latin-1")
    meta = '<meta charset="windows-1252"><p>été</p>'.encode("cp1252")
    routes = {"/h/": [Reply(200, latin, content_type="text/html; charset=ISO-8859-1")],
              "/m/": [Reply(200, meta, content_type="text/html")],
              "/bad/": [Reply(200, b"caf\xe9 \xff\xfe", content_type="text/html; charset=utf-8")]}
    with FaultServer(routes) as srv, fast() as f:
        assert "été" in f.get(srv.url("/h/")).text
        assert "été" in f.get(srv.url("/m/")).text
        assert "caf" in f.get(srv.url("/bad/")).text  # undecodable bytes replaced, no exception


def test_mislabelled_pages_are_read_as_the_parser_reads_them():
    """Review quality #3: one decoder. WHATWG reads 'iso-8859-1' as windows-1252 (0x80 is the euro sign), and a
    byte-order mark outranks the Content-Type (the old Response.text read the BOM bytes as Latin-1 text)."""
    from scraper.parse.document import decode

    euro = "<p>10 € l'été</p>".encode("cp1252")
    bom = codecs.BOM_UTF8 + "<p>l'été</p>".encode("utf-8")
    routes = {"/euro/": [Reply(200, euro, content_type="text/html; charset=iso-8859-1")],
              "/bom/": [Reply(200, bom, content_type="text/html; charset=iso-8859-1")]}
    with FaultServer(routes) as srv, fast() as f:
        euro_text, bom_text = f.get(srv.url("/euro/")).text, f.get(srv.url("/bom/")).text
    assert "10 € l'été" in euro_text and bom_text == "<p>l'été</p>"
    assert bom_text == decode(bom, {"content-type": "text/html; charset=iso-8859-1"}, [])


def test_per_host_delay_spaces_request_starts():
    with FaultServer({"/p/": [Reply(200, "ok")]}) as srv, fast(delay=0.2, concurrency=2) as f:
        for _ in range(4):
            f.get(srv.url("/p/"))
    starts = [h.at for h in srv.hits if h.path == "/p/"]
    assert min(b - a for a, b in zip(starts, starts[1:])) >= 0.18


def test_www_and_default_port_spellings_of_a_site_share_one_pacing_gate():
    """Review quality #4: the gate is keyed like everything else (host_key), so politeness is per site."""
    with fast() as f:
        gate = f.gate("https://www.news.example/a/")
        assert f.gate("https://news.example:443/b/") is gate and f.gate("https://NEWS.example/") is gate
        assert f.gate("https://news.example:8443/") is not gate


def test_robots_txt_is_fetched_once_per_origin_whatever_the_host_spelling():
    """Review quality #4: the robots cache was keyed by the netloc as written ('LocalHost' and 'localhost' twice)."""
    with FaultServer({"/robots.txt": [Reply(200, "User-agent: *\nDisallow: /private/\n", content_type="text/plain")]}) \
            as srv, fast() as f:
        port = srv.base_url.rsplit(":", 1)[1]
        assert f.allowed(f"http://localhost:{port}/a/") and not f.allowed(f"http://LocalHost:{port}/private/x")
    assert srv.hits_for("/robots.txt") == 1


def test_per_host_concurrency_limit():
    from concurrent.futures import ThreadPoolExecutor
    with FaultServer({"/p/": [Reply(200, "ok", delay=0.3)]}) as srv, fast(concurrency=2) as f:
        start = time.monotonic()
        with ThreadPoolExecutor(6) as pool:
            list(pool.map(lambda _: f.get(srv.url("/p/")), range(6)))
        elapsed = time.monotonic() - start
    assert elapsed >= 0.85  # 6 requests of 0.3 s, 2 at a time: at least 3 rounds


def test_connection_refused_is_clear_error():
    import socket
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with fast(retries=1) as f:
        with pytest.raises(FetchError, match="ConnectionError"):
            f.get(f"http://127.0.0.1:{port}/x/")


def test_robots_behind_a_redirect_is_followed():
    routes = {"/robots.txt": [Reply(301, headers={"Location": "/robots-real.txt"})],
              "/robots-real.txt": [Reply(200, "User-agent: *\nDisallow: /no/\n", content_type="text/plain")],
              "/no/x/": [Reply(200, "secret")]}
    with FaultServer(routes) as srv, fast() as f:
        with pytest.raises(RobotsDisallowed):
            f.get(srv.url("/no/x/"))


def test_tests_ignore_a_proxy_in_the_environment():
    """Review 45 #3: with http_proxy pointing at a dead port, a loopback fetch test still reaches 127.0.0.1."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "http_proxy": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
           "ALL_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "tests/test_fetch.py::test_plain_get_sends_honest_user_agent"],
                            cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-2000:]
