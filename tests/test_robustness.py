"""Hostile repositories: every one gives diagnostics and a finished scan, never a traceback."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_cli
from hostile import MODEL_CALL, build, git_init, is_root

from readiness.discover import SourceFile
from readiness.engine import read_source
from readiness.model import Diagnostic


def _scan(repo: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], dict]:
    proc = run_cli("scan", str(repo), "--format", "json", "--no-cache", *args)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 1), proc.stderr
    return proc, json.loads(proc.stdout)


def _check(cases, report: dict) -> None:
    diagnostics = {d["location"]["path"]: d["kind"] for d in report["diagnostics"]}
    flagged = {f["location"]["path"] for f in report["findings"]}
    for case in cases:
        assert diagnostics.get(case.path) == case.diagnostic, f"{case.name}: {case.path} -> {diagnostics.get(case.path)}"
    # The good files around the hostile ones are still analysed.
    assert {"app/llm.py", "enc/bom.py", "names/caf\udce9.py"} <= flagged
    assert "links/outside.py" not in flagged


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_hostile_tree_without_git(tmp_path: Path, jobs: str) -> None:
    cases = build(tmp_path / "repo", tmp_path / "outside")
    proc, report = _scan(tmp_path / "repo", "--jobs", jobs)
    _check(cases, report)
    # Text output prints file names as the file system has them (not always UTF-8).
    text = subprocess.run(
        [sys.executable, "-m", "readiness", "scan", str(tmp_path / "repo"), "--no-cache", "--jobs", jobs],
        capture_output=True, timeout=300,
    )
    assert text.returncode == 1 and b"Traceback" not in text.stderr
    assert b"deep/nesting.py" in text.stdout and b"crashed the parser process" in text.stdout
    assert b"names/bad\xff.py" in text.stdout


def test_hostile_tree_in_git(tmp_path: Path, git_available: None) -> None:
    cases = build(tmp_path / "repo", tmp_path / "outside")
    git_init(tmp_path / "repo", commit=True)
    _, report = _scan(tmp_path / "repo")
    _check(cases, report)


def test_unreadable_file(tmp_path: Path) -> None:
    """chmod 000 does not stop root, so the OS error path is also driven with a directory."""
    build(tmp_path / "repo")
    _, report = _scan(tmp_path / "repo")
    kinds = {d["location"]["path"]: d["kind"] for d in report["diagnostics"]}
    if is_root():
        assert "private/unreadable.py" not in kinds  # root can read it: it is scanned
    else:
        assert kinds["private/unreadable.py"] == "unreadable"
    folder = tmp_path / "a_dir.py"
    folder.mkdir()
    result = read_source(SourceFile("a_dir.py", str(folder), "python", 0))
    assert isinstance(result, Diagnostic) and result.kind == "unreadable"


def test_file_timeout_skips_a_pathological_file(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "app.py").write_text(MODEL_CALL)
    # libcst takes minutes on one 20,000-term expression
    (repo / "generated.py").write_text("x = 1" + "+1" * 20000 + "\n")
    proc, report = _scan(repo, "--file-timeout", "2")
    kinds = {d["location"]["path"]: d for d in report["diagnostics"]}
    assert kinds["generated.py"]["kind"] == "skipped" and "longer than 2 s" in kinds["generated.py"]["message"]
    assert any(f["location"]["path"] == "app.py" for f in report["findings"])


def test_empty_folder_and_empty_git_repos(tmp_path: Path, git_available: None) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    proc, report = _scan(empty)
    assert proc.returncode == 0 and report["summary"]["files_scanned"] == 0

    fresh = tmp_path / "fresh"
    fresh.mkdir()
    git_init(fresh, commit=False)  # no commits at all
    proc, report = _scan(fresh)
    assert proc.returncode == 0 and report["summary"]["files_scanned"] == 0

    only_git = tmp_path / "only_git"
    only_git.mkdir()
    (only_git / "app.py").write_text(MODEL_CALL)
    git_init(only_git, commit=True)
    (only_git / "app.py").unlink()  # the work tree is gone; only .git is left
    proc, report = _scan(only_git)
    assert proc.returncode == 0 and report["summary"]["files_scanned"] == 0

    bare = tmp_path / "bare.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    proc, report = _scan(bare)
    assert proc.returncode == 0 and report["findings"] == []


def test_debug_shows_the_traceback_the_user_otherwise_never_sees(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "app.py").write_text(MODEL_CALL)
    cache = tmp_path / "cache"
    cache.write_text("a file where the cache folder should be")
    # An unusable cache folder is not an error: the scan runs uncached.
    proc = run_cli("scan", str(repo), "--cache-dir", str(cache / "sub"))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    debug = run_cli("--debug", "scan", str(repo), "--cache-dir", str(cache / "sub"))
    assert debug.returncode == 1 and "cannot write cache entry" in debug.stderr


def test_the_scanned_codes_warnings_are_not_printed(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "warns.py").write_text('x = 1()\npattern = "\\d+"\nassert (x, "message")\n')
    # Python 3.12+ warns about "\d" by default; 3.11 only when asked, so ask.
    proc = run_cli("scan", str(repo), "--no-cache", env={"PYTHONWARNINGS": "always::SyntaxWarning,always::DeprecationWarning"})
    assert proc.returncode == 0
    assert "warns.py" not in proc.stderr and "escape sequence" not in proc.stderr


def test_a_utf16_file_is_named_as_such(tmp_path: Path) -> None:
    (tmp_path / "utf16.py").write_bytes("x = 'hello'\n".encode("utf-16"))
    done = run_cli("scan", str(tmp_path), "--format", "json", "--exit-zero", "--no-cache")
    [diagnostic] = [d for d in json.loads(done.stdout)["diagnostics"] if d["location"]["path"] == "utf16.py"]
    assert diagnostic["kind"] == "unparsable" and "UTF-16" in diagnostic["message"]


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "markdown", "html", "pr-markdown"])
def test_a_file_name_that_is_not_utf8_prints_in_every_format_under_a_strict_locale(tmp_path: Path, fmt: str) -> None:
    # Most UTF-8 locales give Python a strict stdout: a lone surrogate used to end in a traceback.
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / os.fsdecode(b"caf\xe9.py")).write_text(MODEL_CALL)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    argv = [sys.executable, "-m", "readiness", "scan", str(repo), "--format", fmt, "--no-cache", "--exit-zero"]
    out = subprocess.run(argv, capture_output=True, timeout=300, env=env)
    assert out.returncode == 0 and b"Traceback" not in out.stderr, out.stderr
    saved = tmp_path / f"report.{fmt}"
    assert subprocess.run([*argv, "--output", str(saved)], capture_output=True, timeout=300, env=env).returncode == 0
    assert saved.read_bytes() == out.stdout
    if fmt in ("json", "sarif"):
        out.stdout.decode("ascii")  # machine formats stay ASCII JSON
        report = json.loads(out.stdout)
        if fmt == "sarif":
            uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in report["runs"][0]["results"]}
            assert "caf%E9.py" in uris  # the name's own bytes, percent-encoded
        else:
            assert "caf\udce9.py" in {f["location"]["path"] for f in report["findings"]}
    else:
        assert b"caf\xe9.py" in out.stdout  # as the file system has it


def test_the_founder_report_of_a_repo_with_a_non_utf8_file_name(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / os.fsdecode(b"caf\xe9.py")).write_text(MODEL_CALL)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    html = tmp_path / "report.html"
    argv = [sys.executable, "-m", "readiness", "report", str(repo), "--html", str(html)]
    out = subprocess.run(argv, capture_output=True, timeout=300, env=env)
    assert out.returncode == 0 and b"Traceback" not in out.stderr, out.stderr
    assert b"caf\xe9.py" in html.read_bytes()


def test_a_clone_whose_object_store_lost_the_head_commit(tmp_path: Path, git_available: None) -> None:
    import shutil

    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "app.py").write_text(MODEL_CALL)
    git_init(repo, commit=True)
    for objects in (repo / ".git" / "objects").iterdir():
        if objects.name not in ("info", "pack"):
            shutil.rmtree(objects)
    cache = str(tmp_path / "cache")
    for _ in range(2):  # the second run must not reuse a result keyed by an unreadable HEAD
        proc = run_cli("scan", str(repo), "--format", "json", "--cache-dir", cache)
        assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr
        report = json.loads(proc.stdout)
        assert {f["location"]["path"] for f in report["findings"]} >= {"app.py"}
        messages = [d["message"] for d in report["diagnostics"] if d["kind"] == "history"]
        assert any("missing from the object store" in m and "SEC003" in m for m in messages), report["diagnostics"]


def test_the_github_action_with_a_non_utf8_file_name_writes_utf8_for_github(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / os.fsdecode(b"caf\xe9.py")).write_text(MODEL_CALL + "\nTOKEN = 'sk-proj-" + "a1B2c3D4" * 6 + "'\n")
    out_dir = tmp_path / "runner"
    out_dir.mkdir()
    env = {
        "PATH": os.environ["PATH"], "HOME": str(tmp_path), "PYTHONIOENCODING": "utf-8", "RUNNER_TEMP": str(out_dir),
        "GITHUB_STEP_SUMMARY": str(out_dir / "summary.md"), "GITHUB_OUTPUT": str(out_dir / "outputs.txt"),
    }
    proc = subprocess.run([sys.executable, "-m", "readiness", "action", "--path", str(repo)], capture_output=True, env=env, timeout=300)
    assert b"Traceback" not in proc.stderr and proc.returncode in (0, 1), proc.stderr
    written = {p.name: p.read_bytes() for p in out_dir.iterdir()}
    assert {"summary.md", "readiness-comment.md", "readiness.sarif"} <= set(written)
    for data in written.values():
        data.decode("utf-8")  # GitHub reads them: always UTF-8
    sarif = json.loads(written["readiness.sarif"])
    assert "caf%E9.py" in {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}


def test_the_github_action_isolates_a_file_that_crashes_the_parser(tmp_path: Path) -> None:
    from hostile import deep_nesting

    repo = tmp_path / "repo"
    (repo / "deep").mkdir(parents=True)
    (repo / "deep" / "nesting.py").write_bytes(deep_nesting())
    (repo / "app.py").write_text(MODEL_CALL)
    out_dir = tmp_path / "runner"
    out_dir.mkdir()
    env = {**os.environ, "RUNNER_TEMP": str(out_dir), "GITHUB_OUTPUT": str(out_dir / "outputs.txt")}
    env.pop("GITHUB_EVENT_PATH", None)
    proc = subprocess.run([sys.executable, "-m", "readiness", "action", "--path", str(repo)], capture_output=True, env=env, timeout=300)
    assert proc.returncode in (0, 1) and b"Traceback" not in proc.stderr, proc.stderr
    sarif = json.loads((out_dir / "readiness.sarif").read_text())
    notes = {
        (n["descriptor"]["id"], n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
        for n in sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"] if n.get("locations")
    }
    assert ("skipped", "deep/nesting.py") in notes  # one file lost, the run finished
    assert any(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "app.py" for r in sarif["runs"][0]["results"])


@pytest.mark.parametrize("command", [["report"], ["baseline"], ["graph"]])
def test_every_command_that_analyses_files_isolates_a_parser_crash(tmp_path: Path, command: list[str]) -> None:
    from hostile import deep_nesting

    repo = tmp_path / "repo"
    (repo / "deep").mkdir(parents=True)
    (repo / "deep" / "nesting.py").write_bytes(deep_nesting())
    (repo / "app.py").write_text(MODEL_CALL)
    proc = run_cli(*command, str(repo), "--output" if command != ["report"] else "--markdown", str(tmp_path / "out"))
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, (proc.returncode, proc.stderr)
    assert (tmp_path / "out").stat().st_size > 0
