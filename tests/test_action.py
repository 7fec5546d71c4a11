"""The Action's steps under bash with a simulated runner, on a real git repo and a fake GitHub API."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT
from fake_github import FakeGitHub
from gha import ActionRun, run_action
from readiness.report.pr_markdown import MARKER

GIT = ["git", "-c", "user.name=Dev", "-c", "user.email=dev@example.com", "-c", "init.defaultBranch=main"]

LLM = """\
from openai import OpenAI

client = OpenAI(timeout=20)
"""

MAIN = """\
import logging

from app.llm import client

log = logging.getLogger(__name__)


def ask(question):
    log.info("asking")
    return client.chat.completions.create(model="gpt-4o-mini-2024-07-18", max_tokens=200, messages=[{"role": "user", "content": question}])


def ask_once(question):
    log.info("asking once")
    return client.with_options(max_retries=0).chat.completions.create(model="gpt-4o-mini-2024-07-18", max_tokens=200, messages=[question])
"""

PR_ADDITION = """

def summarise(text):
    log.info("summarising")
    return client.with_options(max_retries=0).chat.completions.create(model="gpt-4o-mini-2024-07-18", max_tokens=200, messages=[{"role": "user", "content": text}])
"""


NEW_LINE = (MAIN + PR_ADDITION).splitlines().index('    log.info("summarising")') + 2


def _git(repo: Path, *args: str) -> str:
    return subprocess.run([*GIT, *args], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture(scope="module")
def action_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The action's own checkout: a copy of this working tree, as `uses:` would fetch it."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    target = tmp_path_factory.mktemp("action") / "readiness"
    skip = shutil.ignore_patterns(".git", ".venv", ".ci-venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", "fixtures", ".readiness_cache")
    shutil.copytree(ROOT, target, ignore=skip)
    return target


@pytest.fixture(scope="module")
def runner_temp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """RUNNER_TEMP, shared so the tool is installed once for the module's runs."""
    return tmp_path_factory.mktemp("runner_temp")


@pytest.fixture
def pr_repo(tmp_path: Path) -> tuple[Path, str]:
    """A repo whose `main` has the base commit and whose checked-out branch adds one faulty call."""
    repo = tmp_path / "workspace"
    (repo / "app").mkdir(parents=True)
    (repo / "app" / "__init__.py").write_text("")
    (repo / "app" / "llm.py").write_text(LLM)
    (repo / "app" / "main.py").write_text(MAIN)
    (repo / "requirements.txt").write_text("openai==1.40.0\n")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "base")
    base = _git(repo, "rev-parse", "HEAD")
    _git(repo, "checkout", "-q", "-b", "feature")
    with (repo / "app" / "main.py").open("a") as fh:
        fh.write(PR_ADDITION)
    _git(repo, "commit", "-q", "-am", "add a summary call")
    return repo, base


def _run(
    repo: Path, action_dir: Path, runner_temp: Path, tmp_path: Path, api: str, event_name: str,
    base: str = "", head_repo: str = "acme/bot", inputs: dict[str, str] | None = None,
) -> tuple[ActionRun, Path]:
    event: dict[str, Any] = {"repository": {"full_name": "acme/bot"}}
    if event_name == "pull_request":
        event["pull_request"] = {"number": 7, "base": {"sha": base, "ref": "main"}, "head": {"repo": {"full_name": head_repo}}}
    event_path = tmp_path / "event.json"
    event_path.write_text(json.dumps(event))
    summary = tmp_path / "step_summary.md"
    summary.write_text("")
    env = {
        "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": event_name, "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_BASE_REF": "main" if event_name == "pull_request" else "", "GITHUB_REPOSITORY": "acme/bot",
        "GITHUB_API_URL": api, "GITHUB_STEP_SUMMARY": str(summary),
    }
    github = {"event_name": event_name, "event": event, "repository": "acme/bot", "token": "test-token", "base_ref": env["GITHUB_BASE_REF"]}
    run = run_action(
        action_dir, repo, runner_temp, inputs or {}, github, env,
        stand_ins={"actions/setup-python": {"python-path": sys.executable}},
    )
    return run, summary


def _explain(run: ActionRun) -> str:
    return "\n".join(f"--- {s.name} [{s.conclusion}]\n{s.stdout}\n{s.stderr}" for s in run.steps)


def test_pull_request_run_reports_exactly_the_new_finding_and_keeps_one_comment(
    pr_repo: tuple[Path, str], action_dir: Path, runner_temp: Path, tmp_path: Path
) -> None:
    repo, base = pr_repo
    with FakeGitHub() as api:
        first, summary = _run(repo, action_dir, runner_temp, tmp_path, api.url, "pull_request", base)
        assert first.step("Install readiness").conclusion == "success", _explain(first)
        assert first.step("Scan").conclusion == "success", _explain(first)
        # The gate fails on the new finding, after SARIF and the comment went out.
        assert first.conclusion == "failure" and first.step("Gate").conclusion == "failure", _explain(first)
        assert "1 new finding at or above low" in first.step("Gate").stdout

        assert first.outputs["new-findings"] == "1"
        sarif_file = Path(first.outputs["sarif-file"])
        sarif = json.loads(sarif_file.read_text())
        results = sarif["runs"][0]["results"]
        new = [r for r in results if r["baselineState"] == "new"]
        assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for r in new] == [("REL001", "app/main.py")]
        assert new[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == NEW_LINE
        # Unchanged: the old call's finding, and the repo-level ones (no tests, no CI...).
        assert [r["ruleId"] for r in results if r["baselineState"] == "unchanged" and r["ruleId"][:3] != "OPS" and r["ruleId"] != "OBS003"] == ["REL001"]

        upload = first.step("Upload SARIF to code scanning")
        assert upload.ran and upload.with_["sarif_file"] == str(sarif_file)
        assert not first.step("Upload the HTML report").ran

        text = summary.read_text()
        assert "## readiness: 1 new finding" in text and f"`app/main.py:{NEW_LINE}:12`" in text
        assert list(api.comments) and len(api.comments) == 1
        (comment_id, comment), = api.comments.items()
        assert comment["issue"] == 7 and comment["body"].startswith(MARKER) and f"app/main.py:{NEW_LINE}:12" in comment["body"]
        assert 0 <= float(first.outputs["score"]) <= 100 and first.outputs["grade"] and first.outputs["verdict"]
        assert "| **Overall** |" in comment["body"] and "| Reliability and failure strategy |" in comment["body"]

        second, _ = _run(repo, action_dir, runner_temp, tmp_path, api.url, "pull_request", base, inputs={"fail-on": "high"})
        assert second.conclusion == "success", _explain(second)
        assert "updated comment" in second.step("Comment on the pull request").stdout
        assert list(api.comments) == [comment_id]
        methods = [(m, p.split("?")[0]) for m, p, _, _ in api.requests if m != "GET"]
        assert methods == [("POST", "/repos/acme/bot/issues/7/comments"), ("PATCH", f"/repos/acme/bot/issues/comments/{comment_id}")]
        assert all(h.get("Authorization") == "Bearer test-token" for _, _, h, _ in api.requests)


def test_fork_pull_request_without_write_access_still_gets_the_summary_and_the_gate(
    pr_repo: tuple[Path, str], action_dir: Path, runner_temp: Path, tmp_path: Path
) -> None:
    repo, base = pr_repo
    with FakeGitHub(read_only=True) as api:
        run, summary = _run(repo, action_dir, runner_temp, tmp_path, api.url, "pull_request", base, head_repo="someone/bot-fork")
    assert not run.step("Upload SARIF to code scanning").ran
    comment = run.step("Comment on the pull request")
    assert comment.conclusion == "success" and "pull-requests: write" in comment.stderr, _explain(run)
    assert api.comments == {}
    assert "1 new finding" in summary.read_text()
    assert run.step("Gate").conclusion == "failure" and run.outputs["new-findings"] == "1"


def test_push_runs_a_full_scan_without_a_comment(
    pr_repo: tuple[Path, str], action_dir: Path, runner_temp: Path, tmp_path: Path
) -> None:
    repo, _ = pr_repo
    with FakeGitHub() as api:
        run, summary = _run(repo, action_dir, runner_temp, tmp_path, api.url, "push", inputs={"fail-on": "never", "report": "true"})
    assert run.conclusion == "success", _explain(run)
    artifact = run.step("Upload the HTML report")
    assert artifact.ran and Path(artifact.with_["path"]).read_text().lstrip().lower().startswith("<!doctype html")
    assert not run.step("Comment on the pull request").ran and api.requests == []
    sarif = json.loads(Path(run.outputs["sarif-file"]).read_text())
    count = len(sarif["runs"][0]["results"])
    assert count >= 2 and run.outputs["new-findings"] == str(count)  # every finding of a push is new
    assert all("baselineState" not in r for r in sarif["runs"][0]["results"])
    assert f"## readiness: {count} findings" in summary.read_text()


def test_scan_step_in_a_sub_folder_prefixes_sarif_paths_and_honours_the_configured_baseline(tmp_path: Path) -> None:
    from readiness.action import run as run_scan_step
    from readiness.config import load_config
    from readiness.gate import Gate

    workspace = tmp_path / "ws"
    service = workspace / "services" / "bot"
    (service / "app").mkdir(parents=True)
    (service / "app" / "main.py").write_text(MAIN.replace("from app.llm import client", "from openai import OpenAI\nclient = OpenAI(max_retries=0)"))
    assert subprocess.run([sys.executable, "-m", "readiness", "baseline", str(service)], capture_output=True).returncode == 0
    (service / "readiness.toml").write_text('baseline = ".readiness-baseline.json"\n')
    env = {"GITHUB_EVENT_NAME": "push", "GITHUB_WORKSPACE": str(workspace)}
    outcome = run_scan_step(service, load_config(service), Gate(), env, tmp_path, report=False)
    sarif = json.loads(outcome.files[outcome.outputs["sarif-file"]])
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert uris == {"services/bot/app/main.py", "services/bot"}  # the file's findings, and the folder's (no tests...)
    assert outcome.outputs["findings"] != "0" and outcome.outputs["new-findings"] == "0" and outcome.outputs["gate"] == "pass"
