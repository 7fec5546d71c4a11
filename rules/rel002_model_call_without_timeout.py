"""Flags model calls that can hang longer than the timeout budget.

## What it does
Finds model calls whose effective timeout is missing or above the budget (`timeout-budget`,
60 seconds by default). The effective timeout is the call's own argument, else
`with_options(timeout=...)`, else the client constructor's, else the SDK default for the version
the repo pins. SDK defaults count: the OpenAI and Anthropic clients wait up to 600 seconds.

## Why it matters in production
A user will not wait ten minutes for an answer, but a web worker will: a slow or stuck model
request holds a worker, a connection and the user's session until the SDK gives up, and a burst
of them takes the service down. *Reliability and failure strategy: timeouts.*

## Remediation
Set a timeout that fits the product's latency budget on the client (`OpenAI(timeout=30)`), per
call (`client.with_options(timeout=30)`), or with an `httpx.Timeout`, and handle the timeout error.
"""
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Rule, Severity, Valid
from readiness.project import Project
from readiness.rules._match import call_label, gateway_note, seconds


class ModelCallWithoutTimeout(Rule):
    code = "REL002"
    name = "model-call-without-timeout"
    control = "reliability.timeouts"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    effort = 10

    INVALID = [
        Invalid(
            """\
from openai import OpenAI

client = OpenAI()

def answer(question):
    return client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": question}])
""",
            lines=(6,),
        ),
        Invalid(
            """\
import anthropic

class Assistant:
    def __init__(self):
        self.client = anthropic.Anthropic(timeout=300.0)

    def reply(self, text):
        return self.client.messages.create(model="claude-3-5-haiku-20241022", max_tokens=500, messages=[{"role": "user", "content": text}])
""",
            lines=(8,),
        ),
    ]
    VALID = [
        Valid(
            """\
from openai import OpenAI

client = OpenAI(timeout=20.0)

def answer(question):
    return client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": question}])
"""
        ),
        Valid(
            """\
import httpx
from openai import OpenAI

client = OpenAI()

def answer(question):
    quick = client.with_options(timeout=httpx.Timeout(15.0, connect=3.0))
    return quick.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": question}])
"""
        ),
        Valid(
            """\
import os
from openai import OpenAI

client = OpenAI(timeout=float(os.environ["LLM_TIMEOUT"]))  # configured elsewhere: not judged

def answer(question):
    return client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": question}])
"""
        ),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        budget = project.config.timeout_budget
        for site in project.call_sites:
            timeout = site.timeout
            if not timeout.judged:
                continue
            if timeout.value is None:
                why = "no timeout is set" if timeout.source == "none" else f"timeout is None ({timeout.source})"
                if timeout.source == "sdk-default":
                    why = f"the SDK waits forever ({timeout.note})"
            elif timeout.value > budget:
                origin = timeout.note if timeout.source == "sdk-default" else timeout.source.replace("_", " ")
                why = f"timeout {seconds(timeout.value)} is over the {seconds(budget)} budget ({origin})"
            else:
                continue
            yield self.finding(site.location, f"{call_label(site)}{gateway_note(site)} can hang: {why}")
