"""Delivery signals: tests, CI, lockfiles, deploy config, evals, error tracking, tracing, caches.

What counts as each signal is data (`rules/signals.toml`). Signals are found from the discovered
paths and from the per-file facts (imports, calls, decorators); no file is read again here.
"""
from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable

from readiness.errors import RuleLoadError
from readiness.facts.model import FileFacts

from readiness._toml import tomllib

TEST_DIRS = frozenset({"tests", "test", "testing"})


@dataclass(frozen=True, slots=True)
class SignalSpec:
    id: str
    category: str
    label: str
    paths: tuple[str, ...] = ()
    imports: tuple[str, ...] = ()
    calls: tuple[str, ...] = ()
    decorators: tuple[str, ...] = ()
    code_only: bool = False
    settings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SignalTable:
    specs: tuple[SignalSpec, ...]
    roles: dict[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Evidence:
    """One piece of evidence for a signal: which file shows it and how."""

    signal: str
    category: str
    label: str
    path: str
    how: str  # "path" | "import <m>" | "call <name>" | "decorator <name>"


@dataclass(frozen=True, slots=True)
class Signals:
    evidence: tuple[Evidence, ...] = ()

    def has(self, category: str) -> bool:
        return any(e.category == category for e in self.evidence)

    def of(self, category: str) -> tuple[Evidence, ...]:
        return tuple(e for e in self.evidence if e.category == category)

    def first(self, category: str) -> Evidence | None:
        return next((e for e in self.evidence if e.category == category), None)

    def to_json(self) -> dict[str, list[dict[str, str]]]:
        out: dict[str, list[dict[str, str]]] = {}
        for e in self.evidence:
            out.setdefault(e.category, []).append({"signal": e.signal, "path": e.path, "how": e.how})
        return out


def _tuple(entry: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleLoadError(f"signals.toml: {where}.{key} must be a list of strings")
    return tuple(value)


@lru_cache(maxsize=1)
def load_signal_table() -> SignalTable:
    """Read `rules/signals.toml` from the installed rule pack."""
    text = resources.files("readiness.rules").joinpath("signals.toml").read_text("utf-8")
    data = tomllib.loads(text)
    specs = []
    for index, entry in enumerate(data.get("signal", [])):
        where = f"signal[{index}]"
        if not all(isinstance(entry.get(k), str) for k in ("id", "category", "label")):
            raise RuleLoadError(f"signals.toml: {where} needs string id, category and label")
        specs.append(
            SignalSpec(
                entry["id"], entry["category"], entry["label"], _tuple(entry, "paths", where),
                _tuple(entry, "imports", where), _tuple(entry, "calls", where), _tuple(entry, "decorators", where),
                entry.get("scope", "any") == "code", _tuple(entry, "settings", where),
            )
        )
    roles = {key: _tuple(data.get("roles", {}), key, "roles") for key in data.get("roles", {})}
    return SignalTable(tuple(specs), roles)


def glob_match(path: str, pattern: str) -> bool:
    """fnmatch, where a leading `**/` also matches at the top, and a trailing `/**` any depth."""
    return glob_regex((pattern,)).match(path) is not None


@lru_cache(maxsize=512)
def glob_regex(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One compiled regex matching a path when any of `patterns` does (see `glob_match`)."""
    return re.compile("|".join(f"(?:{_glob_source(p)})" for p in patterns) or "(?!)", re.DOTALL)


def _glob_source(pattern: str) -> str:
    if pattern.startswith("**/"):
        return f"(?:.*/)?(?:{_glob_source(pattern[3:])})"  # the rest, at the top or after any `/`
    if pattern.endswith("/**"):
        return f"(?:{re.escape(pattern[:-2])}.*\\Z|{fnmatch.translate(pattern[:-3] + '/*')})"
    return fnmatch.translate(pattern)


def is_test_path(path: str) -> bool:
    """Test code by layout: under a tests/ folder, `test_*.py`, `*_test.py`, `conftest.py`."""
    parts = path.split("/")
    name = parts[-1]
    return (
        any(p in TEST_DIRS for p in parts[:-1])
        or (name.startswith("test_") and name.endswith(".py"))
        or name.endswith("_test.py")
        or name == "conftest.py"
    )


def module_matches(name: str, prefixes: Iterable[str]) -> str | None:
    """The shortest prefix that `name` equals or extends (`sentry_sdk` matches `sentry_sdk.init`)."""
    known = prefixes if isinstance(prefixes, (set, frozenset)) else frozenset(prefixes)
    head = ""
    for part in name.split("."):
        head = f"{head}.{part}" if head else part
        if head in known:
            return head
    return None


def imported_modules(facts: FileFacts) -> list[str]:
    """Every module (and `module.name`) a file imports, fully qualified."""
    names = set(facts.imports.values())
    for module, name, _line, _ctx in facts.import_refs:
        names.add(module)
        if name and name != "*":
            names.add(f"{module}.{name}")
    return sorted(names)


def _call_matches(name: str, patterns: tuple[str, ...]) -> str | None:
    for pattern in patterns:
        if (pattern.endswith(".") and name.startswith(pattern)) or name == pattern:
            return pattern
    return None


def _module_heads(name: str) -> list[str]:
    """The names `module_matches` tries for `name`, in its order."""
    heads, head = [], ""
    for part in name.split("."):
        head = f"{head}.{part}" if head else part
        heads.append(head)
    return heads


@dataclass(frozen=True, slots=True)
class _Summary:
    """What one file offers the signal table, to skip files that cannot match a spec."""

    heads: frozenset[str]  # module heads of its imports
    calls: frozenset[str]
    call_heads: frozenset[str]  # `a`, `a.b` of a call `a.b.c`: what a `prefix.` pattern can match
    decorators: frozenset[str]
    settings: frozenset[str]

    @classmethod
    def of(cls, facts: FileFacts, modules: list[str]) -> _Summary:
        calls = {call for fn in facts.functions for call in fn.calls}
        return cls(
            frozenset(h for module in modules for h in _module_heads(module)),
            frozenset(calls),
            frozenset(call[:i] for call in calls for i, char in enumerate(call) if char == "."),
            frozenset(d for fn in facts.functions for d in fn.decorators),
            frozenset(facts.module_settings),
        )

    def may_match(self, spec: SignalSpec, known: frozenset[str]) -> bool:
        return bool(
            (spec.imports and not known.isdisjoint(self.heads))
            or (spec.settings and not self.settings.isdisjoint(spec.settings))
            or (spec.decorators and not self.decorators.isdisjoint(spec.decorators))
            or any(p[:-1] in self.call_heads if p.endswith(".") else p in self.calls for p in spec.calls)
        )


def _code_evidence(
    spec: SignalSpec, files: dict[str, FileFacts], modules: dict[str, list[str]], summaries: dict[str, _Summary] | None = None,
) -> Evidence | None:
    known = frozenset(spec.imports)
    for path in sorted(files):
        facts = files[path]
        if spec.code_only and is_test_path(path):
            continue
        if summaries is not None and not summaries[path].may_match(spec, known):
            continue  # nothing in this file can match: the walk below would find nothing
        if spec.imports:
            for module in modules[path]:
                if module_matches(module, known):
                    return Evidence(spec.id, spec.category, spec.label, path, f"import {module}")
        for setting in facts.module_settings if spec.settings else ():
            if setting in spec.settings:
                return Evidence(spec.id, spec.category, spec.label, path, f"setting {setting}")
        for fn in facts.functions:
            for call in fn.calls if spec.calls else ():
                if _call_matches(call, spec.calls):
                    return Evidence(spec.id, spec.category, spec.label, path, f"call {call}")
            for dec in fn.decorators if spec.decorators else ():
                if dec in spec.decorators:
                    return Evidence(spec.id, spec.category, spec.label, path, f"decorator {dec}")
    return None


def find_signals(paths: Iterable[str], files: dict[str, FileFacts], table: SignalTable | None = None) -> Signals:
    """Evidence for every signal of the table, at most one path match and one code match each."""
    table = table or load_signal_table()
    ordered = sorted(paths)
    modules = {path: imported_modules(facts) for path, facts in files.items()}
    summaries = {path: _Summary.of(facts, modules[path]) for path, facts in files.items()}
    found: list[Evidence] = []
    for spec in table.specs:
        if spec.paths:
            matcher = glob_regex(spec.paths)
            hit = next((p for p in ordered if matcher.match(p)), None)
            if hit is not None:
                found.append(Evidence(spec.id, spec.category, spec.label, hit, "path"))
        if spec.imports or spec.calls or spec.decorators or spec.settings:
            evidence = _code_evidence(spec, files, modules, summaries)
            if evidence is not None:
                found.append(evidence)
    return Signals(tuple(found))
