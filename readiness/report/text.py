"""Terminal output: `path:line:col CODE message`, grouped by file, coloured on a terminal."""
from __future__ import annotations

from itertools import groupby
from typing import Any

from readiness.model import Finding, RunResult, Severity

_COLOURS = {
    Severity.CRITICAL: "\x1b[1;31m", Severity.HIGH: "\x1b[31m", Severity.MEDIUM: "\x1b[33m",
    Severity.LOW: "\x1b[36m", Severity.INFO: "\x1b[2m",
}
_RESET, _BOLD, _DIM = "\x1b[0m", "\x1b[1m", "\x1b[2m"


def _paint(text: str, code: str, colour: bool) -> str:
    return f"{code}{text}{_RESET}" if colour else text


def _inventory(result: RunResult) -> list[str]:
    rows = [("location", "provider", "api", "model", "retries", "timeout", "max tokens", "gateway", "rules")]
    for site in result.call_sites:
        loc = site["location"]
        cell = f"cell {loc['cell']}:" if "cell" in loc else ""

        def eff(key: str) -> str:
            value = site[key]["value"]
            shown = "-" if value is None else f"{value:g}"
            return f"{shown} ({site[key]['source']})"

        retries = eff("retries")
        if site.get("retry_evidence"):
            retries += f" + {site['retry_evidence']}"
        gateway = site.get("gateway")
        gateway_cell = f"{gateway['function']} <- {gateway['reached_from']}" if gateway else "-"
        rules = ",".join(site.get("rules", ())) or "-"
        rows.append((
            f"{loc['path']}:{cell}{loc['line']}", site["provider"], site["api"], str(site["model"]), retries,
            eff("timeout"), eff("max_tokens"), gateway_cell, rules,
        ))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]


def _state(result: RunResult, finding: Finding) -> str:
    comparison = result.comparison
    return " [new]" if comparison is not None and finding.fingerprint in comparison.new else ""


def render(result: RunResult, colour: bool = False, inventory: bool = False, **_: Any) -> str:
    lines: list[str] = []
    for path, group in groupby(result.findings, key=lambda f: f.location.path):
        if lines:
            lines.append("")
        lines.append(_paint(path or "(project)", _BOLD, colour))
        for f in group:
            where = f.location.display() if f.location.line else f.location.path
            lines.append(f"{_paint(where, _DIM, colour)} {_paint(f.code, _COLOURS[f.severity], colour)} {f.message}{_state(result, f)}")
    if result.diagnostics:
        lines += ["", _paint("Diagnostics (not findings):", _BOLD, colour)]
        for d in result.diagnostics:
            where = d.location.display() if d.location.path else "(scan)"
            lines.append(f"{where} [{d.kind}] {d.message}")
    if inventory:
        lines += ["", _paint(f"Model call sites ({len(result.call_sites)}):", _BOLD, colour)] + _inventory(result)
    count = len(result.findings)
    noun = "finding" if count == 1 else "findings"
    files = "file" if result.files_scanned == 1 else "files"
    summary = f"{count} {noun} in {result.files_scanned} {files}"
    if result.comparison is not None:
        new = sum(1 for f in result.findings if f.fingerprint in result.comparison.new)
        summary += f" ({new} new, {count - new} existing, {len(result.comparison.fixed)} fixed since {result.comparison.base})"
    if result.suppressed:
        summary += f", {result.suppressed} suppressed"
    if result.diagnostics:
        summary += f", {len(result.diagnostics)} diagnostics"
    lines += ["", summary if count else _paint(summary.replace("0 findings", "No findings"), "\x1b[32m", colour)]
    return "\n".join(lines).lstrip("\n") + "\n"
