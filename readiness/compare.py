"""Compare a run with a base (a baseline file or the scan of a git ref) by fingerprint.

A head finding whose fingerprint the base also has is *unchanged* (existing); any other is
*new*. Base findings missing at the head are *fixed*. Gates look at the new findings only.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from readiness import __version__
from readiness.errors import ReadinessError
from readiness.model import Confidence, Finding, Location, RunResult, Severity

BASELINE_FILE = ".readiness-baseline.json"
BASELINE_VERSION = 1


class BaselineError(ReadinessError):
    """A baseline file is missing or malformed."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"baseline {path}: {message}")


@dataclass(frozen=True, slots=True)
class Comparison:
    """How a run compares with its base; set as `RunResult.comparison`."""

    kind: str  # "baseline" | "diff"
    base: str  # the baseline file, or the git ref and commit
    new: frozenset[str]
    fixed: tuple[Finding, ...]
    base_score: Any = None
    changed: tuple[str, ...] = ()
    analysed: tuple[str, ...] = ()

    def state(self, finding: Finding) -> str:
        """SARIF's baselineState of a head finding: `new` or `unchanged`."""
        return "new" if finding.fingerprint in self.new else "unchanged"

    def to_json(self) -> dict[str, Any]:
        base_score = self.base_score.to_json() if self.base_score is not None else None
        return {
            "kind": self.kind,
            "base": self.base,
            "new": sorted(self.new),
            "fixed": [f.to_json() for f in self.fixed],
            "base_score": base_score,
            "changed_files": list(self.changed),
            "analysed_files": len(self.analysed),
        }


def compare(head: RunResult, base: list[Finding], kind: str, label: str, **extra: Any) -> RunResult:
    """`head` with a `Comparison` against the `base` findings attached."""
    base_prints = {f.fingerprint for f in base}
    head_prints = {f.fingerprint for f in head.findings}
    new = frozenset(f.fingerprint for f in head.findings if f.fingerprint not in base_prints)
    fixed = tuple(sorted((f for f in base if f.fingerprint not in head_prints), key=Finding.sort_key))
    return dataclasses.replace(head, comparison=Comparison(kind, label, new, fixed, **extra))


def new_findings(result: RunResult) -> list[Finding]:
    """The findings a gate looks at: all of them, or only the new ones when there is a base."""
    comparison = result.comparison
    if comparison is None:
        return list(result.findings)
    return [f for f in result.findings if f.fingerprint in comparison.new]


# -- the baseline file -----------------------------------------------------------------------

def baseline_json(result: RunResult) -> str:
    """The baseline file for `result`: every finding, keyed by fingerprint, sorted."""
    entries = [{**f.to_json(), "fingerprint": f.fingerprint} for f in result.findings]
    entries.sort(key=lambda e: (e["location"]["path"], e["code"], e["fingerprint"]))
    doc = {"version": BASELINE_VERSION, "tool": {"name": "readiness", "version": __version__}, "findings": entries}
    return json.dumps(doc, sort_keys=True, indent=2) + "\n"


def _finding(entry: Any, where: str) -> Finding:
    if not isinstance(entry, dict):
        raise ValueError(f"{where} is not an object")
    try:
        loc = entry["location"]
        return Finding(
            code=str(entry["code"]),
            name=str(entry.get("name", "")),
            severity=Severity.parse(str(entry["severity"])),
            confidence=Confidence(str(entry.get("confidence", "medium"))),
            control=str(entry.get("control", "")),
            location=Location(str(loc["path"]), int(loc.get("line", 0)), max(int(loc.get("column", 1)) - 1, 0), loc.get("cell")),
            message=str(entry.get("message", "")),
            effort=int(entry.get("effort_minutes", 0)),
            fingerprint=str(entry["fingerprint"]),
        )
    except KeyError as exc:
        raise ValueError(f"{where} lacks {exc.args[0]!r}") from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"{where}: {exc}") from None


def load_baseline(path: Path) -> list[Finding]:
    """The findings recorded in a baseline file.

    Raises:
        BaselineError: the file is missing, not JSON, or not a readiness baseline.
    """
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(str(path), "file not found (create it with `readiness baseline`)") from None
    except OSError as exc:
        raise BaselineError(str(path), f"cannot read: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BaselineError(str(path), f"not valid JSON: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("findings"), list):
        raise BaselineError(str(path), "not a readiness baseline (expected an object with a `findings` list)")
    if doc.get("version") != BASELINE_VERSION:
        raise BaselineError(str(path), f"unsupported version {doc.get('version')!r} (this readiness reads version {BASELINE_VERSION})")
    findings = []
    for number, entry in enumerate(doc["findings"], start=1):
        try:
            finding = _finding(entry, f"finding #{number}")
        except ValueError as exc:
            raise BaselineError(str(path), str(exc)) from None
        if not finding.fingerprint:
            raise BaselineError(str(path), f"finding #{number} has an empty fingerprint")
        findings.append(finding)
    return findings


def with_baseline(result: RunResult, accepted: list[Finding], label: str) -> RunResult:
    """Treat the findings of a baseline file as existing, on top of any comparison already made."""
    if result.comparison is None:
        return compare(result, accepted, "baseline", label)
    prints = {f.fingerprint for f in accepted}
    comparison = result.comparison
    return dataclasses.replace(
        result,
        comparison=dataclasses.replace(comparison, new=frozenset(p for p in comparison.new if p not in prints), base=f"{comparison.base} and {label}"),
    )
