"""The per-file stage at scale: cache look-ups, worker processes, and a deterministic merge.

`run_file_stage` returns one `FileResult` per input, in input order, whatever the number of jobs
and whichever results came from the cache: `--jobs 1` and `--jobs N` give identical results.
Files are handed out largest first, a few per message (one at a time near the end), so one big
file does not leave the other workers idle; workers answer file by file, so the parent always
knows which file is running. libcst's native parser can crash the process (about 1,500 nested brackets) or run
for minutes (a 5,000-term expression) on hostile input, so a worker that dies or overruns the
per-file timeout is replaced and its file becomes a diagnostic, never a failed scan.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import threading
import time
import warnings
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING, Callable, Protocol

from readiness.model import Diagnostic, Location

if TYPE_CHECKING:
    from readiness.cache import ResultCache
    from readiness.discover import SourceFile
    from readiness.engine import FileResult

LOG = logging.getLogger(__name__)

Work = Callable[["SourceFile", bytes], "FileResult"]
#: Below this much uncached source, more than one worker costs more than it saves.
MIN_PARALLEL_BYTES = 64 * 1024
#: At most this many files per message to a worker.
CHUNK_FILES = 16
#: The default limit on one file's analysis, in seconds (pathological files can take minutes).
DEFAULT_FILE_TIMEOUT = 60.0


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


def _crashed(source: SourceFile, what: str, kind: str = "internal") -> FileResult:
    from readiness.engine import FileResult

    return FileResult(source.path, None, (), (Diagnostic(kind, Location(source.path), what),))


def _guarded(work: Work, source: SourceFile, raw: bytes) -> FileResult:
    """`work` never raises into the scan, nor prints the scanned code's warnings (libcst's
    `evaluated_value` compiles string literals: `"\\d"` warns): the boundary of one file."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
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
    work, _cache = _WORKER
    return [(index, _guarded(work, source, raw)) for index, source, raw, _key in chunk]


def _context() -> multiprocessing.context.BaseContext:
    # fork is cheap (libcst is already imported) but unsafe with threads or on macOS.
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _worker_main(conn: Connection, work: Work, cache: ResultCache | None, preload: bool = False) -> None:
    """A worker: analyse one file per message until told to stop (None) or the pipe closes."""
    try:
        import signal

        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    except (ImportError, ValueError, OSError):
        pass
    _init_worker(work, cache)
    conn.send(_READY)
    if preload:  # started ahead of its work (`Workers`): load the parser while the scan goes on
        try:
            import readiness.facts.extract  # noqa: F401
        except Exception:  # noqa: BLE001 - the first file's analysis will say what is wrong
            pass
    while True:
        try:
            chunk = conn.recv()
        except (EOFError, OSError):
            return
        if chunk is None:
            return
        for task in chunk:  # one message per file, so the parent knows which file is running
            index, result = _run_chunk([task])[0]
            conn.send((index, _packed(result)))


def _packed(result: FileResult) -> FileResult | str:
    """What a worker sends: the cache entry of the result (`cache.encode_result`), which the scan
    stores as it is and decodes faster than a pickle; the result itself if it cannot be encoded."""
    from readiness.cache import encode_result

    try:
        return encode_result(result)
    except (TypeError, ValueError, RecursionError):
        return result


def _unpacked(message: FileResult | str) -> tuple[FileResult, str | None]:
    from readiness.cache import decode_result

    return (decode_result(message), message) if isinstance(message, str) else (message, None)


Task = tuple[int, "SourceFile", bytes, "str | None"]


_READY = "ready"
#: Seconds a new worker may take to start (spawn imports libcst in the child).
STARTUP_TIMEOUT = 60.0


class WorkerStartError(RuntimeError):
    """A worker process died or hung before it could take work (not a file's fault)."""


class _Slot:
    """One worker process and the task it is running."""

    def __init__(
        self, ctx: multiprocessing.context.BaseContext, work: Work, cache: ResultCache | None, preload: bool = False,
    ) -> None:
        parent, child = ctx.Pipe()
        self.conn = parent
        options = {"preload": True} if preload else {}
        self.proc = ctx.Process(target=_worker_main, args=(child, work, cache), kwargs=options, daemon=True)
        self.proc.start()
        child.close()
        try:
            ready = self.conn.poll(STARTUP_TIMEOUT) and self.conn.recv() == _READY
        except (EOFError, OSError):
            ready = False
        if not ready:
            self.stop(kill=True)
            raise WorkerStartError(f"worker process did not start (exit code {self.proc.exitcode})")
        self.pending: list[Task] = []
        self.since = 0.0

    @property
    def task(self) -> Task | None:
        """The file the worker is analysing now (the first of its chunk not yet returned)."""
        return self.pending[0] if self.pending else None

    def give(self, chunk: list[Task]) -> None:
        self.pending, self.since = list(chunk), time.monotonic()
        self.conn.send(chunk)

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.proc.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                pass
        self.proc.join(timeout=5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()


class Workers:
    """Worker processes started before the file stage needs them: they start, and load the
    parser, while the scan works out what to analyse (diff mode, where the stage is short).
    `work` must be the stage's own; `close()` stops them."""

    def __init__(self, work: Work, count: int = 1) -> None:
        self.slots: list[_Slot] = []
        ctx = _context()
        try:
            for _ in range(count):
                self.slots.append(_Slot(ctx, work, None, preload=True))
        except WorkerStartError as exc:
            LOG.debug("%s; the file stage starts its own", exc)

    def close(self) -> None:
        for slot in self.slots:
            slot.stop(kill=bool(slot.pending))
        self.slots = []


def _run_isolated(
    tasks: list[Task], work: Work, cache: ResultCache | None, jobs: int, timeout: float,
    done: Callable[..., None], ready: list[_Slot] | None = None,
) -> None:
    """Analyse each file in a worker process; a file that kills its worker or overruns `timeout`
    seconds becomes a diagnostic, and the worker is replaced. `ready`: workers started earlier,
    used first and left running (their owner stops them)."""
    ctx = _context()
    queue = sorted(tasks, key=lambda t: (len(t[2]), -t[0]))  # pop() takes the largest first
    slots: list[_Slot] = ready if ready is not None else []
    own: list[_Slot] = []

    def lost(slot: _Slot, why: str) -> None:
        task = slot.pending[0]
        queue.extend(reversed(slot.pending[1:]))  # the rest of its chunk goes back, unharmed
        slot.pending = []
        slot.stop(kill=True)
        slots.remove(slot)
        if slot in own:
            own.remove(slot)
        done([(task[0], _crashed(task[1], why, "skipped"))], False)  # not cached: may pass next time

    try:
        while queue or any(slot.pending for slot in slots):
            while len(slots) < min(jobs, len(queue) + sum(bool(s.pending) for s in slots)):
                slot = _Slot(ctx, work, cache)
                slots.append(slot)
                own.append(slot)
            for slot in slots:
                if not slot.pending and queue:
                    # Several files per message while there is plenty left (fewer round trips),
                    # one at a time near the end (balance).
                    size = max(1, min(CHUNK_FILES, len(queue) // (jobs * 4)))
                    slot.give([queue.pop() for _ in range(min(size, len(queue)))])
            busy = [slot for slot in slots if slot.pending]
            left = min(slot.since + timeout for slot in busy) - time.monotonic()
            ready = set(wait([slot.conn for slot in busy], timeout=min(max(left, 0.0), 1.0)))
            for slot in busy:
                task = slot.pending[0]
                if slot.conn in ready:
                    try:
                        while slot.pending and slot.conn.poll():
                            index, message = slot.conn.recv()
                            assert index == slot.pending[0][0]
                            source = slot.pending.pop(0)[1]
                            slot.since = time.monotonic()
                            try:
                                result, payload = _unpacked(message)
                            except (ValueError, TypeError, KeyError, RecursionError) as exc:  # SerialError is a ValueError
                                LOG.debug("cannot read back the result of %s: %s", source.path, exc)
                                done([(index, _crashed(source, f"analysis result could not be read back: {exc}"))], False)
                                continue
                            done([(index, result)], payload=payload)
                    except (EOFError, OSError):
                        LOG.debug("worker died analysing %s", slot.pending[0][1].path)
                        lost(slot, "analysing this file crashed the parser process; skipped")
                elif time.monotonic() - slot.since > timeout:
                    LOG.debug("analysis of %s timed out", task[1].path)
                    lost(slot, f"analysis took longer than {timeout:g} s; skipped")
    finally:
        for slot in [*slots]:
            if slot in own or slot.pending:  # a borrowed worker stopped mid-file cannot be reused
                slot.stop(kill=bool(slot.pending))
                slots.remove(slot)


def run_file_stage(
    inputs: list[tuple[SourceFile, bytes]],
    work: Work,
    *,
    jobs: int = 1,
    cache: ResultCache | None = None,
    progress: Progress | None = None,
    file_timeout: float | None = None,
    workers: Workers | None = None,
) -> list[FileResult]:
    """One result per input, in input order; cached results are reused, misses computed.

    With `file_timeout` (seconds), files are analysed in `jobs` worker processes, so a file that
    crashes the parser or runs too long costs a diagnostic, not the scan; without it they are
    analysed in this process (rule examples, library use). `workers` started earlier (see
    `Workers`) are used first, and left running.
    """
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

    keys = {task[0]: task[3] for task in tasks}

    def done(batch: list[tuple[int, FileResult]], cacheable: bool = True, payload: str | None = None) -> None:
        # `payload`: the cache entry a worker made of a one-result batch (see `_packed`)
        for index, result in batch:
            results[index] = result
            key = keys.get(index)
            if cacheable and cache is not None and key is not None:
                cache.put(key, result, payload)
        if progress is not None:
            progress.advance(len(batch))

    pending = sum(len(t[2]) for t in tasks)
    if tasks and file_timeout is not None:
        count = jobs if pending >= MIN_PARALLEL_BYTES else 1
        try:
            _run_isolated(
                tasks, work, None, max(min(count, len(tasks)), 1), file_timeout, done,
                ready=workers.slots if workers is not None else None,
            )
        except WorkerStartError as exc:
            # Isolation is a safety net; without it the scan still runs, in this process.
            LOG.warning("%s; analysing in this process instead", exc)
            _init_worker(work, cache)
            for task in tasks:
                if results[task[0]] is None:
                    done(_run_chunk([task]))
    else:
        _init_worker(work, cache)
        for task in tasks:
            done(_run_chunk([task]))
    if cache is not None:
        cache.flush()
    if progress is not None:
        progress.finish()
    assert all(r is not None for r in results)
    return results  # type: ignore[return-value]
