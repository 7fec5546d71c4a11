"""The garbage collector around the big, long-lived data of a scan.

A scan of a large repo holds about a million small records (the per-file facts), all alive until
the project stage is done and free of reference cycles. Python's cyclic collector would traverse
all of them again at every full collection while they are built (a warm scan decodes them from
the cache) and while the project stage runs over them; on such a repo that cost more than the
work itself. These helpers keep such records out of the collector's generations (`gc.freeze`)
until the project stage is over; reference counting still frees whatever is dropped meanwhile.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

_depth = 0


@contextmanager
def keep() -> Iterator[None]:
    """Build long-lived objects: no collection inside the block, and what exists at its end is
    left out of later collections until the end of the next (or current) `frozen` block."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


@contextmanager
def frozen() -> Iterator[None]:
    """Everything alive at entry is left out of the collections made inside the block; at the
    end of the outermost such block, everything frozen goes back to the collector."""
    global _depth
    gc.freeze()
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0:
            gc.unfreeze()
