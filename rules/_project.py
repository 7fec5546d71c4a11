"""Helpers shared by the project-level rules (import graph, signals, module roles)."""
from __future__ import annotations

from readiness.facts.imports import ModuleNode
from readiness.model import locate
from readiness.model import Location
from readiness.project import Project

#: Where a finding about the repo as a whole is reported.
REPO = Location("")


def code_modules(project: Project) -> list[ModuleNode]:
    """Python files and notebooks that are not tests, sorted by path."""
    return [node for path, node in sorted(project.graph.modules.items()) if not node.is_test]


def whole_repo(project: Project) -> bool:
    """Every file was analysed: a diff scan of part of the repo cannot judge the repo as a whole."""
    return not project.partial


def has_code(project: Project) -> bool:
    return bool(code_modules(project))


def uses_models(project: Project) -> bool:
    """An AI project: a module (tests aside) imports a model SDK or makes a model call."""
    return bool(project.call_sites) or any("model" in node.roles for node in code_modules(project))


def is_service(project: Project) -> bool:
    """The repo serves users: a UI (Streamlit, Gradio, templates) or web routes."""
    return any(node.roles & {"ui", "routes"} for node in code_modules(project))


def at_line(project: Project, path: str, line: int) -> Location:
    """A location in `path`, mapped to its notebook cell when `path` is a notebook."""
    facts = project.files.get(path)
    return locate(facts.cell_lines if facts else (), path, line)


def names(items: list[str], limit: int = 4) -> str:
    """`a, b, c and 2 more`."""
    shown = ", ".join(items[:limit])
    return f"{shown} and {len(items) - limit} more" if len(items) > limit else shown
