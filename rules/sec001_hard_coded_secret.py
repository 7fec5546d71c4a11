"""Flags API keys, tokens, passwords and private keys written into the repository.

## What it does
Finds credentials in every text file of the repository: Python, notebooks (code cells, text cells
and the *outputs* of cells), `.env`, YAML, JSON, TOML, INI, shell scripts, Dockerfiles, docs.
Provider patterns recognise OpenAI, Anthropic, Google, AWS, Azure OpenAI, GitHub, GitLab, Slack,
Hugging Face, Stripe, Pinecone, Cohere, Replicate, LangSmith, Langfuse, Groq, Mistral and SendGrid
credentials, private key blocks and passwords inside database URLs; the generic detector flags
high-entropy values assigned to secret-named keys (`*_KEY`, `*TOKEN*`, `*SECRET*`, `PASSWORD`).
Placeholders (`sk-...`, `your-api-key`, `<OPENAI_API_KEY>`, `xxxx`, `changeme`, `${VAR}`), values
read from the environment, templates such as `.env.example`, test dummies, lock files and binaries
are left alone. Reports show only the kind of secret, a short prefix and the length: never the value.
Mark a known false positive with `# readiness: ignore[SEC001]` or `# pragma: allowlist secret` on its line.

## Why it matters in production
A key in the repository is a key in every clone, fork, CI log, container image and laptop that
ever had the code, and in the hands of whoever is given access "just to have a look". Leaked model
API keys are found and abused within hours, and the bill arrives at the end of the month.
*Engineering standards: no secrets in code or history.*

## Remediation
Move the value to the environment or a secret manager and read it at start-up
(`OpenAI(api_key=os.environ["OPENAI_API_KEY"])`, or let the SDK read its variable). Then rotate the
key at the provider: removing it from the code does not make it secret again. Clear notebook outputs
before committing (`jupyter nbconvert --clear-output`, or `nbstripout` as a git filter).
"""
from __future__ import annotations

# readiness: file-ignore[SEC001] the examples below hold visibly fake keys on purpose

import dataclasses
from typing import Iterator

from readiness import Confidence, Finding, Invalid, Location, Rule, Severity, Valid
from readiness.project import Project


class HardCodedSecret(Rule):
    code = "SEC001"
    name = "hard-coded-secret"
    control = "standards.secrets"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    effort = 20

    INVALID = [
        Invalid(
            """\
from openai import OpenAI

client = OpenAI(api_key="sk-proj-4fTq9ZcW2nLr7yXb1EXAMPLEvKd8Hs3Jm6Pg0Ue5Ai2Ro9Ny4Tb7Qw1Ex6Cz3Vf8Lk5Mh2Dj0Gs4Pa9Bu")
"""
            ,
            lines=(3,),
        ),
        Invalid(
            {
                "settings.py": 'DATABASE_URL = "postgresql://app:Vq7rT2kX9mLp@db.internal:5432/orders"\n',
                "deploy.yaml": "env:\n  - name: ANTHROPIC_API_KEY\n    value: sk-ant-api03-Hk2Lm9Qr4Tx7Vb1EXAMPLEZc8Nf3Jw6Pd0Sg5Ay2Ue9Ri4Ok7Mh1Xt6Cv3Bn8Lq5Wz0Ds4Ga9Fp2Jk7Ye1Tu6Ho3Ia8Rb5AA\n",
                ".env": "OPENAI_MODEL=gpt-4o-mini\nSTRIPE_SECRET_KEY=sk_live_51HxEXAMPLEq8Zr3kPbT5vW2nYx9aLm4cQe\n",
            },
            lines=(("settings.py", 1), ("deploy.yaml", 3), (".env", 2)),
        ),
        Invalid(
            """\
import requests

SLACK_BOT_TOKEN = "xoxb-20482517389-4728163950271-Kp2FAKEw9Xz3Lq7Vr1Tn5Bm8"
JWT_SECRET = "9f2c7A1xQ8rLm4Tz6Kb3Wv0Ye5Nh"  # signs session tokens
"""
            ,
            lines=(3, 4),
        ),
    ]
    VALID = [
        Valid(
            """\
import os
from openai import OpenAI

client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
"""
        ),
        Valid(
            {
                ".env.example": "OPENAI_API_KEY=sk-...\nANTHROPIC_API_KEY=<your-anthropic-key>\nDB_PASSWORD=changeme\n",
                "config.py": 'API_KEY = "your-api-key-here"\nCACHE_KEY = "user:{id}:profile"\nmax_tokens = 4096\n',
                "tests/test_client.py": 'def test_client():\n    client = make_client(api_key="test-key-123", password="s3cr3t-password")\n',
            }
        ),
        Valid(
            """\
import hashlib
import uuid

REQUEST_ID = str(uuid.uuid4())
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
"""
        ),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        for path, scan in sorted(project.secrets.items()):
            for secret in scan.secrets:
                if secret.origin == "output":
                    what = f"{secret.label} printed in the output of cell {secret.cell}"
                    advice = "clear the notebook's outputs and rotate it"
                elif secret.generic:
                    what = f"secret-looking value assigned to `{secret.key}`"
                    advice = "read it from the environment or a secret store"
                else:
                    what = f"{secret.label} hard-coded"
                    advice = "read it from the environment or a secret store, and rotate it"
                finding = self.finding(
                    Location(path, secret.line, secret.col, secret.cell),
                    f"{what}: `{secret.redacted}`; {advice}",
                    severity=Severity.parse(secret.severity),
                )
                yield dataclasses.replace(finding, confidence=Confidence.MEDIUM) if secret.generic else finding
