"""Facts about prompts, untrusted input and the web surface of one file (plain, serialisable).

`Flow` says what a value is made of: the untrusted sources it carries, the parameters of its
function it derives from, the literal text pieces in it, whether it was loaded from a file or
registry, whether its length is bounded, and (for message lists) the role of each part.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Text:
    """A literal piece of prompt text; `text` is its static part (interpolations removed)."""

    line: int
    col: int
    text: str
    length: int
    kind: str  # literal | fstring | format | percent | concat | join | template
    name: str = ""  # the variable it was bound to, if any
    fields: tuple[str, ...] = ()  # template placeholders (`{topic}`, `{{ topic }}`) filled later


@dataclass(frozen=True, slots=True)
class Flow:
    """What a value carries (see the module docstring)."""

    sources: tuple[str, ...] = ()
    params: tuple[str, ...] = ()
    texts: tuple[Text, ...] = ()
    names: tuple[str, ...] = ()
    loaded: str = ""
    bounded: bool = False
    roles: tuple[RolePart, ...] = ()
    derived: bool = False  # only computed from the untrusted value (a function's result), not the value itself

    @property
    def empty(self) -> bool:
        return not (self.sources or self.params or self.texts or self.loaded or self.roles)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Flow:
        return cls(
            sources=tuple(data["sources"]),
            params=tuple(data["params"]),
            texts=tuple(Text(**{**t, "fields": tuple(t["fields"])}) for t in data["texts"]),
            names=tuple(data["names"]),
            loaded=data["loaded"],
            bounded=data["bounded"],
            roles=tuple(RolePart.from_json(r) for r in data["roles"]),
            derived=data["derived"],
        )


@dataclass(frozen=True, slots=True)
class RolePart:
    """One message of a prompt: `role` is system | user | assistant | unknown."""

    line: int
    col: int
    role: str
    flow: Flow

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RolePart:
        return cls(data["line"], data["col"], data["role"], Flow.from_json(data["flow"]))


@dataclass(frozen=True, slots=True)
class Arg:
    """An argument of a call: `key` is the keyword, or the position as a number string."""

    key: str
    flow: Flow
    line: int = 0
    col: int = 0

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Arg:
        return cls(data["key"], Flow.from_json(data["flow"]), data["line"], data["col"])


@dataclass(frozen=True, slots=True)
class CallFlow:
    """A call and what its arguments carry; kept for model-call candidates and repo functions."""

    line: int
    col: int
    scope: str
    target: str
    args: tuple[Arg, ...]
    candidate: bool = False  # the core visitor kept it as a possible model call

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CallFlow:
        return cls(
            data["line"], data["col"], data["scope"], data["target"],
            tuple(Arg.from_json(a) for a in data["args"]), data["candidate"],
        )


@dataclass(frozen=True, slots=True)
class RoleSite:
    """A message with a role built in code (`{"role": ...}`, `SystemMessage(...)`, `("system", ...)`)."""

    scope: str
    part: RolePart

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RoleSite:
        return cls(data["scope"], RolePart.from_json(data["part"]))


@dataclass(frozen=True, slots=True)
class PromptText:
    """Literal text that names itself a prompt: a prompt-named variable or keyword, or a template."""

    scope: str
    context: str  # e.g. "variable SYSTEM_PROMPT", "keyword system_prompt=", "PromptTemplate"
    strong: bool  # system/instruction context rather than a generic prompt
    text: Text

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PromptText:
        return cls(data["scope"], data["context"], data["strong"], Text(**{**data["text"], "fields": tuple(data["text"]["fields"])}))


@dataclass(frozen=True, slots=True)
class LogCall:
    line: int
    col: int
    scope: str
    api: str
    flow: Flow

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LogCall:
        return cls(data["line"], data["col"], data["scope"], data["api"], Flow.from_json(data["flow"]))


@dataclass(frozen=True, slots=True)
class PrintCall:
    line: int
    col: int
    scope: str
    in_main: bool


@dataclass(frozen=True, slots=True)
class ModelName:
    """A string literal that names a model, and where it sits (`model=` keyword, a default, a constant)."""

    line: int
    col: int
    value: str
    context: str


@dataclass(frozen=True, slots=True)
class Signature:
    qualname: str
    params: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PromptFacts:
    signatures: tuple[Signature, ...] = ()
    calls: tuple[CallFlow, ...] = ()
    roles: tuple[RoleSite, ...] = ()
    texts: tuple[PromptText, ...] = ()
    logs: tuple[LogCall, ...] = ()
    prints: tuple[PrintCall, ...] = ()
    models: tuple[ModelName, ...] = ()
    main_guard: bool = False
    cli: bool = False
    init_attrs: tuple[tuple[str, str, tuple[str, ...]], ...] = ()  # (class, `self.x`, `__init__` params it holds)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> PromptFacts:
        if not data:
            return cls()
        return cls(
            signatures=tuple(Signature(s["qualname"], tuple(s["params"])) for s in data["signatures"]),
            calls=tuple(CallFlow.from_json(c) for c in data["calls"]),
            roles=tuple(RoleSite.from_json(r) for r in data["roles"]),
            texts=tuple(PromptText.from_json(t) for t in data["texts"]),
            logs=tuple(LogCall.from_json(c) for c in data["logs"]),
            prints=tuple(PrintCall(**p) for p in data["prints"]),
            models=tuple(ModelName(**m) for m in data["models"]),
            main_guard=data["main_guard"],
            cli=data["cli"],
            init_attrs=tuple((a[0], a[1], tuple(a[2])) for a in data["init_attrs"]),
        )


@dataclass(frozen=True, slots=True)
class EndpointParam:
    name: str
    annotation: str
    kind: str  # body | query | request | depends | security | upload
    dependency: str = ""
    bounded: bool = False


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A web route: FastAPI/Starlette, Flask, or a Django view function."""

    framework: str
    line: int
    col: int
    function: str
    methods: tuple[str, ...]
    path: str
    params: tuple[EndpointParam, ...] = ()
    dependencies: tuple[str, ...] = ()
    decorators: tuple[str, ...] = ()
    raw_reads: tuple[tuple[int, str], ...] = ()
    validates: bool = False
    router: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Endpoint:
        return cls(
            data["framework"], data["line"], data["col"], data["function"], tuple(data["methods"]), data["path"],
            tuple(EndpointParam(**p) for p in data["params"]), tuple(data["dependencies"]), tuple(data["decorators"]),
            tuple((r[0], r[1]) for r in data["raw_reads"]), data["validates"], data["router"],
        )


@dataclass(frozen=True, slots=True)
class Handler:
    """A function a UI framework calls with user input (Gradio `fn=`, `.click(fn)`, ...)."""

    framework: str
    line: int
    target: str
    api: str


@dataclass(frozen=True, slots=True)
class Setting:
    """An app setting that matters in production (`debug=True`, permissive CORS, `reload=True`)."""

    line: int
    col: int
    kind: str  # debug | reload | cors
    message: str


@dataclass(frozen=True, slots=True)
class Launch:
    """A UI server launch (Gradio `launch`, `mount_gradio_app`)."""

    line: int
    col: int
    framework: str
    public: bool
    auth: bool


@dataclass(frozen=True, slots=True)
class SurfaceFacts:
    endpoints: tuple[Endpoint, ...] = ()
    handlers: tuple[Handler, ...] = ()
    settings: tuple[Setting, ...] = ()
    launches: tuple[Launch, ...] = ()
    rate_limits: tuple[str, ...] = ()  # evidence: imports, decorators, middleware
    auth: tuple[str, ...] = ()  # app-wide authentication evidence
    frameworks: tuple[str, ...] = ()
    scoped_auth: tuple[tuple[str, str], ...] = field(default=())  # (router name, dependency)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> SurfaceFacts:
        if not data:
            return cls()
        return cls(
            endpoints=tuple(Endpoint.from_json(e) for e in data["endpoints"]),
            handlers=tuple(Handler(**h) for h in data["handlers"]),
            settings=tuple(Setting(**s) for s in data["settings"]),
            launches=tuple(Launch(**l) for l in data["launches"]),
            rate_limits=tuple(data["rate_limits"]),
            auth=tuple(data["auth"]),
            frameworks=tuple(data["frameworks"]),
            scoped_auth=tuple((a[0], a[1]) for a in data["scoped_auth"]),
        )


def merge(*flows: Flow) -> Flow:
    """The union of what several values carry."""
    real = [f for f in flows if f is not None]
    if not real:
        return Flow()
    if len(real) == 1:
        return real[0]
    sources: list[str] = []
    params: list[str] = []
    texts: list[Text] = []
    names: list[str] = []
    roles: list[RolePart] = []
    loaded = ""
    tainted = False
    bounded = derived = True  # over the flows that carry a source or a parameter
    for f in real:
        if f.sources or f.params:
            tainted = True
            sources += f.sources
            params += f.params
            bounded = bounded and f.bounded
            derived = derived and f.derived
        if f.texts:
            texts += f.texts
        if f.names:
            names += f.names
        if f.roles:
            roles += f.roles
        if not loaded and f.loaded:
            loaded = f.loaded
    return Flow(
        tuple(sorted(set(sources))) if sources else (),
        tuple(sorted(set(params))) if params else (),
        tuple(dict.fromkeys(texts)) if texts else (),
        tuple(dict.fromkeys(names)) if names else (),
        loaded,
        tainted and bounded,
        tuple(dict.fromkeys(roles)) if roles else (),
        tainted and derived,
    )
