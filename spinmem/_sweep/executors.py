"""Where the points of a sweep run: in this process, on local worker processes or on
a Dask cluster; per-point timeouts; workers that die.
"""

import contextlib
import os
import signal
import threading
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

from .. import _checks, _progress
from .plan import Plan, function_name


class PointTimeout(TimeoutError):
    """A sweep point ran longer than the sweep's ``timeout``."""


def run_point(function, kwargs, timeout=None):
    """Call ``function(**kwargs)``; return ``("ok", result)`` or ``("error", text)``.

    With ``timeout`` (seconds) an alarm raises :class:`PointTimeout` inside the call
    when it runs longer (main thread of the process only).
    """
    try:
        with _alarm(timeout), _progress.silenced():
            return ("ok", function(**kwargs))
    except Exception:
        return ("error", traceback.format_exc())


@contextlib.contextmanager
def _alarm(timeout):
    if timeout is None:
        yield
        return

    def expire(signum, frame):
        raise PointTimeout(f"the point ran longer than timeout={timeout} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def check_importable(function) -> None:
    """Refuse, before anything runs, a function that worker processes cannot import."""
    import pickle

    try:
        pickle.dumps(function)
    except Exception:
        raise TypeError(
            f"function {function_name(function)} must be importable for workers=...: a "
            "function defined at the top level of a module (not a lambda, a nested "
            "function or a closure), since each worker process imports it by name"
        ) from None


def check_timeout(timeout, workers, client) -> float | None:
    if timeout is None:
        return None
    timeout = _checks.real("timeout", timeout, positive=True)
    if client is not None:
        raise ValueError("timeout is not available with a Dask client; use workers=...")
    if not hasattr(signal, "setitimer"):
        raise ValueError("timeout needs alarm signals, which this platform lacks")
    in_main = threading.current_thread() is threading.main_thread()
    if workers is None and not in_main:
        raise ValueError(
            "timeout in-process needs the main thread (alarm signals); use workers=..."
        )
    return timeout


def execute(plan: Plan, todo: list[int], workers, client, finished: list):
    """``(k, outcome)`` for every point of ``todo``, in the order they finish.

    When the consumer stops early (an exception, ``KeyboardInterrupt``), the points
    that had finished but were not yet handed over go to ``finished``, queued points
    are cancelled and running ones stopped before the exception goes on.
    """
    if client is not None:
        yield from _execute_dask(plan, todo, client, finished)
    elif workers is None:
        for k in todo:
            yield k, run_point(plan.function, plan.kwargs(k), plan.timeout)
    else:
        yield from _execute_processes(plan, todo, workers, finished)


def _execute_dask(plan, todo, client, finished):
    from dask.distributed import as_completed as dask_completed

    futures = {
        client.submit(run_point, plan.function, plan.kwargs(k), pure=False): k for k in todo
    }
    handed = set()
    try:
        for future in dask_completed(futures):
            handed.add(future)
            yield futures[future], future.result()
    except BaseException:
        with sigint_ignored():
            for future, k in futures.items():
                if future not in handed and future.status == "finished":
                    finished.append((k, future.result()))
            client.cancel(list(futures))
        raise


def _execute_processes(plan, todo, workers, finished):
    """Points on a pool of worker processes. A worker that dies (a crash, a signal,
    ``os._exit``) breaks the pool; the points it left unfinished then run one at a
    time, so that the point that kills its worker is recorded as failed and every
    other point is still computed."""
    left = yield from _in_pool(plan, todo, workers, finished)
    if left:
        yield from _one_at_a_time(plan, left, finished)


WORKER_DIED = (
    "the worker process died while computing this point (a crash such as a "
    "segmentation fault, a signal, os._exit or running out of memory; or a fresh "
    "process could not import the function: it must be importable, and a script must "
    "start its sweep under if __name__ == '__main__':)"
)


def _pool(workers: int) -> ProcessPoolExecutor:
    import multiprocessing

    threads = max(1, (os.cpu_count() or 1) // workers)
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_start,
        initargs=(threads, os.getpid()),
    )


def _in_pool(plan, todo, workers, finished):
    """``(k, outcome)`` as points finish; returns the points left when the pool broke."""
    pool = _pool(workers)
    futures, handed = {}, set()
    try:
        for k in todo:
            futures[pool.submit(run_point, plan.function, plan.kwargs(k), plan.timeout)] = k
        for future in as_completed(futures):
            if isinstance(future.exception(), BrokenProcessPool):
                break
            handed.add(future)
            yield futures[future], future.result()
        else:
            pool.shutdown(wait=True)
            return []
    except BaseException:
        finished.extend(_finished(futures, handed))
        _stop(pool)
        raise
    _stop(pool)
    done = dict(_finished(futures, handed))
    yield from done.items()
    return [k for f, k in futures.items() if f not in handed and k not in done]


def _finished(futures, handed) -> list:
    """The points that finished but were not handed over yet."""
    return [
        (k, future.result())
        for future, k in futures.items()
        if future not in handed
        and future.done()
        and not future.cancelled()
        and future.exception() is None
    ]


def _one_at_a_time(plan, todo, finished):
    """Each point alone on one worker; a point that kills its worker fails."""
    pool = None
    try:
        for k in todo:
            pool = pool or _pool(1)
            future = pool.submit(run_point, plan.function, plan.kwargs(k), plan.timeout)
            if isinstance(future.exception(), BrokenProcessPool):
                _stop(pool)
                pool = None
                yield k, ("error", WORKER_DIED)
            else:
                yield k, future.result()
    except BaseException:
        if pool is not None:
            _stop(pool)
        raise
    if pool is not None:
        pool.shutdown(wait=True)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel queued points and end the worker processes now, deaf to a second
    Ctrl-C while doing so."""
    with sigint_ignored():
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)


class sigint_ignored:
    """Ignore SIGINT inside the block (main thread only; elsewhere a no-op)."""

    def __enter__(self):
        self.previous = None
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        return self

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


def _worker_start(threads: int, parent: int) -> None:
    """Worker set-up: numba threads; Ctrl-C is the parent's to handle; exit when the
    parent is gone (killed), so that no worker outlives its sweep."""
    import numba

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()
