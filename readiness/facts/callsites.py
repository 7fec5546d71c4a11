"""Link per-file call facts into model call sites with effective retries, timeout and limits.

A call's receiver is followed through local and module bindings, `self.x` attributes set in any
method of the class (and properties that return them), factory functions' return values,
`with_options(...)` and other derivations (`with_retry()`, `as_query_engine()`), `|` pipelines,
chain and agent constructors that wrap a model, and imports of other modules of the repo.
Effective values: explicit argument, else `with_options`, else the client constructor, else the
SDK default for the version the repo pins.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from readiness.catalog import ApiEntry, Catalog
from readiness.facts.deps import Pin
from readiness.facts.model import DYNAMIC, MODULE_SCOPE, RETURN, Binding, CallFact, FileFacts
from readiness.model import Location

MAX_DEPTH = 8

#: Frameworks whose chains and agents run the model passed to them as `llm=`.
WRAPPING_PACKAGES = frozenset({
    "langchain", "langchain_classic", "langchain_community", "langchain_experimental", "langgraph", "llama_index",
})

#: Methods that return the same model with different settings.
TRANSPARENT = frozenset({
    "with_options", "with_retry", "with_fallbacks", "with_structured_output", "bind", "bind_tools",
    "with_config", "with_types", "with_listeners", "configurable_fields", "configurable_alternatives", "copy",
})

WRAPPER = ApiEntry(
    id="wrapper", label="declared model wrapper", package="", kind="function", constructors=(),
    async_constructors=(), methods=(), names=(), async_names=(), embedding_methods=(), model_args=("model",),
    timeout_args=(), retries_args=(), max_tokens_args=(), defaults=(),
)


def remembered(answers: dict[Any, Any], key: Any, work: Callable[..., Any], *args: Any) -> Any:
    """`work(*args)`, computed once per `key` and kept in `answers` (None answers included)."""
    try:
        return answers[key]
    except KeyError:
        answer = answers[key] = work(*args)
        return answer


@dataclass(frozen=True, slots=True)
class Effective:
    """An effective setting: `value` None means unset; `source` says where it came from.

    Sources: explicit | with_options | client | sdk-default | none (nothing sets it) |
    dynamic (set from a value the scan cannot read) | unknown (the SDK's default is not recorded)
    | wrapper (a declared in-house wrapper owns it).
    """

    value: float | None
    source: str
    note: str = ""

    @property
    def judged(self) -> bool:
        """False when the scan cannot tell, so rules must stay silent."""
        return self.source not in ("dynamic", "unknown", "wrapper")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value, "source": self.source}
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True, slots=True)
class Client:
    entry: ApiEntry
    ctor: str
    args: dict[str, Any]
    options: dict[str, Any] = field(default_factory=dict)
    prefix: str = ""  # a derived object: `as_query_engine.` of an index, `chats.create.` of a client


@dataclass(frozen=True, slots=True)
class CallSite:
    location: Location
    scope: str
    provider: str
    label: str
    api: str
    model: str | None
    retries: Effective
    timeout: Effective
    max_tokens: Effective
    retry_evidence: str
    observed: str
    is_async: bool
    in_loop: bool
    embedding: bool
    path: str = ""
    #: The function that makes the call (a model gateway), `""` at module level.
    gateway: str = ""
    #: How many calls elsewhere in the repo reach the gateway.
    reach: int = 0
    structured: bool = False
    fallback: str = ""
    per_item: bool = False
    concurrent: bool = False
    awaited: bool = False
    try_line: int = 0
    col: int = 0
    in_async_function: bool = False
    in_handler: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "location": self.location.to_json(),
            "function": self.scope,
            "provider": self.provider,
            "api": self.api,
            "model": self.model,
            "retries": self.retries.to_json(),
            "timeout": self.timeout.to_json(),
            "max_tokens": self.max_tokens.to_json(),
            "retry_evidence": self.retry_evidence or None,
            "observed_by": self.observed or None,
            "async": self.is_async,
            "in_loop": self.in_loop,
            "gateway": {"function": self.gateway, "reached_from": self.reach} if self.gateway else None,
        }


def _qualify(facts: FileFacts, name: str) -> str:
    head, _, rest = name.partition(".")
    full = facts.imports.get(head)
    return (f"{full}.{rest}" if rest else full) if full else name


def _class_scopes(scope: str) -> list[str]:
    parts = scope.split(".")
    return [".".join(parts[:i]) for i in range(len(parts) - 1, 0, -1)]


class Resolver:
    """Resolves receivers across the files of one project."""

    def __init__(self, files: dict[str, FileFacts], catalog: Catalog) -> None:
        self.files = files
        self.catalog = catalog
        self.by_module = {f.module: f for f in files.values() if f.kind == "python"}
        for f in files.values():
            # `src/pkg/mod.py` is `pkg.mod` once installed, but scripts often import `src.pkg.mod`
            if f.kind == "python" and f.path.startswith("src/") and f.module:
                self.by_module.setdefault(f"src.{f.module}", f)
        self.bindings: dict[str, dict[tuple[str, str], list[Binding]]] = {}
        self.classes: dict[str, set[str]] = {}
        for path, facts in files.items():
            index: dict[tuple[str, str], list[Binding]] = {}
            for b in facts.bindings:
                index.setdefault((b.scope, b.name), []).append(b)
            self.bindings[path] = index
            self.classes[path] = {fn.qualname.rsplit(".", 1)[0] for fn in facts.functions if "." in fn.qualname}
        self.by_module_heads = {m.split(".")[0] for m in self.by_module if m}
        # Answers already worked out: every question below depends only on its arguments and on
        # the files (and `callers`, which resets them), and one project asks most of them many times.
        self._bindings: dict[tuple[str, str, str], tuple[str, list[Binding]] | None] = {}
        self._internals: dict[str, tuple[FileFacts, str] | None] = {}
        self._clients: dict[tuple[str, str, str, int, int], Client | None] = {}
        self._functions: dict[tuple[str, str, str, str, int], tuple[str, str] | None] = {}
        self._instances: dict[tuple[str, str, str, int], tuple[str, str] | None] = {}
        #: Calls of each repo function, filled in by the call graph before call sites are resolved.
        self.callers = {}
        self._distinctive: dict[str, list[ApiEntry]] = {}
        for entry in catalog.entries:
            if entry.kind == "client" and not entry.http and not entry.wraps_args and entry.constructors:
                for method in entry.methods:
                    if method.count(".") >= 1 and not method.startswith(("as_", "start_chat", "chats.")):
                        self._distinctive.setdefault(method, []).append(entry)

    @property
    def callers(self) -> dict[tuple[str, str], list[tuple[str, Any]]]:
        return self._callers

    @callers.setter
    def callers(self, value: dict[tuple[str, str], list[tuple[str, Any]]]) -> None:
        self._callers = value
        self._clients.clear()  # parameters resolve through the callers

    def _scopes(self, scope: str, name: str) -> list[str]:
        if name.startswith("self."):
            return _class_scopes(scope)
        if scope == MODULE_SCOPE:
            return [MODULE_SCOPE]
        parts = scope.split(".")
        return [".".join(parts[:i]) for i in range(len(parts), 0, -1)] + [MODULE_SCOPE]

    def _internal(self, qualified: str) -> tuple[FileFacts, str] | None:
        """Split `pkg.mod.name` into the repo module that defines it and the name inside."""
        try:
            return self._internals[qualified]
        except KeyError:
            pass
        found = None
        parts = qualified.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            facts = self.by_module.get(".".join(parts[:cut]))
            if facts is not None:
                found = facts, ".".join(parts[cut:])
                break
        self._internals[qualified] = found
        return found

    def binding(self, facts: FileFacts, scope: str, name: str) -> tuple[str, list[Binding]] | None:
        key = (facts.path, scope, name)
        try:
            return self._bindings[key]
        except KeyError:
            pass
        result = None
        index = self.bindings.get(facts.path, {})
        for candidate in self._scopes(scope, name):
            found = index.get((candidate, name))
            if found:
                result = candidate, found
                break
        self._bindings[key] = result
        return result

    def client_of(self, facts: FileFacts, scope: str, name: str, depth: int = 0, line: int = 0) -> Client | None:
        """The client a name holds in `scope` of `facts`, if it can be known statically.

        With `line`, a name bound in the same function more than once means its latest binding
        above that line (`client = OpenAI()` ... `client = Anthropic()`).
        """
        if depth > MAX_DEPTH:
            return None
        return remembered(self._clients, (facts.path, scope, name, depth, line), self._client_of, facts, scope, name, depth, line)

    def _client_of(self, facts: FileFacts, scope: str, name: str, depth: int, line: int) -> Client | None:
        found = self.binding(facts, scope, name)
        if found:
            candidate, bindings = found
            if line and candidate == scope and not name.startswith("self."):
                before = [b for b in bindings if b.line <= line]
                bindings = before or bindings
            for binding in reversed(bindings):
                client = self._from_binding(facts, candidate, binding, depth)
                if client is not None:
                    return client
            return None
        if name.startswith("self.") and name.count(".") == 1:
            # a property (or a method used as one) of the class that returns the client
            for cls in _class_scopes(scope):
                method = f"{cls}.{name[5:]}"
                if facts.function(method) is not None:
                    return self.client_of(facts, method, RETURN, depth + 1)
        if name.split(".")[0] != "self":
            internal = self._internal(name)
            if internal is not None and internal[0].path != facts.path:
                return self.client_of(internal[0], MODULE_SCOPE, internal[1], depth + 1)
        return None

    def _from_binding(self, facts: FileFacts, scope: str, binding: Binding, depth: int) -> Client | None:
        if binding.kind == "call":
            return self.client_from_call(facts, scope, binding.target, binding.args, depth + 1)
        if binding.kind == "alias":
            return self.client_of(facts, binding.args.get("@scope", scope), binding.target, depth + 1)
        if binding.kind == "with_options":
            base = self.client_of(facts, scope, binding.target, depth + 1)
            if base is not None:
                return Client(base.entry, base.ctor, base.args, {**base.options, **binding.args}, base.prefix)
        if binding.kind == "param":
            return self.param_client(facts, scope, binding, depth)
        if binding.kind == "item":
            # `a, b = make()`: item `index` of what the factory returns
            key = self._factory(facts, scope, binding.target)
            if key is not None:
                return self.client_of(key[0], key[1], f"{RETURN}[{binding.args.get('index', 0)}]", depth + 1)
            return None
        if binding.kind == "annotation":
            # `client: OpenAI`: built elsewhere, so its settings are unknown
            entry = self.catalog.constructor_for(binding.target, {})
            return Client(entry, binding.target, {"**": DYNAMIC}) if entry is not None else None
        if binding.kind == "pipe":
            return self.pipe_client(facts, scope, binding.args.get("|", []), depth + 1)
        if binding.kind == "chain":
            args = {k: v for k, v in binding.args.items() if k != "."}
            base = self.client_from_call(facts, scope, binding.target, args, depth + 1)
            return self.derive(base, binding.args.get(".", ""), {}) if base is not None else None
        return None

    def param_client(self, facts: FileFacts, scope: str, binding: Binding, depth: int) -> Client | None:
        """The client a parameter receives from the repo's calls of its function (the first found)."""
        if depth > MAX_DEPTH:
            return None
        index = binding.args.get("index", -1)
        keys = ([f"#{index}"] if index >= 0 else []) + [binding.name]
        for path, inv in self.callers.get((facts.path, scope), ()):
            caller = self.files.get(path)
            if caller is None:
                continue
            for key in keys:
                client = self._wrapped(caller, inv.scope, inv.args, key, depth + 1)
                if client is not None:
                    return client
        return None

    def _wrapped(self, facts: FileFacts, scope: str, args: dict[str, Any], key: str, depth: int) -> Client | None:
        """The model a chain or agent constructor receives as `key` (a name, or built inline)."""
        if depth > MAX_DEPTH:
            return None
        ref = args.get("@" + key)
        inline = args.get("()" + key)
        inner = None
        if ref:
            inner = self.client_of(facts, scope, ref, depth + 1)
        elif inline:
            # `LLMChain(llm=ChatOpenAI(...))`: the model is built inline
            nested = {k[len(key) + 1:]: v for k, v in args.items() if k.startswith(key + ".")}
            inner = self.client_from_call(facts, scope, _qualify(facts, inline), nested, depth + 1)
        return Client(inner.entry, inner.ctor, inner.args, inner.options, inner.prefix) if inner is not None else None

    def _factory(self, facts: FileFacts, scope: str, callee: str) -> tuple[FileFacts, str] | None:
        """The repo function a callee names: in this file, a method of this class, or imported."""
        if facts.function(callee) is not None:
            return facts, callee
        if callee.startswith("self.") and callee.count(".") == 1:
            for cls in [scope, *_class_scopes(scope)]:
                if facts.function(f"{cls}.{callee[5:]}") is not None:
                    return facts, f"{cls}.{callee[5:]}"
        internal = self._internal(callee)
        if internal is not None and internal[0].function(internal[1]) is not None:
            return internal
        return None

    def pipe_client(self, facts: FileFacts, scope: str, operands: list[str], depth: int) -> Client | None:
        """The model of a `prompt | llm | parser` pipeline."""
        for operand in operands:
            if operand.startswith("call:"):
                client = self.client_from_call(facts, scope, operand[5:], {}, depth)
            else:
                client = self.client_of(facts, scope, operand, depth)
            if client is not None:
                return Client(client.entry, client.ctor, client.args, client.options)
        return None

    def derive(self, base: Client, chain: str, args: dict[str, Any]) -> Client | None:
        """`base.<chain>(...)`: the same model with other settings, or a derived object."""
        if not chain:
            return base
        last = chain.rsplit(".", 1)[-1]
        if chain == last and last in TRANSPARENT:
            options = dict(base.options)
            if last == "with_options":
                options.update({k: v for k, v in args.items() if not k.startswith(("@", "~", "#"))})
            else:
                options[f"<{last}>"] = args.get("#0", True) if last != "with_retry" else args.get("stop_after_attempt", True)
                if last == "with_fallbacks":
                    options["<fallbacks>"] = True
            return Client(base.entry, base.ctor, base.args, options, base.prefix)
        prefix = f"{base.prefix}{chain}."
        if any(m.startswith(prefix) for m in base.entry.methods):
            return Client(base.entry, base.ctor, base.args, base.options, prefix)
        return None

    def client_from_call(self, facts: FileFacts, scope: str, callee: str, args: dict[str, Any], depth: int) -> Client | None:
        """A client built by a constructor, derived from another, or returned by a factory of the repo."""
        entry = self.catalog.constructor_for(callee, args)
        if entry is not None:
            if entry.wraps_args:
                for key in entry.wraps_args:
                    inner = self._wrapped(facts, scope, args, key, depth)
                    if inner is not None and inner.entry.id != entry.id:
                        return inner
            return Client(entry, callee, args)
        if depth > MAX_DEPTH:
            return None
        if callee in self.catalog.transparent_wrappers:
            # `instructor.from_openai(OpenAI())`, `wrap_openai(client)`: the same client, wrapped
            inner = self._wrapped(facts, scope, args, "#0", depth)
            if inner is not None:
                marker = "<traced>" if callee in self.catalog.tracing_wrappers else "<wrapped>"
                return Client(inner.entry, inner.ctor, inner.args, {**inner.options, marker: callee}, inner.prefix)
        if callee.split(".")[0] in WRAPPING_PACKAGES and ("@llm" in args or "()llm" in args):
            # any chain or agent of these frameworks built around `llm=<model>` runs that model
            inner = self._wrapped(facts, scope, args, "llm", depth)
            if inner is not None:
                return inner
        parts = callee.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            root, chain = ".".join(parts[:cut]), ".".join(parts[cut:])
            if root == "self":
                break
            base = self.client_of(facts, scope, root, depth + 1)
            if base is not None:
                return self.derive(base, chain, args)
        # A factory: a function of this file, a method of this class, or a function of another module.
        if facts.function(callee) is not None:
            return self.client_of(facts, callee, RETURN, depth + 1)
        if callee.startswith("self.") and callee.count(".") == 1:
            for cls in [scope, *_class_scopes(scope)]:
                method = f"{cls}.{callee[5:]}"
                if facts.function(method) is not None:
                    return self.client_of(facts, method, RETURN, depth + 1)
        internal = self._internal(callee)
        if internal is not None:
            other, func = internal
            if other.function(func) is not None:
                return self.client_of(other, func, RETURN, depth + 1)
        return None

    def url_of(self, facts: FileFacts, scope: str, args: dict[str, Any]) -> str:
        """The URL a raw HTTP call goes to, as far as literals and string constants tell."""
        for key in ("#0", "url"):
            value = args.get(key)
            if isinstance(value, str) and value != DYNAMIC:
                return value
            if "~" + key in args:
                return str(args["~" + key])
            ref = args.get("@" + key)
            if ref:
                return self.string_of(facts, scope, ref, 0)
        return ""

    def string_of(self, facts: FileFacts, scope: str, name: str, depth: int) -> str:
        if depth > MAX_DEPTH:
            return ""
        found = self.binding(facts, scope, name)
        if found:
            for binding in reversed(found[1]):
                if binding.kind == "str":
                    return binding.target
                if binding.kind == "alias":
                    return self.string_of(facts, found[0], binding.target, depth + 1)
            return ""
        internal = self._internal(name)
        if internal is not None and internal[0].path != facts.path:
            return self.string_of(internal[0], MODULE_SCOPE, internal[1], depth + 1)
        return ""

    def _check(self, facts: FileFacts, call: CallFact, client: Client, chain: str) -> tuple[ApiEntry, Client, str] | None:
        api = client.prefix + chain
        if api not in client.entry.methods:
            return None
        if client.entry.http and not self.catalog.is_endpoint(self.url_of(facts, call.scope, call.args)):
            return None
        if call.options:
            client = Client(client.entry, client.ctor, client.args, {**client.options, **call.options}, client.prefix)
        return client.entry, client, api

    def entry_for(self, facts: FileFacts, call: CallFact) -> tuple[ApiEntry, Client | None, str] | None:
        """Which catalog entry a call goes to, the client if any, and the API name."""
        if call.ctor == "<pipe>":
            client = self.pipe_client(facts, call.scope, call.ctor_args.get("|", []), 1)
            return self._check(facts, call, client, call.target) if client is not None else None
        if call.ctor:
            client = self.client_from_call(facts, call.scope, call.ctor, call.ctor_args, 1)
            if client is None:
                return None
            if call.options:
                client = Client(client.entry, client.ctor, client.args, {**client.options, **call.options}, client.prefix)
            parts = call.target.split(".")
            for cut in range(len(parts) - 1, 0, -1):
                derived = self.derive(client, ".".join(parts[:cut]), {})
                if derived is not None and derived.prefix + ".".join(parts[cut:]) in derived.entry.methods:
                    return self._check(facts, call, derived, ".".join(parts[cut:]))
            return self._check(facts, call, client, call.target)
        function_entry = self.catalog.functions.get(call.target)
        if function_entry is not None:
            if function_entry.http and not self.catalog.is_endpoint(self.url_of(facts, call.scope, call.args)):
                return None
            return function_entry, None, call.target
        parts = call.target.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            chain = ".".join(parts[cut:])
            root = ".".join(parts[:cut])
            client = self.client_of(facts, call.scope, root, line=call.line)
            if client is not None:
                return self._check(facts, call, client, chain)
        client = self.client_of(facts, call.scope, call.target, line=call.line)
        if client is not None:
            return self._check(facts, call, client, "__call__")
        return self.inferred(facts, call)

    def inferred(self, facts: FileFacts, call: CallFact) -> tuple[ApiEntry, Client | None, str] | None:
        """A client passed in from elsewhere (`def ask(client, q): client.chat.completions.create(...)`).

        Only a distinctive method chain of at least two attributes counts, with the SDK's model
        argument, on a receiver that nothing in the file binds to another object, in a file that
        imports that SDK (`twilio_client.messages.create(to=...)` does not count). Its
        settings are unknown, so rules judge only the call's own arguments.
        """
        parts = call.target.split(".")
        for cut in range(1, len(parts) - 1):
            root, chain = ".".join(parts[:cut]), ".".join(parts[cut:])
            if root.split(".")[0] in self.by_module_heads or root.split(".")[0] in facts.imports:
                continue
            if chain not in self._distinctive:
                continue
            imported = {target.split(".")[0] for target in facts.imports.values()}
            entry = next(
                (e for e in self._distinctive.get(chain, ()) if e.constructors[0].split(".")[0] in imported
                 and any(arg in call.args for arg in e.model_args if not arg.startswith("#"))),
                None,
            )
            if entry is None:
                continue
            found = self.binding(facts, call.scope, root)
            if found and any(b.kind in ("call", "chain", "pipe", "str", "dict") for b in found[1]):
                return None
            unknown = {"**": DYNAMIC}
            return entry, Client(entry, "<passed in>", unknown), chain
        return None

    # -- repo functions --------------------------------------------------------
    def function_of(self, facts: FileFacts, scope: str, target: str, ctor: str = "", depth: int = 0) -> tuple[str, str] | None:
        """The repo function a call reaches: (path, qualname), or None for anything else."""
        if depth > 4:
            return None
        return remembered(self._functions, (facts.path, scope, target, ctor, depth), self._function_of, facts, scope, target, ctor, depth)

    def _function_of(self, facts: FileFacts, scope: str, target: str, ctor: str, depth: int) -> tuple[str, str] | None:
        if ctor:
            cls = self.function_of(facts, scope, ctor, "", depth + 1)
            if cls is not None and cls[1] in self.classes.get(cls[0], ()):
                return self._method(cls[0], cls[1], target)
            return None
        if facts.function(target) is not None:
            return facts.path, target
        if target in self.classes.get(facts.path, ()):
            return facts.path, target
        if target.startswith("self.") and target.count(".") == 1:
            for owner in _class_scopes(scope):
                if facts.function(f"{owner}.{target[5:]}") is not None:
                    return facts.path, f"{owner}.{target[5:]}"
            return None
        internal = self._internal(target)
        if internal is not None:
            other, name = internal
            if other.function(name) is not None or name in self.classes.get(other.path, ()):
                return other.path, name
            head, _, rest = name.partition(".")
            if rest and head in self.classes.get(other.path, ()):
                return self._method(other.path, head, rest)
        if "." in target:
            root, _, method = target.rpartition(".")
            instance = self.instance_of(facts, scope, root, depth + 1)
            if instance is not None:
                return self._method(instance[0], instance[1], method)
        return None

    def _method(self, path: str, cls: str, method: str) -> tuple[str, str] | None:
        facts = self.files.get(path)
        if facts is not None and "." not in method and facts.function(f"{cls}.{method}") is not None:
            return path, f"{cls}.{method}"
        return None

    def instance_of(self, facts: FileFacts, scope: str, name: str, depth: int) -> tuple[str, str] | None:
        """The repo class whose instance a name holds: `agent = Agent(...)`, `self.svc = Service()`."""
        if depth > 4:
            return None
        return remembered(self._instances, (facts.path, scope, name, depth), self._instance_of, facts, scope, name, depth)

    def _instance_of(self, facts: FileFacts, scope: str, name: str, depth: int) -> tuple[str, str] | None:
        found = self.binding(facts, scope, name)
        if found:
            for binding in reversed(found[1]):
                if binding.kind in ("call", "annotation"):
                    cls = self.function_of(facts, found[0], binding.target, "", depth + 1)
                    if cls is not None and cls[1] in self.classes.get(cls[0], ()):
                        return cls
                elif binding.kind == "alias":
                    return self.instance_of(facts, binding.args.get("@scope", found[0]), binding.target, depth + 1)
            return None
        internal = self._internal(name)
        if internal is not None and internal[0].path != facts.path:
            return self.instance_of(internal[0], MODULE_SCOPE, internal[1], depth + 1)
        return None


def _effective(names: tuple[str, ...], call: CallFact, client: Client | None, default: Any, default_note: str,
               scale: float = 1.0, expanded: dict[str, Any] | None = None) -> Effective:
    layers: list[tuple[str, dict[str, Any]]] = [("explicit", expanded if expanded is not None else call.args)]
    if client is not None:
        layers += [("with_options", client.options), ("client", client.args)]
    for source, values in layers:
        for name in names:
            if name in values:
                value = values[name]
                if value == DYNAMIC:
                    return Effective(None, "dynamic")
                if value is None:
                    return Effective(None, source, "set to None: no limit")
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    return Effective(None, "dynamic")
                return Effective(float(value) * scale, source)
            if "." in name and f"{name.split('.')[0]}.**" in values:
                return Effective(None, "dynamic", "passed through **kwargs")
        if "**" in values and source != "with_options":
            return Effective(None, "dynamic", "passed through **kwargs")
    if default is None and default_note == "":
        return Effective(None, "none")
    if default_note == "unknown":
        return Effective(None, "unknown", "the SDK's default is not recorded")
    return Effective(default, "sdk-default", default_note)


def _model(entry: ApiEntry, call: CallFact, client: Client | None) -> str | None:
    for values in (call.args, client.args if client else {}):
        for name in entry.model_args:
            if name in values:
                value = values[name]
                return value if isinstance(value, str) and value != DYNAMIC else "dynamic"
    return None


def _expanded(resolver: Resolver, facts: FileFacts, call: CallFact) -> dict[str, Any] | None:
    """`create(**kwargs)` where `kwargs = {...}` is a dict literal of the same function: its keys."""
    ref = call.args.get("@**")
    if not ref:
        return None
    found = resolver.binding(facts, call.scope, ref)
    if not found:
        return None
    dicts = [b for b in found[1] if b.kind == "dict"]
    if len(dicts) != len(found[1]) or not dicts:
        return None
    merged = {k: v for k, v in call.args.items() if k not in ("**", "@**")}
    for binding in dicts:
        merged.update(binding.args)
    return merged


def _matches(name: str, known: frozenset[str]) -> bool:
    """A qualified name matches a known one exactly, or by its last two segments (re-exports)."""
    if name in known:
        return True
    tail = ".".join(name.split(".")[-2:])
    return any(k.endswith("." + tail) or k == tail for k in known) if "." in name else False


def build_call_sites(
    files: dict[str, FileFacts],
    catalog: Catalog,
    pins: dict[str, Pin],
    retry_decorators: frozenset[str] = frozenset(),
    tracing_decorators: frozenset[str] = frozenset(),
    retry_helpers: frozenset[str] = frozenset(),
) -> list[CallSite]:
    """Every model call in the project, with its effective failure settings."""
    from readiness.config import Config
    from readiness.facts.callgraph import build_model_calls

    config = Config(retry_decorators=tuple(sorted(retry_decorators)), tracing_decorators=tuple(sorted(tracing_decorators)))
    return build_model_calls(files, catalog, pins, config).sites
