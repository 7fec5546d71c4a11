"""Per-file facts: plain, JSON-serialisable records that the cache stores and rules read."""
from __future__ import annotations

import dataclasses
from functools import cached_property
from dataclasses import dataclass, field
from typing import Any, Iterable

from readiness.facts.flowmodel import PromptFacts, SurfaceFacts

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
    #: The innermost loop runs once per item (a `for` or comprehension with no break/return).
    per_item: bool = False
    #: Inside `gather(...)`, `create_task(...)`, an executor's `submit/map`: run concurrently.
    concurrent: bool = False
    #: Line of the innermost `try` of the same function whose body holds the call (0: none).
    try_line: int = 0
    #: Made inside an `except` handler: the call is itself the fallback path.
    in_handler: bool = False


@dataclass(frozen=True, slots=True)
class Invocation:
    """Any call by a dotted name: how gateways (repo functions that reach a model) are reached."""

    line: int
    col: int
    scope: str
    target: str
    ctor: str = ""
    awaited: bool = False
    per_item: bool = False
    concurrent: bool = False
    try_line: int = 0
    #: The function is passed, not called (`asyncio.to_thread(fn, ...)`, `executor.submit(fn)`).
    deferred: bool = False
    #: Arguments that name something (`@#0`, `@llm`) or build it inline (`()#0` and its keywords).
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TryFact:
    """A `try` statement: what its handlers catch and whether one swallows the error."""

    line: int
    scope: str
    broad: bool  # a handler catches everything (bare, Exception, BaseException)
    swallow_line: int  # line of a broad handler that passes/continues/returns a placeholder, unlogged
    catches: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Flow:
    """Where call results go: a sink (`json.loads`, `exec`, ...) or a function's return value.

    `origins` are (line, col) of the calls whose results reach it, directly or through names.
    """

    kind: str  # "sink" | "return"
    line: int
    col: int
    scope: str
    sink: str
    origins: tuple[tuple[int, int], ...]
    try_line: int = 0
    validated: bool = False


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


@dataclass(frozen=True)  # no slots: `_functions` caches an index in the instance dict
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
    invocations: tuple[Invocation, ...] = ()
    tries: tuple[TryFact, ...] = ()
    flows: tuple[Flow, ...] = ()
    surface: SurfaceFacts = field(default_factory=SurfaceFacts)
    prompts: PromptFacts = field(default_factory=PromptFacts)
    #: Project-model facts (facts/markers.py): (module, name, line, context) per import, etc.
    import_refs: tuple[tuple[str, str, int, str], ...] = ()
    sys_path_edits: tuple[int, ...] = ()
    local_paths: tuple[tuple[int, str], ...] = ()
    workaround_markers: tuple[tuple[int, str], ...] = ()
    env_reads: tuple[tuple[str, int], ...] = ()
    usage_reads: int = 0
    module_settings: tuple[str, ...] = ()

    @cached_property
    def _functions(self) -> dict[str, FunctionFact]:
        index: dict[str, FunctionFact] = {}
        for fn in self.functions:
            index.setdefault(fn.qualname, fn)
        return index

    def function(self, qualname: str) -> FunctionFact | None:
        """The function with this qualname (the first, if a name is defined twice); O(1)."""
        return self._functions.get(qualname)

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
            invocations=tuple(Invocation(**i) for i in data.get("invocations", ())),
            tries=tuple(TryFact(**{**t, "catches": tuple(t["catches"])}) for t in data.get("tries", ())),
            flows=tuple(
                Flow(**{**f, "origins": tuple(tuple(o) for o in f["origins"])}) for f in data.get("flows", ())
            ),
            surface=SurfaceFacts.from_json(data.get("surface")),
            prompts=PromptFacts.from_json(data.get("prompts")),
            import_refs=tuple(tuple(r) for r in data.get("import_refs", ())),
            sys_path_edits=tuple(data.get("sys_path_edits", ())),
            local_paths=tuple(tuple(r) for r in data.get("local_paths", ())),
            workaround_markers=tuple(tuple(r) for r in data.get("workaround_markers", ())),
            env_reads=tuple(tuple(r) for r in data.get("env_reads", ())),
            usage_reads=data.get("usage_reads", 0),
            module_settings=tuple(data.get("module_settings", ())),
        )


def function_facts(functions: Iterable[Any]) -> tuple[FunctionFact, ...]:
    """`FunctionFact`s in file order from a visitor's mutable function records."""
    return tuple(
        FunctionFact(f.qualname, f.line, f.end_line, f.is_async, f.decorators, f.logs, f.traced, tuple(sorted(f.calls)))
        for f in sorted(functions, key=lambda f: (f.line, f.qualname))
    )


def qualified(imports: dict[str, str], name: str) -> str:
    """`name` with its head replaced by what the file's imports bind it to (`oa.X` -> `openai.X`)."""
    head, _, rest = name.partition(".")
    if head in imports:
        full = imports[head]
        return f"{full}.{rest}" if rest else full
    return name
