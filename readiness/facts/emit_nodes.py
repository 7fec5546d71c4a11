"""Range functions for the common expression nodes (see `emit.py` for the rules they follow).

Each mirrors the `_codegen_impl` of its libcst node type: the same fields in the same order,
the same tokens (including the defaults libcst writes for `MaybeSentinel.DEFAULT`), and the
same syntactic range. Parenthesised expressions (libcst's `_parenthesize`) take their range
inside their parentheses.
"""
from __future__ import annotations

from typing import Any

import libcst as cst

from readiness.facts.emit import H, Emitter, _comma, _equal, _text

def _lpar(e: Emitter, node: Any, pos: int) -> int:
    for paren in node.lpar:
        pos = H[paren.__class__](e, paren, pos)
    return pos


def _rpar(e: Emitter, node: Any, pos: int) -> int:
    for paren in node.rpar:
        pos = H[paren.__class__](e, paren, pos)
    return pos


def _token(e: Emitter, node: Any, pos: int) -> int:  # Name, Integer, Float, Imaginary
    if node.lpar:
        pos = _lpar(e, node, pos)
    end = pos + len(node.value)
    e.out[id(node)] = pos << 64 | end
    return _rpar(e, node, end) if node.rpar else end


def _string(e: Emitter, node: Any, pos: int) -> int:  # SimpleString (may span lines)
    if node.lpar:
        pos = _lpar(e, node, pos)
    end = _text(pos, node.value)
    e.out[id(node)] = pos << 64 | end
    return _rpar(e, node, end) if node.rpar else end


def _ellipsis(e: Emitter, node: Any, pos: int) -> int:
    if node.lpar:
        pos = _lpar(e, node, pos)
    end = pos + 3
    e.out[id(node)] = pos << 64 | end
    return _rpar(e, node, end) if node.rpar else end


def _attribute(e: Emitter, node: Any, pos: int) -> int:
    if node.lpar:
        pos = _lpar(e, node, pos)
    start = pos
    value = node.value
    pos = H[value.__class__](e, value, pos)
    dot = node.dot
    pos = H[dot.__class__](e, dot, pos)
    pos = _token(e, node.attr, pos)
    e.out[id(node)] = start << 64 | pos
    return _rpar(e, node, pos) if node.rpar else pos


def _arg(e: Emitter, node: Any, pos: int, default_comma: bool) -> int:
    start = pos
    pos += len(node.star)
    ws = node.whitespace_after_star
    pos = H[ws.__class__](e, ws, pos)
    keyword = node.keyword
    if keyword is not None:
        pos = _token(e, keyword, pos)
    pos = _equal(e, node.equal, pos, keyword is not None)
    value = node.value
    pos = H[value.__class__](e, value, pos)
    e.out[id(node)] = start << 64 | pos
    pos = _comma(e, node, pos, default_comma)
    ws = node.whitespace_after_arg
    return H[ws.__class__](e, ws, pos)


def _call(e: Emitter, node: Any, pos: int) -> int:
    if node.lpar:
        pos = _lpar(e, node, pos)
    start = pos
    func = node.func
    pos = H[func.__class__](e, func, pos)
    ws = node.whitespace_after_func
    pos = H[ws.__class__](e, ws, pos) + 1
    ws = node.whitespace_before_args
    pos = H[ws.__class__](e, ws, pos)
    args = node.args
    last = len(args) - 1
    for i, arg in enumerate(args):
        pos = _arg(e, arg, pos, i != last)
    pos += 1
    e.out[id(node)] = start << 64 | pos
    return _rpar(e, node, pos) if node.rpar else pos


def _index(e: Emitter, node: Any, pos: int) -> int:
    start = pos
    if node.star is not None:
        pos += len(node.star)
    ws = node.whitespace_after_star
    if ws is not None:
        pos = H[ws.__class__](e, ws, pos)
    value = node.value
    pos = H[value.__class__](e, value, pos)
    e.out.setdefault(id(node), start << 64 | pos)
    return pos


def _subscript(e: Emitter, node: Any, pos: int) -> int:
    if node.lpar:
        pos = _lpar(e, node, pos)
    start = pos
    value = node.value
    pos = H[value.__class__](e, value, pos)
    ws = node.whitespace_after_value
    pos = H[ws.__class__](e, ws, pos)
    pos = H[node.lbracket.__class__](e, node.lbracket, pos)
    elements = node.slice
    last = len(elements) - 1
    out = e.out
    for i, element in enumerate(elements):
        item_start = pos
        inner = element.slice
        pos = H[inner.__class__](e, inner, pos)
        out[id(element)] = item_start << 64 | pos
        pos = _comma(e, element, pos, i != last)
    pos = H[node.rbracket.__class__](e, node.rbracket, pos)
    out[id(node)] = start << 64 | pos
    return _rpar(e, node, pos) if node.rpar else pos


def _elements(e: Emitter, elements: Any, pos: int, single_tuple: bool) -> int:
    """List, tuple, set and dict items, with libcst's default commas."""
    last = len(elements) - 1
    out = e.out
    for i, element in enumerate(elements):
        default, spaced = (True, False) if single_tuple else (i < last, True)
        cls = element.__class__
        start = pos
        if cls is cst.Element:
            value = element.value
            pos = H[value.__class__](e, value, pos)
        elif cls is cst.DictElement:
            key = element.key
            pos = H[key.__class__](e, key, pos)
            ws = element.whitespace_before_colon
            pos = H[ws.__class__](e, ws, pos) + 1
            ws = element.whitespace_after_colon
            pos = H[ws.__class__](e, ws, pos)
            value = element.value
            pos = H[value.__class__](e, value, pos)
        else:
            pos = _starred(e, element, pos, default, spaced)
            continue
        out[id(element)] = start << 64 | pos
        pos = _comma(e, element, pos, default, spaced)
    return pos


def _starred(e: Emitter, node: Any, pos: int, default_comma: bool, spaced: bool) -> int:
    """A `*value` list item or a `**value` dict item, with its comma."""
    if node.__class__ is cst.StarredElement:
        if node.lpar:
            pos = _lpar(e, node, pos)
        start = pos
        ws = node.whitespace_before_value
        pos = H[ws.__class__](e, ws, pos + 1)
        pos = H[node.value.__class__](e, node.value, pos)
        e.out[id(node)] = start << 64 | pos
        if node.rpar:
            pos = _rpar(e, node, pos)
    elif node.__class__ is cst.StarredDictElement:
        start = pos
        ws = node.whitespace_before_value
        pos = H[ws.__class__](e, ws, pos + 2)
        pos = H[node.value.__class__](e, node.value, pos)
        e.out[id(node)] = start << 64 | pos
    else:
        return e.fallback(e, node, pos, {"default_comma": default_comma, "default_comma_whitespace": spaced})
    return _comma(e, node, pos, default_comma, spaced)


def _collection(e: Emitter, node: Any, pos: int) -> int:  # List, Set, Dict
    if node.lpar:
        pos = _lpar(e, node, pos)
    start = pos
    cls = node.__class__
    opener, closer = (node.lbracket, node.rbracket) if cls is cst.List else (node.lbrace, node.rbrace)
    pos = H[opener.__class__](e, opener, pos)
    pos = _elements(e, node.elements, pos, False)
    pos = H[closer.__class__](e, closer, pos)
    e.out[id(node)] = start << 64 | pos
    return _rpar(e, node, pos) if node.rpar else pos


def _tuple(e: Emitter, node: Any, pos: int) -> int:
    if node.lpar:
        pos = _lpar(e, node, pos)
    start = pos
    pos = _elements(e, node.elements, pos, len(node.elements) == 1)
    e.out[id(node)] = start << 64 | pos
    return _rpar(e, node, pos) if node.rpar else pos


def _comparison(e: Emitter, node: Any, pos: int) -> int:
    if node.lpar:
        pos = _lpar(e, node, pos)
    start = pos
    left = node.left
    pos = H[left.__class__](e, left, pos)
    out = e.out
    for target in node.comparisons:
        target_start = pos
        operator = target.operator
        pos = H[operator.__class__](e, operator, pos)
        comparator = target.comparator
        pos = H[comparator.__class__](e, comparator, pos)
        out.setdefault(id(target), target_start << 64 | pos)
    out[id(node)] = start << 64 | pos
    return _rpar(e, node, pos) if node.rpar else pos


def _binary(e: Emitter, node: Any, pos: int) -> int:  # BinaryOperation, BooleanOperation
    if node.lpar:
        pos = _lpar(e, node, pos)
    start = pos
    left = node.left
    pos = H[left.__class__](e, left, pos)
    operator = node.operator
    pos = H[operator.__class__](e, operator, pos)
    right = node.right
    pos = H[right.__class__](e, right, pos)
    e.out[id(node)] = start << 64 | pos
    return _rpar(e, node, pos) if node.rpar else pos


def _unary(e: Emitter, node: Any, pos: int) -> int:
    if node.lpar:
        pos = _lpar(e, node, pos)
    start = pos
    operator = node.operator
    pos = H[operator.__class__](e, operator, pos)
    expression = node.expression
    pos = H[expression.__class__](e, expression, pos)
    e.out[id(node)] = start << 64 | pos
    return _rpar(e, node, pos) if node.rpar else pos


def _await(e: Emitter, node: Any, pos: int) -> int:
    if node.lpar:
        pos = _lpar(e, node, pos)
    start = pos
    ws = node.whitespace_after_await
    pos = H[ws.__class__](e, ws, pos + 5)
    expression = node.expression
    pos = H[expression.__class__](e, expression, pos)
    e.out[id(node)] = start << 64 | pos
    return _rpar(e, node, pos) if node.rpar else pos


def _concatenated(e: Emitter, node: Any, pos: int) -> int:
    if node.lpar:
        pos = _lpar(e, node, pos)
    start = pos
    left = node.left
    pos = H[left.__class__](e, left, pos)
    ws = node.whitespace_between
    pos = H[ws.__class__](e, ws, pos)
    right = node.right
    pos = H[right.__class__](e, right, pos)
    e.out[id(node)] = start << 64 | pos
    return _rpar(e, node, pos) if node.rpar else pos


H.update({
    cst.Name: _token, cst.Integer: _token, cst.Float: _token, cst.Imaginary: _token,
    cst.SimpleString: _string, cst.Ellipsis: _ellipsis, cst.Attribute: _attribute, cst.Call: _call,
    cst.Index: _index, cst.Subscript: _subscript, cst.List: _collection, cst.Set: _collection,
    cst.Dict: _collection, cst.Tuple: _tuple, cst.Comparison: _comparison,
    cst.BinaryOperation: _binary, cst.BooleanOperation: _binary, cst.UnaryOperation: _unary,
    cst.Await: _await, cst.ConcatenatedString: _concatenated,
})
