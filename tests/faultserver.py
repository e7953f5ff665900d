"""A local HTTP server (127.0.0.1 only) that serves scripted replies and injects faults, for fetch/crawl tests.

Routes map a path (with its query string, if any) to a list of `Reply`s served in turn (the last one repeats) or to
a function of the request returning one. Faults: slow replies, connection resets, truncated bodies, hangs.
Every hit is recorded. Threads are daemons and the server stops on context exit, so nothing outlives a test.
"""
from __future__ import annotations

import gzip
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    """One scripted answer: status, headers, body, an optional delay and an optional fault."""

    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0             # seconds to wait before answering (slow responses, timeouts)
    fault: str | None = None       # 'reset' (RST before any byte) | 'truncate' (half the declared body) | 'close'
    content_type: str = "text/html; charset=utf-8"


@dataclass
class Hit:
    """One request the server received."""

    path: str
    headers: dict[str, str]
    at: float


Route = list[Reply] | Callable[["Hit"], Reply]


class FaultServer:
    """Serve scripted replies on 127.0.0.1:<free port>; use as a context manager."""

    def __init__(self, routes: dict[str, Route] | None = None, default: Reply | None = None, latency: float = 0.0):
        self.routes: dict[str, Route] = dict(routes or {})
        self.default = default or Reply(404, "not found")
        self.latency = latency
        self.hits: list[Hit] = []
        self.lock = threading.Lock()
        self.counters: dict[str, int] = {}
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT (no trailing slash)."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        """Absolute URL of a path on this server."""
        return self.base_url + path

    def __enter__(self) -> "FaultServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    def hits_for(self, path: str) -> int:
        """How many requests asked for exactly this path (with query)."""
        return sum(1 for h in self.hits if h.path == path)

    def reply_for(self, hit: Hit) -> Reply:
        """The reply scripted for a hit: next in its list (the last repeats) or the route function's answer."""
        route = self.routes.get(hit.path)
        if route is None:
            route = self.routes.get(hit.path.split("?", 1)[0])
        if route is None:
            return self.default
        if callable(route):
            return route(hit)
        with self.lock:
            index = self.counters.get(hit.path, 0)
            self.counters[hit.path] = index + 1
        return route[min(index, len(route) - 1)]

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 10  # a stuck client never holds a thread for long
            disable_nagle_algorithm = True  # headers and body go out in separate writes: no 40 ms delayed-ACK stall

            def log_message(self, *args: object) -> None:  # quiet test output
                return

            def do_GET(self) -> None:  # noqa: N802 (http.server naming)
                hit = Hit(self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic())
                with server.lock:
                    server.hits.append(hit)
                reply = server.reply_for(hit)
                if server.latency or reply.delay:
                    time.sleep(server.latency + reply.delay)
                if reply.fault == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    self.close_connection = True
                    return
                body = reply.body.encode() if isinstance(reply.body, str) else reply.body
                self.send_response(reply.status)
                headers = {"Content-Type": reply.content_type, **reply.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if reply.fault == "truncate":
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                if reply.fault == "close":
                    self.close_connection = True
                    return
                self.wfile.write(body)

        return Handler


def gzip_bomb(size: int) -> bytes:
    """`size` zero bytes gzipped (a few KB per 10 MB): a decompression bomb for size-limit tests."""
    return gzip.compress(b"\0" * size, compresslevel=9)
