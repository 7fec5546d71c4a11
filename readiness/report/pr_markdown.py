"""Markdown for a pull request: how the change moves readiness, its new findings, the ones it fixed.

Used for the sticky PR comment and the job summary. The first line is a hidden marker the
comment is found by. Everything taken from the scanned repo is escaped.
"""
from __future__ import annotations

import html
from typing import Any

from readiness.compare import new_findings
from readiness.gate import score_json
from readiness.model import Finding, RunResult
from readiness.report.templating import shown_score

MARKER = "<!-- readiness:pull-request-comment -->"
MAX_ROWS = 50
_ICON = {"critical": "🔴", "high": "🔴", "medium": "🟠", "low": "🟡", "info": "⚪"}


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell (HTML escaped, no pipes or newlines)."""
    return html.escape(" ".join(str(text).split()), quote=False).replace("|", "\\|")


def _where(finding: Finding) -> str:
    return f"`{cell(finding.location.display() if finding.location.line else finding.location.path or '(project)')}`"


def _rows(findings: list[Finding]) -> list[str]:
    lines = ["| | rule | where | finding |", "|---|---|---|---|"]
    for f in findings[:MAX_ROWS]:
        lines.append(f"| {_ICON.get(f.severity.value, '')} {f.severity.value} | {f.code} {cell(f.name)} | {_where(f)} | {cell(f.message)} |")
    if len(findings) > MAX_ROWS:
        lines.append(f"| | | | … and {len(findings) - MAX_ROWS} more (see the SARIF results or run `readiness scan`) |")
    return lines


def _num(value: Any) -> str:
    return shown_score(None if value is None else float(value))


def _delta(before: Any, after: Any) -> str:
    if before is None or after is None:
        return ""
    change = float(after) - float(before)
    if round(change) == 0:
        return "="
    return f"{'+' if change > 0 else '−'}{abs(change):.0f}"


def _score_table(head: dict[str, Any], base: dict[str, Any] | None) -> list[str]:
    h_overall = head.get("overall", {})
    lines = ["| | base | head | change |", "|---|---:|---:|---:|"] if base else ["| | score |", "|---|---:|"]
    b_overall = (base or {}).get("overall", {})
    if base:
        lines.append(
            f"| **Overall** | {_num(b_overall.get('score'))} ({cell(b_overall.get('grade', ''))}) | "
            f"**{_num(h_overall.get('score'))}** ({cell(h_overall.get('grade', ''))}) | {_delta(b_overall.get('score'), h_overall.get('score'))} |"
        )
    else:
        lines.append(f"| **Overall** | **{_num(h_overall.get('score'))}** ({cell(h_overall.get('grade', ''))}) |")
    before = {a.get("id"): a for a in (base or {}).get("areas", [])}
    for area in head.get("areas", []):
        name = cell(area.get("name") or area.get("id"))
        if base:
            old = before.get(area.get("id"), {}).get("score")
            lines.append(f"| {name} | {_num(old)} | {_num(area.get('score'))} | {_delta(old, area.get('score'))} |")
        else:
            lines.append(f"| {name} | {_num(area.get('score'))} |")
    return lines


def render(result: RunResult, **_: Any) -> str:
    comparison = result.comparison
    new = new_findings(result)
    head = score_json(result.score)
    base = score_json(comparison.base_score) if comparison is not None else None
    noun = "finding" if len(new) == 1 else "findings"
    if comparison is not None:
        title = f"{len(new)} new {noun}" if new else "no new findings"
    else:
        title = f"{len(new)} {noun}" if new else "no findings"
    lines = [MARKER, f"## readiness: {title}", ""]
    if head is not None:
        verdict = head.get("verdict") or {}
        bits = []
        if verdict.get("decision"):
            bits.append(f"Verdict: **{cell(verdict['decision'])}** ({cell(verdict.get('confidence', ''))} confidence)")
        if head.get("risk"):
            bits.append(f"risk profile: {cell(head['risk'])}")
        if bits:
            lines += [" · ".join(bits), ""]
        lines += _score_table(head, base) + [""]
    if comparison is not None and comparison.kind == "diff":
        changed = len(comparison.changed)
        lines.append(
            f"Compared with `{cell(comparison.base)}`: {changed} changed {'file' if changed == 1 else 'files'}, "
            f"{len(comparison.analysed)} analysed."
        )
        lines.append("")
    elif comparison is not None:
        lines += [f"Compared with the baseline `{cell(comparison.base)}`.", ""]
    if new:
        heading = "New findings" if comparison is not None else "Findings"
        lines += [f"### {heading} ({len(new)})", ""] + _rows(new) + [""]
    if comparison is not None and comparison.fixed:
        lines += [f"### Fixed by this change ({len(comparison.fixed)})", ""] + _rows(list(comparison.fixed)) + [""]
    existing = len(result.findings) - len(new)
    if comparison is not None and existing:
        lines += [f"{existing} existing {'finding' if existing == 1 else 'findings'} in the analysed files are not shown.", ""]
    if result.diagnostics:
        lines += [f"{len(result.diagnostics)} files or rules could not be analysed fully (see the run log).", ""]
    lines.append(f"<sub>readiness · {result.files_scanned} files scanned</sub>")
    return "\n".join(lines) + "\n"
