"""The rule API: a rule is one class, declared once in one file of a rule pack.

A rule carries its metadata, its user documentation (the docstring of its module, or of the
class when the module holds several, with the headings
`## What it does`, `## Why it matters in production` and `## Remediation`), and its examples:
`VALID` cases must produce no finding, `INVALID` cases must produce findings at exactly the
listed lines. The examples are rendered as *Example* / *Use instead* and run as tests.
"""
from __future__ import annotations

import inspect
import re
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Iterator, Mapping

from readiness.model import Confidence, Finding, Location, Severity

if TYPE_CHECKING:
    from readiness.project import Project

DOC_HEADINGS = ("What it does", "Why it matters in production", "Remediation")
CODE_PATTERN = re.compile(r"^[A-Z]{3}\d{3}$")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
DEFAULT_EXAMPLE_PATH = "app.py"


def _files(code: str | Mapping[str, str], path: str) -> dict[str, str]:
    return dict(code) if isinstance(code, Mapping) else {path: code}


@dataclass(frozen=True)
class Valid:
    """A docs example that must not fire: one file's code, or a {path: code} repo."""

    code: str | Mapping[str, str]
    config: Mapping[str, Any] = field(default_factory=dict)
    path: str = DEFAULT_EXAMPLE_PATH
    #: Earlier commits ({path: code} snapshots, oldest first) for rules that read git history.
    history: tuple[Mapping[str, str], ...] = ()

    @property
    def files(self) -> dict[str, str]:
        return _files(self.code, self.path)


@dataclass(frozen=True)
class Invalid:
    """A docs example that must fire at exactly `lines` (of `path`, or (path, line) pairs)."""

    code: str | Mapping[str, str]
    lines: tuple[int | tuple[str, int], ...] = ()
    config: Mapping[str, Any] = field(default_factory=dict)
    path: str = DEFAULT_EXAMPLE_PATH
    #: Earlier commits ({path: code} snapshots, oldest first) for rules that read git history.
    history: tuple[Mapping[str, str], ...] = ()

    @property
    def files(self) -> dict[str, str]:
        return _files(self.code, self.path)

    @property
    def expected(self) -> set[tuple[str, int]]:
        return {(item if isinstance(item, tuple) else (self.path, item)) for item in self.lines}


class Rule:
    """Base of every rule: metadata as class attributes, `check` over the project model."""

    code: ClassVar[str]
    name: ClassVar[str]
    control: ClassVar[str]
    severity: ClassVar[Severity]
    confidence: ClassVar[Confidence]
    effort: ClassVar[int]  # minutes to fix one finding
    VALID: ClassVar[list[Valid]] = []
    INVALID: ClassVar[list[Invalid]] = []

    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def check(self, project: Project) -> Iterator[Finding]:
        raise NotImplementedError

    def finding(self, location: Location, message: str, severity: Severity | None = None) -> Finding:
        return Finding(
            code=self.code,
            name=self.name,
            severity=severity or self.severity,
            confidence=self.confidence,
            control=self.control,
            location=location,
            message=message,
            effort=self.effort,
        )

    @classmethod
    def docs(cls) -> dict[str, str]:
        """The docstring split by heading: `summary` plus one entry per `## Heading`."""
        module = sys.modules.get(cls.__module__)
        text = inspect.cleandoc(cls.__doc__ or (module.__doc__ if module else "") or "")
        sections: dict[str, str] = {}
        current = "summary"
        lines: list[str] = []
        for line in text.splitlines():
            if line.startswith("## "):
                sections[current] = "\n".join(lines).strip()
                current, lines = line[3:].strip(), []
            else:
                lines.append(line)
        sections[current] = "\n".join(lines).strip()
        return sections

    @classmethod
    def metadata_problems(cls) -> list[str]:
        """What is wrong with this rule's declaration (empty when it is well formed)."""
        problems = []
        if not CODE_PATTERN.match(getattr(cls, "code", "")):
            problems.append("code must look like ABC123")
        if not NAME_PATTERN.match(getattr(cls, "name", "")):
            problems.append("name must be kebab-case")
        for attr in ("control", "severity", "confidence", "effort"):
            if not hasattr(cls, attr):
                problems.append(f"missing `{attr}`")
        if not cls.VALID or not cls.INVALID:
            problems.append("needs at least one VALID and one INVALID example")
        docs = cls.docs()
        for heading in DOC_HEADINGS:
            if not docs.get(heading):
                problems.append(f"docstring lacks the `## {heading}` section")
        if not docs.get("summary"):
            problems.append("docstring lacks a summary line")
        return problems
