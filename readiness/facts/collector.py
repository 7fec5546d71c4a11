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


_NAME, _ATTRIBUTE, _SUBSCRIPT, _INDEX = cst.Name, cst.Attribute, cst.Subscript, cst.Index
_SIMPLE, _CONCATENATED, _FORMATTED = cst.SimpleString, cst.ConcatenatedString, cst.FormattedString


def dotted(node: cst.BaseExpression, subscripts: bool = True) -> str | None:
    """`a.b.c` for a Name/Attribute chain, else None.

    With `subscripts`, a subscript by a literal key counts as an attribute (`st.session_state["llm"]`
    is `st.session_state.llm`), as Streamlit and config dicts use both spellings for the same thing.
    """
    # exact node types (libcst's node classes are final): `isinstance` on them goes through ABCMeta
    kind = node.__class__
    if kind is _NAME:
        return node.value  # type: ignore[attr-defined,no-any-return]
    if kind is not _ATTRIBUTE and (kind is not _SUBSCRIPT or not subscripts):
        return None
    parts: list[str] = []
    while True:
        if kind is _ATTRIBUTE:
            parts.append(node.attr.value)  # type: ignore[attr-defined]
        elif kind is _SUBSCRIPT and subscripts:
            key = _literal_key(node)  # type: ignore[arg-type]
            if key is None:
                return None
            parts.append(key)
        elif kind is _NAME:
            parts.append(node.value)  # type: ignore[attr-defined]
            return ".".join(reversed(parts))
        else:
            return None
        node = node.value  # type: ignore[attr-defined]
        kind = node.__class__


def _literal_key(node: cst.Subscript) -> str | None:
    if len(node.slice) != 1 or node.slice[0].slice.__class__ is not _INDEX:
        return None
    key = node.slice[0].slice.value  # type: ignore[union-attr]
    if key.__class__ is _SIMPLE:
        value = string_literal(key)
        if value.__class__ is str and value.isidentifier():  # type: ignore[union-attr]
            return value  # type: ignore[return-value]
    return None


class _Failed:
    """The value of a string literal whose `evaluated_value` raises (odd escapes, NUL bytes)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "FAILED"


FAILED: Any = _Failed()

#: id(node) -> (node, value) for string literals: the node is kept so its id cannot be reused by
#: another node while the entry lives. Cleared per file by `clear_literals()`.
_LITERALS: dict[int, tuple[cst.CSTNode, Any]] = {}


def clear_literals() -> None:
    _LITERALS.clear()


def string_literal(node: cst.SimpleString | cst.ConcatenatedString) -> Any:
    """`node.evaluated_value` (str, bytes or None), or `FAILED` where evaluating it raises; each
    literal is evaluated once per file (libcst's property runs `ast.literal_eval` on every read)."""
    hit = _LITERALS.get(id(node))
    if hit is not None and hit[0] is node:
        return hit[1]
    if node.__class__ is _SIMPLE:
        value = _simple_value(node)  # type: ignore[arg-type]
    else:
        value = _concatenated_value(node)  # type: ignore[arg-type]
    _LITERALS[id(node)] = (node, value)
    return value


def _simple_value(node: cst.SimpleString) -> Any:
    text = node.value
    quote = text[-1]
    start = text.index(quote)
    prefix = text[:start].lower()
    if "b" not in prefix and text.isascii() and "\\" not in text and "\r" not in text and "\x00" not in text:
        # no escapes, no newline translation, nothing `compile` rejects: the body is the value
        width = 3 if text.startswith(quote * 3, start) and len(text) - start >= 6 else 1
        return text[start + width:-width]
    try:
        return node.evaluated_value
    except Exception:  # noqa: BLE001 - odd escapes
        return FAILED


def _concatenated_value(node: cst.ConcatenatedString) -> Any:
    """`ConcatenatedString.evaluated_value`, its parts read through the cache."""
    left, right = node.left, node.right
    if left.__class__ is _FORMATTED or right.__class__ is _FORMATTED:
        return None
    left_value = string_literal(left)  # type: ignore[arg-type]
    if left_value is FAILED:
        return FAILED
    right_value = string_literal(right)  # type: ignore[arg-type]
    if right_value is FAILED:
        return FAILED
    if right_value is None:
        return None
    if isinstance(left_value, bytes) and isinstance(right_value, bytes):
        return left_value + right_value
    if isinstance(left_value, str) and isinstance(right_value, str):
        return left_value + right_value
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
