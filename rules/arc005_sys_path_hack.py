"""Flags edits of `sys.path` that make the code run only from one folder.

## What it does
Finds `sys.path.append(...)`, `sys.path.insert(...)`, `sys.path.extend(...)`,
`site.addsitedir(...)` and assignments to `sys.path`, in modules and notebooks. Test files
and Sphinx's `docs/conf.py`, where the idiom is conventional, are left alone.

## Why it matters in production
The import works on the author's laptop, from the folder they run it in, and breaks in a
container, a test runner, a worker process or another checkout. It also hides which code
depends on which: the import graph is whatever `sys.path` happens to be.
*Engineering standards: repeatable deployment.*

## Remediation
Make the code an installable package (a `pyproject.toml`, `pip install -e .`) and import it by
its name, or run it as a module (`python -m app.main`) from the project root.
"""
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Rule, Severity, Valid
from readiness.facts.signals import is_test_path
from readiness.project import Project
from readiness.rules._project import at_line


class SysPathHack(Rule):
    code = "ARC005"
    name = "sys-path-hack"
    control = "standards.deployment"
    severity = Severity.LOW
    confidence = Confidence.HIGH
    effort = 30

    INVALID = [
        Invalid("import os\nimport sys\n\nsys.path.append(os.path.join(os.path.dirname(__file__), '..'))\nimport helpers\n", lines=(4,)),
        Invalid("import sys as system\nsystem.path.insert(0, '/srv/app/lib')\nsystem.path += ['vendor']\n", lines=(2, 3)),
    ]
    VALID = [
        Valid("import sys\n\nprint(sys.path)\nif '..' in sys.path:\n    raise SystemExit('run from the project root')\n"),
        Valid({"tests/conftest.py": "import sys\nsys.path.insert(0, 'src')\n", "docs/conf.py": "import sys\nsys.path.insert(0, '..')\n"}),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        for path in sorted(project.files):
            if is_test_path(path) or path.endswith("docs/conf.py") or path == "conf.py":
                continue
            for line in project.files[path].sys_path_edits:
                yield self.finding(at_line(project, path, line), "`sys.path` is edited: imports depend on the folder the code runs from")
