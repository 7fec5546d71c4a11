"""Node positions, identical to libcst's `PositionProvider`, at a fraction of its cost.

libcst computes positions with a codegen whose state tracks line and column on every token,
opens a generator-based context manager for most nodes and builds two frozen dataclasses per
node; `MetadataWrapper.resolve` then walks the whole tree once more with no visitors and copies
the mapping twice.

`positions(module)` walks the tree with the `emit*.py` functions, one per common node type,
which move a position over the tokens libcst would write and record the ranges collectors can
ask about (not whitespace, brackets or operators: two thirds of the nodes). A node type
without such a function goes through libcst's own codegen with a recording state (`_Fallback`):
the codegen only appends to one list (tokens, node boundaries, syntactic-range markers), then
`_replay` applies what libcst's `PositionProvidingCodegenState` does, with the same overwrite
rules, from the current position. The same record-and-replay of the whole module (`recorded`)
answers a question about an unrecorded node, and is what tests compare `emit` with.

`Positions.span(node)` gives `(start line, start column, end line, end column)`; `spans(module)`
gives every node's as a plain dict by `id(node)`. `FastPositionProvider` offers the same ranges
as `CodeRange`s through libcst's metadata API.
"""
from __future__ import annotations

import re
from typing import Any

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import BaseMetadataProvider, CodePosition, CodeRange

from readiness.facts import emit_compound, emit_more, emit_nodes, emit_statements  # noqa: F401  (register their functions)
from readiness.facts.emit import UNRECORDED, Emitter, emit

__all__ = ["FastPositionProvider", "Positions", "Span", "nodes", "positions", "recorded", "recorded_spans", "spans"]

#: (start line, start column, end line, end column), lines one-based, columns zero-based.
Span = tuple[int, int, int, int]

_NEWLINE = re.compile(r"\r\n?|\n")


class _End:
    """Closes the innermost syntactic range (reused: its state lives in the event list)."""

    __slots__ = ("append",)

    def __init__(self, append: Any) -> None:
        self.append = append

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        self.append(_END)


_END = object()  # event: a syntactic range ends here
_MASK = (1 << 32) - 1
_END_MASK = (1 << 64) - 1


class _RecordingState(CodegenState):
    """A codegen state that records events instead of computing positions as it goes.

    `add_token`, `before_codegen` and `after_codegen` are the list's own `append` (set on the
    instance, so each is a C call); a node seen while it is not the innermost open node starts,
    otherwise it ends. Indentation tokens are appended by the base class (`tokens` is the list).
    """

    def __init__(self, module: cst.Module) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        events = self.tokens
        self.add_token = events.append
        self.before_codegen = events.append
        self.after_codegen = events.append
        self._end = _End(events.append)

    def record_syntactic_position(
        self, node: cst.CSTNode, *, start_node: cst.CSTNode | None = None, end_node: cst.CSTNode | None = None
    ) -> Any:
        self.tokens.append((node, start_node, end_node))
        return self._end

    def pop_trailing_newline(self) -> None:
        # positions ignore it: libcst pops the token without moving the position
        return None


def _events(module: cst.Module) -> list[Any]:
    state = _RecordingState(module)
    module._codegen(state)
    events = state.tokens
    if module.has_trailing_newline and not any(e.__class__ is str for e in events):
        # an empty module: libcst adds one newline token when it has seen no token at all
        events.insert(len(events) - 1, module.default_newline)
    return events


def _replay(events: list[Any], pos: int, out: dict[int, int]) -> int:
    """Apply libcst's position rules to recorded events from `pos` (`line << 32 | column`),
    writing ranges into `out`; the position after the last token.

    A range is packed into one int (not tracked by the garbage collector, unlike a tuple per
    node): start (line << 32 | column) << 64 | end (line << 32 | column). See `Positions`."""
    line = pos >> 32
    column = pos & _MASK
    open_nodes: list[Any] = []
    starts: list[int] = []
    syntactic: list[tuple[Any, Any, Any]] = []
    split = _NEWLINE.split
    end_marker = _END
    for event in events:
        cls = event.__class__
        if cls is str:
            if "\n" in event or "\r" in event:
                segments = split(event)
                line += len(segments) - 1
                column = len(segments[-1])
            else:
                column += len(event)
        elif cls is tuple:
            syntactic.append(event)
            starts.append(line << 32 | column)
        elif event is end_marker:
            node, start_node, end_node = syntactic.pop()
            start = starts.pop()
            if start_node is not None:
                start = out[id(start_node)] >> 64
            if end_node is not None:
                out[id(node)] = start << 64 | (out[id(end_node)] & _END_MASK)
            else:
                out[id(node)] = start << 64 | line << 32 | column
        elif isinstance(event, str):  # a str subclass as a token
            segments = split(event)
            line += len(segments) - 1
            column = len(segments[-1]) if len(segments) > 1 else column + len(event)
        elif open_nodes and open_nodes[-1] is event:
            open_nodes.pop()
            start = starts.pop()
            key = id(event)
            if key not in out:
                out[key] = start << 64 | line << 32 | column
        else:
            open_nodes.append(event)
            starts.append(line << 32 | column)
    return line << 32 | column


class Positions:
    """Every node's range, as libcst's `PositionProvider` gives it, by `id(node)` (look nodes up
    while the module is alive). Ranges are kept packed as `start line << 96 | start column << 64
    | end line << 32 | end column`.

    `emit` records the nodes collectors ask about; a node of an `UNRECORDED` type (whitespace,
    brackets, operators) is answered from libcst's whole codegen, replayed on the first such
    question (`recorded`): both agree on every node (tests/test_positions.py)."""

    __slots__ = ("packed", "module", "complete")

    def __init__(self, packed: dict[int, int], module: cst.Module | None = None) -> None:
        self.packed = packed
        self.module = module
        self.complete: dict[int, int] | None = None

    def _value(self, node: cst.CSTNode) -> int:
        if node.__class__ not in UNRECORDED:
            return self.packed[id(node)]
        if self.complete is None:
            if self.module is None:
                raise KeyError(id(node))
            self.complete = recorded(self.module)
        return self.complete[id(node)]

    def span(self, node: cst.CSTNode) -> Span:
        """(start line, start column, end line, end column)."""
        value = self._value(node)
        return value >> 96, (value >> 64) & _MASK, (value >> 32) & _MASK, value & _MASK

    def line_of(self, node: cst.CSTNode) -> tuple[int, int, int]:
        """(start line, start column, end line)."""
        value = self._value(node)
        return value >> 96, (value >> 64) & _MASK, (value >> 32) & _MASK

    def __len__(self) -> int:
        return len(self.packed)


class _Fallback:
    """Generates a node type `emit` has no function for with libcst's own codegen (recorded, then
    replayed from the current position and indentation). One recording state per module."""

    __slots__ = ("module", "state")

    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self.state: _RecordingState | None = None

    def __call__(self, e: Emitter, node: cst.CSTNode, pos: int, kwargs: dict[str, Any]) -> int:
        state = self.state
        if state is None:
            state = self.state = _RecordingState(self.module)
        events = state.tokens
        events.clear()
        state.indent_tokens = list(e.indents)
        node._codegen(state, **kwargs)
        return _replay(events, pos, e.out)


#: libcst releases whose codegen the `emit` functions mirror (tests/test_positions.py checks them
#: node by node). Under any other release, ranges come from replaying libcst's own codegen:
#: slower, exact by construction.
EMIT_TESTED = ("1.9.",)


def _libcst_version() -> str:
    try:
        from importlib.metadata import version

        return version("libcst")
    except Exception:  # noqa: BLE001 - unknown: not a tested release
        return ""


EMIT = _libcst_version().startswith(EMIT_TESTED)


def positions(module: cst.Module) -> Positions:
    """The libcst `PositionProvider` range of every node of `module`."""
    if not EMIT:
        found = Positions(recorded(module))
        found.complete = found.packed  # every node is in it
        return found
    out: dict[int, int] = {}
    emit(Emitter(out, module.default_newline, module.default_indent, _Fallback(module)), module, 1 << 32)
    return Positions(out, module)


def recorded(module: cst.Module) -> dict[int, int]:
    """Every node's packed range by replaying libcst's whole codegen (no `emit` functions): what
    `Positions` answers for `UNRECORDED` nodes, and the reference `emit` is tested against."""
    out: dict[int, int] = {}
    _replay(_events(module), 1 << 32, out)
    return out


def nodes(module: cst.Module) -> list[cst.CSTNode]:
    """Every node of `module`, in codegen order (a node shared by two parents, twice)."""
    return [event for event in _events(module) if isinstance(event, cst.CSTNode)]


def _unpack(value: int) -> Span:
    return value >> 96, (value >> 64) & _MASK, (value >> 32) & _MASK, value & _MASK


def spans(module: cst.Module) -> dict[int, Span]:
    """`id(node) -> (start line, start column, end line, end column)` for every node of `module`,
    through `positions` (for tests: production code asks `Positions` for the nodes it needs)."""
    found = positions(module)
    return {id(node): found.span(node) for node in nodes(module)}


def recorded_spans(module: cst.Module) -> dict[int, Span]:
    """`spans` computed by `recorded`."""
    return {key: _unpack(value) for key, value in recorded(module).items()}


class FastPositionProvider(BaseMetadataProvider[CodeRange]):
    """Drop-in `PositionProvider`: the same `CodeRange` for every node, computed by `positions`."""

    def _gen_impl(self, module: cst.Module) -> None:
        found = positions(module)
        computed = self._computed
        for node in nodes(module):
            sl, sc, el, ec = found.span(node)
            computed[node] = CodeRange(CodePosition(sl, sc), CodePosition(el, ec))
