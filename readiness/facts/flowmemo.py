"""Dispatch and memo of the prompts collector's evaluator (the base of `values.Evaluator`).

The collector evaluates an argument once for each enclosing call and once for its statement, so
without a memo the work is quadratic in the nesting of calls. A node's flow depends only on the
environments, the scope and the import map; those change at bindings, scope boundaries and
imports, where the collector calls `forget` (`rebound` for a binding, which forgets only when an
evaluation since the last `forget` looked the name up). A remembered flow is therefore the one a
fresh evaluation would give; the role parts the evaluation announced are announced again.
"""
from __future__ import annotations

from typing import Callable

import libcst as cst

from readiness.facts.flowmodel import Flow, RolePart

#: Evaluator class -> node type -> its `_<Type>` method (None: the expression carries nothing).
_METHODS: dict[type, dict[type, Callable[..., Flow] | None]] = {}
#: Nodes evaluated afresh each time: cheaper than remembering them, and they announce no roles.
_LEAVES = frozenset({cst.Name, cst.SimpleString})


class RememberingEvaluator:
    """`of(node)` dispatches to the subclass's `_<NodeType>` method, once per node until `forget`."""

    def __init__(self, lookup: Callable[[str], Flow | None], on_role: Callable[[RolePart], None]) -> None:
        self._lookup = lookup
        self._on_role = on_role
        # id(node) -> (node, flow, role parts it announced); the node is kept so its id stays its own
        self._memo: dict[int, tuple[cst.CSTNode, Flow, tuple[RolePart, ...]]] = {}
        self._announced: list[RolePart] = []  # role parts announced since the last `forget`
        self._read: set[str] = set()  # names looked up since the last `forget`

    def forget(self) -> None:
        """Drop every remembered flow (the collector's state changed)."""
        if self._memo:
            self._memo.clear()
        if self._announced:
            self._announced.clear()
        if self._read:
            self._read.clear()

    def rebound(self, name: str) -> None:
        """`name` now carries another flow: remembered flows that read it are stale."""
        if name in self._read:
            self.forget()

    def lookup(self, name: str) -> Flow | None:
        self._read.add(name)
        return self._lookup(name)

    def on_role(self, part: RolePart) -> None:
        self._announced.append(part)
        self._on_role(part)

    def of(self, node: cst.BaseExpression | None) -> Flow:
        if node is None:
            return Flow()
        methods = _METHODS.get(self.__class__)
        if methods is None:
            methods = _METHODS[self.__class__] = {}
        kind = node.__class__
        try:
            method = methods[kind]
        except KeyError:
            method = methods[kind] = getattr(self.__class__, "_" + kind.__name__, None)
        if method is None:
            return Flow()
        if kind in _LEAVES:
            return method(self, node)  # type: ignore[no-any-return]
        hit = self._memo.get(id(node))
        if hit is not None and hit[0] is node:
            for part in hit[2]:
                self.on_role(part)
            return hit[1]
        start = len(self._announced)
        flow: Flow = method(self, node)
        self._memo[id(node)] = (node, flow, tuple(self._announced[start:]) if len(self._announced) > start else ())
        return flow
