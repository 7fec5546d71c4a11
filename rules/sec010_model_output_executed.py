"""Flags model output that reaches `eval`, `exec`, a shell or a SQL query.

## What it does
Follows a model call's output (through variables, string methods and the `return` values of the
repo's own functions) to `eval`, `exec`, `os.system`, `subprocess` and a database cursor's
`execute`. A `try` around it does not help: the code has already run.

## Why it matters in production
Whoever controls the model's input controls its output: a prompt injection in a user message, a
web page or a document turns into code run with the service's permissions, a shell command, or a
`DROP TABLE`. *Engineering standards: untrusted input kept out of execution.*

## Remediation
Never execute generated text. Have the model choose from a fixed set of operations (tool calls
with validated arguments), run generated code only in a sandbox without credentials, and pass
values to SQL as bound parameters.
"""
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Rule, Severity, Valid
from readiness.model import Location
from readiness.project import Project
from readiness.rules._match import call_label, where

_WHAT = {"exec": "executed as Python", "shell": "run in a shell", "sql": "run as SQL"}


class ModelOutputExecuted(Rule):
    code = "SEC010"
    name = "model-output-executed"
    control = "reliability.output-validation"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    effort = 60

    INVALID = [
        Invalid(
            """\
import pandas as pd
from openai import OpenAI

client = OpenAI(timeout=20)

def analyse(df, question):
    reply = client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "user", "content": question}])
    code = reply.choices[0].message.content.strip("`")
    scope = {"df": df, "pd": pd}
    try:
        exec(code, {}, scope)
    except Exception as exc:
        return str(exc)
    return scope.get("result")
""",
            lines=(11,),
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
                "report.py": """\
import sqlite3
from llm import ask_llm

def report(question):
    sql = ask_llm("Write SQLite for: " + question)
    return sqlite3.connect("app.db").cursor().execute(sql).fetchall()
""",
            },
            lines=(("report.py", 6),),
        ),
    ]
    VALID = [
        Valid(
            """\
import json
from openai import OpenAI

client = OpenAI(timeout=20)
ACTIONS = {"sum": sum, "max": max}

def analyse(values, question):
    reply = client.chat.completions.create(
        model="gpt-4o-mini", max_tokens=50, response_format={"type": "json_object"},
        messages=[{"role": "user", "content": question}],
    )
    action = json.loads(reply.choices[0].message.content).get("action")
    return ACTIONS[action](values) if action in ACTIONS else None
"""
        ),
        Valid(
            """\
import sqlite3
from openai import OpenAI

client = OpenAI(timeout=20)

def remember(question):
    reply = client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "user", "content": question}])
    db = sqlite3.connect("app.db")
    db.execute("INSERT INTO answers (text) VALUES (?)", (reply.choices[0].message.content,))
"""
        ),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        graph = project.model_calls
        if graph is None:
            return
        for path, flow, sources in graph.sinks():
            if flow.sink not in _WHAT:
                continue
            facts = project.files[path]
            cell, line = facts.cell_lines[flow.line - 1] if facts.cell_lines and flow.line <= len(facts.cell_lines) else (None, flow.line)
            source = sources[0]
            yield self.finding(
                Location(path, line, flow.col, cell),
                f"output of {call_label(source)} ({where(source)}) is {_WHAT[flow.sink]}",
            )
