"""Small syntax helpers for the facts visitor: where call results flow, what handlers do.

They inspect one expression or statement subtree; the visitor calls them while it walks.
"""
from __future__ import annotations

import builtins
from typing import Callable

import libcst as cst

from readiness.facts.collector import string_literal

BUILTINS = frozenset(name for name in dir(builtins) if not name.startswith("_")) - {"exec", "eval"}

#: Sinks for model output: what a call does with its arguments.
SINKS: dict[str, str] = {
    "json.loads": "parse", "ast.literal_eval": "parse", "yaml.safe_load": "parse", "yaml.load": "parse",
    "orjson.loads": "parse", "ujson.loads": "parse",
    "eval": "exec", "exec": "exec", "builtins.eval": "exec", "builtins.exec": "exec",
    "os.system": "shell", "os.popen": "shell", "subprocess.run": "shell", "subprocess.call": "shell",
    "subprocess.check_call": "shell", "subprocess.check_output": "shell", "subprocess.Popen": "shell",
    "subprocess.getoutput": "shell", "subprocess.getstatusoutput": "shell",
    "asyncio.create_subprocess_shell": "shell",
    "*.execute": "sql", "*.executemany": "sql", "*.executescript": "sql", "*.read_sql": "sql",
    "*.read_sql_query": "sql", "*.raw": "sql",
}

#: Calls whose arguments are validated against a schema.

#: Calls that run what they are given concurrently (their call arguments are not awaited one by one).
CONCURRENCY_CALLS = frozenset({
    "asyncio.gather", "asyncio.create_task", "asyncio.ensure_future", "asyncio.as_completed", "asyncio.wait",
    "anyio.create_task_group", "trio.open_nursery",
})

#: Calls that receive a function and run it elsewhere (a thread, an executor).
DEFERRING_CALLS = frozenset({"asyncio.to_thread", "anyio.to_thread.run_sync", "starlette.concurrency.run_in_threadpool"})

_BROAD = frozenset({"Exception", "BaseException", "builtins.Exception"})


def template(node: cst.CSTNode) -> str:
    """The literal text of a string expression, with `{}` for each interpolated part."""
    if isinstance(node, cst.SimpleString):
        value = string_literal(node)  # FAILED for odd escapes
        return value if isinstance(value, str) else ""
    if isinstance(node, cst.ConcatenatedString):
        return template(node.left) + template(node.right)
    if isinstance(node, cst.FormattedString):
        parts = []
        for part in node.parts:
            parts.append(part.value if isinstance(part, cst.FormattedStringText) else "{}")
        return "".join(parts)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        left, right = template(node.left), template(node.right)
        return (left or "{}") + (right or "{}") if (left or right) else ""
    return ""


def _handler_names(handler: cst.ExceptHandler) -> tuple[str, ...]:
    kind = handler.type
    if kind is None:
        return ("",)
    elements = kind.elements if isinstance(kind, cst.Tuple) else [kind]
    names = []
    for element in elements:
        expr = element.value if isinstance(element, cst.Element) else element
        parts = []
        while isinstance(expr, cst.Attribute):
            parts.append(expr.attr.value)
            expr = expr.value
        if isinstance(expr, cst.Name):
            parts.append(expr.value)
        names.append(".".join(reversed(parts)))
    return tuple(names)


def _placeholder(expr: cst.BaseExpression | None) -> bool:
    """A value that stands in for a real answer: None, a literal, an f-string, an empty container."""
    if expr is None:
        return True
    if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString, cst.Integer, cst.Float)):
        return True
    if isinstance(expr, cst.Name):
        return expr.value in ("None", "True", "False")
    if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
        return all(isinstance(e, cst.Element) and _placeholder(e.value) for e in expr.elements)
    if isinstance(expr, cst.Dict):
        return all(isinstance(e, cst.DictElement) and _placeholder(e.value) for e in expr.elements)
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value in ("str", "repr", "dict", "list"):
        return all(_placeholder(a.value) or isinstance(a.value, cst.Name) for a in expr.args)
    return False


def _mentions(node: cst.CSTNode, name: str) -> bool:
    if isinstance(node, cst.Name):
        return node.value == name
    return any(_mentions(child, name) for child in node.children)


def _swallows(handler: cst.ExceptHandler) -> bool:
    """The handler only passes, continues, breaks or returns/assigns a placeholder: no call, no
    raise, and the error itself is not handed on (`return None, str(exc)` reports it)."""
    bound = handler.name.name.value if handler.name is not None and isinstance(handler.name.name, cst.Name) else ""
    body = handler.body
    statements = body.body if isinstance(body, cst.IndentedBlock) else [body]
    for statement in statements:
        smalls = statement.body if isinstance(statement, cst.SimpleStatementLine) else None
        if smalls is None:
            return False
        for small in smalls:
            if isinstance(small, (cst.Pass, cst.Continue, cst.Break)):
                continue
            if isinstance(small, cst.Return) and _placeholder(small.value):
                if bound and small.value is not None and _mentions(small.value, bound):
                    return False
                continue
            if isinstance(small, cst.Expr) and isinstance(small.value, (cst.Ellipsis, cst.SimpleString)):
                continue
            if isinstance(small, cst.Assign) and _placeholder(small.value):
                continue
            return False
    return True


def try_summary(node: cst.Try, line_of: Callable[[cst.CSTNode], tuple[int, int, int]]) -> tuple[bool, int, tuple[str, ...]]:
    """(a handler catches everything, line of a broad handler that swallows silently, caught names)."""
    broad = False
    swallow = 0
    catches: list[str] = []
    for handler in node.handlers:
        names = _handler_names(handler)
        catches.extend(names)
        is_broad = any(n in _BROAD or n == "" for n in names)
        broad = broad or is_broad
        if is_broad and not swallow and _swallows(handler):
            swallow = line_of(handler)[0]
    return broad, swallow, tuple(catches)
