"""Link per-file call facts into model call sites with effective retries, timeout and limits.

A call's receiver is followed through local and module bindings, `self.x` attributes set in any
method of the class, factory functions' return values, `with_options(...)`, and imports of other
modules of the repo. Effective values: explicit argument, else `with_options`, else the client
constructor, else the SDK default for the version the repo pins.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from readiness.catalog import ApiEntry, Catalog
from readiness.facts.deps import Pin, normalise
from readiness.facts.model import DYNAMIC, MODULE_SCOPE, RETURN, Binding, CallFact, FileFacts
from readiness.model import Location

MAX_DEPTH = 8


@dataclass(frozen=True, slots=True)
class Effective:
    """An effective setting: `value` None means unset; `source` says where it came from."""

    value: float | None
    source: str  # explicit | with_options | client | sdk-default | dynamic | none
    note: str = ""

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
        }


class Resolver:
    """Resolves receivers across the files of one project."""

    def __init__(self, files: dict[str, FileFacts], catalog: Catalog) -> None:
        self.files = files
        self.catalog = catalog
        self.constructors = catalog.constructors
        self.by_module = {f.module: f for f in files.values() if f.kind == "python"}
        self.bindings: dict[str, dict[tuple[str, str], list[Binding]]] = {}
        for path, facts in files.items():
            index: dict[tuple[str, str], list[Binding]] = {}
            for b in facts.bindings:
                index.setdefault((b.scope, b.name), []).append(b)
            self.bindings[path] = index

    def _scopes(self, scope: str, name: str) -> list[str]:
        if name.startswith("self."):
            parts = scope.split(".")
            return [".".join(parts[:i]) for i in range(len(parts) - 1, 0, -1)]
        if scope == MODULE_SCOPE:
            return [MODULE_SCOPE]
        parts = scope.split(".")
        return [".".join(parts[:i]) for i in range(len(parts), 0, -1)] + [MODULE_SCOPE]

    def _internal(self, qualified: str) -> tuple[FileFacts, str] | None:
        """Split `pkg.mod.name` into the repo module that defines it and the name inside."""
        parts = qualified.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            facts = self.by_module.get(".".join(parts[:cut]))
            if facts is not None:
                return facts, ".".join(parts[cut:])
        return None

    def client_of(self, facts: FileFacts, scope: str, name: str, depth: int = 0) -> Client | None:
        """The client a name holds in `scope` of `facts`, if it can be known statically."""
        if depth > MAX_DEPTH:
            return None
        index = self.bindings.get(facts.path, {})
        for candidate in self._scopes(scope, name):
            found = index.get((candidate, name))
            if found:
                for binding in reversed(found):
                    client = self._from_binding(facts, candidate, binding, depth)
                    if client is not None:
                        return client
                return None
        if name.split(".")[0] != "self":
            internal = self._internal(name)
            if internal is not None and internal[0].path != facts.path:
                return self.client_of(internal[0], MODULE_SCOPE, internal[1], depth + 1)
        return None

    def _from_binding(self, facts: FileFacts, scope: str, binding: Binding, depth: int) -> Client | None:
        if binding.kind == "call":
            return self.client_from_call(facts, scope, binding.target, binding.args, depth)
        if binding.kind == "alias":
            return self.client_of(facts, scope, binding.target, depth + 1)
        if binding.kind == "with_options":
            base = self.client_of(facts, scope, binding.target, depth + 1)
            if base is not None:
                return Client(base.entry, base.ctor, base.args, {**base.options, **binding.args})
        return None

    def client_from_call(self, facts: FileFacts, scope: str, callee: str, args: dict[str, Any], depth: int) -> Client | None:
        """A client built by a constructor, or returned by a factory function of the repo."""
        entry = self.constructors.get(callee)
        if entry is not None:
            return Client(entry, callee, args)
        if depth > MAX_DEPTH:
            return None
        # A factory: a function of this file or another module whose return value is a client.
        if facts.function(callee) is not None:
            return self.client_of(facts, callee, RETURN, depth + 1)
        internal = self._internal(callee)
        if internal is not None:
            other, func = internal
            if other.function(func) is not None:
                return self.client_of(other, func, RETURN, depth + 1)
        return None

    def entry_for(self, facts: FileFacts, call: CallFact) -> tuple[ApiEntry, Client | None, str] | None:
        """Which catalog entry a call goes to, the client if any, and the API name."""
        if call.ctor:
            entry = self.constructors.get(call.ctor)
            if entry is not None and call.target in entry.methods:
                return entry, Client(entry, call.ctor, call.ctor_args, call.options), call.target
            return None
        function_entry = self.catalog.functions.get(call.target)
        if function_entry is not None:
            return function_entry, None, call.target
        parts = call.target.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            chain = ".".join(parts[cut:])
            root = ".".join(parts[:cut])
            client = self.client_of(facts, call.scope, root)
            if client is not None:
                if chain in client.entry.methods:
                    if call.options:
                        client = Client(client.entry, client.ctor, client.args, {**client.options, **call.options})
                    return client.entry, client, chain
                return None
        return None


def _effective(names: tuple[str, ...], call: CallFact, client: Client | None, default: Any, default_note: str) -> Effective:
    layers: list[tuple[str, dict[str, Any]]] = [("explicit", call.args)]
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
                return Effective(float(value), source)
        if "**" in values and source != "with_options":
            return Effective(None, "dynamic", "passed through **kwargs")
    if default is None and default_note == "":
        return Effective(None, "none")
    return Effective(default, "sdk-default", default_note)


def _model(entry: ApiEntry, call: CallFact) -> str | None:
    for name in entry.model_args:
        if name in call.args:
            value = call.args[name]
            return value if isinstance(value, str) and value != DYNAMIC else "dynamic"
    return None


def build_call_sites(
    files: dict[str, FileFacts],
    catalog: Catalog,
    pins: dict[str, Pin],
    retry_decorators: frozenset[str],
    tracing_decorators: frozenset[str],
    retry_helpers: frozenset[str],
) -> list[CallSite]:
    """Every model call in the project, with its effective failure settings."""
    resolver = Resolver(files, catalog)
    sites: list[CallSite] = []
    for path in sorted(files):
        facts = files[path]
        for call in facts.calls:
            found = resolver.entry_for(facts, call)
            if found is None:
                continue
            entry, client, api = found
            pin = pins.get(normalise(entry.package))
            defaults, assumed = entry.defaults_for(pin.version if pin else None)
            if defaults is not None:
                if pin and not assumed:
                    note = f"{entry.label} SDK default for {entry.package} {pin.version}, pinned in {pin.source}"
                elif pin:
                    note = f"{entry.label} SDK default for {entry.package}{defaults.versions}; {pin.version} is pinned in {pin.source}"
                else:
                    note = f"{entry.label} SDK default, assuming {entry.package}{defaults.versions}: no pin found"
                retries = _effective(entry.retries_args, call, client, float(defaults.retries), note)
                timeout = _effective(entry.timeout_args, call, client, defaults.timeout, note)
            else:
                retries = _effective(entry.retries_args, call, client, None, "")
                timeout = _effective(entry.timeout_args, call, client, None, "")
            max_tokens = _effective(entry.max_tokens_args, call, None, None, "")
            function = facts.function(call.scope)
            decorators = function.decorators if function else ()
            retry = next((d for d in decorators if _matches(d, retry_decorators)), "")
            if retry:
                retry = f"@{retry}"
            elif call.retry_loop:
                retry = "retry loop with sleep"
            elif function and any(_matches(c, retry_helpers) for c in function.calls):
                retry = next(c for c in function.calls if _matches(c, retry_helpers))
            observed = ""
            if function is not None:
                traced_by = next((d for d in decorators if _matches(d, tracing_decorators)), "")
                if traced_by:
                    observed = f"@{traced_by}"
                elif function.traced:
                    observed = "tracing span"
                elif function.logs:
                    observed = "logging"
            cell, line = (call.line and facts.cell_lines[call.line - 1]) if facts.cell_lines and call.line <= len(facts.cell_lines) else (None, call.line)
            is_async = call.awaited or (client is not None and client.ctor in entry.async_constructors) or call.target in entry.async_names
            sites.append(
                CallSite(
                    location=Location(path, line, call.col, cell),
                    scope=call.scope,
                    provider=entry.id,
                    label=entry.label,
                    api=api,
                    model=_model(entry, call),
                    retries=retries,
                    timeout=timeout,
                    max_tokens=max_tokens,
                    retry_evidence=retry,
                    observed=observed,
                    is_async=is_async,
                    in_loop=call.in_loop,
                    embedding=api in entry.embedding_methods,
                )
            )
    return sites


def _matches(name: str, known: frozenset[str]) -> bool:
    """A qualified name matches a known one exactly, or by its last two segments (re-exports)."""
    if name in known:
        return True
    tail = ".".join(name.split(".")[-2:])
    return any(k.endswith("." + tail) or k == tail for k in known) if "." in name else False
