"""Flags broad `except` blocks that silently swallow a model call's failure.

## What it does
Finds a model call, or a call of the repo's own function that makes one, inside a `try` whose
bare `except:` / `except Exception:` handler only passes, continues, or returns a placeholder
(`None`, `""`, `"Sorry, something went wrong"`, `{}`) without logging or re-raising.

## Why it matters in production
The user gets an empty or canned answer, and nobody learns that the model was rate-limited,
timed out or rejected the request. Outages look like quiet quality problems, and there is no
trace to debug. *Reliability and failure strategy: errors handled, not swallowed.*

## Remediation
Catch the SDK's specific errors (`openai.APITimeoutError`, `RateLimitError`), log them with
`logger.exception(...)`, and either re-raise, return an explicit error to the caller, or take a
real fallback path.
"""
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Rule, Severity, Valid
from readiness.model import Location
from readiness.project import Project
from readiness.rules._match import call_label


class ModelErrorSwallowed(Rule):
    code = "REL003"
    name = "model-error-swallowed"
    control = "reliability.error-handling"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    effort = 15

    INVALID = [
        Invalid(
            """\
from openai import OpenAI

client = OpenAI(timeout=20)

def answer(question):
    try:
        reply = client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "user", "content": question}])
        return reply.choices[0].message.content
    except Exception:
        return "Sorry, something went wrong."
""",
            lines=(7,),
        ),
        Invalid(
            {
                "llm.py": """\
from openai import OpenAI

client = OpenAI(timeout=20)

def ask_llm(prompt):
    return client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "user", "content": prompt}])
""",
                "tags.py": """\
from llm import ask_llm

def tag_all(items):
    tags = []
    for item in items:
        try:
            tags.append(ask_llm("Tag: " + item))
        except:
            continue
    return tags
""",
            },
            lines=(("tags.py", 7),),
        ),
    ]
    VALID = [
        Valid(
            """\
import logging
from openai import OpenAI

logger = logging.getLogger(__name__)
client = OpenAI(timeout=20)

def answer(question):
    try:
        reply = client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "user", "content": question}])
        return reply.choices[0].message.content
    except Exception:
        logger.exception("model call failed")
        return "Sorry, something went wrong."
"""
        ),
        Valid(
            """\
import openai
from openai import OpenAI

client = OpenAI(timeout=20)

def answer(question):
    try:
        reply = client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "user", "content": question}])
    except openai.RateLimitError:
        return None
    return reply.choices[0].message.content
"""
        ),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        graph = project.model_calls
        for site in project.call_sites:
            swallow = _swallowing(project, site.path, site.scope, site.try_line)
            if swallow:
                yield self.finding(site.location, f"{call_label(site)} fails silently: the `except` at line {swallow} hides the error without logging it")
        if graph is None:
            return
        for path in sorted(project.files):
            facts = project.files[path]
            for inv in facts.invocations:
                if not inv.try_line:
                    continue
                callee = graph.resolved.get((path, inv.line, inv.col))
                if callee is None or not graph.reaches_model(callee):
                    continue
                swallow = _swallowing(project, path, inv.scope, inv.try_line)
                if swallow:
                    cell, line = facts.cell_lines[inv.line - 1] if facts.cell_lines and inv.line <= len(facts.cell_lines) else (None, inv.line)
                    yield self.finding(
                        Location(path, line, inv.col, cell),
                        f"`{callee[1]}` calls a model and fails silently here: the `except` at line {swallow} hides the error without logging it",
                    )


def _swallowing(project: Project, path: str, scope: str, try_line: int) -> int:
    if not try_line:
        return 0
    for fact in project.files[path].tries:
        if fact.line == try_line and fact.scope == scope:
            return fact.swallow_line
    return 0
