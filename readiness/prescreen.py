"""The pre-screen: which files need the full libcst analysis, read from import lines alone.

The model-aware facts (call sites, bindings, prompt flow, web surface) matter only in code
connected to a model SDK or a web framework. A file is *connected* when it imports one (a
seed), when it imports a connected module of the repo (its callers reach the gateway), when
a connected module imports it (it holds the prompts, settings or helpers the gateway uses),
or when it logs something named like a prompt or a credential (only the full pass follows a
logged value). Every other Python file gets the light pass (`facts/light.py`): the same
project-level facts from `ast`, without libcst. Notebooks always get the full pass.

A raw HTTP call to a model endpoint needs `requests`, `httpx` or `aiohttp` (seeds); a module
holding only the URL is imported by it (one step). Imports are read by pattern, not parsed:
the regex runs only at lines holding the word `import`. Patterns overshoot (an `import x`
line inside a docstring counts), which only makes a file connected.
"""
from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from functools import lru_cache

from readiness.catalog import Catalog
from readiness.config import Config
from readiness.discover import SourceFile, classify, module_name
from readiness.facts.names import LOG_METHODS, WEB_FRAMEWORKS

#: An import statement from the start of its line: `from <module> import <names>` or `import <names>`.
_STATEMENT = re.compile(rb"[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n]*)|import[ \t]+([^\n]*))")
_IMPORT_WORD = re.compile(rb"import")
_NAME = re.compile(r"[A-Za-z_][\w.]*")
#: A log call whose arguments name a prompt, a user message or a credential (OBS005 reads its flow).
_SENSITIVE_LOG = re.compile(
    rb"\.(?:" + "|".join(sorted(LOG_METHODS)).encode() + rb")\s*\([^)]{0,400}?"
    rb"(?i:prompt|user_message|chat_history|question|user_query|user_input|input_text|passw|pwd|secret|api_?key|_token|authorization|credential)"
)

#: Front ends (`names.WEB_FRAMEWORKS`) plus what serves or guards them: the surface facts read
#: DRF views, rate limiters and `uvicorn.run(reload=True)`.
WEB_PACKAGES = frozenset({name.split(".")[0] for name in WEB_FRAMEWORKS} | {"rest_framework", "slowapi", "uvicorn"})


def imported_modules(path: str, raw: bytes) -> set[str]:
    """Module names a file may import from (`from a.b import c`: a.b and a.b.c), read by pattern."""
    if classify(path) == "notebook":
        from readiness.parse import notebook_code

        try:
            raw = notebook_code(raw)[0].encode("utf-8", "surrogatepass")
        except (ValueError, UnicodeDecodeError):
            return set()
    elif classify(path) != "python":
        return set()
    own, is_package = module_name(path)
    names: set[str] = set()
    for found in _statements(raw):
        if found[2] is not None:
            for name in _NAME.findall(found[2].split("#")[0]):
                if name != "as":
                    names.add(name)
            continue
        module, imported = found[0] or "", found[1] or ""
        level = len(module) - len(module.lstrip("."))
        module = module.lstrip(".")
        if level:
            parts = own.split(".") if own else []
            keep = len(parts) - level + (1 if is_package else 0)
            module = ".".join(parts[: max(keep, 0)] + ([module] if module else []))
        if module:
            names.add(module)
        for name in _NAME.findall(imported.split("#")[0]):
            if name != "as":
                names.add(f"{module}.{name}" if module else name)
    return names


def _statements(raw: bytes) -> list[tuple[str | None, str | None, str | None]]:
    """(from-module, from-names, import-names) of each import line: the regex runs only at lines
    holding the word `import` (a fifth of the time of a multi-line scan of the whole text)."""
    found: list[tuple[str | None, str | None, str | None]] = []
    last = -1
    for word in _IMPORT_WORD.finditer(raw):
        start = raw.rfind(b"\n", 0, word.start()) + 1
        if start == last:
            continue
        last = start
        match = _STATEMENT.match(raw, start)
        if match:
            found.append(tuple(g.decode("utf-8", "replace") if g is not None else None for g in match.groups()))  # type: ignore[arg-type]
    return found


@lru_cache(maxsize=8)
def seed_packages(catalog: Catalog, wrappers: tuple[str, ...] = ()) -> frozenset[str]:
    """Top-level import names that make a file a seed: model SDKs, web frameworks, declared wrappers."""
    heads: set[str] = set(WEB_PACKAGES)
    for entry in catalog.entries:
        for name in (*entry.constructors, *entry.async_constructors, *entry.names, *entry.async_names):
            heads.add(name.split(".")[0])
    for name in (*catalog.transparent_wrappers, *catalog.tracing_wrappers, *wrappers):
        heads.add(name.split(".")[0])
    return frozenset(h for h in heads if h)


def light_paths(inputs: list[tuple[SourceFile, bytes]], catalog: Catalog, config: Config) -> set[str]:
    """Paths of the Python files among `inputs` that no model-aware fact can come from."""
    seeds = seed_packages(catalog, tuple(config.model_wrappers))
    code = [(s, raw) for s, raw in inputs if s.kind in ("python", "notebook")]
    index: dict[str, str] = {}
    for source, _ in sorted(code, key=lambda pair: pair[0].path):
        index.setdefault(module_name(source.path)[0], source.path)
    imports: dict[str, set[str]] = {}
    importers: dict[str, set[str]] = defaultdict(set)
    connected: set[str] = set()
    for source, raw in code:
        modules = imported_modules(source.path, raw)
        own = {index[m] for m in modules if m in index and index[m] != source.path}
        imports[source.path] = own
        for target in own:
            importers[target].add(source.path)
        if source.kind == "notebook" or any(m.split(".")[0] in seeds for m in modules):
            connected.add(source.path)
        elif _SENSITIVE_LOG.search(raw):
            connected.add(source.path)  # the log's value flow needs the full pass
    # callers of connected modules, transitively
    frontier = list(connected)
    while frontier:
        path = frontier.pop()
        for importer in importers.get(path, ()):
            if importer not in connected:
                connected.add(importer)
                frontier.append(importer)
    # what connected modules import: prompts, settings, helpers (one step)
    connected |= {target for path in list(connected) for target in imports.get(path, ())}
    return {s.path for s, _ in code if s.kind == "python" and s.path not in connected}


def mark_light(inputs: list[tuple[SourceFile, bytes]], catalog: Catalog, config: Config) -> list[tuple[SourceFile, bytes]]:
    """`inputs` with the files the light pass can take marked `light`."""
    light = light_paths(inputs, catalog, config)
    if not light:
        return inputs
    return [(dataclasses.replace(s, light=True), raw) if s.path in light else (s, raw) for s, raw in inputs]
