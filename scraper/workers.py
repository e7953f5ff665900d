"""Parser processes beside the crawler, each fed over its own pipe.

Parsing is the CPU-heavy step and the GIL would keep it on the crawler's core. concurrent.futures'
ProcessPoolExecutor routes every job through a manager thread and a queue feeder thread of the calling process;
measured with py-spy (--gil, 1,500 pages) that bookkeeping held the crawler's GIL about a third of the time. Here
the calling thread writes the job to an idle process's pipe and reads the answer itself (both release the GIL).
"""
from __future__ import annotations

import logging
import multiprocessing
import pickle
import queue
import signal
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

log = logging.getLogger("scraper.workers")

T = TypeVar("T")
_QUIT_WAIT = 5.0   # seconds a process gets to exit once its pipe is closed


class WorkerDied(Exception):
    """A parser process died during a job (killed, out of memory, a crash in a C library) twice in a row."""


class PoolUnavailable(Exception):
    """The pool cannot serve (a process died before it was ready, no new one can be started, or the pool is
    closed): the caller should work without it."""


class _Worker:
    """One process and the crawler's end of its pipe."""

    def __init__(self, context: Any):
        self.conn, child = context.Pipe(duplex=True)
        self.process = context.Process(target=_serve, args=(child,), daemon=True, name="scraper-parser")
        self.process.start()
        child.close()   # the process holds its own end: when it dies, our recv sees EOF
        self.ready = False

    def call(self, job: bytes) -> bytes:
        """The answer to job; EOFError/OSError when the process dies, PoolUnavailable when it never started."""
        if not self.ready:
            try:
                self.conn.recv_bytes()   # the process says it is ready once its imports are done
            except (EOFError, OSError):
                self.process.join(1)
                raise PoolUnavailable(f"a parser process could not start (exit code {self.process.exitcode})") \
                    from None
            self.ready = True
        self.conn.send_bytes(job)
        return self.conn.recv_bytes()

    def stop(self) -> None:
        """Close the pipe (the process reads EOF and exits); kill it if it is still busy after _QUIT_WAIT."""
        self.conn.close()
        self.process.join(_QUIT_WAIT)
        if self.process.is_alive():
            self.process.kill()   # not terminate(): the process ignores SIGTERM (see _serve)
            self.process.join(_QUIT_WAIT)


class ProcessPool:
    """`size` processes; `run(fn, *args)` runs fn(*args) in an idle one and returns its result (thread-safe:
    at most `size` jobs run at once, other callers wait for a free process). fn and args must pickle.
    OSError when the processes cannot be started (too many processes or open files, no memory)."""

    def __init__(self, size: int):
        self.context = multiprocessing.get_context("spawn")   # fork would copy the crawler's threads and sockets
        self.idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self.lock = threading.Lock()   # guards `workers` and `closed` against run() replacing a process
        self.closed = False
        self.workers: list[_Worker] = []
        try:
            for _ in range(size):
                self.workers.append(_Worker(self.context))
        except BaseException:
            self.close()
            raise
        for worker in self.workers:
            self.idle.put(worker)

    def run(self, fn: Callable[..., T], *args: Any) -> T:
        """fn(*args) in a parser process; an exception it raises is raised here. A process that dies during the
        job is replaced and the job tried once more in the new one; a second death raises WorkerDied (a process
        that died while idle counts as the first). PoolUnavailable when a process never started, a replacement
        cannot be started, or the pool is closed: the caller should do without it."""
        job = pickle.dumps((fn, args), protocol=pickle.HIGHEST_PROTOCOL)
        for attempt in (1, 2):
            if self.closed:
                raise PoolUnavailable("the parser processes are stopped")
            worker = self.idle.get()
            try:
                answer = worker.call(job)
            except (EOFError, OSError):
                worker.process.join(1)
                code = worker.process.exitcode
                log.warning("a parser process died (exit code %s); starting another", code)
                worker = self._replace(worker)
                if attempt == 2:
                    raise WorkerDied(f"the parser process died twice on this job (exit code {code})") from None
                continue
            finally:
                self.idle.put(worker)
            ok, value = pickle.loads(answer)
            if ok:
                return value
            raise value
        raise AssertionError("unreachable")

    def _replace(self, dead: _Worker) -> _Worker:
        """A new process in the dead one's place (PoolUnavailable when none can start, or the pool is closed:
        the dead one stays in its place and makes any later job say so too)."""
        dead.stop()
        with self.lock:
            if self.closed:
                raise PoolUnavailable("the parser processes are stopped")
            try:
                fresh = _Worker(self.context)
            except OSError as exc:
                raise PoolUnavailable(f"no parser process could be started: {exc}") from exc
            self.workers[self.workers.index(dead)] = fresh
        return fresh

    def close(self) -> None:
        """Stop every process (each exits when its pipe closes; a stuck one is killed). Idempotent."""
        with self.lock:
            self.closed = True
            workers = list(self.workers)
        for worker in workers:
            worker.stop()

    def __enter__(self) -> "ProcessPool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _serve(conn: Connection) -> None:
    """A parser process: answer jobs until the crawler closes the pipe (or dies: the same EOF)."""
    # Ctrl-C, and the SIGTERM that `timeout` or systemd send to the whole process group, are the crawler's to
    # handle: it finishes its transaction and closes the pipes, which is what tells these processes to stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        conn.send_bytes(b"ready")
        while True:
            _answer(conn, conn.recv_bytes())
    except (EOFError, OSError):   # the crawler closed the pipe or is gone
        return


def _answer(conn: Connection, job: bytes) -> None:
    """Run one job and send back (True, result) or (False, the exception it raised)."""
    fn, args = pickle.loads(job)
    try:
        answer = (True, fn(*args))
    except Exception as exc:   # handed back to the caller, which raises it; this process carries on
        answer = (False, exc)
    try:
        reply = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        if not answer[0]:
            pickle.loads(reply)   # some exceptions pickle but cannot be rebuilt (lxml's take extra arguments)
    except Exception as exc:   # an unpicklable result or exception: its description still gets back
        reply = pickle.dumps((False, RuntimeError(f"{fn.__name__}: {answer[1]!r} ({exc})")))
    conn.send_bytes(reply)
