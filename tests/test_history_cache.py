"""Git history kept in the cache by commit, and the secret-history scan that runs beside the per-file stage."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest

from conftest import git_commit, make_git_repo

from readiness.cache import ResultCache
from readiness.config import Config
from readiness.facts.history import build_history
from readiness.facts.secrets_history import PendingHistory, scan_secret_history

pytestmark = pytest.mark.usefixtures("git_available")

ANA = "Ana <ana@example.com>"
KEY = "sk-proj-" + "Q7vR2mX9kL4pT8wZ3nB6yH1cF5jD0sG"


def _values(cache: Path) -> list[Path]:
    return sorted(cache.rglob("value-*.json"))


def test_history_log_is_read_once_per_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "repo"
    make_git_repo(root, {"app.py": "a = 1\n", "core/llm.py": "b = 1\n"})
    git_commit(root, {"app.py": "a = 2\n"}, "second", ANA, "2024-05-01T10:00:00")
    paths = ["app.py", "core/llm.py"]
    cache = ResultCache.open(tmp_path / "cache", Config())
    fresh = build_history(root, paths)
    assert build_history(root, paths, cache=cache) == fresh
    assert len(_values(tmp_path / "cache")) == 1

    import git

    def no_log(*args: object, **kwargs: object) -> str:
        raise AssertionError("the log was read again")

    monkeypatch.setattr(git.cmd.Git, "log", no_log, raising=False)
    assert build_history(root, paths, cache=cache) == fresh
    monkeypatch.undo()

    git_commit(root, {"core/llm.py": "b = 2\n"}, "third", ANA, "2024-05-02T10:00:00")
    moved = build_history(root, paths, cache=cache)
    assert moved == build_history(root, paths) and moved.commits == fresh.commits + 1


def test_a_corrupt_stored_value_is_ignored(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    make_git_repo(root, {"app.py": "a = 1\n"})
    cache = ResultCache.open(tmp_path / "cache", Config())
    fresh = build_history(root, ["app.py"], cache=cache)
    [stored] = _values(tmp_path / "cache")
    for junk in (b"", b"{not json", b"[1, 2]", b'[[["x", "y", {}]], "no"]'):
        stored.write_bytes(junk)
        assert build_history(root, ["app.py"], cache=cache) == fresh
    assert build_history(root, ["app.py"], cache=cache) == fresh


def test_secret_history_in_the_background_and_from_the_cache(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    make_git_repo(root, {"settings.py": f'OPENAI_API_KEY = "{KEY}"\n'})
    git_commit(root, {"settings.py": 'import os\nOPENAI_API_KEY = os.environ["OPENAI_API_KEY"]\n'}, "use env", ANA, "2024-05-01T10:00:00")
    direct = scan_secret_history(root, 10)
    assert direct.secrets and direct.commits == 2
    assert PendingHistory(root, 10).result() == direct
    cache = ResultCache.open(tmp_path / "cache", Config())
    assert PendingHistory(root, 10, (), cache).result() == direct
    again = PendingHistory(root, 10, (), cache)
    assert again.stored  # nothing to read: the scan at this commit is stored
    assert again.result() == direct
    assert PendingHistory(root, 1, (), cache).result() == scan_secret_history(root, 1)  # the depth is part of the key
    assert not any(KEY.encode() in p.read_bytes() for p in _values(tmp_path / "cache"))
