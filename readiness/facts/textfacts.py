"""Per-file facts of the text files the project model reads: docs, env templates, manifests.

The per-file stage reads each text file once; rules and the project model only see these facts:
environment variable names a template or a document lists, whether a README says how to set up
and run, and each declared dependency with whether it is pinned exactly.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from readiness._toml import tomllib

MAX_NAMES = 500
ENV_TEMPLATES = frozenset({
    ".env.example", ".env.sample", ".env.template", ".env.dist", ".env.defaults", ".env.local.example",
    "env.example", "example.env", "sample.env", "template.env", ".envrc.example", "env.sample",
})
DOC_SUFFIXES = (".md", ".mdx", ".rst", ".adoc")
CONFIG_SUFFIXES = (".yaml", ".yml", ".toml", ".ini", ".cfg", ".conf", ".json")
NOT_CONFIG = ("package-lock.json", "poetry.lock", "uv.lock", "Pipfile.lock", "pdm.lock", ".ipynb")
DEPLOY_NAMES = frozenset({
    "Dockerfile", "docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml", "app.yaml",
    "fly.toml", "render.yaml", "Procfile", "serverless.yml", "railway.json", "vercel.json", "app.json",
})
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*[=:]", re.M)
_UPPER = re.compile(r"\b([A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9]|[A-Z]{3,}[0-9]*)\b")
_SETUP = re.compile(
    r"(?im)^#+\s*(setup|set up|install|installation|getting started|quick ?start|usage|running|run|development|deploy)"
    r"|\b(pip install|pipx install|poetry install|uv sync|uv pip install|uv run|pdm install|conda (env )?create|docker( compose)? (run|up|build)"
    r"|make (install|run|dev|setup)|streamlit run|uvicorn |gunicorn |flask run|python -m |python3 -m |python [\w/]+\.py|chainlit run|gradio )"
)
_REQ_LINE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$")


@dataclass(frozen=True, slots=True)
class Requirement:
    """A declared dependency: `pinned` when its version is fixed exactly (`==`, `===`)."""

    name: str
    line: int
    pinned: bool


@dataclass(frozen=True, slots=True)
class TextFacts:
    path: str
    env_names: tuple[str, ...] = ()
    setup_instructions: bool = False
    requirements: tuple[Requirement, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "env_names": list(self.env_names),
            "setup_instructions": self.setup_instructions,
            "requirements": [[r.name, r.line, r.pinned] for r in self.requirements],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TextFacts:
        return cls(
            data["path"], tuple(data["env_names"]), data["setup_instructions"],
            tuple(Requirement(n, line, pinned) for n, line, pinned in data["requirements"]),
        )


def is_env_template(path: str) -> bool:
    return path.rsplit("/", 1)[-1] in ENV_TEMPLATES


def is_readme(path: str) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    return name == "readme" or name.startswith("readme.")


def _is_doc(path: str) -> bool:
    """Documentation anywhere, and config files (settings YAML, compose, CI) that name variables."""
    name = path.rsplit("/", 1)[-1]
    return (
        is_readme(path) or path.endswith(DOC_SUFFIXES) or name in ("Makefile", "justfile")
        or (path.endswith(CONFIG_SUFFIXES) and not name.endswith(NOT_CONFIG))
    )


def _is_deploy(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name in DEPLOY_NAMES or name.startswith("Dockerfile") or path.endswith((".tf", ".tfvars")) or (
        path.startswith((".github/workflows/", "k8s/", "helm/", "charts/", "deploy/")) and path.endswith((".yml", ".yaml"))
    )


def wants_text_facts(path: str) -> bool:
    """Whether the per-file stage should read `path` for text facts."""
    name = path.rsplit("/", 1)[-1]
    return (
        is_env_template(path) or _is_doc(path) or _is_deploy(path) or name == "pyproject.toml"
        or (name.startswith("requirements") and name.endswith((".txt", ".in")))
    )


def _names(text: str, pattern: re.Pattern[str]) -> tuple[str, ...]:
    return tuple(sorted({m.group(1) for m in pattern.finditer(text)})[:MAX_NAMES])


def _requirements_txt(text: str) -> tuple[Requirement, ...]:
    found = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith(("-", "git+", "http:", "https:", "file:", ".", "/")):
            continue
        match = _REQ_LINE.match(line)
        if match:
            spec = match.group(3).split(";", 1)[0].strip()
            found.append(Requirement(match.group(1).lower(), number, spec.startswith(("==", "===")) and "*" not in spec))
    return tuple(found)


def _pyproject(text: str) -> tuple[Requirement, ...]:
    try:
        data = tomllib.loads(text)
    except (ValueError, TypeError):
        return ()
    project = data.get("project")
    deps = (project.get("dependencies") if isinstance(project, dict) else None) or []
    lines = text.splitlines()
    found = []
    for dep in deps if isinstance(deps, list) else []:
        if not isinstance(dep, str) or not (match := _REQ_LINE.match(dep)):
            continue
        number = next((i for i, line in enumerate(lines, start=1) if dep in line), 0)
        spec = match.group(3).split(";", 1)[0].strip()
        found.append(Requirement(match.group(1).lower(), number, spec.startswith(("==", "===")) and "*" not in spec))
    return tuple(found)


def read_text_facts(path: str, raw: bytes) -> TextFacts | None:
    """Facts of one text file, or None when the project model has no use for it."""
    if not wants_text_facts(path):
        return None
    text = raw.decode("utf-8", errors="replace")
    name = path.rsplit("/", 1)[-1]
    if is_env_template(path):
        return TextFacts(path, env_names=_names(text, _ENV_LINE))
    if name.startswith("requirements"):
        return TextFacts(path, requirements=_requirements_txt(text))
    if name == "pyproject.toml":
        return TextFacts(path, env_names=_names(text, _UPPER), requirements=_pyproject(text))
    setup = bool(_SETUP.search(text)) if is_readme(path) else False
    return TextFacts(path, env_names=_names(text, _UPPER), setup_instructions=setup)
