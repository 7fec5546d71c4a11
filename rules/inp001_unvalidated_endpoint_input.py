'''Flags model-backed endpoints that read raw request bodies without a schema.

## What it does
Finds web routes whose handler reaches a model call (directly or through the repo's functions)
and reads the request body raw: `await request.json()`, `request.body()`, `request.form()` in
FastAPI/Starlette, a `dict`/`Any` body parameter, Flask's `request.json`/`get_json()`/`form`/`args`,
Django's `request.POST`/`request.body`; and never validates it (`Model.model_validate(...)`,
`Model(**data)`, a marshmallow `load`). A pydantic model parameter is a schema, and is not flagged.

## Why it matters in production
Real users send missing fields, wrong types, megabytes of text and crafted payloads. Without a
schema the first bad request becomes a 500, a `KeyError` deep in prompt code, or an expensive
model call on garbage. *Inputs and boundaries: validated request schemas.*

## Remediation
Declare the body as a pydantic model (FastAPI validates it and documents it), with types and
`Field(max_length=...)` limits; in Flask validate `request.get_json()` with pydantic or marshmallow
before use.
'''
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Location, Rule, Severity, Valid
from readiness.project import Project
from readiness.rules._prompts import model_backed_endpoints


class UnvalidatedEndpointInput(Rule):
    code = "INP001"
    name = "unvalidated-endpoint-input"
    control = "inputs.request-schemas"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    effort = 30

    INVALID = [
        Invalid(
            """\
from fastapi import FastAPI, Request
from openai import AsyncOpenAI

app = FastAPI()
client = AsyncOpenAI()

@app.post("/chat")
async def chat(request: Request):
    data = await request.json()
    reply = await client.chat.completions.create(model="gpt-4o-mini-2024-07-18", messages=data["messages"])
    return {"reply": reply.choices[0].message.content}
""",
            lines=(9,),
        ),
        Invalid(
            """\
from flask import Flask, request
import openai as oa

app = Flask(__name__)
client = oa.OpenAI()

@app.route("/summarise", methods=["POST"])
def summarise():
    text = request.json["text"]
    return client.chat.completions.create(model="gpt-4o-mini-2024-07-18", messages=[{"role": "user", "content": text}])
""",
            lines=(9,),
        ),
    ]
    VALID = [
        Valid(
            """\
from fastapi import FastAPI
from openai import AsyncOpenAI
from pydantic import BaseModel, Field

app = FastAPI()
client = AsyncOpenAI()

class ChatRequest(BaseModel):
    question: str = Field(max_length=4000)

@app.post("/chat")
async def chat(body: ChatRequest):
    reply = await client.chat.completions.create(model="gpt-4o-mini-2024-07-18", messages=[{"role": "user", "content": body.question}])
    return {"reply": reply.choices[0].message.content}
"""
        ),
        Valid(
            """\
from flask import Flask, request
from openai import OpenAI

from schemas import SummaryRequest

app = Flask(__name__)
client = OpenAI()

@app.post("/summarise")
def summarise():
    body = SummaryRequest(**request.get_json())
    return client.chat.completions.create(model="gpt-4o-mini-2024-07-18", messages=[{"role": "user", "content": body.text}])
"""
        ),
        Valid(
            """\
from flask import Flask, request

app = Flask(__name__)

@app.post("/feedback")
def feedback():
    return {"ok": bool(request.json)}
"""
        ),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        for path, endpoint in model_backed_endpoints(project):
            if endpoint.validates:
                continue
            raw = [p for p in endpoint.params if p.kind == "raw"]
            route = f"{'/'.join(endpoint.methods)} {endpoint.path}".strip()
            if endpoint.raw_reads:
                line, api = endpoint.raw_reads[0]
                yield self.finding(Location(path, line), f"`{api}` is read without a schema in model-backed route {route}; declare a pydantic body model")
            elif raw:
                yield self.finding(Location(path, endpoint.line, endpoint.col),
                                   f"route {route} takes `{raw[0].name}: {raw[0].annotation or 'untyped'}` unvalidated and calls a model; declare a pydantic body model")
