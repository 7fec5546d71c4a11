"""Discovery on real directories and real git repositories."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from readiness.config import Config
from readiness.discover import discover

from conftest import make_git_repo


def _paths(root: Path, config: Config | None = None) -> list[str]:
    files, _ = discover(root, config or Config())
    return [f.path for f in files]


def test_git_repo_lists_tracked_and_untracked_but_not_ignored(tmp_path: Path, git_available: None) -> None:
    make_git_repo(tmp_path, {"app.py": "x = 1\n", ".gitignore": "secret_out/\n*.log\n"})
    (tmp_path / "new.py").write_text("y = 2\n")
    (tmp_path / "secret_out").mkdir()
    (tmp_path / "secret_out" / "dump.py").write_text("z = 3\n")
    (tmp_path / "run.log").write_text("log\n")
    assert _paths(tmp_path) == [".gitignore", "app.py", "new.py"]


def test_subfolder_of_a_git_repo_gives_paths_relative_to_the_scan_root(tmp_path: Path, git_available: None) -> None:
    make_git_repo(tmp_path, {"svc/app.py": "x = 1\n", "other/b.py": "y = 2\n"})
    assert _paths(tmp_path / "svc") == ["app.py"]


def test_plain_walk_skips_default_excludes_and_config_excludes(tmp_path: Path) -> None:
    for name in ("app.py", ".venv/lib/site.py", "node_modules/x.py", "notebooks/scratch/a.py", "src/pkg/m.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x = 1\n")
    assert _paths(tmp_path, Config(exclude=("notebooks/scratch/**",))) == ["app.py", "src/pkg/m.py"]


def test_size_cap_and_symlinks(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "big.py").write_text("x = 1\n" * 100)
    (root / "ok.py").write_text("x = 1\n")
    outside = tmp_path / "outside.py"
    outside.write_text("secret = 1\n")
    try:
        os.symlink(outside, root / "escape.py")
        os.symlink(root / "ok.py", root / "inside.py")
    except OSError:
        pytest.skip("symlinks unsupported")
    files, diagnostics = discover(root, Config(max_file_bytes=200))
    assert [f.path for f in files] == ["inside.py", "ok.py"]
    reasons = {d.location.path: d.message for d in diagnostics}
    assert "outside the repository" in reasons["escape.py"]
    assert "over the 200-byte cap" in reasons["big.py"]
