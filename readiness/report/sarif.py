"""SARIF 2.1.0 for code scanning: every rule's metadata, results with fingerprints and baseline state.

Built as plain dicts and written sorted, so the same tree gives byte-identical output.
URIs are relative to `%SRCROOT%` (the repository root, or the scan root plus `uri_prefix`).
"""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from readiness import __version__
from readiness.fingerprint import VERSION as FINGERPRINT_VERSION
from readiness.model import Diagnostic, Finding, Location, RunResult, Severity
from readiness.registry import all_rules
from readiness.rule import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = f"readiness/{FINGERPRINT_VERSION}"

_LEVEL = {
    Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
    Severity.LOW: "note", Severity.INFO: "note",
}
#: GitHub's security-severity scale: critical > 9.0, high 7.0-8.9, medium 4.0-6.9, low < 4.0.
_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5", Severity.LOW: "3.0", Severity.INFO: "1.0",
}
_PRECISION = {"high": "high", "medium": "medium", "low": "low"}
#: Rules about attackers and leaks rather than robustness: they carry a security-severity.
SECURITY_PREFIXES = ("SEC", "INP", "PRM002", "OBS005")


def is_security_rule(rule: type[Rule]) -> bool:
    return rule.code.startswith(SECURITY_PREFIXES) or rule.control.split(".")[0] in ("security", "inputs")


def _example(rule: type[Rule], cases: list[Any]) -> str:
    if not cases:
        return ""
    code = next(iter(cases[0].files.values())).rstrip()
    return f"```python\n{code}\n```"


def _help_markdown(rule: type[Rule]) -> str:
    docs = rule.docs()
    parts = [f"**{rule.code} {rule.name}**: {docs.get('summary', '')}"]
    for heading, body in (
        ("What it does", docs.get("What it does", "")),
        ("Why it matters in production", docs.get("Why it matters in production", "")),
        ("Example", _example(rule, rule.INVALID)),
        ("Use instead", _example(rule, rule.VALID)),
        ("Remediation", docs.get("Remediation", "")),
    ):
        if body:
            parts.append(f"## {heading}\n\n{body}")
    parts.append(f"Suppress one finding with `# readiness: ignore[{rule.code}] reason` on its line.")
    return "\n\n".join(parts)


def _rule(rule: type[Rule]) -> dict[str, Any]:
    docs = rule.docs()
    area = rule.control.split(".")[0]
    tags = ["readiness", area, rule.control]
    properties: dict[str, Any] = {
        "precision": _PRECISION.get(rule.confidence.value, "medium"),
        "problem.severity": {"error": "error", "warning": "warning"}.get(_LEVEL[rule.severity], "recommendation"),
        "severity": rule.severity.value,
        "effort_minutes": rule.effort,
    }
    if is_security_rule(rule):
        tags.append("security")
        properties["security-severity"] = _SECURITY_SEVERITY[rule.severity]
    properties["tags"] = tags
    summary = docs.get("summary", "") or rule.name
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": summary.splitlines()[0]},
        "fullDescription": {"text": " ".join((docs.get("What it does", "") or summary).split())},
        "help": {"text": _help_text(rule), "markdown": _help_markdown(rule)},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": properties,
    }


def _help_text(rule: type[Rule]) -> str:
    docs = rule.docs()
    return "\n\n".join(part for part in (docs.get("summary", ""), docs.get("Why it matters in production", ""), docs.get("Remediation", "")) if part)


def _location(loc: Location, prefix: str) -> dict[str, Any]:
    path = f"{prefix}{loc.path}" if loc.path else (prefix.rstrip("/") or ".")
    # a name that is not UTF-8 keeps its bytes, percent-encoded (RFC 3986)
    physical: dict[str, Any] = {"artifactLocation": {"uri": quote(path, errors="surrogateescape"), "uriBaseId": SRCROOT}}
    if loc.line > 0:
        physical["region"] = {"startLine": loc.line, "startColumn": loc.col + 1}
    elif loc.path:
        physical["region"] = {"startLine": 1}
    # A repo-level finding (no path) points at the scan root itself, with no region.
    out: dict[str, Any] = {"physicalLocation": physical}
    if loc.cell is not None:
        out["message"] = {"text": f"notebook cell {loc.cell}, line {loc.line}"}
    return out


def _result(finding: Finding, index: dict[str, int], state: str | None, prefix: str) -> dict[str, Any]:
    text = finding.message
    if finding.location.cell is not None:
        text = f"{text} (notebook cell {finding.location.cell}, line {finding.location.line})"
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "level": _LEVEL[finding.severity],
        "message": {"text": text},
        "locations": [_location(finding.location, prefix)],
        "properties": {"severity": finding.severity.value, "confidence": finding.confidence.value, "effort_minutes": finding.effort},
    }
    if finding.code in index:
        result["ruleIndex"] = index[finding.code]
    if finding.fingerprint:
        result["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
    if state is not None:
        result["baselineState"] = state
    return result


def _notification(diagnostic: Diagnostic, prefix: str) -> dict[str, Any]:
    note: dict[str, Any] = {
        "level": "error" if diagnostic.kind in ("internal", "rule-error") else "warning",
        "message": {"text": diagnostic.message},
        "descriptor": {"id": diagnostic.kind},
    }
    if diagnostic.location.path:
        note["locations"] = [_location(diagnostic.location, prefix)]
    return note


def payload(result: RunResult, uri_prefix: str = "") -> dict[str, Any]:
    """The SARIF log as a dict."""
    rules = list(all_rules())
    known = {r.code for r in rules}
    index = {r.code: i for i, r in enumerate(rules)}
    comparison = result.comparison
    results = [
        _result(f, index, comparison.state(f) if comparison is not None else None, uri_prefix)
        for f in result.findings
    ]
    driver: dict[str, Any] = {
        "name": "readiness",
        "version": __version__,
        "semanticVersion": __version__,
        "rules": [_rule(r) for r in rules],
    }
    unknown = sorted({f.code for f in result.findings} - known)
    if unknown:  # a finding from a rule that is not installed here (should not happen)
        driver["rules"] += [{"id": code} for code in unknown]
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "automationDetails": {"id": "readiness/"},
        "originalUriBaseIds": {SRCROOT: {"description": {"text": "The root of the scanned repository."}}},
        "columnKind": "unicodeCodePoints",
        "invocations": [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [_notification(d, uri_prefix) for d in result.diagnostics],
            }
        ],
        "results": results,
    }
    if comparison is not None:
        run["properties"] = {"comparison": {"kind": comparison.kind, "base": comparison.base, "fixed": len(comparison.fixed)}}
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def render(result: RunResult, uri_prefix: str = "", **_: Any) -> str:
    return json.dumps(payload(result, uri_prefix), sort_keys=True, indent=2) + "\n"
