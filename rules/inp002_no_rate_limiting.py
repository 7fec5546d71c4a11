'''Flags model-backed web services with no rate limiting anywhere.

## What it does
When the project serves web routes that reach a model call and shows no rate limiter (slowapi,
fastapi-limiter, Flask-Limiter, django-ratelimit, DRF throttling, a `@limiter.limit` decorator,
rate-limit middleware, or one of those packages pinned in the requirements), reports the first
such route, once for the project.

## Why it matters in production
Every request costs money and provider quota. One script, one crawler or one enthusiastic user
can burn the monthly budget in an hour and push the provider into 429s for everyone else.
*Inputs and boundaries: rate limiting.*

## Remediation
Add a per-user or per-IP limit to the model-backed routes (for FastAPI, slowapi's
`@limiter.limit("10/minute")`; for Flask, Flask-Limiter), or enforce one at the gateway or API
management layer and declare it.
'''
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Location, Rule, Severity, Valid
from readiness.project import Project
from readiness.rules._prompts import model_backed_endpoints

LIMITER_PACKAGES = frozenset({"slowapi", "fastapi-limiter", "flask-limiter", "django-ratelimit", "limits", "fastapi-ratelimit"})

SERVICE = """\
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
"""


class NoRateLimiting(Rule):
    code = "INP002"
    name = "no-rate-limiting"
    control = "inputs.rate-limiting"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    effort = 60

    INVALID = [Invalid(SERVICE, lines=(11,))]
    VALID = [
        Valid(
            """\
from fastapi import FastAPI, Request
from openai import OpenAI
from slowapi import Limiter
from slowapi.util import get_remote_address

limiter = Limiter(key_func=get_remote_address)
app = FastAPI()
client = OpenAI()

@app.post("/ask")
@limiter.limit("10/minute")
def ask(request: Request, question: str):
    return client.chat.completions.create(model="gpt-4o-mini-2024-07-18", messages=[{"role": "user", "content": question[:2000]}])
"""
        ),
        Valid({"app.py": SERVICE, "requirements.txt": "fastapi==0.115.5\nslowapi==0.1.9\n"}),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        endpoints = model_backed_endpoints(project)
        if not endpoints:
            return
        if any(f.surface.rate_limits for f in project.files.values()) or LIMITER_PACKAGES & set(project.pins):
            return
        path, endpoint = endpoints[0]
        route = f"{'/'.join(endpoint.methods)} {endpoint.path}".strip()
        count = len(endpoints)
        yield self.finding(Location(path, endpoint.line, endpoint.col),
                           f"{count} model-backed route{'s' if count > 1 else ''} (first: {route}) and no rate limiter in the project")
