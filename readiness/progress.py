"""A progress bar on stderr for long scans; silent when stderr is not a terminal."""
from __future__ import annotations

import sys
import time
from typing import TextIO

#: A scan that finishes sooner than this never draws a bar.
DELAY_SECONDS = 1.0


class ProgressBar:
    """`start(total)`, `advance(n)`, `finish()`; draws at most ten times a second."""

    def __init__(self, stream: TextIO | None = None, delay: float = DELAY_SECONDS, label: str = "analysing") -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.delay = delay
        self.label = label
        self.total = 0
        self.done = 0
        self.started = 0.0
        self.drawn = 0.0
        self.visible = False

    @classmethod
    def for_terminal(cls, stream: TextIO | None = None) -> ProgressBar | None:
        """A bar when `stream` (default stderr) is a terminal, else None."""
        stream = stream if stream is not None else sys.stderr
        try:
            tty = stream.isatty()
        except (AttributeError, ValueError):
            tty = False
        return cls(stream) if tty else None

    def start(self, total: int) -> None:
        self.total, self.done = total, 0
        self.started = time.monotonic()

    def advance(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if now - self.started >= self.delay and (now - self.drawn >= 0.1 or self.done >= self.total):
            self.drawn = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        width = 30
        fraction = self.done / self.total if self.total else 1.0
        filled = int(width * fraction)
        rate = self.done / max(now - self.started, 1e-9)
        line = f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} files  {rate:.0f} files/s"
        self.stream.write(line)
        self.stream.flush()
        self.visible = True

    def finish(self) -> None:
        if self.visible:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.visible = False
