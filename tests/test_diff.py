"""Diff mode on real git repositories: what is analysed, and which findings are new, existing, fixed."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import make_git_repo, run_cli
from readiness.cache import ResultCache
from readiness.config import Config
from readiness.diff import diff_scan
from readiness.engine import scan

GIT = ["git", "-c", "user.name=Dev", "-c", "user.email=dev@example.com"]

LLM = "from openai import OpenAI\n\nclient = OpenAI(timeout=20)\n"
MAIN = """\
import logging

from app.llm import client

log = logging.getLogger(__name__)


def ask(question):
    log.info("asking")
    return client.chat.completions.create(model="gpt-4o-mini-2024-07-18", max_tokens=200, messages=[{"role": "user", "content": question}])
"""
FAULTY = """\
import logging

from openai import OpenAI

log = logging.getLogger(__name__)
client = OpenAI(max_retries=0, timeout=20)


def old(question):
    log.info("old")
    return client.chat.completions.create(model="gpt-4o-mini-2024-07-18", max_tokens=200, messages=[question])
"""


def _git(repo: Path, *args: str) -> None:
    subprocess.run([*GIT, *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path, git_available: None) -> Path:
    files = {"app/__init__.py": "", "app/llm.py": LLM, "app/main.py": MAIN, "legacy.py": FAULTY, "requirements.txt": "openai==1.40.0\n"}
    files.update({f"lib/mod{i}.py": f"VALUE = {i}\n" for i in range(40)})
    make_git_repo(tmp_path / "repo", files)
    _git(tmp_path / "repo", "branch", "-M", "main")
    _git(tmp_path / "repo", "checkout", "-q", "-b", "feature")
    return tmp_path / "repo"


def _commit(repo: Path) -> None:
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "change")


def _states(result) -> dict[tuple[str, str, int], str]:
    # Findings about the repo as a whole (line 0: no tests, no CI...) are covered by the fixtures.
    return {(f.code, f.location.path, f.location.line): result.comparison.state(f) for f in result.findings if f.location.line}


def test_cost_follows_the_change_not_the_repo(repo: Path) -> None:
    (repo / "app" / "main.py").write_text(MAIN.replace('"asking"', '"asking the model"'))
    _commit(repo)
    result = diff_scan(repo, Config(), "main")
    assert result.comparison.changed == ("app/main.py",)
    assert set(result.comparison.analysed) == {"app/main.py", "app/llm.py", "requirements.txt"}
    assert result.files_scanned == 3  # of 45 files in the repo
    assert [f for f in result.findings if f.location.line] == [] and result.comparison.fixed == ()
    assert not result.comparison.new  # the repo-level findings (no tests, no CI) are not the change's


def test_a_change_of_mode_alone_is_not_part_of_the_change(repo: Path) -> None:
    # a checkout that lost or gained the executable bit (shared drives, WSL) lists files as modified
    _git(repo, "config", "core.fileMode", "true")
    (repo / "legacy.py").chmod(0o755)
    (repo / "lib" / "mod3.py").chmod(0o755)
    (repo / "app" / "main.py").write_text(MAIN.replace('"asking"', '"asking the model"'))
    listed = subprocess.run([*GIT, "diff", "--name-only", "main"], cwd=repo, capture_output=True, text=True).stdout.split()
    assert "legacy.py" in listed  # git itself reports the mode change
    result = diff_scan(repo, Config(), "main")
    assert result.comparison.changed == ("app/main.py",)
    assert "legacy.py" not in result.comparison.analysed
    assert not result.comparison.new and not result.comparison.fixed


def test_a_new_faulty_call_is_the_only_new_finding_and_moved_ones_stay_existing(repo: Path) -> None:
    moved = "import os\nimport sys\n\n" + FAULTY + "\n\ndef new(q):\n    log.info('new')\n    return client.chat.completions.create(model='gpt-4o-2024-08-06', max_tokens=200, messages=[q])\n"
    (repo / "legacy.py").write_text(moved)
    _commit(repo)
    states = _states(diff_scan(repo, Config(), "main"))
    assert states == {("REL001", "legacy.py", 14): "unchanged", ("REL001", "legacy.py", 19): "new"}


def test_a_changed_client_reaches_its_unchanged_callers(repo: Path) -> None:
    (repo / "app" / "llm.py").write_text(LLM.replace("timeout=20", "timeout=20, max_retries=0"))
    _commit(repo)
    result = diff_scan(repo, Config(), "main")
    assert "app/main.py" in result.comparison.analysed
    assert _states(result) == {("REL001", "app/main.py", 10): "new"}


def test_renames_keep_findings_existing_and_deletions_fix_them(repo: Path) -> None:
    _git(repo, "mv", "legacy.py", "old_service.py")
    _commit(repo)
    renamed = diff_scan(repo, Config(), "main")
    assert _states(renamed) == {("REL001", "old_service.py", 11): "unchanged"}
    _git(repo, "rm", "-q", "old_service.py")
    _commit(repo)
    deleted = diff_scan(repo, Config(), "main")
    assert deleted.findings == ()
    assert [(f.code, f.location.path) for f in deleted.comparison.fixed] == [("REL001", "legacy.py")]


def test_uncommitted_and_untracked_files_count_as_the_change(repo: Path) -> None:
    (repo / "app" / "extra.py").write_text(FAULTY)  # untracked
    result = diff_scan(repo, Config(), "main")
    assert result.comparison.changed == ("app/extra.py",)
    assert set(_states(result).values()) == {"new"}


def test_cli_diff_base_gates_only_on_new_findings_and_explains_bad_bases(repo: Path, tmp_path: Path) -> None:
    assert run_cli("scan", str(repo)).returncode == 1  # legacy.py has a finding
    clean = run_cli("scan", str(repo), "--diff-base", "main", "--format", "json")
    assert clean.returncode == 0, clean.stderr
    assert json.loads(clean.stdout)["comparison"]["kind"] == "diff"
    (repo / "legacy.py").write_text(FAULTY + "\n\ndef new(q):\n    log.info('new')\n    return client.chat.completions.create(model='gpt-4o-2024-08-06', max_tokens=200, messages=[q])\n")
    text = run_cli("scan", str(repo), "--diff-base", "main", "--no-color")
    assert text.returncode == 1 and "[new]" in text.stdout and "1 new, 1 existing, 0 fixed" in text.stdout
    unknown = run_cli("scan", str(repo), "--diff-base", "no-such-branch")
    assert unknown.returncode == 2 and "cannot find the base 'no-such-branch'" in unknown.stderr
    plain = tmp_path / "plain"
    plain.mkdir()
    not_git = run_cli("scan", str(plain), "--diff-base", "main")
    assert not_git.returncode == 2 and "needs a git repository" in not_git.stderr
    regress = run_cli("scan", str(repo), "--no-regress")
    assert regress.returncode == 2 and "--diff-base" in regress.stderr


def test_scanning_a_sub_folder_of_the_repo(tmp_path: Path, git_available: None) -> None:
    files = {"svc/llm.py": LLM, "svc/main.py": MAIN.replace("from app.llm import", "from .llm import"), "web/x.py": FAULTY}
    make_git_repo(tmp_path / "mono", files)
    _git(tmp_path / "mono", "branch", "-M", "main")
    (tmp_path / "mono" / "svc" / "llm.py").write_text(LLM.replace("timeout=20", "timeout=20, max_retries=0"))
    result = diff_scan(tmp_path / "mono" / "svc", Config(), "main")
    assert result.comparison.changed == ("llm.py",)
    assert _states(result) == {("REL001", "main.py", 10): "new"}


def test_repo_scope_scores_base_and_head_exactly_as_full_scans_do(repo: Path, tmp_path: Path) -> None:
    from readiness.engine import scan

    (repo / "app" / "llm.py").write_text(LLM.replace("timeout=20", "timeout=20, max_retries=0"))
    _commit(repo)
    result = diff_scan(repo, Config(), "main", "repo")
    assert result.files_scanned == 45
    assert result.score is not None and result.comparison.base_score is not None
    assert result.score.to_json() == scan(repo, Config()).score.to_json()
    _git(repo, "worktree", "add", "-q", str(tmp_path / "base"), "main")
    base_scan = scan(tmp_path / "base", Config())
    assert result.comparison.base_score.to_json() == base_scan.score.to_json()
    assert {f.fingerprint for f in base_scan.findings} == {f.fingerprint for f in result.findings} - result.comparison.new
    assert diff_scan(repo, Config(), "main").score is None  # a part of the repo gets no score


def test_a_baseline_on_top_of_a_diff_accepts_findings_the_team_chose_to_keep(repo: Path, tmp_path: Path) -> None:
    (repo / "legacy.py").write_text(FAULTY + "\n\ndef new(q):\n    log.info('new')\n    return client.chat.completions.create(model='gpt-4o-2024-08-06', max_tokens=200, messages=[q])\n")
    assert run_cli("scan", str(repo), "--diff-base", "main").returncode == 1
    baseline = tmp_path / "accepted.json"
    assert run_cli("baseline", str(repo), "-o", str(baseline)).returncode == 0
    proc = run_cli("scan", str(repo), "--diff-base", "main", "--baseline", str(baseline), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["comparison"]["new"] == [] and "accepted.json" in data["comparison"]["base"]


def test_diff_mode_reuses_the_per_file_cache_and_gives_the_same_result(repo: Path, tmp_path: Path) -> None:
    (repo / "legacy.py").write_text(FAULTY + "\n# touched\n")
    _commit(repo)
    cache = ResultCache.open(tmp_path / "cache", Config(), scope=str(repo))
    uncached = diff_scan(repo, Config(), "main")
    cold = diff_scan(repo, Config(), "main", cache=cache)
    written = sorted((tmp_path / "cache").rglob("pack-*.jsonl"))
    assert written, "the diff scan wrote nothing to the cache"
    warm = diff_scan(repo, Config(), "main", cache=ResultCache.open(tmp_path / "cache", Config(), scope=str(repo)))
    assert uncached.findings == cold.findings == warm.findings
    assert [f.fingerprint for f in warm.findings if warm.comparison.state(f) == "new"] == [
        f.fingerprint for f in uncached.findings if uncached.comparison.state(f) == "new"
    ]


def test_diff_scans_never_fold_away_what_the_full_scan_cached(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import readiness.engine as engine

    def cache() -> ResultCache:
        return ResultCache.open(tmp_path / "cache", Config(), scope=str(repo))

    scan(repo, Config(), cache=cache())
    for edit in range(ResultCache.MAX_PACKS + 2):  # enough writes to fold the packs more than once
        (repo / "app" / "main.py").write_text(MAIN + f"\n# edit {edit}\n")
        diff_scan(repo, Config(), "main", cache=cache())
    analysed: list[str] = []
    real = engine.analyse_file

    def counting(source, raw, catalog):
        analysed.append(source.path)
        return real(source, raw, catalog)

    monkeypatch.setattr(engine, "analyse_file", counting)
    scan(repo, Config(), cache=cache())
    assert analysed == []  # every file, the edited one included, was cached by a scan before


def test_a_base_blob_missing_from_a_damaged_clone_is_a_diagnostic_not_a_crash(tmp_path: Path, git_available: None) -> None:
    make_git_repo(tmp_path / "repo", {"app.py": "print('base')\n", "notes.txt": "base notes\n"})
    repo = tmp_path / "repo"
    blob = subprocess.run([*GIT, "rev-parse", "HEAD:notes.txt"], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()
    (repo / ".git" / "objects" / blob[:2] / blob[2:]).unlink()  # as in a partial clone with the object not fetched
    (repo / "notes.txt").unlink()  # deleted: its base bytes are read for the comparison
    done = run_cli("scan", str(repo), "--diff-base", "HEAD", "--format", "json", "--exit-zero", "--no-cache")
    assert done.returncode == 0, done.stderr
    diagnostics = json.loads(done.stdout)["diagnostics"]
    assert [(d["kind"], d["location"]["path"]) for d in diagnostics if d["kind"] == "unreadable"] == [("unreadable", "notes.txt")]
    # a changed file whose base object is gone: git itself cannot diff it; a clear error, exit 2
    (repo / "notes.txt").write_text("head notes\n")
    failed = run_cli("scan", str(repo), "--diff-base", "HEAD", "--no-cache")
    assert failed.returncode == 2 and "git cannot list the changes since" in failed.stderr and "internal error" not in failed.stderr
