'''Flags floating model aliases where the provider publishes dated snapshots.

## What it does
Finds string literals naming a model by a floating alias (`gpt-4o`, `claude-3-5-sonnet-latest`,
`gemini-1.5-pro`, `mistral-large-latest`) when the provider offers a dated snapshot to pin
(`gpt-4o-2024-08-06`, `claude-3-5-sonnet-20241022`, `gemini-1.5-pro-002`, `mistral-large-2411`).
The catalog of aliases and snapshots is data, in `rules/models.toml`. Gateway prefixes such as
`openai/` and `models/` are understood; names with no dated snapshot are not flagged.

## Why it matters in production
An alias moves when the provider ships a new model. Outputs, formats, latency and price change
overnight with no change to the code, and the prompts and evaluations tuned on the old model no
longer describe what runs. *Separation of experimentation: model names in config.*

## Remediation
Pin the dated snapshot in configuration, and move to a new one deliberately, after the
evaluation set passes on it.
'''
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Rule, Severity, Valid
from readiness.facts.promptflow import location
from readiness.project import Project
from readiness.rules._prompts import bare_model, is_test_path, model_aliases


class UnpinnedModelVersion(Rule):
    code = "PRM003"
    name = "unpinned-model-version"
    control = "separation.model-config"
    severity = Severity.LOW
    confidence = Confidence.HIGH
    effort = 5

    INVALID = [
        Invalid(
            """\
from openai import OpenAI

client = OpenAI()
reply = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
""",
            lines=(4,),
        ),
        Invalid(
            """\
import os
import litellm

MODEL = os.getenv("MODEL", "anthropic/claude-3-5-sonnet-latest")
""",
            lines=(4,),
        ),
    ]
    VALID = [
        Valid(
            """\
from openai import OpenAI

client = OpenAI()
reply = client.chat.completions.create(model="gpt-4o-2024-08-06", messages=[{"role": "user", "content": "hi"}])
vectors = client.embeddings.create(model="text-embedding-3-small", input=["hi"])
"""
        ),
        Valid(
            """\
import os

MODEL = os.environ["ANSWER_MODEL"]
"""
        ),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        aliases = model_aliases()
        for path in sorted(project.files):
            if is_test_path(path):
                continue
            facts = project.files[path]
            for name in facts.prompts.models:
                found = aliases.get(bare_model(name.value))
                if found is None:
                    continue
                provider, snapshot = found
                yield self.finding(location(facts, name.line, name.col),
                                   f"`{name.value}` is a floating {provider} alias; pin a dated snapshot such as `{snapshot}`")
