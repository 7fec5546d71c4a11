"""Flags a repository with no README, or a README that does not say how to run it.

## What it does
In a repository that uses models (imports a model SDK or makes a model call), looks for a
README at the root. Reports the repository when there is none, and the README when
it has no setup instructions: no Setup, Install, Getting started, Quickstart, Usage or Run
section, and no command such as `pip install`, `uv sync`, `poetry install`, `docker compose up`,
`streamlit run`, `uvicorn` or `python -m`.

## Why it matters in production
The next engineer, the on-call person and the founder's future hire start from the README. If
it does not say how to install and run the system, they reverse-engineer it from the code.
*Ownership and handoff: README and setup.*

## Remediation
Write a README that says what the system does, how to install it, which environment variables
it needs (point to `.env.example`), how to run it and how to run the tests.
"""
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Location, Rule, Severity, Valid
from readiness.project import Project
from readiness.rules._project import REPO, uses_models, whole_repo

_APP = "import litellm\n\ndef answer(q):\n    return q\n"


class NoReadme(Rule):
    code = "OPS007"
    name = "no-readme"
    control = "ownership.readme"
    severity = Severity.LOW
    confidence = Confidence.HIGH
    effort = 30

    INVALID = [
        Invalid({"app.py": _APP}, lines=(("", 0),)),
        Invalid({"app.py": _APP, "README.md": "# Bot\n\nA bot that answers questions about our docs.\n"}, lines=(("README.md", 0),)),
    ]
    VALID = [
        Valid({"app.py": _APP, "README.md": "# Bot\n\n## Setup\n\n    pip install -r requirements.txt\n    python app.py\n"}),
        Valid({"app.py": _APP, "README.rst": "Bot\n===\n\nRun ``uv sync`` then ``uv run app.py``.\n"}),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        if not whole_repo(project):
            return
        if not uses_models(project):
            return
        readme = project.signals.first("readme")
        if readme is None:
            yield self.finding(REPO, "no README: nothing says what this is or how to run it")
            return
        text = project.texts.get(readme.path)
        if text is not None and not text.setup_instructions:
            yield self.finding(Location(readme.path), "the README has no setup or run instructions")
