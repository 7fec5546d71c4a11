"""Flags blocking model and HTTP calls made inside `async def`.

## What it does
Finds calls inside an `async def` that block the event loop: a model call through a sync client
(`OpenAI()`, `llm.invoke`), a call to a sync function of the repo that makes one (a gateway), and
`requests`, `urllib` or `time.sleep`. Calls handed to a thread (`asyncio.to_thread`,
`run_in_executor`) and async clients that are awaited are fine.

## Why it matters in production
An async server runs every request on one event loop. A model call that blocks it for ten seconds
stops every other user's request for those ten seconds: latency climbs with load and health checks
time out. *Latency and cost: no blocking calls in async code.*

## Remediation
Use the async client (`AsyncOpenAI`, `llm.ainvoke`, `httpx.AsyncClient`) and `await` it, or run the
sync call in a thread with `await asyncio.to_thread(fn, ...)`.
"""
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Rule, Severity, Valid
from readiness.facts.callgraph import BLOCKING_HTTP
from readiness.model import Location
from readiness.project import Project
from readiness.rules._match import call_label, where


class BlockingCallInAsync(Rule):
    code = "CST003"
    name = "blocking-call-in-async"
    control = "cost.async-blocking"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    effort = 20

    INVALID = [
        Invalid(
            """\
from openai import OpenAI

client = OpenAI(timeout=20)

async def answer(question):
    return client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "user", "content": question}])
""",
            lines=(6,),
        ),
        Invalid(
            {
                "app/llm.py": """\
from openai import OpenAI

client = OpenAI(timeout=20)

def ask_llm(question):
    return client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "user", "content": question}])
""",
                "app/api.py": """\
from fastapi import FastAPI
from app.llm import ask_llm

app = FastAPI()

@app.post("/ask")
async def ask(question: str):
    return {"answer": ask_llm(question)}
""",
            },
            lines=(("app/api.py", 8),),
        ),
        Invalid(
            """\
import requests

OLLAMA = "http://localhost:11434/api/generate"

async def generate(prompt):
    reply = requests.post(OLLAMA, json={"model": "llama3.2", "prompt": prompt, "options": {"num_predict": 200}}, timeout=30)
    return reply.json()["response"]
""",
            lines=(6,),
        ),
    ]
    VALID = [
        Valid(
            """\
from openai import AsyncOpenAI

client = AsyncOpenAI(timeout=20)

async def answer(question):
    return await client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "user", "content": question}])
"""
        ),
        Valid(
            """\
import asyncio
from openai import OpenAI

client = OpenAI(timeout=20)

def ask_llm(question):
    return client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "user", "content": question}])

async def answer(question):
    return await asyncio.to_thread(ask_llm, question)
"""
        ),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        for site in project.call_sites:
            if site.in_async_function and not site.is_async and not site.concurrent:
                yield self.finding(site.location, f"{call_label(site)} blocks the event loop inside `async def {site.scope}`")
        graph = project.model_calls
        if graph is None:
            return
        for path in sorted(project.files):
            facts = project.files[path]
            for inv in facts.invocations:
                fn = facts.function(inv.scope)
                if fn is None or not fn.is_async or inv.awaited or inv.deferred or inv.concurrent:
                    continue
                cell, line = facts.cell_lines[inv.line - 1] if facts.cell_lines and inv.line <= len(facts.cell_lines) else (None, inv.line)
                at = Location(path, line, inv.col, cell)
                if inv.target in BLOCKING_HTTP and (path, inv.line, inv.col) not in graph.site_at:
                    yield self.finding(at, f"`{inv.target}` blocks the event loop inside `async def {inv.scope}`")
                    continue
                callee = graph.resolved.get((path, inv.line, inv.col))
                if callee is None or inv.target in BLOCKING_HTTP:
                    continue
                blocked = graph.blocking(callee)
                if blocked is not None:
                    yield self.finding(
                        at,
                        f"`{callee[1]}` makes a blocking model call ({where(blocked)}) "
                        f"inside `async def {inv.scope}`; await an async client or use asyncio.to_thread",
                    )
