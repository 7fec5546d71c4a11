"""Flags a repository with no continuous integration.

## What it does
Looks for a CI configuration: GitHub Actions workflows, GitLab CI, CircleCI, Jenkins, Azure
Pipelines, Travis, Bitbucket Pipelines, Buildkite, Drone, Woodpecker or Cloud Build. Reports
the repository once when it uses models (imports a model SDK or makes a model call) and has
none of these.

## Why it matters in production
Without CI, tests run when someone remembers, on their machine, with their environment. Broken
builds, failing tests and leaked secrets reach the main branch unnoticed, and nobody can tell
whether the code that is deployed ever passed. *Engineering standards: CI.*

## Remediation
Add `.github/workflows/ci.yml` (or your platform's equivalent) that installs the pinned
dependencies and runs the tests and linters on every pull request.
"""
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Rule, Severity, Valid
from readiness.project import Project
from readiness.rules._project import REPO, uses_models, whole_repo

_APP = "from anthropic import Anthropic\n\ndef answer(q):\n    return q\n"
_WORKFLOW = "on: [pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n"


class NoCi(Rule):
    code = "OPS004"
    name = "no-ci"
    control = "standards.ci"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    effort = 60

    INVALID = [
        Invalid({"app.py": _APP, "tests/test_app.py": "def test_it():\n    assert True\n"}, lines=(("", 0),)),
        # A workflow stored anywhere but .github/workflows/ does not run.
        Invalid({"app.py": _APP, "github/workflows/ci.yml": _WORKFLOW}, lines=(("", 0),)),
    ]
    VALID = [
        Valid({"app.py": _APP, ".github/workflows/ci.yml": _WORKFLOW}),
        Valid({"app.py": _APP, ".gitlab-ci.yml": "test:\n  script: pytest\n"}),
        Valid({"tool.py": "import sys\n\nprint(sys.argv)\n"}),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        if not whole_repo(project):
            return
        if uses_models(project) and not project.signals.has("ci"):
            yield self.finding(REPO, "no CI configuration: nothing runs the tests or checks on each change")
