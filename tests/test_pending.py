"""Work beside the per-file stage (readiness/pending.py): a forked helper on Linux, the same
answer when the helper dies or cannot start, and no helper left behind when the answer is not wanted."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from conftest import git_commit, make_git_repo

from readiness.facts.history import build_history, read_log
from readiness.pending import Pending

FORKS = sys.platform.startswith("linux")
ANA = "Ana <ana@example.com>"


def _where(*args: object) -> tuple[int, object]:
    """`read_log(*args)` and the process that computed it."""
    return os.getpid(), read_log(*args)  # type: ignore[arg-type]


def _dies(marker: int) -> int:
    if os.getpid() != PARENT:
        os._exit(3)  # the helper dies without an answer
    return marker * 2


def _sleeps(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


PARENT = os.getpid()


def test_the_churn_log_is_read_by_a_helper_and_equals_a_direct_read(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    make_git_repo(root, {"app.py": "x = 1\n"})
    git_commit(root, {"app.py": "x = 2\n"}, "second", ANA, "2024-05-01T10:00:00")
    pid, log = Pending(_where, root, 50, "HEAD", None).result()
    assert log == read_log(root, 50, "HEAD", None)
    if FORKS:
        assert pid != os.getpid()  # computed beside the caller, not by it
    pending = Pending(read_log, root, 50, "HEAD", None)
    assert build_history(root, ["app.py"], log=pending) == build_history(root, ["app.py"])


def test_a_helper_that_dies_is_replaced_by_the_work_done_here() -> None:
    pending = Pending(_dies, 21, check=int)
    assert pending.result() == 42 and pending.result() == 42


@pytest.mark.skipif(not FORKS, reason="helpers are forked on Linux only")
def test_an_answer_no_longer_wanted_leaves_no_helper_behind() -> None:
    pending = Pending(_sleeps, 30.0)
    proc = pending._proc
    assert proc is not None and proc.is_alive()
    started = time.monotonic()
    pending.close()
    assert not proc.is_alive() and time.monotonic() - started < 10
    pending.close()  # twice is harmless
