"""Range functions for f-strings, comprehensions, lambdas, slices, `yield` and the
`assert`, `raise` and `from ... import` statements (see `emit.py` for the rules).

Less common than the node types of `emit_nodes.py`, but each is the root of a subtree that
would otherwise go through libcst's codegen whole. Each mirrors its libcst `_codegen_impl`.
"""
from __future__ import annotations

from typing import Any

import libcst as cst

from readiness.facts.emit import _DEFAULT, _END, H, Emitter, _semicolon, _text
from readiness.facts.emit_nodes import _lpar, _rpar
from readiness.facts.emit_statements import SMALL, _aliases, _asynchronous, _walk


def _formatted_string(e: Emitter, node: Any, pos: int) -> int:
    if node.lpar:
        pos = _lpar(e, node, pos)
    start = pos
    pos += len(node.start)
    pos = _parts(e, node.parts, pos)
    pos += len(node.end)
    e.out[id(node)] = start << 64 | pos
    return _rpar(e, node, pos) if node.rpar else pos


def _parts(e: Emitter, parts: Any, pos: int) -> int:
    out = e.out
    for part in parts:
        if part.__class__ is cst.FormattedStringText:
            end = _text(pos, part.value)
            out.setdefault(id(part), pos << 64 | end)
            pos = end
        else:
            pos = H[part.__class__](e, part, pos)
    return pos


def _formatted_expression(e: Emitter, node: Any, pos: int) -> int:
    start = pos
    pos = _walk(e, pos + 1, node.whitespace_before_expression, node.expression)
    if node.equal is not None:
        pos = _walk(e, pos, node.equal)
    pos = _walk(e, pos, node.whitespace_after_expression)
    if node.conversion is not None:
        pos += 1 + len(node.conversion)
    if node.format_spec is not None:
        pos = _parts(e, node.format_spec, pos + 1)
    pos += 1
    e.out.setdefault(id(node), start << 64 | pos)
    return pos


def _if_exp(e: Emitter, node: Any, pos: int) -> int:
    if node.lpar:
        pos = _lpar(e, node, pos)
    start = pos
    pos = _walk(e, pos, node.body, node.whitespace_before_if) + 2
    pos = _walk(e, pos, node.whitespace_after_if, node.test, node.whitespace_before_else) + 4
    pos = _walk(e, pos, node.whitespace_after_else, node.orelse)
    e.out[id(node)] = start << 64 | pos
    return _rpar(e, node, pos) if node.rpar else pos


def _comprehension(e: Emitter, node: Any, pos: int) -> int:  # ListComp, SetComp, DictComp, GeneratorExp
    if node.lpar:
        pos = _lpar(e, node, pos)
    start = pos
    cls = node.__class__
    closer = None
    if cls is cst.ListComp:
        pos, closer = _walk(e, pos, node.lbracket), node.rbracket
    elif cls is not cst.GeneratorExp:
        pos, closer = _walk(e, pos, node.lbrace), node.rbrace
    if cls is cst.DictComp:
        pos = _walk(e, pos, node.key, node.whitespace_before_colon) + 1
        pos = _walk(e, pos, node.whitespace_after_colon, node.value)
    else:
        pos = _walk(e, pos, node.elt)
    pos = _comp_for(e, node.for_in, pos)
    if closer is not None:
        pos = _walk(e, pos, closer)
    e.out[id(node)] = start << 64 | pos
    return _rpar(e, node, pos) if node.rpar else pos


def _comp_for(e: Emitter, node: Any, pos: int) -> int:
    start = pos
    pos = _walk(e, pos, node.whitespace_before)
    if node.asynchronous is not None:
        pos = _asynchronous(e, node.asynchronous, pos)
    pos = _walk(e, pos + 3, node.whitespace_after_for, node.target, node.whitespace_before_in) + 2
    pos = _walk(e, pos, node.whitespace_after_in, node.iter)
    out = e.out
    for clause in node.ifs:
        clause_start = pos
        pos = _walk(e, pos, clause.whitespace_before) + 2
        pos = _walk(e, pos, clause.whitespace_before_test, clause.test)
        out.setdefault(id(clause), clause_start << 64 | pos)
    if node.inner_for_in is not None:
        pos = _comp_for(e, node.inner_for_in, pos)
    out.setdefault(id(node), start << 64 | pos)
    return pos


def _lambda(e: Emitter, node: Any, pos: int) -> int:
    if node.lpar:
        pos = _lpar(e, node, pos)
    start = pos
    pos += 6
    ws = node.whitespace_after_lambda
    if ws is _DEFAULT:
        params = node.params
        if not (len(params.posonly_params) == 0 and len(params.params) == 0 and not isinstance(params.star_arg, cst.Param)
                and len(params.kwonly_params) == 0 and params.star_kwarg is None):
            pos += 1
    else:
        pos = _walk(e, pos, ws)
    pos = _walk(e, pos, node.params, node.colon, node.body)
    e.out[id(node)] = start << 64 | pos
    return _rpar(e, node, pos) if node.rpar else pos


def _slice(e: Emitter, node: Any, pos: int) -> int:
    start = pos
    if node.lower is not None:
        pos = _walk(e, pos, node.lower)
    pos = _walk(e, pos, node.first_colon)
    if node.upper is not None:
        pos = _walk(e, pos, node.upper)
    if node.second_colon is _DEFAULT:
        pos += 1 if node.step is not None else 0
    elif isinstance(node.second_colon, cst.Colon):
        pos = _walk(e, pos, node.second_colon)
    if node.step is not None:
        pos = _walk(e, pos, node.step)
    e.out.setdefault(id(node), start << 64 | pos)
    return pos


def _from(e: Emitter, node: Any, pos: int, default_space: str) -> int:
    ws = node.whitespace_before_from
    pos = pos + len(default_space) if ws is _DEFAULT else _walk(e, pos, ws)
    start = pos
    pos = _walk(e, pos + 4, node.whitespace_after_from, node.item)
    e.out[id(node)] = start << 64 | pos
    return pos


def _yield(e: Emitter, node: Any, pos: int) -> int:
    if node.lpar:
        pos = _lpar(e, node, pos)
    start = pos
    pos += 5
    ws, value = node.whitespace_after_yield, node.value
    if ws is _DEFAULT:
        pos += 1 if value is not None else 0
    else:
        pos = _walk(e, pos, ws)
    if isinstance(value, cst.From):
        pos = _from(e, value, pos, "")
    elif value is not None:
        pos = _walk(e, pos, value)
    e.out[id(node)] = start << 64 | pos
    return _rpar(e, node, pos) if node.rpar else pos


# -- small statements: (e, node, pos, default_semicolon) ----------------------------------------
def _assert(e: Emitter, node: Any, pos: int, semi: bool) -> int:
    start = pos
    pos = _walk(e, pos + 6, node.whitespace_after_assert, node.test)
    if node.comma is _DEFAULT:
        pos += 2 if node.msg is not None else 0
    else:
        pos = _walk(e, pos, node.comma)
    if node.msg is not None:
        pos = _walk(e, pos, node.msg)
    e.out[id(node)] = start << 64 | pos
    return _semicolon(e, node, pos, semi)


def _raise(e: Emitter, node: Any, pos: int, semi: bool) -> int:
    start = pos
    pos += 5
    ws, exc = node.whitespace_after_raise, node.exc
    if ws is _DEFAULT:
        pos += 1 if exc is not None else 0
    else:
        pos = _walk(e, pos, ws)
    if exc is not None:
        pos = _walk(e, pos, exc)
    if node.cause is not None:
        pos = _from(e, node.cause, pos, " ")
    e.out[id(node)] = start << 64 | pos
    return _semicolon(e, node, pos, semi)


def _import_from(e: Emitter, node: Any, pos: int, semi: bool) -> int:
    names = node.names
    star = isinstance(names, cst.ImportStar)
    end_node = names if star else names[-1]
    end_node = end_node if node.rpar is None else node.rpar
    start = pos
    pos = _walk(e, pos + 4, node.whitespace_after_from, *node.relative)
    if node.module is not None:
        pos = _walk(e, pos, node.module)
    pos = _walk(e, pos, node.whitespace_before_import) + 6
    pos = _walk(e, pos, node.whitespace_after_import)
    if node.lpar is not None:
        pos = _walk(e, pos, node.lpar)
    if star:
        e.out.setdefault(id(names), pos << 64 | (pos + 1))
        pos += 1
    else:
        pos = _aliases(e, names, pos)
    if node.rpar is not None:
        pos = _walk(e, pos, node.rpar)
    e.out[id(node)] = start << 64 | (e.out[id(end_node)] & _END)
    return _semicolon(e, node, pos, semi)


SMALL.update({cst.Assert: _assert, cst.Raise: _raise, cst.ImportFrom: _import_from})
H.update({
    cst.FormattedString: _formatted_string, cst.FormattedStringExpression: _formatted_expression,
    cst.IfExp: _if_exp, cst.ListComp: _comprehension, cst.SetComp: _comprehension,
    cst.DictComp: _comprehension, cst.GeneratorExp: _comprehension, cst.CompFor: _comp_for,
    cst.Lambda: _lambda, cst.Slice: _slice, cst.Yield: _yield, cst.Asynchronous: _asynchronous,
})
