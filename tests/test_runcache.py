"""A rescan where nothing changed is answered by the stored result; any change is a fresh scan."""
from __future__ import annotations

import dataclasses
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import make_git_repo, run_cli

import readiness.engine as engine
from readiness.cache import ResultCache
from readiness.config import Config
from readiness.model import Diagnostic, Location
from readiness.runcache import store_run

LLM = 'from openai import OpenAI\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.chat.completions.create(model="gpt-4o", messages=[q])\n'


@pytest.fixture
def repo(tmp_path: Path, git_available: None) -> Path:
    make_git_repo(tmp_path / "repo", {"app/llm.py": LLM, "app/util.py": "def clean(s):\n    return s.strip()\n"})
    return tmp_path / "repo"


class Counting:
    """Counts how often the analysis really runs."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        real = engine.analyse

        def analyse(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(engine, "analyse", analyse)


def _scan(repo: Path, cache_dir: Path, config: Config | None = None) -> Any:
    config = config or Config()
    return engine.scan(repo, config, cache=ResultCache.open(cache_dir, config, scope=str(repo)))


def test_an_unchanged_repo_is_answered_from_the_stored_result(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    counting = Counting(monkeypatch)
    first = _scan(repo, tmp_path / "cache")
    second = _scan(repo, tmp_path / "cache")
    assert counting.calls == 1
    assert second == first and second.score == first.score and first.findings


def test_a_changed_file_a_new_commit_or_other_settings_scan_again(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    counting = Counting(monkeypatch)
    _scan(repo, tmp_path / "cache")
    (repo / "app" / "util.py").write_text("def clean(s):\n    return s.strip().lower()\n")
    _scan(repo, tmp_path / "cache")
    assert counting.calls == 2
    who = {"GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@example.com", "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@example.com"}
    subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", "empty"], cwd=repo, check=True, capture_output=True, env={**os.environ, **who})
    _scan(repo, tmp_path / "cache")
    assert counting.calls == 3  # history (churn, secrets in past commits) is read at HEAD
    _scan(repo, tmp_path / "cache", Config(select=("REL001",)))
    assert counting.calls == 4
    _scan(repo, tmp_path / "cache", Config(select=("REL001",)))
    assert counting.calls == 4


def test_an_incomplete_result_is_not_kept(repo: Path, tmp_path: Path) -> None:
    cache = ResultCache.open(tmp_path / "cache", Config(), scope=str(repo))
    result = engine.scan(repo, Config(), cache=None)
    crashed = Diagnostic("internal", Location("app/llm.py"), "analysis failed")
    store_run(cache, "k", dataclasses.replace(result, diagnostics=(crashed,)))
    assert not list((tmp_path / "cache").rglob("value-*.json"))


def test_cli_rescan_prints_the_same_report(repo: Path, tmp_path: Path) -> None:
    args = ["scan", str(repo), "--format", "json", "--exit-zero", "--cache-dir", str(tmp_path / "cache")]
    cold, warm = run_cli(*args), run_cli(*args)
    assert cold.returncode == warm.returncode == 0 and warm.stdout == cold.stdout
    assert list((tmp_path / "cache").rglob("value-*.json"))
