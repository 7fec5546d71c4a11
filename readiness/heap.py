"""The garbage collector around the big, long-lived data of a scan.

A scan of a large repo holds about a million small records (the per-file facts), all alive until
the end and free of reference cycles. Python's cyclic collector would traverse all of them again
at every full collection while they are built (a warm scan decodes them from the cache) and
while the project stage runs over them; on such a repo that costs more than the work itself.
Reference counting still frees everything these helpers leave to it.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

_frozen = 0


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection inside the block (it builds objects that all stay alive)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def frozen() -> Iterator[None]:
    """Everything alive at entry is left out of the collections made inside the block."""
    global _frozen
    if _frozen == 0:
        gc.freeze()
    _frozen += 1
    try:
        yield
    finally:
        _frozen -= 1
        if _frozen == 0:
            gc.unfreeze()
