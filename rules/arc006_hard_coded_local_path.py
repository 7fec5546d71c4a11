"""Flags absolute paths of one developer's machine in code.

## What it does
Finds string literals (and f-strings) holding a home folder of a particular machine:
`/Users/<name>/...`, `/home/<name>/...`, `C:\\Users\\<name>\\...`. Docstrings, tests,
placeholders such as `/home/you/` or `/Users/<user>/`, and service users of containers and
hosted notebooks (`/home/appuser/`, `/home/jovyan/`) are left alone.

## Why it matters in production
The code reads a file that exists only on the author's laptop: it fails in a container, in
CI and on every teammate's machine, often only on the code path that a demo never took.
*Engineering standards: repeatable deployment, no local paths.*

## Remediation
Read the location from configuration (an environment variable or a settings file), or build
it relative to the package (`Path(__file__).parent / "data"`) and ship the data with the code.
"""
# readiness: file-ignore[ARC006] the examples are the paths this rule finds
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Rule, Severity, Valid
from readiness.facts.signals import is_test_path
from readiness.project import Project
from readiness.rules._project import at_line


class HardCodedLocalPath(Rule):
    code = "ARC006"
    name = "hard-coded-local-path"
    control = "standards.deployment"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    effort = 15

    INVALID = [
        Invalid('import pandas as pd\n\ndf = pd.read_csv("/Users/maria/Downloads/customers.csv")\n', lines=(3,)),
        Invalid('INDEX_DIR = r"C:\\Users\\sam\\projects\\bot\\index"\nuser = "bob"\nlog = f"/home/dev42/logs/{user}.log"\n', lines=(1, 3)),
    ]
    VALID = [
        Valid('import os\nfrom pathlib import Path\n\nDATA = Path(os.environ.get("DATA_DIR", Path(__file__).parent / "data"))\n'),
        # The home folder of a container's service user is the same on every deploy.
        Valid('SANDBOX_ROOT = "/home/appuser/work/"\nNOTEBOOKS = "/home/jovyan/work/"\n'),
        Valid('def load(path):\n    """Load a CSV, e.g. load("/Users/you/data.csv")."""\n    return open(path)\n\nHELP = "put the file in /home/<user>/.config/bot/"\n'),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        for path in sorted(project.files):
            if is_test_path(path):
                continue
            for line, local in project.files[path].local_paths:
                yield self.finding(at_line(project, path, line), f"`{local}` is a folder on one developer's machine; read the path from config")
