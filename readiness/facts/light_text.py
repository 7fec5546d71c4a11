"""Statement anchors, TODO comments and string tokens for the light pass, from `ast` and the text.

`facts.anchors.StatementAnchors` and the comment and string parts of `facts.markers` work on
libcst nodes; these give the same results from `ast` positions and the source lines
(`tests/test_light_facts.py` checks both passes agree).
"""
from __future__ import annotations

import ast
import io
import re
import tokenize

from readiness.facts.textmarks import MARKER, code_hash, local_path_in

_MARKER_COMMENT = re.compile(r"#.*\b(?:TODO|FIXME|HACK|XXX|WORKAROUND|KLUDGE)\b")
_COMPOUND = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_SIMPLE = (
    ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Pass, ast.Break, ast.Continue, ast.Delete,
    ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal, ast.Assert, ast.Raise,
)


def segment(lines: list[str], node: ast.expr) -> str:
    """The source of `node` (ast columns count UTF-8 bytes)."""
    first, last = node.lineno, node.end_lineno or node.lineno
    start, end = node.col_offset, node.end_col_offset or 0
    if first == last:
        return lines[first - 1].encode("utf-8")[start:end].decode("utf-8", "replace")
    parts = [lines[first - 1].encode("utf-8")[start:].decode("utf-8", "replace"), *lines[first:last - 1]]
    parts.append(lines[last - 1].encode("utf-8")[:end].decode("utf-8", "replace"))
    return "\n".join(parts)


def _string_tokens(lines: list[str], node: ast.expr) -> list[tuple[int, str]]:
    """(line, token) of each string token of an implicitly concatenated literal."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(segment(lines, node)).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return []
    return [(node.lineno + tok.start[0] - 1, tok.string) for tok in tokens if tok.type == tokenize.STRING]


def tokens_of(lines: list[str], node: ast.expr) -> int:
    return len(_string_tokens(lines, node))


def paths_by_token(lines: list[str], node: ast.Constant) -> list[tuple[int, str]]:
    """libcst sees each token of `"a" "b"` apart: report a path per token, at its line."""
    found: list[tuple[int, str]] = []
    for line, token in _string_tokens(lines, node):
        try:
            value = ast.literal_eval(token)
        except (ValueError, SyntaxError):
            continue
        if isinstance(value, str) and (path := local_path_in(value)):
            found.append((line, path))
    return found


def marker_lines(text: str) -> set[int]:
    """Lines where a `#` precedes a TODO-like word (a comment, or a `#` inside a string)."""
    if not _MARKER_COMMENT.search(text):
        return set()
    return {text.count("\n", 0, m.start()) + 1 for m in _MARKER_COMMENT.finditer(text)}


def find_markers(lines: list[str], marker_lines: set[int], spans: list[tuple[int, int, int, int]], text: str) -> list[tuple[int, str]]:
    """(line, marker) of each TODO/HACK-like comment: the first `#` of a line outside every string
    starts its comment. A `#` inside a string that spans lines may sit between the parts of an
    implicit concatenation (`"a"  # TODO` / `"b"`), which only the tokenizer can tell."""
    found: list[tuple[int, str]] = []
    for line in sorted(marker_lines):
        code = lines[line - 1].encode("utf-8")
        start = code.find(b"#")
        while start != -1:
            inside = [s for s in spans if (s[0], s[1]) <= (line, start) < (s[2], s[3])]
            if not inside:
                break
            if any(s[0] != s[2] for s in inside):
                return _comments(text)
            start = code.find(b"#", start + 1)
        if start == -1:
            continue
        match = MARKER.search(code[start:].decode("utf-8", "replace"))
        if match:
            found.append((line, match.group(1)))
    return found


def _comments(text: str) -> list[tuple[int, str]]:
    """(line, marker) of each TODO/HACK-like comment, by the tokenizer."""
    found: list[tuple[int, str]] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT and (match := MARKER.search(tok.string)):
                found.append((tok.start[0], match.group(1)))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return []
    return found


class Anchors:
    """`facts.anchors.StatementAnchors` on `ast`: (first line, last line, code hash) per statement.

    libcst anchors a line of simple statements as one (`a = 1; b = 2`), skips the statements of a
    one-line suite (`if x: a`), and hashes a compound statement's header up to where its block
    starts, without the comment after the colon.
    """

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.found: list[tuple[int, int, str]] = []

    def _text(self, line: int, col: int, end_line: int, end_col: int) -> str:
        """Source between two ast positions (columns in UTF-8 bytes)."""
        lines = self.lines
        if line == end_line:
            return lines[line - 1].encode("utf-8")[col:end_col].decode("utf-8", "replace") if line <= len(lines) else ""
        parts = [lines[line - 1].encode("utf-8")[col:].decode("utf-8", "replace")] if line <= len(lines) else []
        parts += lines[line:end_line - 1]
        if end_line <= len(lines):
            parts.append(lines[end_line - 1].encode("utf-8")[:end_col].decode("utf-8", "replace"))
        return "\n".join(parts)

    @staticmethod
    def _start(stmt: ast.stmt) -> tuple[int, int]:
        """Where libcst starts a statement's block position (a decorated `def`: at `def`)."""
        return stmt.lineno, stmt.col_offset

    def _suite(self, block: list[ast.stmt]) -> bool:
        """A one-line suite: the block's first statement shares its line with the header."""
        line, col = self._start(block[0])
        return bool(self.lines[line - 1].encode("utf-8")[:col].strip())

    def body(self, statements: list[ast.stmt]) -> None:
        if not statements:
            return
        suite = self._suite(statements)
        group: list[ast.stmt] = []
        for stmt in statements:
            if isinstance(stmt, _SIMPLE):
                if group and stmt.lineno != group[-1].end_lineno:
                    self._flush(group, suite)
                    group = []
                group.append(stmt)
                continue
            self._flush(group, suite)
            group = []
            if isinstance(stmt, _COMPOUND):
                self.compound(stmt)
            else:  # match, try*, type aliases: libcst nodes the anchors do not visit
                self._nested(stmt)
        self._flush(group, suite)

    def _nested(self, stmt: ast.stmt) -> None:
        for name in ("body", "orelse", "finalbody"):
            block = getattr(stmt, name, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                self.body(block)
        for handler in getattr(stmt, "handlers", ()):
            self.body(handler.body)
        for case in getattr(stmt, "cases", ()):
            self.body(case.body)

    def _flush(self, group: list[ast.stmt], suite: bool) -> None:
        if not group or suite:
            return
        first, last = group[0], group[-1]
        end_line, end_col = last.end_lineno or last.lineno, last.end_col_offset or 0
        text = self._text(first.lineno, first.col_offset, end_line, end_col)
        self.found.append((first.lineno, end_line, code_hash(text)))

    def compound(self, node: ast.stmt) -> None:
        body: list[ast.stmt] = node.body  # type: ignore[attr-defined]
        first_line, first_col = self._start(body[0])
        suite = self._suite(body)
        text = self._text(node.lineno, node.col_offset, first_line, first_col)
        if suite:
            last = first_line
        else:
            last = max(node.lineno, first_line - 1)
            if "#" in text:
                comment = _header_comment(text)
                if comment:
                    head, sep, tail = text.rpartition(comment)
                    text = head + tail
        self.found.append((node.lineno, last, code_hash(text)))
        self.body(body)
        if isinstance(node, ast.If) and node.orelse:
            orelse = node.orelse
            if len(orelse) == 1 and isinstance(orelse[0], ast.If) and _is_elif(self.lines, orelse[0]):
                self.compound(orelse[0])
            else:
                self.body(orelse)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            self.body(node.orelse)
        elif isinstance(node, ast.Try):
            for handler in node.handlers:
                self.body(handler.body)
            self.body(node.orelse)
            self.body(node.finalbody)


def _is_elif(lines: list[str], node: ast.If) -> bool:
    return lines[node.lineno - 1].encode("utf-8")[node.col_offset:].startswith(b"elif")


def _header_comment(header: str) -> str:
    """The comment after a compound statement's colon (`def f():  # why`), if any."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(header.lstrip() + "\n").readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return ""
    depth, previous = 0, ""
    for tok in tokens:
        if tok.type == tokenize.OP and tok.string in "([{":
            depth += 1
        elif tok.type == tokenize.OP and tok.string in ")]}":
            depth -= 1
        if tok.type == tokenize.COMMENT:
            if depth == 0 and previous == ":":
                return tok.string
            continue
        if tok.type in (tokenize.NL, tokenize.NEWLINE):
            previous = "\n"  # the colon's comment shares its line
        else:
            previous = tok.string if tok.type == tokenize.OP else "?"
    return ""
