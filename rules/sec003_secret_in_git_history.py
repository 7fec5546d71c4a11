"""Flags secrets that were removed from the code but are still in git history.

## What it does
Reads the diffs of the last `history-depth` commits (1000 by default; `--history-depth`, 0 turns it
off) with the same detectors as SEC001, and reports each secret that was added in a past commit and
is no longer in the current tree, once, at the commit, path and date that added it. A shallow clone,
a folder that is not a git repository, or a history longer than the depth is reported as a
diagnostic, so a clean result never silently means "not checked".

## Why it matters in production
Deleting a key in a later commit does not remove it: every clone still has it, `git log -p` shows
it, and secret-scraping bots read public history, not just the latest tree. A key that was ever
committed must be treated as leaked. *Engineering standards: no secrets in code or history.*

## Remediation
Rotate the key at the provider first: that is what makes it harmless. If the repository is or will
be shared, rewrite history (`git filter-repo --replace-text`), force-push, and ask collaborators to
re-clone. Add a pre-commit secret scan so the next one never lands.
"""
from __future__ import annotations

# readiness: file-ignore[SEC001] the examples below hold visibly fake keys on purpose

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Location, Rule, Severity, Valid
from readiness.project import Project

_LEAKY = 'import openai\n\nopenai.api_key = "sk-proj-Lm3Qx8Tz1Vr6Wb9EXAMPLEYc4Nd7Hf2Jk5Pa0Sg3Ue8Ri1Ok6Mh9Xt4Cv7Bn2Lq5Wz8"\n'
_FIXED = 'import os\nimport openai\n\nopenai.api_key = os.environ["OPENAI_API_KEY"]\n'


class SecretInGitHistory(Rule):
    code = "SEC003"
    name = "secret-in-git-history"
    control = "standards.secrets"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    effort = 45

    INVALID = [
        # The key was committed, then "fixed" by reading the environment: it is still in history.
        Invalid({"app.py": _FIXED}, history=({"app.py": _LEAKY},), lines=(("app.py", 3),)),
        # The file that held it is gone altogether.
        Invalid(
            {"README.md": "# demo\n"},
            history=({"README.md": "# demo\n", "deploy/creds.sh": "export GITHUB_TOKEN=ghp_Tk2FAKEq9Lm4Xz7Vr1Bn5Wc8Hd3Jf6Pa0SyR\n"},),
            lines=(("deploy/creds.sh", 1),),
        ),
    ]
    VALID = [
        # Never committed.
        Valid({"app.py": _FIXED}, history=({"app.py": "import openai\n"},)),
        # Still in the tree: SEC001 reports it, SEC003 does not repeat it.
        Valid({"app.py": _LEAKY}, history=({"app.py": _LEAKY + "# first draft\n"},)),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        history = project.secret_history
        if history is None:
            return
        current = {s.fingerprint for scan in project.secrets.values() for s in scan.secrets}
        for item in history.secrets:
            secret = item.fact
            if secret.fingerprint in current:
                continue
            yield self.finding(
                Location(item.path, secret.line, secret.col),
                f"{secret.label} `{secret.redacted}` was added in commit {item.commit} ({item.date}) and is still in "
                "git history though no longer in the tree; rotate it",
                severity=Severity.parse(secret.severity),
            )
