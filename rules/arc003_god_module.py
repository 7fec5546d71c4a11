"""Flags modules that do everything: UI, model calls and data access in one file.

## What it does
Reads each module's role from what it imports and calls: UI (Streamlit, Gradio, templates) or
web routes, model calls (a model SDK or a resolved call site) and data access (SQL drivers,
ORMs, vector stores). A module that mixes all three is reported; so is a large module
(500 lines or more) that mixes two and that three or more modules import.

## Why it matters in production
A page that also talks to the model and to the database cannot be tested, reused or changed
in one place: a new prompt, a schema change and a UI tweak all edit the same file, and every
bug fix risks the other two. It is the first file a rebuild replaces.
*Ownership and handoff: clean module boundaries.*

## Remediation
Split the module by concern: the UI calls a service function; the service calls a model
gateway and a data-access module. Each can then be tested and replaced on its own.
"""
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Location, Rule, Severity, Valid
from readiness.project import Project
from readiness.rules._project import code_modules

LARGE = 500
CENTRAL = 3

_ALL_IN_ONE = """\
import sqlite3
import streamlit as st
from openai import OpenAI

client = OpenAI(timeout=20)
db = sqlite3.connect("chat.db")
question = st.text_input("Question")
if question:
    answer = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": question}])
    db.execute("insert into log values (?, ?)", (question, answer.choices[0].message.content))
    st.write(answer.choices[0].message.content)
"""


class GodModule(Rule):
    code = "ARC003"
    name = "god-module"
    control = "ownership.boundaries"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    effort = 240

    INVALID = [
        Invalid({"app.py": _ALL_IN_ONE}, lines=(("app.py", 0),)),
        Invalid(
            {
                "routes.py": "from fastapi import FastAPI\nfrom sqlalchemy import select\nimport anthropic\n\napp = FastAPI()\n\n@app.post('/ask')\ndef ask(q: str):\n    return q\n",
            },
            lines=(("routes.py", 0),),
        ),
    ]
    VALID = [
        Valid(
            {
                "page.py": "import streamlit as st\nfrom service import answer\n\nq = st.text_input('Question')\nif q:\n    st.write(answer(q))\n",
                "service.py": "from llm import complete\nfrom store import save\n\ndef answer(q):\n    text = complete(q)\n    save(q, text)\n    return text\n",
                "llm.py": "from openai import OpenAI\n\nclient = OpenAI(timeout=20)\n\ndef complete(q):\n    return client.chat.completions.create(model='gpt-4o-mini', messages=[{'role': 'user', 'content': q}])\n",
                "store.py": "import sqlite3\n\ndef save(q, a):\n    sqlite3.connect('chat.db').execute('insert into log values (?, ?)', (q, a))\n",
            }
        ),
        # A test may touch everything it tests.
        Valid({"tests/test_app.py": _ALL_IN_ONE}),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        graph = project.graph
        for node in code_modules(project):
            concerns = []
            if node.roles & {"ui", "routes"}:
                concerns.append("UI" if "ui" in node.roles else "web routes")
            if "model" in node.roles:
                concerns.append("model calls")
            if "data" in node.roles:
                concerns.append("data access")
            fan_in = graph.fan_in(node.path)
            if len(concerns) == 3 or (len(concerns) == 2 and node.lines >= LARGE and fan_in >= CENTRAL):
                yield self.finding(Location(node.path), f"module mixes {', '.join(concerns)}; split it by concern")
