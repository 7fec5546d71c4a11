"""Per-file facts: plain, JSON-serialisable records that the cache stores and rules read."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

DYNAMIC = "<dynamic>"
MODULE_SCOPE = "<module>"
RETURN = "<return>"


@dataclass(frozen=True, slots=True)
class Binding:
    """`name = <value>` in `scope`: what a local name, `self.x` attribute or return value holds.

    `scope` is a function qualname, the module (`<module>`), or for `self.x` the class qualname.
    `kind` is `call` (target is the callee), `alias` (target is another name) or `with_options`
    (target is the client expression, args the options).
    """

    scope: str
    name: str
    kind: str
    target: str
    args: dict[str, Any]
    line: int


@dataclass(frozen=True, slots=True)
class CallFact:
    """A call that may reach a model; `target` is dotted, its head qualified through imports."""

    line: int
    col: int
    scope: str
    target: str
    args: dict[str, Any]
    positional: int = 0
    ctor: str = ""
    ctor_args: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    awaited: bool = False
    in_loop: bool = False
    retry_loop: bool = False


@dataclass(frozen=True, slots=True)
class FunctionFact:
    """A function (or the module body, as `<module>`) and the evidence it carries."""

    qualname: str
    line: int
    end_line: int
    is_async: bool
    decorators: tuple[str, ...]
    logs: bool
    traced: bool
    calls: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Suppression:
    cell: int
    line: int
    codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FileFacts:
    path: str
    module: str
    kind: str
    imports: dict[str, str]
    bindings: tuple[Binding, ...]
    calls: tuple[CallFact, ...]
    functions: tuple[FunctionFact, ...]
    suppressions: tuple[Suppression, ...]
    file_ignores: tuple[str, ...]
    lines: int
    cell_lines: tuple[tuple[int, int], ...] = ()
    #: (first line, last line, normalised-code hash) of each statement; fingerprints use it.
    statements: tuple[tuple[int, int, str], ...] = ()

    def function(self, qualname: str) -> FunctionFact | None:
        for fn in self.functions:
            if fn.qualname == qualname:
                return fn
        return None

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FileFacts:
        return cls(
            path=data["path"],
            module=data["module"],
            kind=data["kind"],
            imports=dict(data["imports"]),
            bindings=tuple(Binding(**b) for b in data["bindings"]),
            calls=tuple(CallFact(**c) for c in data["calls"]),
            functions=tuple(
                FunctionFact(**{**f, "decorators": tuple(f["decorators"]), "calls": tuple(f["calls"])})
                for f in data["functions"]
            ),
            suppressions=tuple(Suppression(s["cell"], s["line"], tuple(s["codes"])) for s in data["suppressions"]),
            file_ignores=tuple(data["file_ignores"]),
            lines=data["lines"],
            cell_lines=tuple(tuple(pair) for pair in data["cell_lines"]),  # type: ignore[misc]
            statements=tuple((int(a), int(b), str(h)) for a, b, h in data.get("statements", ())),
        )
