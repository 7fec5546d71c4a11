"""Flags modules dense with TODO, FIXME and HACK comments.

## What it does
Counts workaround markers (`TODO`, `FIXME`, `HACK`, `XXX`, `WORKAROUND`, `KLUDGE`) in comments
of each module and notebook, and reports a file that holds two or more of them at a density
of at least one per 100 lines, at its first marker. Tests are not counted; a stray TODO in a
large file is not a finding.

## Why it matters in production
A cluster of markers is where the prototype was held together by hand: known bugs, skipped
error cases and shortcuts that nobody wrote down anywhere else. Whoever takes the code over
inherits them without the context. *Ownership and handoff; manual workarounds weigh toward a rebuild.*

## Remediation
Turn each marker into a tracked issue or fix it; delete the ones that no longer apply.
"""
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Rule, Severity, Valid
from readiness.facts.signals import is_test_path
from readiness.project import Project
from readiness.rules._project import at_line

MIN_MARKERS = 2
LINES_PER_MARKER = 100


class WorkaroundMarkers(Rule):
    code = "ARC007"
    name = "workaround-markers"
    control = "ownership.boundaries"
    severity = Severity.INFO
    confidence = Confidence.HIGH
    effort = 30

    INVALID = [
        Invalid(
            "def answer(q):\n    # HACK: the model sometimes returns markdown, strip it\n    text = q.strip('`')\n"
            "    # TODO handle empty answers\n    # FIXME: this breaks on non-English input\n    return text\n",
            lines=(2,),
        ),
    ]
    VALID = [
        Valid("def answer(q):\n    # TODO: cache answers once traffic grows\n    return q\n"),
        Valid({"tests/test_answer.py": "# TODO\n# TODO\n# FIXME\n# HACK\ndef test_it():\n    assert True\n"}),
        Valid("todo_list = []  # a list of todos, not a marker\nstatus = 'TODO'\n"),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        for path in sorted(project.files):
            facts = project.files[path]
            markers = facts.workaround_markers
            if is_test_path(path) or len(markers) < MIN_MARKERS or len(markers) * LINES_PER_MARKER < facts.lines:
                continue
            line = min(line for line, _ in markers)
            # A comment has no statement to anchor a fingerprint: the message stays free of counts.
            yield self.finding(at_line(project, path, line), "TODO/FIXME/HACK markers cluster in this file; track or fix them")
