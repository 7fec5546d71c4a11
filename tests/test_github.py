"""The sticky PR comment against a fake GitHub API on 127.0.0.1: paging, tokens, errors."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli
from fake_github import FakeGitHub
from readiness.github import GitHubError, comment_from_env, pull_request

MARKER = "<!-- marker -->"


def _env(tmp_path: Path, api: str, token: str = "test-token", event_name: str = "pull_request") -> dict[str, str]:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 3, "base": {"sha": "abc", "ref": "main"}, "head": {"repo": {"full_name": "acme/bot"}}}}))
    return {
        "GITHUB_EVENT_NAME": event_name, "GITHUB_EVENT_PATH": str(event), "GITHUB_REPOSITORY": "acme/bot",
        "GITHUB_API_URL": api, "GITHUB_TOKEN": token, "GITHUB_BASE_REF": "main",
    }


def test_finds_its_comment_beyond_the_first_page(tmp_path: Path) -> None:
    with FakeGitHub() as api:
        for n in range(150):
            api.comments[n + 1] = {"id": n + 1, "issue": 3, "body": f"someone else {n}"}
        api.comments[120]["body"] = f"{MARKER}\nold report"
        assert comment_from_env("new report", MARKER, _env(tmp_path, api.url)) == "updated comment 120 on acme/bot#3"
        assert api.comments[120]["body"] == f"{MARKER}\nnew report"
        assert len(api.comments) == 150
        pages = [p for m, p, _, _ in api.requests if m == "GET"]
        assert [p.rsplit("page=", 1)[1] for p in pages] == ["1", "2"]


def test_without_a_token_or_outside_a_pull_request_it_does_nothing(tmp_path: Path) -> None:
    with FakeGitHub() as api:
        assert "no GITHUB_TOKEN" in comment_from_env("x", MARKER, _env(tmp_path, api.url, token=""))
        assert "not a pull request" in comment_from_env("x", MARKER, _env(tmp_path, api.url, event_name="push"))
        assert api.requests == []


def test_api_errors_carry_the_status(tmp_path: Path) -> None:
    with FakeGitHub() as api:
        with pytest.raises(GitHubError) as bad:
            comment_from_env("x", MARKER, _env(tmp_path, api.url, token="wrong"))
    assert bad.value.status == 401 and "Bad credentials" in str(bad.value)
    with pytest.raises(GitHubError) as down:
        comment_from_env("x", MARKER, _env(tmp_path, "http://127.0.0.1:9"))
    assert down.value.status == 0


def test_cli_reports_unreachable_api_as_an_error_and_forks_as_a_warning(tmp_path: Path) -> None:
    body = tmp_path / "body.md"
    body.write_text("report")
    down = run_cli("github-comment", str(body), env=_env(tmp_path, "http://127.0.0.1:9"))
    assert down.returncode == 2 and "GitHub comment failed" in down.stderr
    with FakeGitHub(read_only=True) as api:
        fork = run_cli("github-comment", str(body), env=_env(tmp_path, api.url))
    assert fork.returncode == 0 and "::warning" in fork.stderr and "forks" in fork.stderr


def test_pull_request_context_from_the_event(tmp_path: Path) -> None:
    env = _env(tmp_path, "http://x")
    pr = pull_request(env)
    assert pr is not None and (pr.number, pr.base_sha, pr.base_ref, pr.same_repository) == (3, "abc", "main", True)
    assert pull_request({**env, "GITHUB_EVENT_PATH": str(tmp_path / "missing.json")}) is None
