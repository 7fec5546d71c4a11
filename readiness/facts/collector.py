"""The base of fact collectors, apart from the core visitor so collectors need not import it.

Collector modules import `Collector` and `dotted` from here; `extract.py` imports the collectors
to register them. Keeping the base here keeps that one-directional (no import cycle).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import libcst as cst

if TYPE_CHECKING:
    from readiness.facts.extract import FactsVisitor


#: Method names that write a log record (`logger.info`, `structlog`, `loguru`).
LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "msg", "success", "trace"})


def dotted(node: cst.BaseExpression, subscripts: bool = True) -> str | None:
    """`a.b.c` for a Name/Attribute chain, else None.

    With `subscripts`, a subscript by a literal key counts as an attribute (`st.session_state["llm"]`
    is `st.session_state.llm`), as Streamlit and config dicts use both spellings for the same thing.
    """
    parts: list[str] = []
    kinds = (cst.Attribute, cst.Subscript) if subscripts else (cst.Attribute,)
    while isinstance(node, kinds):
        if isinstance(node, cst.Subscript):
            key = _literal_key(node)
            if key is None:
                return None
            parts.append(key)
        else:
            parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def _literal_key(node: cst.Subscript) -> str | None:
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return None
    key = node.slice[0].slice.value
    if isinstance(key, cst.SimpleString):
        try:
            value = key.evaluated_value
        except Exception:  # noqa: BLE001 - odd escapes
            return None
        if isinstance(value, str) and value.isidentifier():
            return value
    return None


class Collector(cst.BatchableCSTVisitor):
    """A fact collector that shares the file's single traversal with the core visitor.

    Subclasses write `visit_<Node>` methods, read names and scopes from `self.core`, and return
    the `FileFacts` fields they fill from `contribute()`. Register them in `COLLECTORS`.
    """

    #: The cheap pre-screen: a collector runs only on files whose text contains at least one of
    #: these strings (say the import names it looks for); None runs it on every file. A file it
    #: skips gets its `FileFacts` fields' defaults, so declare only triggers that guarantee that.
    TRIGGERS: tuple[str, ...] | None = None

    def __init__(self, core: FactsVisitor) -> None:
        super().__init__()
        self.core = core

    def contribute(self) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def wanted(cls, text: str) -> bool:
        return cls.TRIGGERS is None or any(trigger in text for trigger in cls.TRIGGERS)
