"""The per-file stage at scale: cache look-ups, a process pool, and a deterministic merge.

`run_file_stage` returns one `FileResult` per input, in input order, whatever the number of jobs
and whichever results came from the cache: `--jobs 1` and `--jobs N` give identical results.
Work is handed out largest files first, in small chunks, so one big file does not leave the other
workers idle. A worker that dies (a native crash on a hostile file) costs its chunk a retry, one
file at a time; a file that kills a worker twice becomes a diagnostic, never a failed scan.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import threading
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Callable, Protocol

from readiness.model import Diagnostic, Location

if TYPE_CHECKING:
    from readiness.cache import ResultCache
    from readiness.discover import SourceFile
    from readiness.engine import FileResult

LOG = logging.getLogger(__name__)

Work = Callable[["SourceFile", bytes], "FileResult"]
#: Below this much uncached source, a pool costs more than it saves.
MIN_PARALLEL_BYTES = 256 * 1024
CHUNK_FILES = 16


class Progress(Protocol):
    def start(self, total: int) -> None: ...
    def advance(self, count: int) -> None: ...
    def finish(self) -> None: ...


def default_jobs() -> int:
    """The number of CPUs this process may use."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        return max(os.cpu_count() or 1, 1)


def _crashed(source: SourceFile, what: str) -> FileResult:
    from readiness.engine import FileResult

    return FileResult(source.path, None, (), (Diagnostic("internal", Location(source.path), what),))


def _guarded(work: Work, source: SourceFile, raw: bytes) -> FileResult:
    """`work` never raises into the scan: the error boundary of one file."""
    try:
        return work(source, raw)
    except RecursionError:
        return _crashed(source, "nesting too deep to analyse")
    except MemoryError:
        return _crashed(source, "out of memory while analysing this file")
    except Exception as exc:  # noqa: BLE001 - one file must not stop the scan
        LOG.debug("analysing %s failed", source.path, exc_info=True)
        return _crashed(source, f"analysis failed: {type(exc).__name__}: {exc}")


_WORKER: tuple[Work, ResultCache | None] | None = None


def _init_worker(work: Work, cache: ResultCache | None) -> None:
    global _WORKER
    _WORKER = (work, cache)


def _run_chunk(chunk: list[tuple[int, SourceFile, bytes, str | None]]) -> list[tuple[int, FileResult]]:
    assert _WORKER is not None
    work, cache = _WORKER
    out = []
    for index, source, raw, key in chunk:
        result = _guarded(work, source, raw)
        if cache is not None and key is not None:
            cache.put(key, result)
        out.append((index, result))
    return out


def _context() -> multiprocessing.context.BaseContext:
    # fork is cheap (libcst is already imported) but unsafe with threads or on macOS.
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _chunks(tasks: list[tuple[int, SourceFile, bytes, str | None]], jobs: int, single: bool = False) -> list[list[tuple[int, SourceFile, bytes, str | None]]]:
    if single:
        return [[task] for task in sorted(tasks, key=lambda t: t[0])]
    ordered = sorted(tasks, key=lambda t: (-len(t[2]), t[0]))
    total = sum(len(t[2]) for t in ordered)
    budget = max(total // (jobs * 8), 1)
    chunks: list[list[tuple[int, SourceFile, bytes, str | None]]] = []
    current: list[tuple[int, SourceFile, bytes, str | None]] = []
    size = 0
    for task in ordered:
        current.append(task)
        size += len(task[2])
        if size >= budget or len(current) >= CHUNK_FILES:
            chunks.append(current)
            current, size = [], 0
    if current:
        chunks.append(current)
    return chunks


def _run_pool(
    tasks: list[tuple[int, SourceFile, bytes, str | None]], work: Work, cache: ResultCache | None, jobs: int,
    done: Callable[[list[tuple[int, FileResult]]], None], single: bool = False,
) -> list[tuple[int, SourceFile, bytes, str | None]]:
    """Run chunks over a pool; returns the tasks of chunks lost to a dead worker."""
    chunks = _chunks(tasks, jobs, single)
    lost: list[tuple[int, SourceFile, bytes, str | None]] = []
    with ProcessPoolExecutor(
        max_workers=min(jobs, len(chunks)), mp_context=_context(), initializer=_init_worker, initargs=(work, cache)
    ) as pool:
        futures: dict[Future[list[tuple[int, FileResult]]], list[tuple[int, SourceFile, bytes, str | None]]] = {
            pool.submit(_run_chunk, chunk): chunk for chunk in chunks
        }
        for future in as_completed(futures):
            try:
                done(future.result())
            except BrokenProcessPool:
                lost.extend(futures[future])
    return lost


def run_file_stage(
    inputs: list[tuple[SourceFile, bytes]],
    work: Work,
    *,
    jobs: int = 1,
    cache: ResultCache | None = None,
    progress: Progress | None = None,
) -> list[FileResult]:
    """One result per input, in input order; cached results are reused, misses computed."""
    results: list[FileResult | None] = [None] * len(inputs)
    tasks: list[tuple[int, SourceFile, bytes, str | None]] = []
    if progress is not None:
        progress.start(len(inputs))
    hits = 0
    for index, (source, raw) in enumerate(inputs):
        key = cache.key(source, raw) if cache is not None else None
        cached = cache.get(key) if cache is not None and key is not None else None
        if cached is not None and cached.path == source.path:
            results[index] = cached
            hits += 1
        else:
            tasks.append((index, source, raw, key))
    if progress is not None and hits:
        progress.advance(hits)

    def done(batch: list[tuple[int, FileResult]]) -> None:
        for index, result in batch:
            results[index] = result
        if progress is not None:
            progress.advance(len(batch))

    pending = sum(len(t[2]) for t in tasks)
    if jobs > 1 and len(tasks) > 1 and pending >= MIN_PARALLEL_BYTES:
        lost = _run_pool(tasks, work, cache, jobs, done)
        if lost:
            # A dead worker breaks the whole pool: rerun what was lost one file per task,
            # then any file still lost alone, to find the file that kills a worker.
            lost = _run_pool(lost, work, cache, jobs, done, single=True)
        for task in lost:
            for index, source, _raw, _key in _run_pool([task], work, cache, 1, done, single=True):
                LOG.debug("worker died analysing %s", source.path)
                done([(index, _crashed(source, "analysing this file crashed the worker process"))])
    else:
        _init_worker(work, cache)
        for task in tasks:
            done(_run_chunk([task]))
    if progress is not None:
        progress.finish()
    assert all(r is not None for r in results)
    return results  # type: ignore[return-value]
