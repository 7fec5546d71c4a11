"""Markdown: fits a pull-request comment or a job summary (score, verdict, top risks, findings)."""
from __future__ import annotations

from typing import Any

from readiness.model import RunResult
from readiness.report.templating import markdown_env

MAX_ROWS = 200
_BAR = 10


def _bar(score: float | None) -> str:
    if score is None:
        return ""
    full = round(score / 100 * _BAR)
    return "█" * full + "░" * (_BAR - full)


def render(result: RunResult, max_rows: int = MAX_ROWS, **_: Any) -> str:
    env = markdown_env()
    env.filters["bar"] = _bar
    card = result.score.to_json() if result.score is not None else None
    findings = [f.to_json() for f in result.findings]
    return env.get_template("report.md.j2").render(
        result=result, card=card, findings=findings[:max_rows], more=max(0, len(findings) - max_rows),
        total=len(findings),
    )
