"""Node positions, identical to libcst's `PositionProvider`, at a fraction of its cost.

libcst computes positions with a codegen whose state tracks line and column on every token,
opens a generator-based context manager for most nodes and builds two frozen dataclasses per
node; `MetadataWrapper.resolve` then walks the whole tree once more with no visitors and copies
the mapping twice. Here the codegen only appends to one list: tokens (strings), node
boundaries (the node itself, once before and once after its code) and syntactic-range markers.
One loop over that list then replays what libcst's `PositionProvidingCodegenState` does, with
the same overwrite rules, so every node gets exactly libcst's range.

`spans(module)` maps `id(node)` to `(start line, start column, end line, end column)`; the
ids are valid while the module is alive. `FastPositionProvider` offers the same ranges as
`CodeRange`s through libcst's metadata API.
"""
from __future__ import annotations

import re
from typing import Any

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import BaseMetadataProvider, CodePosition, CodeRange

__all__ = ["FastPositionProvider", "Span", "spans"]

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


def _replay(events: list[Any]) -> dict[int, Span]:
    out: dict[int, Span] = {}
    line = 1
    column = 0
    open_nodes: list[Any] = []
    starts: list[tuple[int, int]] = []
    syntactic: list[tuple[Any, Any, Any, int, int]] = []
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
            syntactic.append((*event, line, column))
        elif event is end_marker:
            node, start_node, end_node, start_line, start_column = syntactic.pop()
            if start_node is not None:
                first = out[id(start_node)]
                start_line, start_column = first[0], first[1]
            if end_node is not None:
                last = out[id(end_node)]
                out[id(node)] = (start_line, start_column, last[2], last[3])
            else:
                out[id(node)] = (start_line, start_column, line, column)
        elif isinstance(event, str):  # a str subclass as a token
            segments = split(event)
            if len(segments) == 1:
                column += len(event)
            else:
                line += len(segments) - 1
                column = len(segments[-1])
        elif open_nodes and open_nodes[-1] is event:
            open_nodes.pop()
            start_line, start_column = starts.pop()
            key = id(event)
            if key not in out:  # a syntactic range recorded inside the node wins
                out[key] = (start_line, start_column, line, column)
        else:
            open_nodes.append(event)
            starts.append((line, column))
    return out


def spans(module: cst.Module) -> dict[int, Span]:
    """`id(node) -> (start line, start column, end line, end column)` for every node of `module`,
    equal to libcst's `PositionProvider` ranges."""
    return _replay(_events(module))


class FastPositionProvider(BaseMetadataProvider[CodeRange]):
    """Drop-in `PositionProvider`: the same `CodeRange` for every node, computed by `spans`."""

    def _gen_impl(self, module: cst.Module) -> None:
        events = _events(module)
        found = _replay(events)
        computed = self._computed
        for event in events:
            if isinstance(event, cst.CSTNode):
                sl, sc, el, ec = found[id(event)]
                computed[event] = CodeRange(CodePosition(sl, sc), CodePosition(el, ec))
