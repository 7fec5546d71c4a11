'''Flags model names written as literals in several places instead of read from config.

## What it does
Counts string literals that name a model (`"gpt-4o-mini"`, `"claude-3-5-haiku-20241022"`,
`"gemini-1.5-flash"`, `"openai/gpt-4o"`) in a model position (a `model=`/`model_name=`/`engine=`
argument, the default of a `model` parameter, an assignment to a `*model*` name) across the
project's code, leaving out test files and defaults of configuration reads
(`os.getenv("MODEL", "gpt-4o-mini")`, a settings or config module). When
three or more such literals sit in two or more files, each one is reported.

## Why it matters in production
Switching a model is the most common change to an AI feature: for price, for latency, for a
deprecation notice. With names scattered through the code, a switch is a search-and-replace that
misses one path, and staging cannot run a different model from production.
*Separation of experimentation: model names in config.*

## Remediation
Read model names from one settings object fed by environment variables or a config file, and
pass them to the model gateway.
'''
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Rule, Severity, Valid
from readiness.facts.promptflow import location
from readiness.project import Project
from readiness.rules._prompts import is_test_path

MIN_PLACES = 3
CONFIG_MODULES = ("settings", "config", "configs", "conf", "constants", "models_config", "llm_config")


class ModelNameHardCoded(Rule):
    code = "PRM004"
    name = "model-name-hard-coded"
    control = "separation.model-config"
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    effort = 20

    INVALID = [
        Invalid(
            {
                "chat.py": """\
from openai import OpenAI

client = OpenAI()

def answer(q):
    return client.chat.completions.create(model="gpt-4o-mini-2024-07-18", messages=[{"role": "user", "content": q}])

def title(q):
    return client.chat.completions.create(model="gpt-4o-mini-2024-07-18", messages=[{"role": "user", "content": q}])
""",
                "summary.py": """\
from chat import client

def summarise(text):
    return client.chat.completions.create(model="gpt-4o-2024-08-06", messages=[{"role": "user", "content": text}])
""",
            },
            lines=(("chat.py", 6), ("chat.py", 9), ("summary.py", 4)),
        ),
    ]
    VALID = [
        Valid(
            {
                "settings.py": """\
import os

ANSWER_MODEL = os.getenv("ANSWER_MODEL", "gpt-4o-mini-2024-07-18")
SUMMARY_MODEL = "gpt-4o-2024-08-06"
TITLE_MODEL = "gpt-4o-mini-2024-07-18"
""",
                "chat.py": """\
from openai import OpenAI
from settings import ANSWER_MODEL, SUMMARY_MODEL

client = OpenAI()

def answer(q):
    return client.chat.completions.create(model=ANSWER_MODEL, messages=[{"role": "user", "content": q}])
""",
            }
        ),
        Valid(
            """\
from openai import OpenAI

client = OpenAI()
MODEL = "gpt-4o-mini-2024-07-18"

def answer(q):
    return client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": q}])
"""
        ),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        places = []
        for path in sorted(project.files):
            facts = project.files[path]
            if is_test_path(path) or facts.module.rsplit(".", 1)[-1] in CONFIG_MODULES:
                continue
            for name in facts.prompts.models:
                # only names in a model position count: labels in a UI list or a file name are not config
                if name.context not in ("config default", "literal"):
                    places.append((path, name))
        if len(places) < MIN_PLACES or len({p for p, _ in places}) < 2:
            return
        for path, name in places:
            yield self.finding(location(project.files[path], name.line, name.col),
                               f"model name `{name.value}` hard-coded ({len(places)} literals in the code); read it from config")
