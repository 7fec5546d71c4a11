"""Fingerprints: a finding's identity across edits, for baselines, diffs and SARIF.

A fingerprint hashes the rule, the file path, the enclosing function and the normalised code of
the statement the finding points at (from the facts' statement anchors), never the line number.
Two findings of one rule on identical statements in one function are told apart by their order.
"""
from __future__ import annotations

import dataclasses
import hashlib
from collections import defaultdict
from typing import Iterable

from readiness.facts.model import MODULE_SCOPE, FileFacts
from readiness.model import Finding

VERSION = "v1"


class _FileIndex:
    """Line -> statement hash and line -> enclosing function, for one file's facts."""

    def __init__(self, facts: FileFacts) -> None:
        self.facts = facts
        self._stmt: dict[int, tuple[int, str]] = {}
        for first, last, digest in facts.statements:
            span = last - first
            for line in range(first, last + 1):
                known = self._stmt.get(line)
                if known is None or span <= known[0]:
                    self._stmt[line] = (span, digest)
        self._cells = {pair: n for n, pair in enumerate(facts.cell_lines, start=1)} if facts.cell_lines else {}

    def source_line(self, line: int, cell: int | None) -> int:
        """The line in the parsed text (notebooks: the assembled code cells)."""
        if cell is None or not self._cells:
            return line
        return self._cells.get((cell, line), 0)

    def statement(self, line: int) -> str:
        found = self._stmt.get(line)
        return found[1] if found else ""

    def function(self, line: int) -> str:
        best, best_span = MODULE_SCOPE, None
        for fn in self.facts.functions:
            if fn.qualname == MODULE_SCOPE or not fn.line <= line <= fn.end_line:
                continue
            span = fn.end_line - fn.line
            if best_span is None or span <= best_span:
                best, best_span = fn.qualname, span
        return best


def _anchor(finding: Finding, index: _FileIndex | None) -> tuple[str, str]:
    """(enclosing function, statement hash), or ("", normalised message) without source facts."""
    loc = finding.location
    if index is not None and loc.line > 0:
        line = index.source_line(loc.line, loc.cell)
        statement = index.statement(line)
        if statement:
            return index.function(line), statement
    return "", " ".join(finding.message.split())


def fingerprint_findings(findings: Iterable[Finding], files: dict[str, FileFacts]) -> list[Finding]:
    """The findings, in order, each with its `fingerprint` set."""
    ordered = sorted(findings, key=Finding.sort_key)
    indexes: dict[str, _FileIndex | None] = {}
    seen: dict[tuple[str, str, str, str, str], int] = defaultdict(int)
    out: list[Finding] = []
    for finding in ordered:
        path = finding.location.path
        if path not in indexes:
            facts = files.get(path)
            indexes[path] = _FileIndex(facts) if facts is not None else None
        scope, anchor = _anchor(finding, indexes[path])
        key = (finding.code, path, scope, anchor, "")
        occurrence = seen[key]
        seen[key] += 1
        text = "\0".join((VERSION, finding.code, path, scope, anchor, str(occurrence)))
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=10).hexdigest()
        out.append(dataclasses.replace(finding, fingerprint=digest))
    return out
