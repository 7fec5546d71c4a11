"""What the GitHub Action does in its scan step: choose full or diff scan, build every output.

Pure apart from the scan itself: it returns the files to write and the step outputs, and
`cli.py` writes them. Findings gate only when the pull request introduces them.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from readiness.compare import load_baseline, new_findings, with_baseline
from readiness.config import Config
from readiness.diff import DiffError, _open, diff_scan, resolve_base
from readiness.engine import scan
from readiness.errors import ReadinessError
from readiness.gate import Gate, evaluate, score_json
from readiness.github import pull_request
from readiness.model import RunResult
from readiness.report import RENDERERS


@dataclass
class ActionRun:
    result: RunResult
    outputs: dict[str, str]
    files: dict[str, str] = field(default_factory=dict)  # path -> content
    summary: str = ""
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # ::warning:: lines for the log


def uri_prefix(path: Path, workspace: Path) -> str:
    """The scan root relative to the workspace, as a SARIF URI prefix ("" at the top)."""
    try:
        rel = path.resolve().relative_to(workspace.resolve()).as_posix()
    except ValueError:
        return ""
    return "" if rel == "." else rel + "/"


def with_risk(config: Config, risk: str) -> Config:
    if not risk:
        return config
    if "risk" not in {f.name for f in dataclasses.fields(Config)}:
        raise ReadinessError("the `risk` input needs a readiness version with risk profiles")
    if risk not in ("low", "medium", "high"):
        raise ReadinessError(f"risk {risk!r}: choose low, medium or high")
    return config.with_overrides(risk=risk)


def pick_base(path: Path, candidates: list[str]) -> str:
    """The first candidate ref that resolves to a merge base with HEAD."""
    error: DiffError | None = None
    for ref in candidates:
        if not ref:
            continue
        try:
            repo, _ = _open(path)
            resolve_base(repo, ref)
            return ref
        except DiffError as exc:
            error = exc
    raise error or DiffError("the pull request event names no base to compare with")


def run(
    path: Path, config: Config, gate: Gate, env: Mapping[str, str], temp: Path, report: bool, scores: bool = True,
    scale: Mapping[str, Any] | None = None,
) -> ActionRun:
    """Scan as the Action does: against the PR base on pull requests, in full otherwise.

    On a pull request the whole repo is analysed (scores at base and head) when `scores` is
    asked for or a gate needs them; otherwise only the change and its neighbours. `scale`: the
    scan's `jobs`, `cache`, `progress` and `file_timeout` (the CLI gives those of `scan`).
    """
    options = dict(scale or {})
    pr = pull_request(env)
    if pr is not None:
        base = pick_base(path, [pr.base_sha, pr.base_ref])
        whole = scores or gate.min_score is not None or gate.no_regress
        result = diff_scan(path, config, base, "repo" if whole else "change", **options)
    else:
        result = scan(path, config, **options)
    if config.baseline:
        result = with_baseline(result, load_baseline(path / config.baseline), config.baseline)
    reasons = evaluate(result, gate)
    workspace = Path(env.get("GITHUB_WORKSPACE") or os.getcwd())
    prefix = uri_prefix(path, workspace)
    sarif_file = temp / "readiness.sarif"
    comment_file = temp / "readiness-comment.md"
    markdown = RENDERERS["pr-markdown"](result)
    files = {str(sarif_file): RENDERERS["sarif"](result, uri_prefix=prefix), str(comment_file): markdown}
    notes: list[str] = []
    report_file = ""
    if report:
        if "html" in RENDERERS:
            report_file = str(temp / "readiness-report.html")
            files[report_file] = RENDERERS["html"](result)
        else:
            notes.append("the HTML report is not available in this readiness version; no report artifact")
    score = score_json(result.score) or {}
    overall = score.get("overall") or {}
    outputs = {
        "score": f"{overall['score']:g}" if isinstance(overall.get("score"), (int, float)) else "",
        "grade": str(overall.get("grade") or ""),
        "verdict": str((score.get("verdict") or {}).get("decision") or ""),
        "new-findings": str(len(new_findings(result))),
        "findings": str(len(result.findings)),
        "sarif-file": str(sarif_file),
        "comment-file": str(comment_file),
        "report-file": report_file,
        "base": result.comparison.base if result.comparison is not None else "",
        "gate": "fail" if reasons else "pass",
        "gate-reason": "; ".join(reasons),
    }
    return ActionRun(result, outputs, files, markdown, reasons, notes)
