"""Flags dependencies that are not pinned, in a repository without a lockfile.

## What it does
With no lockfile (`poetry.lock`, `uv.lock`, `Pipfile.lock`, `pdm.lock`, ...), reports each
requirements file that lists packages without an exact `==` version, at its first unpinned
line; for an application (a UI or web service) the same for `pyproject.toml` dependencies
(a library is right to declare ranges). Development requirements (`requirements-dev.txt`,
`requirements-test.txt`, ...) are not deployed and are not checked. A repo whose code imports
third-party packages but that declares no dependencies at all is reported once.

## Why it matters in production
`pip install openai` today and in three months install different SDKs with different
defaults, retries and breaking changes: the deploy that worked yesterday fails, or behaves
differently, with no code change. *Engineering standards: repeatable deployment (lockfile, pins).*

## Remediation
Lock the full dependency tree (`uv lock`, `poetry lock`, `pip-compile requirements.in`) and
commit the lockfile, or pin each requirement with `==`.
"""
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Location, Rule, Severity, Valid
from readiness.project import Project
from readiness.rules._project import REPO, code_modules, is_service, whole_repo

_APP = "import openai\nimport streamlit as st\n"
#: Requirements files for development tools, not for what is deployed.
DEV_WORDS = ("dev", "test", "doc", "lint", "ci")


class UnpinnedDependencies(Rule):
    code = "OPS005"
    name = "unpinned-dependencies"
    control = "standards.deployment"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    effort = 30

    INVALID = [
        Invalid({"app.py": _APP, "requirements.txt": "openai==1.55.0\nstreamlit\nlangchain>=0.2\n"}, lines=(("requirements.txt", 2),)),
        Invalid({"app.py": _APP}, lines=(("", 0),)),
    ]
    VALID = [
        Valid({"app.py": _APP, "requirements.txt": "openai==1.55.0\nstreamlit==1.40.1  # UI\n", "requirements-dev.txt": "pytest\nruff\n"}),
        Valid({"app.py": _APP, "pyproject.toml": '[project]\nname = "bot"\ndependencies = ["openai>=1.50", "streamlit"]\n', "uv.lock": "version = 1\n"}),
        # A library declares ranges on purpose.
        Valid({"src/sdk/client.py": "import httpx\n", "pyproject.toml": '[project]\nname = "sdk"\ndependencies = ["httpx>=0.27"]\n'}),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        if project.signals.has("lockfile"):
            return
        service = is_service(project)
        for path, text in sorted(project.texts.items()):
            name = path.rsplit("/", 1)[-1]
            if (name == "pyproject.toml" and not (service and whole_repo(project))) or any(word in name for word in DEV_WORDS):
                continue
            loose = [r for r in text.requirements if not r.pinned]
            if loose:
                # One finding per file, at its first unpinned line, with a message that stays the
                # same as dependencies come and go (a text file's finding is matched by its message).
                yield self.finding(Location(path, loose[0].line), "dependencies without an exact `==` pin, and no lockfile")
        if whole_repo(project) and not project.signals.has("dependency-manifest"):
            external = sorted({pkg for node in code_modules(project) for pkg in project.graph.third_party.get(node.path, ())})
            if external:
                yield self.finding(REPO, "the code imports third-party packages but no requirements file, pyproject.toml or lockfile declares them")
