"""Flags a model call made once per item of a loop, one after the other.

## What it does
Finds model calls, and calls of the repo's own functions that make one (gateways), inside a `for`
loop or a comprehension that runs once per item, when nothing batches them (`batch`, `abatch`),
runs them concurrently (`asyncio.gather`, `create_task`, an executor) or caches them. Loops that
can stop early (`break`, `return`: retries, searches, agent turns), `for _ in range(n)` rounds of
refinement and `while` loops are left alone.

## Why it matters in production
A hundred items mean a hundred sequential round trips: the request takes a hundred times the
latency of one call, and a rate limit hit halfway leaves half the work done. *Latency and cost: no
unbatched calls in loops.*

## Remediation
Send the items in one batched request where the API supports it (embeddings take a list,
`llm.batch(items)`), or run the calls concurrently with a bound (`asyncio.gather` with a
semaphore), and cache answers for repeated inputs.
"""
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Rule, Severity, Valid
from readiness.model import Location
from readiness.project import Project
from readiness.rules._match import call_label, where


class ModelCallInLoop(Rule):
    code = "CST002"
    name = "model-call-in-loop"
    control = "cost.batching"
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    effort = 30

    INVALID = [
        Invalid(
            """\
from openai import OpenAI

client = OpenAI(timeout=20)

def embed_all(chunks):
    vectors = []
    for chunk in chunks:
        vectors.append(client.embeddings.create(model="text-embedding-3-small", input=chunk))
    return vectors
""",
            lines=(8,),
        ),
        Invalid(
            """\
from openai import OpenAI

client = OpenAI(timeout=20)

def summarise(text):
    return client.chat.completions.create(model="gpt-4o-mini", max_tokens=200, messages=[{"role": "user", "content": text}])

def summarise_all(docs):
    return [summarise(doc) for doc in docs]
""",
            lines=(9,),
        ),
    ]
    VALID = [
        Valid(
            """\
from openai import OpenAI

client = OpenAI(timeout=20)

def embed_all(chunks):
    return client.embeddings.create(model="text-embedding-3-small", input=list(chunks))
"""
        ),
        Valid(
            """\
import asyncio
from openai import AsyncOpenAI

client = AsyncOpenAI(timeout=20)

async def summarise_all(docs):
    return await asyncio.gather(*[
        client.chat.completions.create(model="gpt-4o-mini", max_tokens=200, messages=[{"role": "user", "content": d}])
        for d in docs
    ])
"""
        ),
        Valid(
            """\
from langchain_openai import ChatOpenAI

llm = ChatOpenAI(model="gpt-4o-mini", max_tokens=200, timeout=30)

def summarise_all(docs):
    return llm.batch(["Summarise: " + d for d in docs])
"""
        ),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        graph = project.model_calls
        for site in project.call_sites:
            key = (site.path, site.scope)
            if site.per_item and not site.concurrent and not (graph and graph.cached(key)):
                if site.api.rsplit(".", 1)[-1] in ("batch", "abatch", "batch_completion"):
                    continue
                yield self.finding(site.location, f"{call_label(site)} runs once per loop item, one at a time; batch, gather or cache it")
        if graph is None:
            return
        for path in sorted(project.files):
            facts = project.files[path]
            for inv in facts.invocations:
                if not inv.per_item or inv.concurrent or inv.deferred:
                    continue
                callee = graph.resolved.get((path, inv.line, inv.col))
                if callee is None or graph.cached(callee) or not graph.reaches_model(callee):
                    continue
                sites = graph.gateway_sites(callee)
                if not sites:
                    continue
                first = sites[0]
                cell, line = facts.cell_lines[inv.line - 1] if facts.cell_lines and inv.line <= len(facts.cell_lines) else (None, inv.line)
                yield self.finding(
                    Location(path, line, inv.col, cell),
                    f"`{callee[1]}` makes a model call ({where(first)}) once per loop item, "
                    "one at a time; batch, gather or cache it",
                )
