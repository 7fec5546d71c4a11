"""Flags a repository with code and no test suite.

## What it does
Looks for tests by layout: a `tests/` or `test/` folder with Python files, `test_*.py`,
`*_test.py` or `conftest.py` anywhere (also in folders left out by `exclude`). Reports the
repository once when it uses models (imports a model SDK or makes a model call) and has none.

## Why it matters in production
Without tests every change is checked by hand, or not at all: a prompt tweak, an SDK upgrade or
a refactor silently breaks the parsing of the model's output and users find out first. Tests
are also what makes a refactor cheaper than a rebuild. *Data reality and evaluation: tests exist.*

## Remediation
Add `tests/` with pytest: start with the code that parses and validates model output, using a
fake client or recorded responses so the tests run without network or keys.
"""
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Rule, Severity, Valid
from readiness.project import Project
from readiness.rules._project import REPO, uses_models, whole_repo

_APP = "import openai\n\ndef answer(q):\n    return q.strip()\n"


class NoTests(Rule):
    code = "OPS001"
    name = "no-tests"
    control = "evaluation.tests"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    effort = 240

    INVALID = [
        Invalid({"app.py": _APP, "README.md": "# App\n"}, lines=(("", 0),)),
        Invalid({"app/main.py": _APP, "app/testing_utils.py": "def fake():\n    pass\n"}, lines=(("", 0),)),
    ]
    VALID = [
        Valid({"app.py": _APP, "tests/test_app.py": "from app import answer\n\ndef test_answer():\n    assert answer(' hi ') == 'hi'\n"}),
        Valid({"src/bot/core.py": _APP, "src/bot/core_test.py": "def test_core():\n    assert True\n"}),
        # Nothing to test: no code at all, or a script that does not touch a model.
        Valid({"README.md": "# Notes\n"}),
        Valid({"rename.py": "import os\n\nfor name in os.listdir('.'):\n    print(name)\n"}),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        if not whole_repo(project):
            return
        if uses_models(project) and not project.signals.has("tests"):
            yield self.finding(REPO, "no tests found: no tests/ folder, test_*.py, *_test.py or conftest.py")
