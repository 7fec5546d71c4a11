"""Helpers shared by the prompt, input and web-surface rules of the core pack."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

from readiness.facts.flowmodel import Endpoint
from readiness.facts.names import AUTH_DECORATOR, AUTH_NAME
from readiness.project import Project

from readiness._toml import tomllib

SCRIPT_DIRS = ("scripts/", "script/", "bin/", "tools/", "examples/", "example/", "notebooks/", "docs/", "benchmarks/")


def is_test_path(path: str) -> bool:
    parts = path.split("/")
    name = parts[-1]
    return (
        any(p in ("tests", "test", "testing") for p in parts[:-1])
        or name.startswith("test_") or name.endswith("_test.py") or name in ("conftest.py", "test.py", "tests.py")
    )


def is_script_path(path: str) -> bool:
    return path.startswith(SCRIPT_DIRS) or any(f"/{d}" in path for d in SCRIPT_DIRS) or path.rsplit("/", 1)[-1] in (
        "setup.py", "__main__.py", "manage.py", "noxfile.py", "fabfile.py",
    )


@lru_cache(maxsize=1)
def model_aliases() -> dict[str, tuple[str, str]]:
    """Floating model alias -> (provider, a dated snapshot to pin), from `rules/models.toml`."""
    text = resources.files("readiness.rules").joinpath("models.toml").read_text("utf-8")
    data = tomllib.loads(text)
    return {alias: (provider, snapshot) for provider, table in data.items() for alias, snapshot in table["aliases"].items()}


def bare_model(value: str) -> str:
    """`openai/gpt-4o` and `models/gemini-1.5-pro` -> the provider's own name."""
    return value.rsplit("/", 1)[-1] if "/" in value and not value.startswith("meta-llama/") else value


def model_backed_endpoints(project: Project) -> list[tuple[str, Endpoint]]:
    """(path, endpoint) for every web route whose handler reaches a model call."""
    out = []
    for path in sorted(project.files):
        for endpoint in project.files[path].surface.endpoints:
            if (path, endpoint.function) in project.prompts.model_backed and not is_test_path(path):
                out.append((path, endpoint))
    return out


def endpoint_auth(project: Project, path: str, endpoint: Endpoint) -> str:
    """Why an endpoint counts as authenticated ("" when nothing shows it is)."""
    for param in endpoint.params:
        if param.kind == "security":
            return f"security parameter `{param.name}`"
        if param.kind == "depends" and AUTH_NAME.search(param.dependency.rsplit(".", 1)[-1]):
            return f"dependency `{param.dependency}`"
    for dep in endpoint.dependencies:
        if AUTH_NAME.search(dep.rsplit(".", 1)[-1]):
            return f"route dependency `{dep}`"
    for decorator in endpoint.decorators:
        if AUTH_DECORATOR.search(decorator.rsplit(".", 1)[-1]):
            return f"decorator `@{decorator}`"
    surface = project.files[path].surface
    for router, dep in surface.scoped_auth:
        if router == endpoint.router:
            return f"router dependency `{dep}`"
    for facts in project.files.values():
        for evidence in facts.surface.auth:
            if not evidence.startswith("imports "):
                return evidence
    return ""
