"""Range functions for the module and the common statements (see `emit.py` for the rules).

Each mirrors the `_codegen_impl` of its libcst node type. A compound statement's range starts
after its leading lines, decorators and indentation and ends where its last block ends
(`end_node`); an indented block's range runs from its first statement's start to its last
statement's end (`start_node`/`end_node`), so its header line and footer are outside it.
"""
from __future__ import annotations

from typing import Any

import libcst as cst

from readiness.facts.emit import _DEFAULT, _END, H, Emitter, _comma, _empty_line, _equal, _semicolon, _text, _trailing


def _annotation(e: Emitter, node: Any, pos: int, indicator: str) -> int:
    ws = node.whitespace_before_indicator
    if ws is _DEFAULT:
        if indicator == "->":
            pos += 1
    else:
        pos = H[ws.__class__](e, ws, pos)
    ws = node.whitespace_after_indicator
    pos = H[ws.__class__](e, ws, pos + len(indicator))
    start = pos
    annotation = node.annotation
    pos = H[annotation.__class__](e, annotation, pos)
    e.out[id(node)] = start << 64 | pos
    return pos


# -- small statements: (e, node, pos, default_semicolon) ----------------------------------------
def _expr(e: Emitter, node: Any, pos: int, semi: bool) -> int:
    start = pos
    value = node.value
    pos = H[value.__class__](e, value, pos)
    e.out[id(node)] = start << 64 | pos
    return _semicolon(e, node, pos, semi)


def _assign(e: Emitter, node: Any, pos: int, semi: bool) -> int:
    start = pos
    out = e.out
    for target in node.targets:
        target_start = pos
        inner = target.target
        pos = H[inner.__class__](e, inner, pos)
        out[id(target)] = target_start << 64 | pos
        ws = target.whitespace_before_equal
        pos = H[ws.__class__](e, ws, pos) + 1
        ws = target.whitespace_after_equal
        pos = H[ws.__class__](e, ws, pos)
    value = node.value
    pos = H[value.__class__](e, value, pos)
    out[id(node)] = start << 64 | pos
    return _semicolon(e, node, pos, semi)


def _ann_assign(e: Emitter, node: Any, pos: int, semi: bool) -> int:
    start = pos
    target = node.target
    pos = H[target.__class__](e, target, pos)
    pos = _annotation(e, node.annotation, pos, ":")
    value = node.value
    pos = _equal(e, node.equal, pos, value is not None)
    if value is not None:
        pos = H[value.__class__](e, value, pos)
    e.out[id(node)] = start << 64 | pos
    return _semicolon(e, node, pos, semi)


def _aug_assign(e: Emitter, node: Any, pos: int, semi: bool) -> int:
    start = pos
    for child in (node.target, node.operator, node.value):
        pos = H[child.__class__](e, child, pos)
    e.out[id(node)] = start << 64 | pos
    return _semicolon(e, node, pos, semi)


def _return(e: Emitter, node: Any, pos: int, semi: bool) -> int:
    start = pos
    pos += 6
    ws = node.whitespace_after_return
    value = node.value
    if ws is _DEFAULT:
        if value is not None:
            pos += 1
    else:
        pos = H[ws.__class__](e, ws, pos)
    if value is not None:
        pos = H[value.__class__](e, value, pos)
    e.out[id(node)] = start << 64 | pos
    return _semicolon(e, node, pos, semi)


def _keyword(e: Emitter, node: Any, pos: int, semi: bool) -> int:  # pass, break, continue
    end = pos + len(_KEYWORDS[node.__class__])
    e.out[id(node)] = pos << 64 | end
    return _semicolon(e, node, end, semi)


_KEYWORDS = {cst.Pass: "pass", cst.Break: "break", cst.Continue: "continue"}


def _import(e: Emitter, node: Any, pos: int, semi: bool) -> int:
    start = pos
    ws = node.whitespace_after_import
    pos = _aliases(e, node.names, H[ws.__class__](e, ws, pos + 6))
    e.out[id(node)] = start << 64 | pos
    return _semicolon(e, node, pos, semi)


def _aliases(e: Emitter, names: Any, pos: int) -> int:
    """The names of an `import` or a `from ... import`, with libcst's default commas."""
    last = len(names) - 1
    out = e.out
    for i, alias in enumerate(names):
        alias_start = pos
        name = alias.name
        pos = H[name.__class__](e, name, pos)
        asname = alias.asname
        if asname is not None:
            pos = _as_name(e, asname, pos)
        out[id(alias)] = alias_start << 64 | pos
        pos = _comma(e, alias, pos, i != last)
    return pos


def _as_name(e: Emitter, node: Any, pos: int) -> int:
    start = pos
    ws = node.whitespace_before_as
    pos = H[ws.__class__](e, ws, pos) + 2
    ws = node.whitespace_after_as
    pos = H[ws.__class__](e, ws, pos)
    name = node.name
    pos = H[name.__class__](e, name, pos)
    e.out.setdefault(id(node), start << 64 | pos)
    return pos


SMALL = {cst.Expr: _expr, cst.Assign: _assign, cst.AnnAssign: _ann_assign, cst.AugAssign: _aug_assign,
         cst.Return: _return, cst.Pass: _keyword, cst.Break: _keyword, cst.Continue: _keyword, cst.Import: _import}


def _small_statements(e: Emitter, node: Any, pos: int) -> int:
    """`_BaseSimpleStatement._codegen_impl`: the statements, then the line's trailing whitespace."""
    body = node.body
    out = e.out
    if body:
        start = pos
        last = len(body) - 1
        for i, statement in enumerate(body):
            handler = SMALL.get(statement.__class__)
            if handler is not None:
                pos = handler(e, statement, pos, i != last)
            else:
                pos = e.fallback(e, statement, pos, {"default_semicolon": i != last})
        out[id(node)] = start << 64 | (out[id(body[last])] & _END)
    else:
        out[id(node)] = pos << 64 | (pos + 4)
        pos += 4
    return _trailing(e, node.trailing_whitespace, pos)


def _simple_line(e: Emitter, node: Any, pos: int) -> int:
    for line in node.leading_lines:
        pos = _empty_line(e, line, pos)
    return _small_statements(e, node, pos + e.indent)


def _suite(e: Emitter, node: Any, pos: int) -> int:
    ws = node.leading_whitespace
    return _small_statements(e, node, H[ws.__class__](e, ws, pos))


def _block(e: Emitter, node: Any, pos: int) -> int:
    pos = _trailing(e, node.header, pos)
    indent = e.default_indent if node.indent is None else node.indent
    e.indents.append(indent)
    e.indent += len(indent)
    out = e.out
    body = node.body
    if body:
        for statement in body:
            pos = H[statement.__class__](e, statement, pos)
        out[id(node)] = (out[id(body[0])] >> 64) << 64 | (out[id(body[-1])] & _END)
    else:
        pos += e.indent
        out[id(node)] = pos << 64 | (pos + 4)
        pos = _text(pos + 4, e.newline)
    for line in node.footer:
        pos = _empty_line(e, line, pos)
    e.indents.pop()
    e.indent -= len(indent)
    return pos  # the range is always the syntactic one above


def _leading(e: Emitter, node: Any, pos: int) -> int:
    for line in node.leading_lines:
        pos = _empty_line(e, line, pos)
    return pos


def _header(e: Emitter, node: Any, pos: int) -> int:
    """Leading lines, then the indentation of a compound statement's first line."""
    return _leading(e, node, pos) + e.indent


def _decorated(e: Emitter, node: Any, pos: int) -> int:
    """A function's or class's leading lines and decorators, up to its `def`/`class` line's indentation."""
    pos = _leading(e, node, pos)
    for decorator in node.decorators:
        pos = _header(e, decorator, pos)
        start = pos
        ws = decorator.whitespace_after_at
        pos = H[ws.__class__](e, ws, pos + 1)
        inner = decorator.decorator
        pos = H[inner.__class__](e, inner, pos)
        e.out[id(decorator)] = start << 64 | pos
        pos = _trailing(e, decorator.trailing_whitespace, pos)
    for line in node.lines_after_decorators:
        pos = _empty_line(e, line, pos)
    return pos + e.indent


def _walk(e: Emitter, pos: int, *nodes: Any) -> int:
    for node in nodes:
        pos = H[node.__class__](e, node, pos)
    return pos


def _function(e: Emitter, node: Any, pos: int) -> int:
    pos = _decorated(e, node, pos)
    start = pos
    if node.asynchronous is not None:
        pos = _asynchronous(e, node.asynchronous, pos)
    pos = _walk(e, pos + 3, node.whitespace_after_def, node.name, node.whitespace_after_name)
    if node.type_parameters is not None:
        pos = H[node.type_parameters.__class__](e, node.type_parameters, pos)
    pos = _walk(e, pos, node.whitespace_after_type_parameters) + 1
    pos = _walk(e, pos, node.whitespace_before_params, node.params) + 1
    if node.returns is not None:
        pos = _annotation(e, node.returns, pos, "->")
    pos = _walk(e, pos, node.whitespace_before_colon) + 1
    pos = _walk(e, pos, node.body)
    e.out[id(node)] = start << 64 | (e.out[id(node.body)] & _END)
    return pos


def _asynchronous(e: Emitter, node: Any, pos: int) -> int:
    e.out[id(node)] = pos << 64 | (pos + 5)
    ws = node.whitespace_after
    return H[ws.__class__](e, ws, pos + 5)


H.update({
    cst.SimpleStatementLine: _simple_line, cst.SimpleStatementSuite: _suite, cst.IndentedBlock: _block,
    cst.FunctionDef: _function,
})
