"""Flags environment variables the code reads that no template or document lists.

## What it does
Collects the variables read with `os.environ[...]`, `os.environ.get(...)` and `os.getenv(...)`
in modules and notebooks (tests excepted), and reports each one that no env template
(`.env.example`, `.env.sample`, `.env.template`, ...), README, `docs/` page or deploy config
(Dockerfile, compose, platform files) mentions, at its first read. Variables set by the
operating system or the platform (`HOME`, `PATH`, `PORT`, ...) are not reported.

## Why it matters in production
An undocumented variable is found when the deployed app crashes on a `KeyError`, or worse,
quietly falls back to a default meant for the laptop. The next engineer has to grep the code
to learn how to configure the system. *Ownership and handoff: config documented (`.env.example`).*

## Remediation
List every variable in `.env.example` with a placeholder or a safe default and a comment, and
never commit the real `.env`.
"""
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Rule, Severity, Valid
from readiness.facts.signals import is_test_path
from readiness.project import Project
from readiness.rules._project import at_line, whole_repo

SYSTEM = frozenset({
    "HOME", "PATH", "USER", "USERNAME", "PWD", "SHELL", "TMPDIR", "TEMP", "TMP", "LANG", "LC_ALL", "TERM", "TZ",
    "HOSTNAME", "CI", "PORT", "HOST", "PYTHONPATH", "VIRTUAL_ENV", "DEBUG", "GITHUB_ACTIONS", "GITHUB_TOKEN",
    "GITHUB_WORKSPACE", "GITHUB_SHA", "GITHUB_REF", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME",
    "APPDATA", "LOCALAPPDATA", "USERPROFILE", "COLUMNS", "NO_COLOR", "K_SERVICE", "DYNO", "FLY_APP_NAME",
})

_CODE = 'import os\n\nAPI_KEY = os.environ["OPENAI_API_KEY"]\nMODEL = os.getenv("ANSWER_MODEL", "gpt-4o-mini")\n'


class MissingEnvTemplate(Rule):
    code = "OPS008"
    name = "missing-env-template"
    control = "ownership.config-documented"
    severity = Severity.LOW
    confidence = Confidence.HIGH
    effort = 10

    INVALID = [
        Invalid({"settings.py": _CODE}, lines=(("settings.py", 3), ("settings.py", 4))),
        Invalid({"settings.py": _CODE, ".env.example": "OPENAI_API_KEY=\n"}, lines=(("settings.py", 4),)),
    ]
    VALID = [
        Valid({"settings.py": _CODE, ".env.example": "OPENAI_API_KEY=\n# optional\nANSWER_MODEL=gpt-4o-mini\n"}),
        Valid({"settings.py": _CODE, "README.md": "Set `OPENAI_API_KEY`, and `ANSWER_MODEL` to change the model.\n"}),
        Valid({"serve.py": 'import os\n\nport = int(os.environ.get("PORT", "8000"))\nos.environ["TOKENIZERS_PARALLELISM"] = "false"\n'}),
        Valid({"tests/test_settings.py": 'import os\n\nos.environ.get("TEST_ONLY_FLAG")\n'}),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        if not whole_repo(project):
            return
        documented = {name for text in project.texts.values() for name in text.env_names}
        seen: set[str] = set()
        for path in sorted(project.files):
            if is_test_path(path):
                continue
            for name, line in sorted(project.files[path].env_reads, key=lambda r: r[1]):
                if name in seen or name in documented or name in SYSTEM:
                    continue
                seen.add(name)
                yield self.finding(at_line(project, path, line), f"`{name}` is read from the environment but no .env template or doc lists it")
