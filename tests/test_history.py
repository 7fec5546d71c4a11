"""History signals from real git repositories: churn, authors, bus factor, co-change, age."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from readiness.config import Config
from readiness.engine import load_project
from readiness.facts.history import History, build_history

from conftest import git_commit, make_git_repo

pytestmark = pytest.mark.usefixtures("git_available")

ANA, BEN, CHO = "Ana <ana@example.com>", "Ben <ben@example.com>", "Cho <cho@example.com>"


def _history_repo(root: Path) -> Path:
    root.mkdir(parents=True)
    subprocess.run(["git", "-c", "init.defaultBranch=main", "init", "-q"], cwd=root, check=True)
    git_commit(root, {"README.md": "# demo\n"}, "start", CHO, "2023-12-01T10:00:00")
    git_commit(root, {"app/ui.py": "import x\n", "core/llm.py": "a = 1\n"}, "ui and llm", ANA, "2024-01-01T10:00:00")
    git_commit(root, {"app/ui.py": "import x\n# 2\n", "core/llm.py": "a = 2\n"}, "tweak", ANA, "2024-03-02T10:00:00")
    git_commit(root, {"app/ui.py": "import x\n# 3\n", "core/llm.py": "a = 3\n"}, "tweak again", ANA, "2024-05-01T10:00:00")
    git_commit(root, {"core/llm.py": "a = 4\nb = 5\n"}, "llm only", BEN, "2024-05-10T10:00:00")
    git_commit(root, {"core/store.py": "s = 1\n"}, "store", CHO, "2024-05-20T10:00:00")
    git_commit(root, {"app/ui.py": "import x\n# 4\n", "app/forms.py": "f = 1\n"}, "same package", ANA, "2024-05-30T10:00:00")
    for n in range(3):  # tests change with the code they test: not hidden coupling
        git_commit(root, {"core/store.py": f"s = {n + 2}\n", "tests/test_store.py": f"t = {n}\n"}, f"store {n}", CHO, f"2024-05-2{n + 1}T10:00:00")
    return root


def test_churn_authors_bus_factor_and_age(tmp_path: Path) -> None:
    root = _history_repo(tmp_path / "repo")
    paths = ["README.md", "app/ui.py", "app/forms.py", "core/llm.py", "core/store.py", "tests/test_store.py"]
    history = build_history(root, paths)
    assert history.available, history.reason
    assert history.commits == 10
    ui, llm = history.files["app/ui.py"], history.files["core/llm.py"]
    assert (ui.commits, llm.commits) == (4, 4)
    assert llm.authors == ("ana@example.com", "ben@example.com")
    assert llm.lines_changed == 1 + 2 + 2 + 3  # added + deleted per commit
    # The window is the 90 days before the newest commit (2024-05-30), not the clock.
    assert history.churn_of("app/ui.py") == 3 and history.churn_of("core/llm.py") == 3
    assert history.churn_of("README.md") == 0
    assert history.churn == {"README.md": 0, "app/ui.py": 3, "app/forms.py": 1, "core/llm.py": 3, "core/store.py": 4, "tests/test_store.py": 3}
    assert history.age_days("app/ui.py") == 150 and history.recency_days("core/store.py") == 7
    assert dict(history.authors)["ana@example.com"] == 4
    # Ana made 4 of 10 commits and Cho 5: two people hold most of the history.
    assert history.bus_factor == 2


def test_co_change_across_module_boundaries_only(tmp_path: Path) -> None:
    history = build_history(_history_repo(tmp_path / "repo"), ["app/ui.py", "app/forms.py", "core/llm.py", "core/store.py", "tests/test_store.py"])
    pairs = {(c.a, c.b): c.together for c in history.co_changes}
    assert pairs == {("app/ui.py", "core/llm.py"): 3}
    assert ("app/forms.py", "app/ui.py") not in pairs  # same package: expected to change together


def test_bus_factor_grows_with_shared_ownership(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    make_git_repo(root, {"a.py": "x = 0\n"})
    for index, author in enumerate([ANA, BEN, CHO, ANA, BEN, CHO]):
        git_commit(root, {f"f{index}.py": "y = 1\n"}, f"c{index}", author)
    history = build_history(root, [f"f{i}.py" for i in range(6)])
    assert len(history.authors) == 4 and history.bus_factor == 2


def test_non_git_folder_is_unavailable_not_zero(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "app.py").write_text("x = 1\n")
    history = build_history(tmp_path / "plain", ["app.py"])
    assert not history.available and "git" in history.reason
    assert history.churn_of("app.py") is None and history.churn == {} and history.bus_factor is None and history.age_days("app.py") is None


def test_shallow_clone_is_unavailable(tmp_path: Path) -> None:
    origin = _history_repo(tmp_path / "origin")
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "2", f"file://{origin}", str(shallow)], check=True)
    history = build_history(shallow, ["app/ui.py"])
    assert not history.available and "shallow" in history.reason
    assert history.churn_of("app/ui.py") is None


def test_repo_without_commits_is_unavailable(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path / "empty")], check=True)
    assert build_history(tmp_path / "empty", []).reason == "no commits yet"


def test_subfolder_scan_sees_only_its_own_history(tmp_path: Path) -> None:
    root = _history_repo(tmp_path / "repo")
    history = build_history(root / "core", ["llm.py", "store.py"])
    assert history.available and set(history.files) == {"llm.py", "store.py"}
    assert history.commits == 8  # commits touching core/ only


def test_project_model_carries_history(tmp_path: Path) -> None:
    root = _history_repo(tmp_path / "repo")
    project, _ = load_project(root, Config())
    assert project.history.available and project.history.files["core/llm.py"].commits == 4
    assert History.unavailable("x").to_json() == {"available": False, "reason": "x"}


def test_history_depth_bounds_the_commits_read(tmp_path: Path) -> None:
    root = _history_repo(tmp_path / "repo")
    recent = build_history(root, ["app/ui.py", "core/llm.py"], max_commits=3)
    assert recent.available and recent.commits == 3 and recent.truncated
    assert not build_history(root, ["app/ui.py"], max_commits=0).available
    project, _ = load_project(root, Config(history_depth=0))
    assert not project.history.available and "history-depth" in project.history.reason
