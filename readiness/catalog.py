"""The provider catalog: which calls are model calls, and each SDK's defaults (data in TOML)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from readiness.errors import RuleLoadError

from readiness._toml import tomllib


@dataclass(frozen=True, slots=True)
class Defaults:
    """SDK defaults for one version range; `None` timeout means the SDK waits forever."""

    versions: str
    retries: int
    timeout: float | None
    cite: str


@dataclass(frozen=True, slots=True)
class ApiEntry:
    """One way to call a model: methods of a client object, or module-level functions."""

    id: str
    label: str
    package: str
    kind: str  # "client" | "function"
    constructors: tuple[str, ...]
    async_constructors: tuple[str, ...]
    methods: tuple[str, ...]
    names: tuple[str, ...]
    async_names: tuple[str, ...]
    embedding_methods: tuple[str, ...]
    model_args: tuple[str, ...]
    timeout_args: tuple[str, ...]
    retries_args: tuple[str, ...]
    max_tokens_args: tuple[str, ...]
    defaults: tuple[Defaults, ...]
    #: Constructor arguments that must hold one of these values (`boto3.client("bedrock-runtime")`).
    ctor_requires: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: Arguments of a chain/agent constructor that hold the model it wraps (`LLMChain(llm=...)`).
    wraps_args: tuple[str, ...] = ()
    fallback_args: tuple[str, ...] = ()
    structured_args: tuple[str, ...] = ()
    #: Arguments whose content the catalog cannot read (a JSON `body`): token limits are unknown.
    opaque_args: tuple[str, ...] = ()
    #: Multiply timeout values by this to get seconds (APIs that take milliseconds).
    timeout_scale: float = 1.0
    #: Raw HTTP: only calls to a known model endpoint count.
    http: bool = False

    def defaults_for(self, version: str | None) -> tuple[Defaults | None, bool]:
        """The defaults for a pinned version; else the newest entry, with `assumed=True`."""
        if not self.defaults:
            return None, True
        if version is not None:
            for entry in self.defaults:
                if version_matches(version, entry.versions):
                    return entry, False
        return self.defaults[-1], True


@dataclass(frozen=True, slots=True)
class Evidence:
    """Qualified names that count as retry or tracing evidence around a model call."""

    retry_decorators: frozenset[str] = frozenset()
    retry_helpers: frozenset[str] = frozenset()
    tracing_decorators: frozenset[str] = frozenset()
    cache_decorators: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Catalog:
    entries: tuple[ApiEntry, ...]
    evidence: Evidence = Evidence()
    #: URL fragments of model endpoints; a raw HTTP call counts only when its URL holds one.
    endpoints: tuple[str, ...] = ()
    #: Functions returning the client they are given (`instructor.from_openai(OpenAI())`).
    transparent_wrappers: frozenset[str] = frozenset()
    #: Such functions that also trace every call (`langsmith.wrappers.wrap_openai`).
    tracing_wrappers: frozenset[str] = frozenset()

    @property
    def constructors(self) -> dict[str, ApiEntry]:
        return _constructors(self)

    def constructor_for(self, name: str, args: dict[str, Any]) -> ApiEntry | None:
        """The entry a constructor call builds, checking required arguments (`"bedrock-runtime"`)."""
        entry = _constructors(self).get(name)
        if entry is None and name.startswith("langchain_classic."):
            # LangChain 1.0 moved the legacy chains to `langchain_classic`
            entry = _constructors(self).get("langchain." + name[len("langchain_classic."):])
        if entry is None and name.split(".")[0] in ("langchain", "langchain_community", "langchain_classic"):
            # old LangChain re-exported every class from the top and from many submodules
            # (`from langchain import OpenAI, LLMChain`, `langchain.embeddings.openai.OpenAIEmbeddings`)
            entry = _langchain_tails(self).get(name.rsplit(".", 1)[-1])
        if entry is None or not entry.ctor_requires:
            return entry
        for key, allowed in entry.ctor_requires:
            if args.get(key) in allowed:
                return entry
        return None

    def is_endpoint(self, url: str) -> bool:
        """The URL holds a model endpoint path, ending there (`/api/chat`, not `/api/chat.postMessage`)."""
        for fragment in self.endpoints:
            start = url.find(fragment)
            while start != -1:
                after = url[start + len(fragment): start + len(fragment) + 1]
                if fragment.endswith("/") or after in ("", "?", "/", "{", "#"):
                    return True
                start = url.find(fragment, start + 1)
        return False

    @property
    def functions(self) -> dict[str, ApiEntry]:
        return _functions(self)

    @property
    def method_tails(self) -> frozenset[str]:
        """Last attribute of every known model-calling method or function (a cheap pre-screen)."""
        return _tails(self)

    @property
    def packages(self) -> frozenset[str]:
        return frozenset(e.package for e in self.entries)


_INDEX: dict[int, tuple[Catalog, dict[str, ApiEntry], dict[str, ApiEntry], frozenset[str]]] = {}


def _index(catalog: Catalog) -> tuple[Catalog, dict[str, ApiEntry], dict[str, ApiEntry], frozenset[str]]:
    """Lookup tables of a catalog, built once per catalog object (hashing it would cost more)."""
    found = _INDEX.get(id(catalog))
    if found is None or found[0] is not catalog:
        tails = {m.rsplit(".", 1)[-1] for e in catalog.entries for m in e.methods}
        tails |= {n.rsplit(".", 1)[-1] for e in catalog.entries for n in e.names}
        found = (
            catalog,
            {c: e for e in catalog.entries for c in e.constructors},
            {n: e for e in catalog.entries for n in e.names},
            frozenset(tails),
        )
        _INDEX[id(catalog)] = found
    return found


_TAILS: dict[int, tuple[Catalog, dict[str, ApiEntry]]] = {}


def _langchain_tails(catalog: Catalog) -> dict[str, ApiEntry]:
    found = _TAILS.get(id(catalog))
    if found is None or found[0] is not catalog:
        tails: dict[str, ApiEntry] = {}
        for entry in catalog.entries:
            for ctor in entry.constructors:
                if ctor.split(".")[0].startswith("langchain") and not ctor.rsplit(".", 1)[-1].startswith("from_"):
                    tails.setdefault(ctor.rsplit(".", 1)[-1], entry)
        found = (catalog, tails)
        _TAILS[id(catalog)] = found
    return found[1]


def _constructors(catalog: Catalog) -> dict[str, ApiEntry]:
    return _index(catalog)[1]


def _functions(catalog: Catalog) -> dict[str, ApiEntry]:
    return _index(catalog)[2]


def _tails(catalog: Catalog) -> frozenset[str]:
    return _index(catalog)[3]


_COMPARATOR = re.compile(r"^\s*(>=|<=|==|!=|>|<|~=)\s*([0-9][0-9a-zA-Z.\-+]*)\s*$")


def _version_tuple(version: str) -> tuple[int, ...]:
    parts = []
    for piece in version.split("."):
        digits = re.match(r"\d+", piece)
        if not digits:
            break
        parts.append(int(digits.group()))
    return tuple(parts) or (0,)


def _cmp(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    width = max(len(a), len(b))
    a, b = a + (0,) * (width - len(a)), b + (0,) * (width - len(b))
    return (a > b) - (a < b)


def version_matches(version: str, spec: str) -> bool:
    """True if `version` satisfies every comma-separated comparator of `spec` (`>=1.0,<2`)."""
    have = _version_tuple(version)
    for clause in filter(None, (c.strip() for c in spec.split(","))):
        match = _COMPARATOR.match(clause)
        if not match:
            raise ValueError(f"bad version range {spec!r}")
        op, want_text = match.groups()
        want = _version_tuple(want_text)
        c = _cmp(have, want)
        ok = {
            ">=": c >= 0, "<=": c <= 0, ">": c > 0, "<": c < 0, "==": c == 0, "!=": c != 0,
            "~=": c >= 0 and have[: max(len(want) - 1, 1)] == want[: max(len(want) - 1, 1)],
        }[op]
        if not ok:
            return False
    return True


def _strs(raw: dict[str, Any], key: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if isinstance(value, str):
        return (value,) if value else ()
    return tuple(value)


def _entry(raw: dict[str, Any], kind: str) -> ApiEntry:
    defaults = tuple(
        Defaults(
            versions=d.get("versions", ""),
            retries=int(d.get("retries", 0)),
            timeout=float(d["timeout"]) if d.get("timeout") is not None else None,
            cite=d.get("cite", ""),
        )
        for d in raw.get("defaults", [])
    )
    return ApiEntry(
        id=raw["id"],
        label=raw.get("label", raw["id"]),
        package=raw.get("package", raw["id"]),
        kind=kind,
        constructors=_strs(raw, "constructors"),
        async_constructors=_strs(raw, "async-constructors"),
        methods=_strs(raw, "methods"),
        names=_strs(raw, "names"),
        async_names=_strs(raw, "async-names"),
        embedding_methods=_strs(raw, "embedding-methods"),
        model_args=_strs(raw, "model-args") or ("model",),
        timeout_args=_strs(raw, "timeout-args"),
        retries_args=_strs(raw, "retries-args"),
        max_tokens_args=_strs(raw, "max-tokens-args"),
        defaults=defaults,
        ctor_requires=tuple((k, tuple(v) if isinstance(v, list) else (v,)) for k, v in sorted(raw.get("ctor-requires", {}).items())),
        wraps_args=_strs(raw, "wraps-args"),
        fallback_args=_strs(raw, "fallback-args"),
        structured_args=_strs(raw, "structured-args"),
        opaque_args=_strs(raw, "opaque-args"),
        timeout_scale=float(raw.get("timeout-scale", 1.0)),
        http=bool(raw.get("http", False)),
    )


def parse_catalog(data: dict[str, Any]) -> Catalog:
    try:
        entries = [_entry(raw, "client") for raw in data.get("client", [])]
        entries += [_entry(raw, "function") for raw in data.get("function", [])]
        raw_evidence = data.get("evidence", {})
        evidence = Evidence(
            retry_decorators=frozenset(_strs(raw_evidence, "retry-decorators")),
            retry_helpers=frozenset(_strs(raw_evidence, "retry-helpers")),
            tracing_decorators=frozenset(_strs(raw_evidence, "tracing-decorators")),
            cache_decorators=frozenset(_strs(raw_evidence, "cache-decorators")),
        )
        endpoints = _strs(data.get("http", {}), "endpoints")
        wrappers = data.get("wrappers", {})
        transparent = frozenset(_strs(wrappers, "transparent"))
        tracing = frozenset(_strs(wrappers, "tracing"))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise RuleLoadError(f"providers.toml: malformed entry ({exc})") from None
    return Catalog(tuple(entries), evidence, endpoints, transparent | tracing, tracing)


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """The provider catalog shipped with the rule pack."""
    text = resources.files("readiness.rules").joinpath("providers.toml").read_text("utf-8")
    return parse_catalog(tomllib.loads(text))
