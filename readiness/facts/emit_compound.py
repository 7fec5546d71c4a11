"""Range functions for classes, parameters, branches, loops, `with`, `try` and the module.

Each mirrors the `_codegen_impl` of its libcst node type (see `emit.py` for the rules).
"""
from __future__ import annotations

from typing import Any

import libcst as cst

from readiness.facts.emit import _DEFAULT, _END, H, Emitter, _comma, _empty_line, _equal, _text
from readiness.facts.emit_nodes import _arg
from readiness.facts.emit_statements import _annotation, _as_name, _asynchronous, _decorated, _header, _walk


def _ends_with(e: Emitter, node: Any, start: int, end_node: Any) -> None:
    e.out[id(node)] = start << 64 | (e.out[id(end_node)] & _END)


def _class(e: Emitter, node: Any, pos: int) -> int:
    pos = _decorated(e, node, pos)
    start = pos
    pos = _walk(e, pos + 5, node.whitespace_after_class, node.name, node.whitespace_after_name)
    if node.type_parameters is not None:
        pos = _walk(e, pos, node.type_parameters)
    pos = _walk(e, pos, node.whitespace_after_type_parameters)
    has_args = bool(node.bases or node.keywords)
    if node.lpar is _DEFAULT:
        pos += 1 if has_args else 0
    elif isinstance(node.lpar, cst.LeftParen):
        pos = _walk(e, pos, node.lpar)
    args = [*node.bases, *node.keywords]
    last = len(args) - 1
    for i, arg in enumerate(args):
        pos = _arg(e, arg, pos, i != last)
    if node.rpar is _DEFAULT:
        pos += 1 if has_args else 0
    elif isinstance(node.rpar, cst.RightParen):
        pos = _walk(e, pos, node.rpar)
    pos = _walk(e, pos, node.whitespace_before_colon) + 1
    pos = _walk(e, pos, node.body)
    _ends_with(e, node, start, node.body)
    return pos


def _param(e: Emitter, node: Any, pos: int, default_star: str, default_comma: bool) -> int:
    start = pos
    star = default_star if node.star is _DEFAULT else node.star
    if isinstance(star, str):
        pos += len(star)
    pos = _walk(e, pos, node.whitespace_after_star, node.name)
    e.out[id(node)] = start << 64 | pos
    if node.annotation is not None:
        pos = _annotation(e, node.annotation, pos, ":")
    default = node.default
    pos = _equal(e, node.equal, pos, default is not None)
    if default is not None:
        pos = H[default.__class__](e, default, pos)
    pos = _comma(e, node, pos, default_comma)
    return _walk(e, pos, node.whitespace_after_param)


def _parameters(e: Emitter, node: Any, pos: int) -> int:
    start = pos
    star_arg, kwonly, star_kwarg, posonly = node.star_arg, node.kwonly_params, node.star_kwarg, node.posonly_params
    if star_arg is _DEFAULT:
        star_included = len(kwonly) > 0
    else:
        star_included = isinstance(star_arg, (cst.Param, cst.ParamStar))
    for param in posonly:
        pos = _param(e, param, pos, "", True)
    more = star_included or len(node.params) > 0 or len(kwonly) > 0 or star_kwarg is not None
    if isinstance(node.posonly_ind, cst.ParamSlash):
        pos = e.fallback(e, node.posonly_ind, pos, {"default_comma": more})
    elif len(posonly) > 0:
        pos += 3 if more else 1  # "/, " or "/"
    last = len(node.params) - 1
    more = star_included or len(kwonly) > 0 or star_kwarg is not None
    for i, param in enumerate(node.params):
        pos = _param(e, param, pos, "", i < last or more)
    if star_arg is _DEFAULT:
        pos += 3 if star_included else 0  # "*, "
    elif isinstance(star_arg, cst.Param):
        pos = _param(e, star_arg, pos, "*", len(kwonly) > 0 or star_kwarg is not None)
    elif isinstance(star_arg, cst.ParamStar):
        pos = e.fallback(e, star_arg, pos, {})
    last = len(kwonly) - 1
    for i, param in enumerate(kwonly):
        pos = _param(e, param, pos, "", i < last or star_kwarg is not None)
    if star_kwarg is not None:
        pos = _param(e, star_kwarg, pos, "**", False)
    e.out.setdefault(id(node), start << 64 | pos)
    return pos


def _if(e: Emitter, node: Any, pos: int, is_elif: bool = False) -> int:
    pos = _header(e, node, pos)
    start = pos
    pos = _walk(e, pos + (4 if is_elif else 2), node.whitespace_before_test, node.test, node.whitespace_after_test) + 1
    pos = _walk(e, pos, node.body)
    orelse = node.orelse
    if isinstance(orelse, cst.If):
        pos = _if(e, orelse, pos, True)
    elif orelse is not None:
        pos = _walk(e, pos, orelse)
    _ends_with(e, node, start, node.body if orelse is None else orelse)
    return pos


def _keyword_block(e: Emitter, node: Any, pos: int) -> int:  # else, finally
    pos = _header(e, node, pos)
    start = pos
    pos = _walk(e, pos + (4 if node.__class__ is cst.Else else 7), node.whitespace_before_colon) + 1
    pos = _walk(e, pos, node.body)
    _ends_with(e, node, start, node.body)
    return pos


def _for(e: Emitter, node: Any, pos: int) -> int:
    pos = _header(e, node, pos)
    start = pos
    if node.asynchronous is not None:
        pos = _asynchronous(e, node.asynchronous, pos)
    pos = _walk(e, pos + 3, node.whitespace_after_for, node.target, node.whitespace_before_in) + 2
    pos = _walk(e, pos, node.whitespace_after_in, node.iter, node.whitespace_before_colon) + 1
    pos = _walk(e, pos, node.body)
    if node.orelse is not None:
        pos = _walk(e, pos, node.orelse)
    _ends_with(e, node, start, node.body if node.orelse is None else node.orelse)
    return pos


def _while(e: Emitter, node: Any, pos: int) -> int:
    pos = _header(e, node, pos)
    start = pos
    pos = _walk(e, pos + 5, node.whitespace_after_while, node.test, node.whitespace_before_colon) + 1
    pos = _walk(e, pos, node.body)
    if node.orelse is not None:
        pos = _walk(e, pos, node.orelse)
    _ends_with(e, node, start, node.body if node.orelse is None else node.orelse)
    return pos


_LINE_WHITESPACE = (cst.EmptyLine, cst.TrailingWhitespace, cst.ParenthesizedWhitespace)


def _with(e: Emitter, node: Any, pos: int) -> int:
    pos = _header(e, node, pos)
    needs_paren = any(
        isinstance(item.comma, cst.Comma) and isinstance(item.comma.whitespace_after, _LINE_WHITESPACE)
        for item in node.items
    )
    start = pos
    if node.asynchronous is not None:
        pos = _asynchronous(e, node.asynchronous, pos)
    pos = _walk(e, pos + 4, node.whitespace_after_with)
    if isinstance(node.lpar, cst.LeftParen):
        pos = _walk(e, pos, node.lpar)
    elif needs_paren:
        pos += 1
    out = e.out
    last = len(node.items) - 1
    for i, item in enumerate(node.items):
        item_start = pos
        pos = _walk(e, pos, item.item)
        if item.asname is not None:
            pos = _as_name(e, item.asname, pos)
        out[id(item)] = item_start << 64 | pos
        pos = _comma(e, item, pos, i != last)
    if isinstance(node.rpar, cst.RightParen):
        pos = _walk(e, pos, node.rpar)
    elif needs_paren:
        pos += 1
    pos = _walk(e, pos, node.whitespace_before_colon) + 1
    pos = _walk(e, pos, node.body)
    _ends_with(e, node, start, node.body)
    return pos


def _try(e: Emitter, node: Any, pos: int) -> int:
    pos = _header(e, node, pos)
    end_node = node.handlers[-1] if node.handlers else node.body
    end_node = end_node if node.orelse is None else node.orelse
    end_node = end_node if node.finalbody is None else node.finalbody
    start = pos
    pos = _walk(e, pos + 3, node.whitespace_before_colon) + 1
    pos = _walk(e, pos, node.body, *node.handlers)
    if node.orelse is not None:
        pos = _walk(e, pos, node.orelse)
    if node.finalbody is not None:
        pos = _walk(e, pos, node.finalbody)
    _ends_with(e, node, start, end_node)
    return pos


def _except(e: Emitter, node: Any, pos: int) -> int:
    pos = _header(e, node, pos)
    start = pos
    pos = _walk(e, pos + 6, node.whitespace_after_except)
    if node.type is not None:
        pos = _walk(e, pos, node.type)
    if node.name is not None:
        pos = _as_name(e, node.name, pos)
    pos = _walk(e, pos, node.whitespace_before_colon) + 1
    pos = _walk(e, pos, node.body)
    _ends_with(e, node, start, node.body)
    return pos


def _module(e: Emitter, node: Any, pos: int) -> int:
    start = pos
    for line in node.header:
        pos = _empty_line(e, line, pos)
    for statement in node.body:
        pos = H[statement.__class__](e, statement, pos)
    for line in node.footer:
        pos = _empty_line(e, line, pos)
    if node.has_trailing_newline and not (node.header or node.body or node.footer):
        pos = _text(pos, e.newline)  # libcst writes one newline when it has written no token
    e.out.setdefault(id(node), start << 64 | pos)
    return pos


H.update({
    cst.ClassDef: _class, cst.Parameters: _parameters, cst.If: _if, cst.Else: _keyword_block,
    cst.Finally: _keyword_block, cst.For: _for, cst.While: _while, cst.With: _with, cst.Try: _try,
    cst.ExceptHandler: _except, cst.Module: _module,
})
