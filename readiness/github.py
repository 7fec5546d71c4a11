"""GitHub: the runner's environment, the pull request's base, and one sticky PR comment.

The comment is created once and then edited in place, found by a hidden marker. It uses the
REST API with the job's `GITHUB_TOKEN` and only the standard library.
"""
from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Mapping

from readiness import __version__
from readiness.errors import ReadinessError

PULL_REQUEST_EVENTS = ("pull_request", "pull_request_target")
DEFAULT_API = "https://api.github.com"


class GitHubError(ReadinessError):
    """A call to the GitHub API failed."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class PullRequestContext:
    number: int
    repository: str
    base_sha: str
    base_ref: str
    same_repository: bool


def event(env: Mapping[str, str]) -> dict[str, Any]:
    """The webhook payload of the running workflow (empty when absent or unreadable)."""
    path = env.get("GITHUB_EVENT_PATH", "")
    if not path:
        return {}
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def pull_request(env: Mapping[str, str]) -> PullRequestContext | None:
    """The pull request this run is for, or None on other events."""
    if env.get("GITHUB_EVENT_NAME", "") not in PULL_REQUEST_EVENTS:
        return None
    pr = event(env).get("pull_request")
    if not isinstance(pr, dict) or not isinstance(pr.get("number"), int):
        return None
    base: dict[str, Any] = pr["base"] if isinstance(pr.get("base"), dict) else {}
    head_repo = ((pr.get("head") or {}).get("repo") or {}).get("full_name")
    repository = env.get("GITHUB_REPOSITORY", "")
    return PullRequestContext(
        number=pr["number"],
        repository=repository,
        base_sha=str(base.get("sha") or ""),
        base_ref=env.get("GITHUB_BASE_REF") or str(base.get("ref") or ""),
        same_repository=head_repo in (None, repository),
    )


class Client:
    """A minimal GitHub REST client (urllib)."""

    def __init__(self, token: str, api_url: str = DEFAULT_API, timeout: float = 30.0) -> None:
        self.token = token
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode("utf-8") if body is not None else None
        req = urllib.request.Request(f"{self.api_url}{path}", data=data, method=method)
        req.add_header("Authorization", f"Bearer {self.token}")
        req.add_header("Accept", "application/vnd.github+json")
        req.add_header("X-GitHub-Api-Version", "2022-11-28")
        req.add_header("User-Agent", f"readiness/{__version__}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310 - https API URL from the runner
                payload = resp.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", errors="replace")[:300]
            raise GitHubError(f"{method} {path}: HTTP {exc.code} {detail}".strip(), exc.code) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise GitHubError(f"{method} {path}: {reason}") from None
        return json.loads(payload) if payload else None


def upsert_comment(client: Client, repository: str, number: int, body: str, marker: str) -> tuple[str, int]:
    """Edit the PR comment that carries `marker`, or create it; returns ("created"|"updated", id)."""
    if marker not in body:
        body = f"{marker}\n{body}"
    page = 1
    while True:
        comments = client.request("GET", f"/repos/{repository}/issues/{number}/comments?per_page=100&page={page}")
        if not isinstance(comments, list):
            raise GitHubError("listing the pull request's comments returned no list")
        for comment in comments:
            if isinstance(comment, dict) and marker in str(comment.get("body") or ""):
                client.request("PATCH", f"/repos/{repository}/issues/comments/{comment['id']}", {"body": body})
                return "updated", int(comment["id"])
        if len(comments) < 100:
            break
        page += 1
    created = client.request("POST", f"/repos/{repository}/issues/{number}/comments", {"body": body})
    return "created", int(created["id"])


def comment_from_env(body: str, marker: str, env: Mapping[str, str] | None = None) -> str:
    """Post or update the sticky comment for the PR of this run; returns what happened, in words.

    Raises:
        GitHubError: the API refused or failed; `status` says how (403: a read-only token).
    """
    env = os.environ if env is None else env
    pr = pull_request(env)
    if pr is None:
        return "not a pull request event: no comment"
    token = env.get("GITHUB_TOKEN", "")
    if not token:
        return "no GITHUB_TOKEN: no comment (pull requests from forks get none; the job summary has the report)"
    if not pr.repository:
        raise GitHubError("GITHUB_REPOSITORY is not set")
    client = Client(token, env.get("GITHUB_API_URL") or DEFAULT_API)
    action, comment_id = upsert_comment(client, pr.repository, pr.number, body, marker)
    return f"{action} comment {comment_id} on {pr.repository}#{pr.number}"


def write_outputs(path: str, values: Mapping[str, str]) -> None:
    """Append `name=value` lines to a GITHUB_OUTPUT file (single-line values only)."""
    with open(path, "a", encoding="utf-8") as fh:
        for name, value in values.items():
            fh.write(f"{name}={' '.join(str(value).split())}\n")
