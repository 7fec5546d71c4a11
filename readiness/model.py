"""Plain result types shared by every stage: findings, diagnostics, run results."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Severity(str, enum.Enum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_ORDER.index(self.value)

    @classmethod
    def parse(cls, value: str) -> Severity:
        try:
            return cls(value.lower())
        except ValueError:
            choices = ", ".join(_SEVERITY_ORDER)
            raise ValueError(f"unknown severity {value!r} (choose from {choices})") from None


_SEVERITY_ORDER = ("info", "low", "medium", "high", "critical")


class Confidence(str, enum.Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A place in the scanned repo; `cell` is set for notebook code cells (1-based)."""

    path: str
    line: int = 0
    col: int = 0
    cell: int | None = None

    def display(self) -> str:
        if self.line == 0:
            return self.path
        cell = f"cell {self.cell}:" if self.cell is not None else ""
        return f"{self.path}:{cell}{self.line}:{self.col + 1}"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "line": self.line, "column": self.col + 1}
        if self.cell is not None:
            out["cell"] = self.cell
        return out


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    name: str
    severity: Severity
    confidence: Confidence
    control: str
    location: Location
    message: str
    effort: int = 0
    #: Identity across edits (rule, path, function, statement code; not the line); set by the engine.
    fingerprint: str = ""

    def sort_key(self) -> tuple[str, int, int, int, str, str]:
        loc = self.location
        return (loc.path, loc.cell or 0, loc.line, loc.col, self.code, self.message)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "confidence": self.confidence.value,
            "control": self.control,
            "location": self.location.to_json(),
            "message": self.message,
            "effort_minutes": self.effort,
            **({"fingerprint": self.fingerprint} if self.fingerprint else {}),
        }


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """Something the scan could not do (a file it could not read or parse, a rule that crashed)."""

    kind: str
    location: Location
    message: str

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.location.path, self.location.cell or 0, self.location.line, self.kind, self.message)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "location": self.location.to_json(), "message": self.message}


@dataclass(frozen=True, slots=True)
class RunResult:
    """Everything a renderer needs; renderers only format it."""

    root: str
    findings: tuple[Finding, ...]
    diagnostics: tuple[Diagnostic, ...]
    call_sites: tuple[dict[str, Any], ...] = ()
    suppressed: int = 0
    files_scanned: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    #: The checklist scorecard (score, grade, areas, verdict); None when not computed.
    score: Any = None
    #: How this run compares with a base (a baseline file or a git ref); None for a plain scan.
    comparison: Any = None

    def at_or_above(self, severity: Severity) -> list[Finding]:
        return [f for f in self.findings if f.severity.rank >= severity.rank]


def locate(cell_lines: tuple[tuple[int, int], ...], path: str, line: int, col: int = 0) -> Location:
    """A location for an assembled line of a file, mapped back to its notebook cell if any."""
    if cell_lines and 1 <= line <= len(cell_lines):
        cell, cell_line = cell_lines[line - 1]
        return Location(path, cell_line, col, cell)
    return Location(path, line, col)
