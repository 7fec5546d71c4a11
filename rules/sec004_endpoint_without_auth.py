'''Flags model-backed endpoints that anyone can call.

## What it does
Finds web routes whose handler reaches a model call and shows no authentication: no FastAPI
dependency or `Security(...)` parameter that authenticates (`Depends(get_current_user)`,
`Depends(verify_api_key)`), no route, router or app-wide auth dependency, no auth decorator
(`@login_required`, `@jwt_required`), no auth middleware or `before_request` hook. Also flags Gradio
apps that call models and are launched publicly (`share=True`, `server_name="0.0.0.0"`) with no `auth=`.

## Why it matters in production
An open model-backed endpoint is a free proxy to your model account: anyone who finds the URL
spends your budget, exhausts your rate limits and reaches whatever data the prompts include.
*Engineering standards: auth on model-backed endpoints.*

## Remediation
Require an identity on every model-backed route: a FastAPI dependency that checks a token or API
key (`Depends(require_user)`), Flask-Login's `@login_required`, or an authenticating gateway in
front; pass `auth=` to Gradio's `launch`.
'''
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Location, Rule, Severity, Valid
from readiness.project import Project
from readiness.rules._prompts import endpoint_auth, is_test_path, model_backed_endpoints


class EndpointWithoutAuth(Rule):
    code = "SEC004"
    name = "endpoint-without-auth"
    control = "standards.auth"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    effort = 60

    INVALID = [
        Invalid(
            """\
from fastapi import FastAPI
from openai import OpenAI
from pydantic import BaseModel, Field

app = FastAPI()
client = OpenAI()

class Ask(BaseModel):
    question: str = Field(max_length=2000)

@app.post("/ask")
def ask(body: Ask):
    return client.chat.completions.create(model="gpt-4o-mini-2024-07-18", messages=[{"role": "user", "content": body.question}])
""",
            lines=(11,),
        ),
        Invalid(
            """\
import gradio as gr
from openai import OpenAI

client = OpenAI()

def respond(message, history):
    return client.chat.completions.create(model="gpt-4o-mini-2024-07-18", messages=[{"role": "user", "content": message[:2000]}])

gr.ChatInterface(respond).launch(share=True)
""",
            lines=(9,),
        ),
    ]
    VALID = [
        Valid(
            """\
from fastapi import Depends, FastAPI
from openai import OpenAI
from pydantic import BaseModel, Field

from auth import require_user

app = FastAPI()
client = OpenAI()

class Ask(BaseModel):
    question: str = Field(max_length=2000)

@app.post("/ask")
def ask(body: Ask, user=Depends(require_user)):
    return client.chat.completions.create(model="gpt-4o-mini-2024-07-18", messages=[{"role": "user", "content": body.question}])
"""
        ),
        Valid(
            """\
from fastapi import FastAPI

app = FastAPI()

@app.get("/health")
def health():
    return {"ok": True}
"""
        ),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        for path, endpoint in model_backed_endpoints(project):
            if endpoint_auth(project, path, endpoint):
                continue
            route = f"{'/'.join(endpoint.methods)} {endpoint.path}".strip()
            yield self.finding(Location(path, endpoint.line, endpoint.col), f"model-backed route {route} has no authentication")
        backed_paths = {path for path, _ in project.prompts.model_backed}
        for path in sorted(project.files):
            facts = project.files[path]
            if is_test_path(path) or path not in backed_paths:
                continue
            for launch in facts.surface.launches:
                if launch.public and not launch.auth:
                    yield self.finding(Location(path, launch.line, launch.col),
                                       f"{launch.framework} app that calls a model is launched publicly with no `auth=`")
