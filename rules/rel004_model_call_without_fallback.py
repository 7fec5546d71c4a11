"""Flags user-facing model calls with no error handler and no fallback.

## What it does
In a project that serves users (it imports a web or UI framework: FastAPI, Flask, Django,
Streamlit, Gradio, ...), finds model calls that no `try` handles, neither where the call is
made nor on every path of callers that reaches it, and that have no fallback model or provider
(LangChain `.with_fallbacks(...)`, LiteLLM `fallbacks=` or a Router with fallbacks). A call made
inside an `except` handler is itself the fallback path and is not flagged.

## Why it matters in production
When the provider has an outage or the model rejects a request, an unhandled exception becomes a
500 page or a crashed Streamlit session. A product needs a planned answer: another model, a cached
reply, or a clear message. *Reliability and failure strategy: fallback path.*

## Remediation
Handle the SDK's errors where the request is served and answer with a fallback, or configure a
fallback model (`llm.with_fallbacks([backup_llm])`, `litellm.Router(..., fallbacks=[...])`).
"""
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Rule, Severity, Valid
from readiness.project import Project
from readiness.rules._match import call_label, gateway_note


class ModelCallWithoutFallback(Rule):
    code = "REL004"
    name = "model-call-without-fallback"
    control = "reliability.fallback"
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    effort = 30

    INVALID = [
        Invalid(
            """\
import streamlit as st
from openai import OpenAI

client = OpenAI(timeout=20)

question = st.chat_input("Ask")
if question:
    reply = client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "user", "content": question}])
    st.write(reply.choices[0].message.content)
""",
            lines=(8,),
        ),
    ]
    VALID = [
        Valid(
            """\
import logging
import streamlit as st
from openai import OpenAI, OpenAIError

logger = logging.getLogger(__name__)
client = OpenAI(timeout=20)

question = st.chat_input("Ask")
if question:
    try:
        reply = client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "user", "content": question}])
        st.write(reply.choices[0].message.content)
    except OpenAIError:
        logger.exception("model call failed")
        st.error("The assistant is unavailable, please try again.")
"""
        ),
        Valid(
            """\
from fastapi import FastAPI
from langchain_anthropic import ChatAnthropic
from langchain_openai import ChatOpenAI

app = FastAPI()
llm = ChatOpenAI(model="gpt-4o-mini", max_tokens=300, timeout=20).with_fallbacks(
    [ChatAnthropic(model="claude-3-5-haiku-20241022", max_tokens=300, timeout=20)]
)

@app.post("/ask")
async def ask(question: str):
    return {"answer": (await llm.ainvoke(question)).content}
"""
        ),
        Valid(
            """\
from openai import OpenAI

client = OpenAI(timeout=20)

def nightly_report(text):
    return client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "user", "content": text}])
"""
        ),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        graph = project.model_calls
        if graph is None or not graph.user_facing:
            return
        for site in project.call_sites:
            if site.fallback or site.try_line or site.in_handler:
                continue
            if site.scope != "<module>" and graph.handled((site.path, site.scope)):
                continue
            yield self.finding(site.location, f"{call_label(site)}{gateway_note(site)} has no error handler or fallback on the way to the user")
