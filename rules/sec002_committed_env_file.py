"""Flags a `.env` file that is part of the repository.

## What it does
Reports every dotenv file the scan finds (`.env`, `.env.local`, `.env.prod`, `prod.env`, ...) that
sets at least one value: the scan reads what git tracks plus what it does not ignore, so such a file
is committed or one `git add .` away from it. Templates (`.env.example`, `.env.sample`,
`.env.template`) are the right thing to commit and are never reported. The finding is high severity
when the file sets secret-named keys (`*_KEY`, `*TOKEN*`, `*SECRET*`, `PASSWORD`), low otherwise.

## Why it matters in production
A `.env` holds the keys of one environment. Committed, it ships to everyone with read access and
into every image built from the repository, and the next developer's real keys land in history the
day they fill it in. It also blurs which settings a deployment must provide.
*Engineering standards: no secrets in code or history.*

## Remediation
Add `.env*` (with `!.env.example`) to `.gitignore`, `git rm --cached` the file, commit a
`.env.example` listing every variable with an empty or placeholder value, and rotate any key the
file held.
"""
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Location, Rule, Severity, Valid
from readiness.project import Project


class CommittedEnvFile(Rule):
    code = "SEC002"
    name = "committed-env-file"
    control = "standards.secrets"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    effort = 10

    INVALID = [
        Invalid({".env": "OPENAI_API_KEY=sk-proj-placeholder-rotate-me\nDB_PASSWORD=Wq8vK2pL9xRt\nDEBUG=1\n"}, lines=((".env", 0),)),
        Invalid({"deploy/.env.production": "LOG_LEVEL=info\nPORT=8080\n"}, lines=(("deploy/.env.production", 0),)),
    ]
    VALID = [
        Valid({".env.example": "OPENAI_API_KEY=\nDB_PASSWORD=changeme\nDEBUG=0\n"}),
        Valid({".env": "# fill in locally, never commit values\n", "config/.env.template": "SECRET_KEY=<generate one>\n"}),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        for path, scan in sorted(project.secrets.items()):
            env = scan.env
            if env is None or env.assignments == 0:
                continue
            values = f"{env.assignments} value" + ("s" if env.assignments != 1 else "")
            if env.secret_keys:
                shown = ", ".join(env.secret_keys[:4]) + (", ..." if len(env.secret_keys) > 4 else "")
                message = f"`{path}` is in the repository with {values}, secrets among them ({shown}); git-ignore it, commit a `.env.example` instead and rotate the keys"
                yield self.finding(Location(path), message)
            else:
                message = f"`{path}` is in the repository with {values}; git-ignore it and commit a `.env.example` template instead"
                yield self.finding(Location(path), message, severity=Severity.LOW)
