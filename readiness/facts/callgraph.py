"""Model calls of the whole project: call sites, the gateways that hold them, who reaches them,
and where their output goes.

A function that makes a model call is a *model gateway*; a function that calls a gateway reaches
the model too. Calls are resolved across files (imports, `self.method`, instances of repo classes),
so a finding about a gateway is reported once, at the call inside it, with the number of places
that reach it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

from readiness.catalog import Catalog
from readiness.config import Config
from readiness.facts.callsites import (
    WRAPPER, CallSite, Client, Effective, Resolver, _effective, _expanded, _matches, _model,
)
from readiness.facts.deps import Pin, normalise
from readiness.facts.signals import is_test_path
from readiness.facts.model import MODULE_SCOPE, CallFact, FileFacts, Flow, FunctionFact, Invocation
from readiness.facts.names import WEB_FRAMEWORKS
from readiness.model import Location

FnKey = tuple[str, str]  # (path, function qualname)

BLOCKING_HTTP = frozenset({
    "requests.get", "requests.post", "requests.put", "requests.delete", "requests.patch", "requests.request",
    "requests.head", "urllib.request.urlopen", "time.sleep",
})


@dataclass
class ModelCalls:
    """Call sites plus the project-wide call graph around them."""

    files: dict[str, FileFacts]
    resolver: Resolver
    sites: list[CallSite] = field(default_factory=list)
    cache_decorators: frozenset[str] = frozenset()
    by_function: dict[FnKey, list[CallSite]] = field(default_factory=dict)
    callers: dict[FnKey, list[tuple[str, Invocation]]] = field(default_factory=dict)
    calls_from: dict[FnKey, list[tuple[str, Invocation, FnKey]]] = field(default_factory=dict)
    resolved: dict[tuple[str, int, int], FnKey] = field(default_factory=dict)
    site_at: dict[tuple[str, int, int], CallSite] = field(default_factory=dict)
    _memos: dict[str, dict[FnKey, Any]] = field(default_factory=dict)
    _active: set[tuple[str, FnKey]] = field(default_factory=set)

    # -- the graph -------------------------------------------------------------
    def function(self, key: FnKey) -> FunctionFact | None:
        facts = self.files.get(key[0])
        return facts.function(key[1]) if facts is not None else None

    def _memo(self, kind: str, key: FnKey, default: Any, compute: Any) -> Any:
        """Each question is answered once per function; a cycle (or a very deep chain) answers
        `default` while it is being worked out, so every walk is linear in the graph's size."""
        table = self._memos.setdefault(kind, {})
        if key in table:
            return table[key]
        token = (kind, key)
        if token in self._active or len(self._active) > 64:
            return default
        self._active.add(token)
        try:
            value = compute()
        finally:
            self._active.discard(token)
        table[key] = value
        return value

    def reaches_model(self, key: FnKey) -> bool:
        """The function makes a model call, or calls (transitively) one that does."""
        return bool(self._memo("reach", key, False, lambda: bool(self.by_function.get(key)) or any(
            not inv.deferred and self.reaches_model(callee) for _, inv, callee in self.calls_from.get(key, ())
        )))

    def gateway_sites(self, key: FnKey) -> list[CallSite]:
        """The model call sites a function reaches, directly or through other gateways."""
        def compute() -> list[CallSite]:
            found = list(self.by_function.get(key, ()))
            for _, inv, callee in self.calls_from.get(key, ()):
                found += self.gateway_sites(callee)
            return list(dict.fromkeys(found))
        result: list[CallSite] = self._memo("sites", key, [], compute)
        return result

    def blocking(self, key: FnKey) -> CallSite | None:
        """A sync function that makes (or reaches) a blocking model call: the call it blocks on."""
        def compute() -> CallSite | None:
            fn = self.function(key)
            if fn is None or fn.is_async:
                return None
            for site in self.by_function.get(key, ()):
                if not site.is_async:
                    return site
            for _, inv, callee in self.calls_from.get(key, ()):
                if not inv.deferred and not inv.concurrent:
                    hit = self.blocking(callee)
                    if hit is not None:
                        return hit
            return None
        result: CallSite | None = self._memo("blocking", key, None, compute)
        return result

    def cached(self, key: FnKey) -> bool:
        fn = self.function(key)
        return fn is not None and any(_matches(d, self.cache_decorators) for d in fn.decorators)

    def handled(self, key: FnKey) -> bool:
        """Every way into the function is inside a `try` (here or in a caller up the chain)."""
        def compute() -> bool:
            callers = self.callers.get(key, [])
            if not callers:
                return False
            for path, inv in callers:
                if inv.try_line or is_test_path(path):
                    continue  # tests call the gateway directly on purpose; users never come that way
                if inv.scope == MODULE_SCOPE or not self.handled((path, inv.scope)):
                    return False
            return True
        return bool(self._memo("handled", key, False, compute))

    def evidence_up(self, key: FnKey, test: Any) -> str:
        """Evidence (`test(fn) -> str`) on the function, or on every function that calls it."""
        def compute() -> str:
            fn = self.function(key)
            if fn is None:
                return ""
            own = test(fn)
            if own:
                return str(own)
            callers = self.callers.get(key, [])
            if not callers:
                return ""
            found = ""
            for path, inv in callers:
                hit = self.evidence_up((path, inv.scope), test)
                if not hit:
                    return ""
                found = found or hit
            return found if found.endswith(" in every caller") else f"{found} in every caller"
        return str(self._memo(f"evidence:{id(test)}", key, "", compute))

    # -- output ----------------------------------------------------------------
    def output_sources(self, path: str, origins: tuple[tuple[int, int], ...]) -> list[CallSite]:
        """The model calls whose output reaches something through these call positions."""
        found: list[CallSite] = []
        for line, col in origins:
            site = self.site_at.get((path, line, col))
            if site is not None:
                found.append(site)
                continue
            callee = self.resolved.get((path, line, col))
            if callee is not None:
                found += self.returned_output(callee)
        return found

    def returned_output(self, key: FnKey) -> list[CallSite]:
        """The model calls whose output a function returns (or yields)."""
        def compute() -> list[CallSite]:
            facts = self.files.get(key[0])
            found: list[CallSite] = []
            if facts is not None:
                for flow in facts.flows:
                    if flow.kind == "return" and flow.scope == key[1]:
                        found += self.output_sources(key[0], flow.origins)
            return list(dict.fromkeys(found))
        result: list[CallSite] = self._memo("output", key, [], compute)
        return result

    def sinks(self) -> Iterator[tuple[str, Flow, list[CallSite]]]:
        """Every sink that receives model output, with the calls it came from."""
        for path in sorted(self.files):
            for flow in self.files[path].flows:
                if flow.kind == "sink":
                    sources = self.output_sources(path, flow.origins)
                    if sources:
                        yield path, flow, sources

    @property
    def user_facing(self) -> bool:
        """The project serves users: a web or UI framework is imported somewhere."""
        for facts in self.files.values():
            for target in facts.imports.values():
                head = target.split(".")[0]
                if head in WEB_FRAMEWORKS or ".".join(target.split(".")[:2]) in WEB_FRAMEWORKS:
                    return True
        return False


def _retry_test(decorators: frozenset[str], helpers: frozenset[str]) -> Any:
    def test(fn: FunctionFact) -> str:
        found = next((d for d in fn.decorators if _matches(d, decorators)), "")
        if found:
            return f"@{found}"
        return next((c for c in fn.calls if _matches(c, helpers)), "")
    return test


def _observed_test(decorators: frozenset[str]) -> Any:
    def test(fn: FunctionFact) -> str:
        traced_by = next((d for d in fn.decorators if _matches(d, decorators)), "")
        if traced_by:
            return f"@{traced_by}"
        if fn.traced:
            return "tracing span"
        return "logging" if fn.logs else ""
    return test


def _traced_client(client: Client | None) -> str:
    """A client that traces its own calls: `wrap_openai(OpenAI())`, `from langfuse.openai import OpenAI`."""
    if client is None:
        return ""
    if "<traced>" in client.options:
        return f"`{client.options['<traced>']}`"
    if client.ctor.startswith("langfuse."):
        return f"`{client.ctor}`"
    return ""


def _note(entry: Any, pin: Pin | None, defaults: Any, assumed: bool) -> str:
    if pin and not assumed:
        return f"{entry.label} SDK default for {entry.package} {pin.version}, pinned in {pin.source}"
    if pin:
        return f"{entry.label} SDK default for {entry.package}{defaults.versions}; {pin.version} is pinned in {pin.source}"
    return f"{entry.label} SDK default, assuming {entry.package}{defaults.versions}: no pin found"


def _site(
    resolver: Resolver, facts: FileFacts, call: CallFact, entry: Any, client: Client | None, api: str,
    pins: dict[str, Pin],
) -> CallSite:
    expanded = _expanded(resolver, facts, call)
    pin = pins.get(normalise(entry.package)) if entry.package else None
    defaults, assumed = entry.defaults_for(pin.version if pin else None)
    scale = entry.timeout_scale
    if entry is WRAPPER:
        retries = timeout = max_tokens = Effective(None, "wrapper", "a declared wrapper owns its failure settings")
    else:
        if defaults is not None:
            note = _note(entry, pin, defaults, assumed)
            retries = _effective(entry.retries_args, call, client, float(defaults.retries), note, 1.0, expanded)
            timeout = _effective(entry.timeout_args, call, client, defaults.timeout, note, scale, expanded)
        else:
            retries = _effective(entry.retries_args, call, client, None, "unknown", 1.0, expanded)
            timeout = _effective(entry.timeout_args, call, client, None, "unknown", scale, expanded)
        if client is not None and "<with_retry>" in client.options and not (retries.value or 0):
            retries = Effective(None, "with_options", "`.with_retry()` on the runnable")
        values = expanded if expanded is not None else call.args
        if not entry.max_tokens_args or any(a in values for a in entry.opaque_args):
            max_tokens = Effective(None, "unknown", "no token-limit argument the scan can read")
        else:
            max_tokens = _effective(entry.max_tokens_args, call, client, None, "", 1.0, expanded)
    fn = facts.function(call.scope)
    cell, line = (facts.cell_lines[call.line - 1] if facts.cell_lines and call.line <= len(facts.cell_lines) else (None, call.line))
    options = client.options if client is not None else {}
    ctor_args = client.args if client is not None else {}
    structured = (
        "parse" in api.rsplit(".", 1)[-1]
        or "<with_structured_output>" in options
        or any(arg in call.args or arg in ctor_args for arg in entry.structured_args)
    )
    fallback = ""
    if "<fallbacks>" in options:
        fallback = "`.with_fallbacks()`"
    elif any(a in call.args or a in ctor_args for a in entry.fallback_args):
        fallback = "fallbacks configured"
    is_async = call.awaited or (client is not None and client.ctor in entry.async_constructors) or call.target in entry.async_names
    last = api.rsplit(".", 1)[-1]
    prefix = api[: len(api) - len(last)]
    # `ainvoke`, `astream`, `achat`, `run_async`, `complete_async`: the SDK's async variant
    is_async = is_async or last.endswith("_async") or (last.startswith("a") and prefix + last[1:] in entry.methods)
    return CallSite(
        location=Location(facts.path, line, call.col, cell),
        scope=call.scope,
        provider=entry.id,
        label=entry.label,
        api=api,
        model=_model(entry, call, client),
        retries=retries,
        timeout=timeout,
        max_tokens=max_tokens,
        retry_evidence="",
        observed=_traced_client(client),
        is_async=is_async,
        in_loop=call.in_loop,
        embedding=api in entry.embedding_methods,
        path=facts.path,
        gateway=call.scope if call.scope != MODULE_SCOPE else "",
        structured=structured,
        fallback=fallback,
        per_item=call.per_item and not call.retry_loop,
        concurrent=call.concurrent,
        awaited=call.awaited,
        try_line=call.try_line,
        col=call.col,
        in_async_function=bool(fn and fn.is_async),
        in_handler=call.in_handler,
    )


def build_model_calls(files: dict[str, FileFacts], catalog: Catalog, pins: dict[str, Pin], config: Config) -> ModelCalls:
    """Resolve every model call of the project and the call graph of the repo's own functions."""
    evidence = catalog.evidence
    retry_decorators = evidence.retry_decorators | frozenset(config.retry_decorators)
    tracing_decorators = evidence.tracing_decorators | frozenset(config.tracing_decorators)
    wrappers = frozenset(config.model_wrappers)
    resolver = Resolver(files, catalog)
    graph = ModelCalls(files, resolver, cache_decorators=evidence.cache_decorators)
    raw: list[tuple[FileFacts, CallFact, CallSite]] = []
    wrapped: list[tuple[FileFacts, CallFact]] = []
    # The repo's own call graph first: parameters are resolved through the calls that fill them.
    for path in sorted(files):
        facts = files[path]
        for inv in facts.invocations:
            callee = resolver.function_of(facts, inv.scope, inv.target, inv.ctor)
            if callee is not None:
                if not inv.deferred:
                    graph.resolved[(path, inv.line, inv.col)] = callee
                graph.callers.setdefault(callee, []).append((path, inv))
                graph.calls_from.setdefault((path, inv.scope), []).append((path, inv, callee))
            elif wrappers and not inv.deferred and (inv.target in wrappers or _matches(inv.target, wrappers)):
                wrapped.append((facts, CallFact(inv.line, inv.col, inv.scope, inv.target, {}, awaited=inv.awaited,
                                                per_item=inv.per_item, concurrent=inv.concurrent, try_line=inv.try_line)))
    resolver.callers = graph.callers
    for path in sorted(files):
        facts = files[path]
        for call in facts.calls:
            found = resolver.entry_for(facts, call)
            if found is None:
                continue
            entry, client, api = found
            raw.append((facts, call, _site(resolver, facts, call, entry, client, api, pins)))
    # Declared wrappers that live outside the repo are call sites of their own.
    for facts, call in wrapped:
        raw.append((facts, call, _site(resolver, facts, call, WRAPPER, None, call.target, pins)))
    for facts, call, site in raw:
        graph.by_function.setdefault((facts.path, call.scope), []).append(site)
    retry_test = _retry_test(retry_decorators, evidence.retry_helpers)
    observed_test = _observed_test(tracing_decorators)
    sites: list[CallSite] = []
    for facts, call, site in sorted(raw, key=lambda item: (item[0].path, item[1].line, item[1].col)):
        key = (facts.path, call.scope)
        retry = "retry loop with sleep" if call.retry_loop else graph.evidence_up(key, retry_test)
        if not retry and site.retries.source == "with_options" and site.retries.note.startswith("`.with_retry"):
            retry = ".with_retry()"
        observed = site.observed or graph.evidence_up(key, observed_test)
        reach = len(graph.callers.get(key, ())) if site.gateway else 0
        done = _replace(site, retry_evidence=retry, observed=observed, reach=reach)
        sites.append(done)
        graph.site_at[(facts.path, call.line, call.col)] = done
    graph.sites = sites
    graph.by_function = {}
    graph._memos = {}
    for site in sites:
        graph.by_function.setdefault((site.path, site.scope), []).append(site)
    return graph


def _replace(site: CallSite, **changes: Any) -> CallSite:
    from dataclasses import replace

    return replace(site, **changes)


def inventory(sites: list[CallSite] | tuple[CallSite, ...], findings: Any) -> tuple[dict[str, Any], ...]:
    """The JSON inventory: every call site with the rules it triggered."""
    by_location: dict[tuple[str, int, int | None], set[str]] = {}
    for finding in findings:
        loc = finding.location
        by_location.setdefault((loc.path, loc.line, loc.cell), set()).add(finding.code)
    out = []
    for site in sites:
        data = site.to_json()
        loc = site.location
        data["rules"] = sorted(by_location.get((loc.path, loc.line, loc.cell), ()))
        out.append(data)
    return tuple(out)
