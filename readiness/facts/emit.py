"""Node ranges for the common node types, computed directly instead of through libcst's codegen.

libcst's `PositionProvider` runs the codegen: every node goes through `_codegen`
(`before_codegen`, `_codegen_impl`, `after_codegen`), most expressions open a generator-based
`_parenthesize` context manager and a `record_syntactic_position` one, and every whitespace
node is a node of its own. Replaying that codegen's events (`positions._replay`) still costs
about half a libcst parse. Here each common node type has a function that walks the node's
fields in the order its `_codegen_impl` writes them and moves a position over the same tokens,
writing each node's range with libcst's rules: a syntactic range (`record_syntactic_position`)
always overwrites, the whole-node range of `after_codegen` only fills a node that has none, and
`end_node`/`start_node` take the end/start of a child's range. Each function mirrors one libcst
`_codegen_impl` (libcst 1.x: `emit_nodes.py`, `emit_more.py`, `emit_statements.py`,
`emit_compound.py`). A node type without one (`match`, `del`, `global`, type parameters, ...)
goes through libcst's own codegen, recorded and replayed from the current position and
indentation (`Emitter.fallback`). Ranges of `UNRECORDED` types are not written at all.
tests/test_positions.py compares every node of many files, generated programs and trees built
in code with libcst.

A position is one int, `line << 32 | column`; a range is `start << 64 | end`. A token without
a line break moves the position by its length.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import libcst as cst
from libcst import MaybeSentinel
from libcst._nodes.op import BaseUnaryOp, _BaseOneTokenOp, _BaseTwoTokenOp

_split = re.compile(r"\r\n?|\n").split
_DEFAULT = MaybeSentinel.DEFAULT
_SIMPLE = cst.SimpleWhitespace
_ONE_BREAK = frozenset({"\n", "\r\n", "\r"})
_END = (1 << 64) - 1


def _text(pos: int, text: str) -> int:
    """The position after `text` (a token that may hold line breaks)."""
    if "\n" in text or "\r" in text:
        segments = _split(text)
        return ((pos >> 32) + len(segments) - 1) << 32 | len(segments[-1])
    return pos + len(text)


class Emitter:
    """The state one module's walk needs: ranges by `id(node)`, the indentation (its width for
    positions, its tokens for the libcst fallback) and the module's default newline and indent."""

    __slots__ = ("out", "indents", "indent", "newline", "default_indent", "fallback")

    def __init__(self, out: dict[int, int], newline: str, default_indent: str,
                 fallback: Callable[[Emitter, cst.CSTNode, int, dict[str, Any]], int]) -> None:
        self.out = out
        self.indents: list[str] = []
        self.indent = 0
        self.newline = newline
        self.default_indent = default_indent
        self.fallback = fallback


_Handler = Callable[[Emitter, Any, int], int]


class _Handlers(dict[type, _Handler]):
    """Node type -> function; a type without one goes through libcst's codegen."""

    def __missing__(self, cls: type) -> _Handler:
        return _fallback


H = _Handlers()


def _fallback(e: Emitter, node: Any, pos: int) -> int:
    return e.fallback(e, node, pos, {})


def emit(e: Emitter, node: Any, pos: int) -> int:
    """Walk `node` from `pos`; the position after it."""
    return H[node.__class__](e, node, pos)


# -- whitespace, brackets and operators: not recorded (see `UNRECORDED`) ---------------------
def _simple_ws(e: Emitter, node: Any, pos: int) -> int:
    value = node.value
    return _text(pos, value) if "\\" in value else pos + len(value)  # a line break only after `\`


def _newline(e: Emitter, node: Any, pos: int) -> int:
    value = node.value
    return _text(pos, e.newline if value is None else value)


def _comment(e: Emitter, node: Any, pos: int) -> int:  # recorded: collectors read comments
    end = pos + len(node.value)
    e.out.setdefault(id(node), pos << 64 | end)
    return end


def _trailing(e: Emitter, node: Any, pos: int) -> int:
    value = node.whitespace.value
    pos = _text(pos, value) if "\\" in value else pos + len(value)
    if node.comment is not None:
        pos = _comment(e, node.comment, pos)
    value = node.newline.value
    if value is None:
        value = e.newline
    return ((pos >> 32) + 1) << 32 if value in _ONE_BREAK else _text(pos, value)


def _empty_line(e: Emitter, node: Any, pos: int) -> int:
    if node.indent:
        pos += e.indent
    return _trailing(e, node, pos)  # the same fields: whitespace, comment, newline


def _paren_ws(e: Emitter, node: Any, pos: int) -> int:
    pos = _trailing(e, node.first_line, pos)
    for line in node.empty_lines:
        pos = _empty_line(e, line, pos)
    if node.indent:
        pos += e.indent
    return _simple_ws(e, node.last_line, pos)


def _bracket_open(e: Emitter, node: Any, pos: int) -> int:  # [ {
    ws = node.whitespace_after
    return H[ws.__class__](e, ws, pos + 1)


def _bracket_close(e: Emitter, node: Any, pos: int) -> int:  # ] }
    ws = node.whitespace_before
    return H[ws.__class__](e, ws, pos) + 1


def _op(e: Emitter, node: Any, pos: int) -> int:  # one token: , . = : ; + == and ...
    ws = node.whitespace_before
    if ws.__class__ is _SIMPLE:
        value = ws.value
        pos = _text(pos, value) if "\\" in value else pos + len(value)
    else:
        pos = H[ws.__class__](e, ws, pos)
    pos += len(node._get_token())
    ws = node.whitespace_after
    if ws.__class__ is _SIMPLE:
        value = ws.value
        return _text(pos, value) if "\\" in value else pos + len(value)
    return H[ws.__class__](e, ws, pos)


def _op2(e: Emitter, node: Any, pos: int) -> int:  # two tokens: not in, is not
    first, second = node._get_tokens()
    ws = node.whitespace_before
    pos = H[ws.__class__](e, ws, pos) + len(first)
    ws = node.whitespace_between
    pos = H[ws.__class__](e, ws, pos) + len(second)
    ws = node.whitespace_after
    return H[ws.__class__](e, ws, pos)


def _unary_op(e: Emitter, node: Any, pos: int) -> int:  # not - + ~
    ws = node.whitespace_after
    return H[ws.__class__](e, ws, pos + len(node._get_token()))


# -- parentheses: recorded (an `ImportFrom` ends at its `)`) ------------------------------------
def _paren_open(e: Emitter, node: Any, pos: int) -> int:
    start = pos
    ws = node.whitespace_after
    pos = H[ws.__class__](e, ws, pos + 1)
    e.out.setdefault(id(node), start << 64 | pos)
    return pos


def _paren_close(e: Emitter, node: Any, pos: int) -> int:
    start = pos
    ws = node.whitespace_before
    pos = H[ws.__class__](e, ws, pos) + 1
    e.out.setdefault(id(node), start << 64 | pos)
    return pos


def _comma(e: Emitter, node: Any, pos: int, default: bool, spaced: bool = True) -> int:
    """An item's comma: its own, or the default one libcst writes between items."""
    comma = node.comma
    if comma is _DEFAULT:
        return pos + (2 if spaced else 1) if default else pos
    if comma.__class__ is cst.Comma:
        return _op(e, comma, pos)
    return pos


def _semicolon(e: Emitter, node: Any, pos: int, default: bool) -> int:
    semicolon = node.semicolon
    if semicolon is _DEFAULT:
        return pos + 2 if default else pos
    if semicolon.__class__ is cst.Semicolon:
        return _op(e, semicolon, pos)
    return pos


def _equal(e: Emitter, equal: Any, pos: int, implied: bool) -> int:
    """`=` of a keyword argument or a default: its own, or libcst's ` = ` when implied."""
    if equal is _DEFAULT:
        return pos + 3 if implied else pos
    if equal.__class__ is cst.AssignEqual:
        return _op(e, equal, pos)
    return pos


def _register() -> None:
    for name in cst.__all__:
        cls = getattr(cst, name)
        if not isinstance(cls, type):
            continue
        impl = getattr(cls, "_codegen_impl", None)
        if issubclass(cls, _BaseOneTokenOp) and impl is _BaseOneTokenOp._codegen_impl:
            H[cls] = _op
        elif issubclass(cls, _BaseTwoTokenOp) and impl is _BaseTwoTokenOp._codegen_impl:
            H[cls] = _op2
        elif issubclass(cls, BaseUnaryOp) and impl is BaseUnaryOp._codegen_impl:
            H[cls] = _unary_op


_register()
H.update({
    cst.SimpleWhitespace: _simple_ws, cst.Newline: _newline, cst.Comment: _comment,
    cst.TrailingWhitespace: _trailing, cst.EmptyLine: _empty_line, cst.ParenthesizedWhitespace: _paren_ws,
    cst.LeftParen: _paren_open, cst.LeftSquareBracket: _bracket_open, cst.LeftCurlyBrace: _bracket_open,
    cst.RightParen: _paren_close, cst.RightSquareBracket: _bracket_close, cst.RightCurlyBrace: _bracket_close,
})

#: Node types whose ranges `emit` does not record: whitespace, brackets and operators, about
#: two thirds of all nodes, which no collector asks about. `Positions` answers for them from
#: libcst's whole codegen, computed only if one is asked for.
UNRECORDED = frozenset(
    {cst.SimpleWhitespace, cst.Newline, cst.TrailingWhitespace, cst.EmptyLine, cst.ParenthesizedWhitespace,
     cst.LeftSquareBracket, cst.LeftCurlyBrace, cst.RightSquareBracket, cst.RightCurlyBrace}
    | {cls for cls, handler in H.items() if handler in (_op, _op2, _unary_op)}
)
