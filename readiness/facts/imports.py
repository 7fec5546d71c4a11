"""The import graph of the project (networkx), with each module's role.

Nodes are the repo's Python files and notebooks, keyed by path. An internal edge `a -> b` means
`a` imports `b`; its `line` is where. Imports of third-party packages are kept apart, per module,
by top-level package. Module names come from paths (a `src/` prefix is dropped); an import that
does not name a module of the repo is tried as a sibling of the importer (scripts run from their
folder) and as a unique suffix (code run from a subfolder), else it is stdlib or third-party.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any, Iterable

import networkx as nx

from readiness.facts.model import FileFacts
from readiness.facts.signals import imported_modules, is_test_path, module_matches

STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) | {"__future__"}
ROLES = ("ui", "routes", "data", "model")


@dataclass(frozen=True, slots=True)
class ModuleNode:
    """One module of the repo and what it does."""

    path: str
    module: str
    kind: str  # "python" | "notebook"
    lines: int
    is_test: bool
    roles: frozenset[str] = frozenset()
    model_calls: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path, "module": self.module, "kind": self.kind, "lines": self.lines,
            "test": self.is_test, "roles": sorted(self.roles), "model_calls": self.model_calls,
        }


@dataclass(frozen=True)
class ImportGraph:
    """Internal imports as a directed graph; third-party imports per module alongside."""

    graph: nx.DiGraph = field(default_factory=nx.DiGraph)
    third_party: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def modules(self) -> dict[str, ModuleNode]:
        return {path: data["node"] for path, data in self.graph.nodes(data=True)}

    def node(self, path: str) -> ModuleNode | None:
        data = self.graph.nodes.get(path)
        return data["node"] if data else None

    def imports_of(self, path: str) -> list[str]:
        return sorted(self.graph.successors(path)) if path in self.graph else []

    def importers_of(self, path: str) -> list[str]:
        return sorted(self.graph.predecessors(path)) if path in self.graph else []

    def edge_line(self, source: str, target: str) -> int:
        data = self.graph.get_edge_data(source, target)
        return int(data["line"]) if data else 0

    def edge_context(self, source: str, target: str) -> str:
        """`module`, or `local` for an import inside a function (the first import between them)."""
        data = self.graph.get_edge_data(source, target)
        return str(data["context"]) if data else ""

    def fan_in(self, path: str) -> int:
        return int(self.graph.in_degree(path)) if path in self.graph else 0

    def fan_out(self, path: str) -> int:
        return int(self.graph.out_degree(path)) if path in self.graph else 0

    def instability(self, path: str) -> float | None:
        """Fan-out / (fan-in + fan-out): 0 is depended upon only, 1 depends only; None if isolated."""
        total = self.fan_in(path) + self.fan_out(path)
        return self.fan_out(path) / total if total else None

    def cycles(self) -> list[list[str]]:
        """Strongly connected components of two or more modules, each sorted, in a stable order."""
        components = [sorted(c) for c in nx.strongly_connected_components(self.graph) if len(c) > 1]
        return sorted(components)

    def cycle_path(self, component: list[str]) -> list[str]:
        """One concrete cycle through a component, starting at its first module."""
        sub = self.graph.subgraph(component)
        start = component[0]
        for target in sorted(sub.successors(start)):
            try:
                back = nx.shortest_path(sub, target, start)
            except nx.NetworkXNoPath:
                continue
            return [start, *back]
        return [start, start]

    def reaches(self, source: str, targets: Iterable[str]) -> bool:
        """Whether `source` imports any of `targets`, directly or through other modules."""
        wanted = set(targets)
        if source not in self.graph or not wanted:
            return False
        return bool(wanted & (nx.descendants(self.graph, source) | {source}))

    def to_json(self) -> dict[str, Any]:
        return {
            "modules": [self.graph.nodes[p]["node"].to_json() for p in sorted(self.graph.nodes)],
            "edges": [
                {"from": a, "to": b, "line": d["line"], "context": d["context"]}
                for a, b, d in sorted(self.graph.edges(data=True), key=lambda e: (e[0], e[1]))
            ],
            "third_party": {p: list(v) for p, v in sorted(self.third_party.items()) if v},
            "cycles": self.cycles(),
        }


class _Names:
    """Maps dotted import names to repo files."""

    def __init__(self, files: dict[str, FileFacts]) -> None:
        self.by_module: dict[str, str] = {}
        for path in sorted(files):
            facts = files[path]
            if facts.kind == "python" and facts.module:
                self.by_module.setdefault(facts.module, path)
        self.prefixes = {m.rsplit(".", i)[0] for m in self.by_module for i in range(m.count(".") + 1)}
        self.suffixes: dict[str, set[str]] = {}
        for module, path in self.by_module.items():
            parts = module.split(".")
            for cut in range(1, len(parts)):
                self.suffixes.setdefault(".".join(parts[cut:]), set()).add(path)

    def longest(self, name: str) -> str | None:
        parts = name.split(".")
        for cut in range(len(parts), 0, -1):
            path = self.by_module.get(".".join(parts[:cut]))
            if path is not None:
                return path
        return None

    def suffix(self, name: str) -> str | None:
        hits = self.suffixes.get(name, ())
        return next(iter(hits)) if len(hits) == 1 else None

    def resolve(self, importer: FileFacts, module: str, name: str) -> str | None:
        """The repo file an import names, or None when it is not part of the repo."""
        candidates = [f"{module}.{name}", module] if name and name != "*" else [module]
        for candidate in candidates:
            if candidate.split(".")[0] in self.prefixes and (hit := self.longest(candidate)):
                return hit
        package = importer.module.rsplit(".", 1)[0] if "." in importer.module else ""
        for candidate in candidates:
            if package and (hit := self.by_module.get(f"{package}.{candidate}")):
                return hit
            if candidate.split(".")[0] not in STDLIB and (hit := self.suffix(candidate)):
                return hit
        return None

    def is_internal_namespace(self, module: str) -> bool:
        return module in self.prefixes


def _roles(facts: FileFacts, roles: dict[str, tuple[str, ...]], calls: int) -> frozenset[str]:
    imported = imported_modules(facts)
    found = set()
    for role in ("ui", "data", "model"):
        known = frozenset(roles.get(role, ()))
        if any(module_matches(m, known) for m in imported):
            found.add(role)
    if calls:
        found.add("model")
    tails = set(roles.get("route_decorators", ()))
    web_modules = frozenset(roles.get("web", ()))
    web = any(module_matches(m, web_modules) for m in imported)
    if web and any(d.rsplit(".", 1)[-1] in tails and "." in d for fn in facts.functions for d in fn.decorators):
        found.add("routes")
    return frozenset(found)


def build_import_graph(
    files: dict[str, FileFacts], roles: dict[str, tuple[str, ...]], calls_per_path: dict[str, int]
) -> ImportGraph:
    """The import graph of the repo's Python files and notebooks, with each module's role."""
    names = _Names(files)
    graph: nx.DiGraph = nx.DiGraph()
    third_party: dict[str, tuple[str, ...]] = {}
    for path in sorted(files):
        facts = files[path]
        calls = calls_per_path.get(path, 0)
        graph.add_node(
            path,
            node=ModuleNode(path, facts.module, facts.kind, facts.lines, is_test_path(path), _roles(facts, roles, calls), calls),
        )
    for path in sorted(files):
        facts = files[path]
        external: set[str] = set()
        for module, name, line, context in facts.import_refs:
            if context == "typing":
                continue
            target = names.resolve(facts, module, name)
            if target is not None:
                known = graph.get_edge_data(path, target)
                # The edge keeps its first module-level import; a function-level one only if alone.
                if target != path and (known is None or (known["context"] == "local" and context == "module")):
                    graph.add_edge(path, target, line=line, context=context)
                continue
            top = module.split(".")[0]
            if top not in STDLIB and not names.is_internal_namespace(module):
                external.add(top)
        third_party[path] = tuple(sorted(external))
    return ImportGraph(graph, third_party)
