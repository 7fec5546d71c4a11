'''Flags user input sent to a model with no bound on its length.

## What it does
Follows user input (request data, Streamlit and Gradio inputs, CLI input) into model calls, within
a function and through the repo's wrapper functions, and reports the model call when nothing limits
its length on the way (once, at the wrapper's model call, naming the first caller, when the input
is passed to a wrapper that makes the call; where it enters the wrappers when the call is deeper): no slice (`text[:4000]`), no `len(...)` check, no truncating helper, no
`max_chars=` on the Streamlit widget, no `Field(max_length=...)` on the pydantic body field.

## Why it matters in production
Cost and latency grow with every input token, and a pasted book or a scripted 1 MB request makes
one call cost dollars, time out, or fail on the context window. Bounding the input is also the
cheapest guard against prompt-stuffing. *Inputs and boundaries: bounded input size.*

## Remediation
Bound user text where it enters: `Field(max_length=...)` on request models, `max_chars=` on
Streamlit inputs, or an explicit check (`if len(text) > LIMIT: reject`) or truncation before the
prompt is built.
'''
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Rule, Severity, Valid
from readiness.project import Project
from readiness.rules._prompts import is_test_path


class UnboundedInputToModel(Rule):
    code = "INP003"
    name = "unbounded-input-to-model"
    control = "inputs.bounded-size"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    effort = 15

    INVALID = [
        Invalid(
            """\
import streamlit as st
from openai import OpenAI

client = OpenAI()
question = st.chat_input("Ask")
if question:
    reply = client.chat.completions.create(model="gpt-4o-mini-2024-07-18", messages=[{"role": "user", "content": question}])
""",
            lines=(7,),
        ),
        Invalid(
            {
                "llm.py": """\
from openai import OpenAI

client = OpenAI()

def ask(prompt):
    return client.chat.completions.create(model="gpt-4o-mini-2024-07-18", messages=[{"role": "user", "content": prompt}])
""",
                "cli.py": """\
from llm import ask

text = input("> ")
print(ask("Summarise: " + text))
""",
            },
            lines=(("llm.py", 6),),
        ),
        Invalid(
            """\
from fastapi import Depends, FastAPI
from openai import OpenAI
from pydantic import BaseModel

from auth import require_user

app = FastAPI()
client = OpenAI()

class Ask(BaseModel):
    question: str

@app.post("/ask")
def ask(body: Ask, user=Depends(require_user)):
    return client.chat.completions.create(model="gpt-4o-mini-2024-07-18", messages=[{"role": "user", "content": body.question}])
""",
            lines=(15,),
        ),
    ]
    VALID = [
        Valid(
            """\
import streamlit as st
from openai import OpenAI

client = OpenAI()
question = st.chat_input("Ask", max_chars=2000)
if question:
    reply = client.chat.completions.create(model="gpt-4o-mini-2024-07-18", messages=[{"role": "user", "content": question}])
"""
        ),
        Valid(
            """\
from fastapi import FastAPI, HTTPException
from openai import OpenAI

app = FastAPI()
client = OpenAI()

@app.get("/ask")
def ask(q: str):
    if len(q) > 2000:
        raise HTTPException(413)
    return client.chat.completions.create(model="gpt-4o-mini-2024-07-18", messages=[{"role": "user", "content": q}])
"""
        ),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        seen: set[tuple[str, int | None, int]] = set()
        for reach in project.prompts.reaches:
            if reach.kind == "role" or not reach.model or is_test_path(reach.path):
                continue
            sources = reach.flow.sources
            if not sources or reach.flow.bounded:
                continue
            # through a gateway: reported once, at the gateway's model call, naming the first caller
            places = [reach.location]
            where = ""
            if reach.via:
                calls = [s.location for s in project.call_sites
                         if s.location.path == reach.via_path and s.scope == reach.via and not s.embedding]
                if calls:
                    places, where = calls, f" from {reach.location.path}:{reach.location.line}"
            for place in places:
                key = (place.path, place.cell, place.line)
                if key in seen:
                    continue
                seen.add(key)
                via = f" through `{reach.via}`" if reach.via else ""
                yield self.finding(place, f"{sources[0]}{where} reaches the model{via} with no length bound")
