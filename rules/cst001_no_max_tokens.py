"""Flags generation calls with no limit on the number of output tokens.

## What it does
Finds model calls that generate text (embeddings excepted) where no output-token limit is set on
the call, on `with_options(...)` or on the model object (`max_tokens`, `max_completion_tokens`,
`max_output_tokens`, Ollama's `num_predict`, Bedrock's `maxTokens`). Calls whose arguments are
passed through `**kwargs` are not judged.

## Why it matters in production
Without a limit, one runaway answer (a loop, a repeated list, a model that ignores "be brief")
costs as much as the model allows and holds the user waiting for it. Output tokens are the most
expensive part of a call. *Latency and cost: max tokens set.*

## Remediation
Pass a limit that fits the answer you expect, e.g. `max_tokens=500`, on the call or on the model
object, and handle a truncated answer (`finish_reason == "length"`).
"""
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Rule, Severity, Valid
from readiness.project import Project
from readiness.rules._match import call_label, gateway_note


class NoMaxTokens(Rule):
    code = "CST001"
    name = "no-max-tokens"
    control = "cost.max-tokens"
    severity = Severity.LOW
    confidence = Confidence.HIGH
    effort = 5

    INVALID = [
        Invalid(
            """\
from openai import OpenAI

client = OpenAI(timeout=20)

def answer(question):
    return client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": question}])
""",
            lines=(6,),
        ),
        Invalid(
            """\
from langchain_openai import ChatOpenAI

llm = ChatOpenAI(model="gpt-4o-mini", timeout=30)

def summarise(text):
    return llm.invoke("Summarise: " + text).content
""",
            lines=(6,),
        ),
    ]
    VALID = [
        Valid(
            """\
from openai import OpenAI

client = OpenAI(timeout=20)

def answer(question):
    return client.chat.completions.create(model="gpt-4o-mini", max_tokens=400, messages=[{"role": "user", "content": question}])
"""
        ),
        Valid(
            """\
from langchain_openai import ChatOpenAI

llm = ChatOpenAI(model="gpt-4o-mini", max_tokens=300, timeout=30)

def summarise(text):
    return llm.invoke("Summarise: " + text).content
"""
        ),
        Valid(
            """\
from openai import OpenAI

client = OpenAI(timeout=20)

def embed(chunks):
    return client.embeddings.create(model="text-embedding-3-small", input=chunks)
"""
        ),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        for site in project.call_sites:
            if site.embedding or not site.max_tokens.judged or site.max_tokens.value is not None:
                continue
            if site.max_tokens.source != "none":
                continue
            yield self.finding(site.location, f"{call_label(site)}{gateway_note(site)} sets no output-token limit; pass max_tokens")
