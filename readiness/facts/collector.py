"""The base of fact collectors, apart from the core visitor so collectors need not import it.

Collector modules import `Collector` and `dotted` from here; `extract.py` imports the collectors
to register them. Keeping the base here keeps that one-directional (no import cycle).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import libcst as cst
from libcst.metadata import PositionProvider

if TYPE_CHECKING:
    from readiness.facts.extract import FactsVisitor


def dotted(node: cst.BaseExpression) -> str | None:
    """`a.b.c` for a Name/Attribute chain, else None."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


class Collector(cst.BatchableCSTVisitor):
    """A fact collector that shares the file's single traversal with the core visitor.

    Subclasses write `visit_<Node>` methods, read names and scopes from `self.core`, and return
    the `FileFacts` fields they fill from `contribute()`. Register them in `COLLECTORS`.
    """

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, core: FactsVisitor) -> None:
        super().__init__()
        self.core = core

    def contribute(self) -> dict[str, Any]:
        raise NotImplementedError
