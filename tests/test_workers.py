"""The crawl's parser processes (scraper/workers.py): results, errors, concurrency, a process that dies."""
from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from scraper.workers import PoolUnavailable, ProcessPool, WorkerDied


# Jobs: module-level, so the parser processes (spawned) can unpickle them by name.

def square_and_pid(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


def fail(message: str) -> None:
    raise ValueError(message)


def die_unless_marked(marker: str) -> str:
    """Kill this process the first time (leaving a marker file), answer the second time."""
    if not Path(marker).exists():
        Path(marker).touch()
        os._exit(9)
    return "survived"


def die(code: int) -> None:
    os._exit(code)


def test_results_come_back_from_other_processes():
    with ProcessPool(2) as pool:
        answers = [pool.run(square_and_pid, x) for x in range(5)]
    assert [a for a, _ in answers] == [0, 1, 4, 9, 16]
    assert os.getpid() not in {pid for _, pid in answers}


def test_many_threads_share_the_processes():
    with ProcessPool(2) as pool, ThreadPoolExecutor(6) as threads:
        answers = list(threads.map(lambda x: pool.run(square_and_pid, x), range(60)))
        workers = {w.process.pid for w in pool.workers}
    assert [a for a, _ in answers] == [x * x for x in range(60)]
    assert {pid for _, pid in answers} <= workers and len(workers) == 2


def test_an_exception_in_the_job_is_raised_in_the_caller_and_the_process_carries_on():
    with ProcessPool(1) as pool:
        pid = pool.workers[0].process.pid
        with pytest.raises(ValueError, match="bad page"):
            pool.run(fail, "bad page")
        assert pool.run(square_and_pid, 3) == (9, pid)


def test_a_process_that_dies_is_replaced_and_the_job_tried_again(tmp_path, caplog):
    caplog.set_level(logging.WARNING, "scraper.workers")
    with ProcessPool(1) as pool:
        first = pool.workers[0].process
        assert pool.run(die_unless_marked, str(tmp_path / "marker")) == "survived"
        assert pool.workers[0].process is not first and not first.is_alive()
    assert "a parser process died (exit code 9)" in caplog.text


def test_a_job_that_kills_every_process_raises_worker_died_and_the_pool_still_works():
    with ProcessPool(1) as pool:
        with pytest.raises(WorkerDied, match="died twice"):
            pool.run(die, 7)
        assert pool.run(square_and_pid, 2)[0] == 4


def test_close_stops_every_process():
    pool = ProcessPool(2)
    processes = [w.process for w in pool.workers]
    pool.close()
    assert not any(p.is_alive() for p in processes) and all(p.exitcode == 0 for p in processes)


def test_a_pool_whose_processes_cannot_start_says_so(monkeypatch):
    monkeypatch.setattr("scraper.workers._serve", _exit_at_start)   # pickled by name: the process runs it
    with ProcessPool(1) as pool:
        with pytest.raises(PoolUnavailable, match="could not start"):
            pool.run(square_and_pid, 2)


def _exit_at_start(conn) -> None:
    os._exit(1)


def test_after_close_a_job_says_the_pool_is_unavailable_and_starts_nothing():
    pool = ProcessPool(1)
    assert pool.run(square_and_pid, 2)[0] == 4
    pool.close()
    pool.close()   # idempotent
    with pytest.raises(PoolUnavailable, match="stopped"):
        pool.run(square_and_pid, 3)
    assert not any(w.process.is_alive() for w in pool.workers)


def test_when_no_replacement_can_start_the_pool_says_it_is_unavailable(monkeypatch):
    import scraper.workers

    def refuse(*args, **kwargs):
        raise OSError(24, "Too many open files")
    with ProcessPool(1) as pool:
        monkeypatch.setattr(scraper.workers, "_Worker", refuse)
        with pytest.raises(PoolUnavailable, match="could be started.*Too many open files"):
            pool.run(die, 7)


def test_parser_processes_leave_sigterm_to_the_crawler():
    """`timeout` and systemd signal the whole process group: the processes stay until the crawler closes them."""
    import signal
    import time
    with ProcessPool(1) as pool:
        pid = pool.run(square_and_pid, 1)[1]
        os.kill(pid, signal.SIGTERM)
        time.sleep(0.2)
        assert pool.run(square_and_pid, 2) == (4, pid)
