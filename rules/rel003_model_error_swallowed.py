"""Flags broad `except` blocks that silently swallow a model call's failure.

## What it does
Finds a bare `except:` / `except Exception:` handler around a model call, or around a call of the
repo's own function that makes one, that only passes, continues, or returns a placeholder (`None`,
`""`, `"Sorry, something went wrong"`, `{}`) without logging or re-raising. The finding is on the
`except` line, once per handler.

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
            lines=(9,),
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
            lines=(("tags.py", 8),),
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
        # One finding per silent handler, at its `except` line, naming the first model call it hides.
        hidden: dict[tuple[str, int], str] = {}
        for site in project.call_sites:
            swallow = _swallowing(project, site.path, site.scope, site.try_line)
            if swallow:
                hidden.setdefault((site.path, swallow), call_label(site))
        graph = project.model_calls
        if graph is not None:
            for path in sorted(project.files):
                for inv in project.files[path].invocations:
                    if not inv.try_line or inv.deferred:
                        continue
                    callee = graph.resolved.get((path, inv.line, inv.col))
                    if callee is None or not graph.reaches_model(callee):
                        continue
                    swallow = _swallowing(project, path, inv.scope, inv.try_line)
                    if swallow:
                        hidden.setdefault((path, swallow), f"`{callee[1]}` (it calls a model)")
        for (path, line), what in sorted(hidden.items()):
            facts = project.files[path]
            cell, shown = facts.cell_lines[line - 1] if facts.cell_lines and line <= len(facts.cell_lines) else (None, line)
            yield self.finding(
                Location(path, shown, 0, cell),
                f"this `except` hides failures of {what} without logging them; log, re-raise or fall back explicitly",
            )


def _swallowing(project: Project, path: str, scope: str, try_line: int) -> int:
    if not try_line:
        return 0
    for fact in project.files[path].tries:
        if fact.line == try_line and fact.scope == scope:
            return fact.swallow_line
    return 0
