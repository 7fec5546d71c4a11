"""Flags model output parsed as data with no error handling and no schema.

## What it does
Follows a model call's output (through variables, `return` values of the repo's functions and
string methods) to `json.loads`, `ast.literal_eval` or `yaml.load`, and flags the parse when it is
not inside a `try`, its result is not validated (pydantic `model_validate`, `TypeAdapter`,
`jsonschema.validate`), and the call did not ask for structured output (`response_format`,
`.parse(...)`, `with_structured_output(...)`).

## Why it matters in production
Models return almost-JSON: a code fence, a trailing comment, a missing field, an apology. In a
demo it parses; under real traffic a few percent of requests crash with `JSONDecodeError` or a
`KeyError` deep in the code. *Reliability and failure strategy: model output validated before use.*

## Remediation
Ask for structured output (`response_format={"type": "json_schema", ...}`, `client.beta.chat.completions.parse`,
`llm.with_structured_output(Model)`), or validate with a pydantic model and handle
`ValidationError` / `JSONDecodeError` with a retry or a fallback.
"""
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Rule, Severity, Valid
from readiness.facts.names import VALIDATING_CALLS
from readiness.model import Location
from readiness.project import Project
from readiness.rules._match import call_label, where


class UnvalidatedModelOutput(Rule):
    code = "REL005"
    name = "unvalidated-model-output"
    control = "reliability.output-validation"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    effort = 30

    INVALID = [
        Invalid(
            """\
import json
from openai import OpenAI

client = OpenAI(timeout=20)

def extract(text):
    reply = client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "user", "content": text}])
    data = json.loads(reply.choices[0].message.content)
    return data["name"]
""",
            lines=(8,),
        ),
        Invalid(
            {
                "llm.py": """\
from openai import OpenAI

client = OpenAI(timeout=20)

def ask_llm(prompt):
    reply = client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "user", "content": prompt}])
    return reply.choices[0].message.content
""",
                "plan.py": """\
import ast
from llm import ask_llm

def plan(goal):
    raw = ask_llm("List the steps as a Python list: " + goal)
    return ast.literal_eval(raw.strip())
""",
            },
            lines=(("plan.py", 6),),
        ),
    ]
    VALID = [
        Valid(
            """\
import json
from openai import OpenAI

client = OpenAI(timeout=20)

def extract(text):
    reply = client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "user", "content": text}])
    try:
        return json.loads(reply.choices[0].message.content)
    except json.JSONDecodeError:
        return None
"""
        ),
        Valid(
            """\
import json
from openai import OpenAI

client = OpenAI(timeout=20)

def extract(text):
    reply = client.chat.completions.create(
        model="gpt-4o-mini", max_tokens=300, response_format={"type": "json_object"},
        messages=[{"role": "user", "content": text}],
    )
    return json.loads(reply.choices[0].message.content)
"""
        ),
        Valid(
            """\
import json
from pydantic import BaseModel
from openai import OpenAI

client = OpenAI(timeout=20)

class Person(BaseModel):
    name: str

def extract(text):
    reply = client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "user", "content": text}])
    return Person.model_validate(json.loads(reply.choices[0].message.content))
"""
        ),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        graph = project.model_calls
        if graph is None:
            return
        for path, flow, sources in graph.sinks():
            if flow.sink != "parse" or flow.try_line or flow.validated:
                continue
            if any(s.structured for s in sources):
                continue
            facts = project.files[path]
            fn = facts.function(flow.scope)
            if fn is not None and any(c.rsplit(".", 1)[-1] in VALIDATING_CALLS for c in fn.calls):
                continue
            cell, line = facts.cell_lines[flow.line - 1] if facts.cell_lines and flow.line <= len(facts.cell_lines) else (None, flow.line)
            source = sources[0]
            yield self.finding(
                Location(path, line, flow.col, cell),
                f"output of {call_label(source)} ({where(source)}) is parsed with no error handling or schema",
            )
