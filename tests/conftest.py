from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SHARED = ROOT.parent / "shared"


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real `readiness` CLI in a subprocess, as a user would."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "readiness", *args],
        cwd=cwd or ROOT, env=full_env, capture_output=True, text=True, timeout=300,
    )


def make_git_repo(path: Path, files: dict[str, str], message: str = "initial") -> None:
    """A real git repository in `path` with `files` committed."""
    path.mkdir(parents=True, exist_ok=True)
    git = ["git", "-c", "user.name=Dev", "-c", "user.email=dev@example.com", "-c", "init.defaultBranch=main"]
    subprocess.run([*git, "init", "-q"], cwd=path, check=True)
    for name, text in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    subprocess.run([*git, "add", "-A"], cwd=path, check=True)
    subprocess.run([*git, "commit", "-q", "-m", message], cwd=path, check=True)


@pytest.fixture
def git_available() -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")


def git_commit(path: Path, files: dict[str, str], message: str, author: str = "Dev <dev@example.com>", when: str | None = None) -> None:
    """Write `files` into the repository at `path` and commit them as `author` (at `when`, ISO date)."""
    name, _, email = author.partition(" <")
    env = {**os.environ, "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email.rstrip(">"),
           "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email.rstrip(">")}
    if when is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = when
    for rel, text in files.items():
        target = path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    subprocess.run(["git", "add", "-A"], cwd=path, check=True, env=env)
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=path, check=True, env=env)


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Scans in tests cache into a folder of their own, never the user's cache."""
    os.environ.setdefault("READINESS_CACHE_DIR", str(tmp_path_factory.mktemp("readiness-cache")))
