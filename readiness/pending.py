"""Work that runs beside the per-file stage: git history read by a helper process.

Reading 1,000 commits takes seconds, mostly inside git, and nothing in the per-file stage needs
it; started before the stage, it is ready when the project stage asks for it. The helper is forked
while this process has one thread (the condition `filestage` forks its workers under: a thread
would make the workers spawn, which costs more than the overlap saves); anywhere else, or if the
helper dies, the work is done here, when its result is first asked for.
"""
from __future__ import annotations

import logging
import multiprocessing
import sys
import threading
from typing import Any, Callable, Generic, TypeVar

LOG = logging.getLogger(__name__)

T = TypeVar("T")


class Pending(Generic[T]):
    """`work(*args)`, computed in a forked helper process from now on; `result()` waits for it.

    `check` tells a real answer from a failure (anything else makes `result()` compute it here).
    """

    def __init__(self, work: Callable[..., T], *args: Any, check: type | None = None) -> None:
        self.work, self.args, self.check = work, args, check
        self._done: list[T] = []
        self._conn: Any = None
        self._proc: Any = None
        if not (sys.platform.startswith("linux") and threading.active_count() == 1):
            return
        ctx = multiprocessing.get_context("fork")
        try:
            receiver, sender = ctx.Pipe(duplex=False)
        except OSError as exc:
            LOG.debug("cannot start a helper for %s: %s", getattr(work, "__name__", work), exc)
            return
        try:
            proc = ctx.Process(target=_run_into, args=(receiver, sender, work, args), daemon=True)
            proc.start()
        except (OSError, ValueError) as exc:
            LOG.debug("cannot start a helper for %s: %s", getattr(work, "__name__", work), exc)
            receiver.close()
            return
        finally:
            sender.close()
        self._conn, self._proc = receiver, proc

    def close(self) -> None:
        """Stop the helper if its answer is no longer wanted (the scan failed or was interrupted)."""
        if self._conn is None:
            return
        self._conn.close()
        self._conn = None
        if self._proc.is_alive():
            self._proc.terminate()
        self._proc.join(timeout=5)

    def result(self) -> T:
        if self._done:
            return self._done[0]
        value: Any = _FAILED
        if self._conn is not None:
            try:
                value = self._conn.recv()
            except (EOFError, OSError, ValueError) as exc:
                LOG.debug("the helper for %s failed: %s", getattr(self.work, "__name__", self.work), exc)
            finally:
                self._conn.close()
                self._proc.join()
                self._conn = None
        if value is _FAILED or (self.check is not None and not isinstance(value, self.check)):
            value = self.work(*self.args)
        self._done.append(value)
        return value


class _Failed:
    """The helper sent nothing usable."""


_FAILED = _Failed()


def _run_into(receiver: Any, conn: Any, work: Callable[..., Any], args: tuple[Any, ...]) -> None:
    receiver.close()  # the parent's end: with it closed here, a parent that stops reading ends the write
    try:
        import signal

        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    except (ImportError, ValueError, OSError):
        pass
    try:
        conn.send(work(*args))
    except Exception as exc:  # noqa: BLE001 - the parent computes it itself
        LOG.debug("helper failed: %s", exc)
    finally:
        conn.close()
