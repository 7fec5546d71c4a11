"""Flags model calls that give up after the first failed attempt.

## What it does
Finds model calls whose effective retry count is zero: `max_retries=0` on the call, on
`with_options(...)` or on the client; SDKs that never retry (the legacy `openai.ChatCompletion`
API); and no retry decorator (tenacity, backoff, stamina), retrying helper or retry loop around
the call. Calls that keep an SDK's own retries (the OpenAI and Anthropic v1 clients retry twice)
are not flagged.

## Why it matters in production
Model APIs fail often and briefly: rate limits (429), overloaded servers (529/503) and dropped
connections. In a demo one person retries by clicking again; in production each transient error
becomes a failed user request. *Reliability and failure strategy: retries with backoff.*

## Remediation
Keep the SDK's retries (do not set `max_retries=0`), or wrap the call in a retry with exponential
backoff and jitter, for example tenacity's `@retry(wait=wait_random_exponential(), stop=stop_after_attempt(4))`.
"""
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Rule, Severity, Valid
from readiness.project import Project
from readiness.rules._match import call_label, gateway_note


class ModelCallWithoutRetry(Rule):
    code = "REL001"
    name = "model-call-without-retry"
    control = "reliability.retries"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    effort = 20

    INVALID = [
        Invalid(
            """\
from openai import OpenAI

client = OpenAI(max_retries=0, timeout=20)

def answer(question):
    return client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": question}])
""",
            lines=(6,),
        ),
        Invalid(
            """\
import openai as oa

def summarise(text):
    return oa.ChatCompletion.create(model="gpt-3.5-turbo", messages=[{"role": "user", "content": text}], request_timeout=30)
""",
            lines=(4,),
        ),
        Invalid(
            """\
from anthropic import Anthropic

client = Anthropic(timeout=30)

def ask(prompt):
    fast = client.with_options(max_retries=0)
    return fast.messages.create(model="claude-3-5-haiku-20241022", max_tokens=300, messages=[{"role": "user", "content": prompt}])
""",
            lines=(7,),
        ),
    ]
    VALID = [
        Valid(
            """\
from openai import OpenAI

client = OpenAI(timeout=20)  # the SDK retries twice with backoff by default

def answer(question):
    return client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": question}])
"""
        ),
        Valid(
            """\
import openai
from tenacity import retry, stop_after_attempt, wait_random_exponential

@retry(wait=wait_random_exponential(max=20), stop=stop_after_attempt(4))
def summarise(text):
    return openai.ChatCompletion.create(model="gpt-3.5-turbo", messages=[{"role": "user", "content": text}], request_timeout=30)
"""
        ),
        Valid(
            """\
import time
from openai import OpenAI

client = OpenAI(max_retries=0, timeout=20)

def answer(question):
    for attempt in range(4):
        try:
            return client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": question}])
        except Exception:
            time.sleep(2 ** attempt)
    raise RuntimeError("model unavailable")
"""
        ),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        for site in project.call_sites:
            retries = site.retries
            if site.retry_evidence or not retries.judged or (retries.value or 0) > 0:
                continue
            if retries.source == "sdk-default":
                why = f"the SDK does not retry ({retries.note})"
            elif retries.source == "none":
                why = "nothing retries it"
            else:
                why = f"retries are 0 ({retries.source.replace('_', ' ')})"
            yield self.finding(site.location, f"{call_label(site)}{gateway_note(site)} is tried once: {why}; add retries with backoff")
