"""Statement anchors: where each statement sits and a hash of its normalised code.

Fingerprints of findings are built from these (never from line numbers), so a finding keeps its
identity when lines are inserted above it or the file is reformatted. The hash covers the
statement's code without whitespace, trailing commas or its trailing comment; for a compound statement
(`def`, `if`, `with`, ...) it covers the header only, so editing the body does not move it.
"""
from __future__ import annotations

import re
from typing import Any

import libcst as cst

from readiness.facts.collector import Collector
from readiness.facts.textmarks import code_hash

_NEWLINE = re.compile(r"\r\n|\r|\n")


class StatementAnchors(Collector):
    """Records `(first line, last line, hash)` for every simple statement and compound header."""

    def __init__(self, core: Any) -> None:
        super().__init__(core)
        self.found: list[tuple[int, int, str]] = []
        self._lines: list[str] | None = None

    def _text(self, start_line: int, start_column: int, end_line: int, end_column: int) -> str:
        if self._lines is None:
            self._lines = _NEWLINE.split(self.core.text)
        lines = self._lines
        if start_line == end_line:
            return lines[start_line - 1][start_column:end_column] if start_line <= len(lines) else ""
        parts = [lines[start_line - 1][start_column:]] if start_line <= len(lines) else []
        parts += lines[start_line:end_line - 1]
        if end_line <= len(lines):
            parts.append(lines[end_line - 1][:end_column])
        return "\n".join(parts)

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        span = self.core.span_of(node)
        self.found.append((span[0], span[2], code_hash(self._text(*span))))

    def _header(self, node: cst.BaseCompoundStatement) -> None:
        start_line, start_column, _, _ = self.core.span_of(node)
        body = node.body
        end_line, end_column, _, _ = self.core.span_of(body)
        text = self._text(start_line, start_column, end_line, end_column)
        if isinstance(body, cst.IndentedBlock) and body.header.comment is not None:
            comment = body.header.comment.value
            head, sep, tail = text.rpartition(comment)
            if sep:
                text = head + tail
        self.found.append((start_line, max(start_line, end_line - (1 if isinstance(body, cst.IndentedBlock) else 0)), code_hash(text)))

    def visit_If(self, node: cst.If) -> None:
        self._header(node)

    def visit_For(self, node: cst.For) -> None:
        self._header(node)

    def visit_While(self, node: cst.While) -> None:
        self._header(node)

    def visit_With(self, node: cst.With) -> None:
        self._header(node)

    def visit_Try(self, node: cst.Try) -> None:
        self._header(node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._header(node)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._header(node)

    def contribute(self) -> dict[str, Any]:
        return {"statements": tuple(sorted(self.found))}
