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
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

log = logging.getLogger("scraper.workers")

T = TypeVar("T")
_QUIT_WAIT = 5.0   # seconds a process gets to exit once its pipe is closed


class WorkerDied(Exception):
    """A parser process died during a job (killed, out of memory, a crash in a C library) twice in a row."""


class PoolUnavailable(Exception):
    """A parser process died before it was ready (it could not start here): the caller should work without one."""


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
        self.conn.close()   # the process reads EOF and exits
        self.process.join(_QUIT_WAIT)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(_QUIT_WAIT)


class ProcessPool:
    """`size` processes; `run(fn, *args)` runs fn(*args) in an idle one and returns its result (thread-safe:
    at most `size` jobs run at once, other callers wait for a free process). fn and args must pickle."""

    def __init__(self, size: int):
        self.context = multiprocessing.get_context("spawn")   # fork would copy the crawler's threads and sockets
        self.idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self.workers = [_Worker(self.context) for _ in range(size)]
        for worker in self.workers:
            self.idle.put(worker)

    def run(self, fn: Callable[..., T], *args: Any) -> T:
        """fn(*args) in a parser process; an exception it raises is raised here. A process that dies during the
        job is replaced and the job tried once more in the new one; a second death raises WorkerDied. A process
        that cannot even start raises PoolUnavailable (and stays as it is: the pool is of no use)."""
        job = pickle.dumps((fn, args), protocol=pickle.HIGHEST_PROTOCOL)
        for attempt in (1, 2):
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
        dead.stop()
        fresh = _Worker(self.context)
        self.workers[self.workers.index(dead)] = fresh
        return fresh

    def close(self) -> None:
        """Stop every process (each exits when its pipe closes; a stuck one is terminated)."""
        for worker in self.workers:
            worker.stop()

    def __enter__(self) -> "ProcessPool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _serve(conn: Connection) -> None:
    """A parser process: answer jobs until the crawler closes the pipe (or dies: the same EOF)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the crawler's to handle; the pipe says when to stop
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
    except Exception as exc:   # an unpicklable result or exception: its description still gets back
        reply = pickle.dumps((False, RuntimeError(f"{fn.__name__}: {answer[1]!r} ({exc})")))
    conn.send_bytes(reply)
