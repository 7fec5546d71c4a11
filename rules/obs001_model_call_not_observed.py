"""Flags model calls that leave no trace in logs or traces.

## What it does
Finds model calls with no logging call and no tracing span in the enclosing function, and no
tracing decorator on it (LangSmith `@traceable`, Langfuse `@observe`, Weave `@weave.op`, or one
declared in `tracing-decorators`). Calls at module level need logging at module level.
A project-wide instrumentor set up at start (OpenTelemetry/OpenLLMetry instrumentors,
`Traceloop.init`, `openlit.init`, Langfuse's drop-in `langfuse.openai`, LiteLLM callbacks such
as `litellm.success_callback = ["langfuse"]`) observes every call.

## Why it matters in production
When a user reports a wrong or slow answer, the only way to find out what the model was asked,
what it answered, how long it took and what it cost is a record of the call. Without one, every
incident starts with reproducing it by hand. *Observability: every model call logged or traced.*

## Remediation
Log each call's outcome, latency and token usage (never secrets or full user content), or add a
tracing decorator or span around the function that makes the call.
"""
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Rule, Severity, Valid
from readiness.project import Project
from readiness.rules._match import call_label, gateway_note


class ModelCallNotObserved(Rule):
    code = "OBS001"
    name = "model-call-not-observed"
    control = "observability.call-logging"
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    effort = 15

    INVALID = [
        Invalid(
            """\
from openai import OpenAI

client = OpenAI(timeout=20)

def answer(question):
    response = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": question}])
    return response.choices[0].message.content
""",
            lines=(6,),
        ),
        # An instrumentor set up only in the tests does not observe production calls.
        Invalid(
            {
                "tests/conftest.py": "from opentelemetry.instrumentation.openai import OpenAIInstrumentor\n\nOpenAIInstrumentor().instrument()\n",
                "llm.py": "from openai import OpenAI\n\nclient = OpenAI(timeout=20)\n\ndef answer(q):\n    return client.chat.completions.create(model='gpt-4o-mini', messages=[])\n",
            },
            lines=(("llm.py", 6),),
        ),
    ]
    VALID = [
        Valid(
            """\
import logging
from openai import OpenAI

logger = logging.getLogger(__name__)
client = OpenAI(timeout=20)

def answer(question):
    response = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": question}])
    logger.info("answered in %s tokens", response.usage.total_tokens)
    return response.choices[0].message.content
"""
        ),
        Valid(
            """\
from langsmith import traceable
from openai import OpenAI

client = OpenAI(timeout=20)

@traceable(name="answer")
def answer(question):
    return client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": question}])
"""
        ),
        Valid(
            {
                "main.py": "from opentelemetry.instrumentation.openai import OpenAIInstrumentor\n\nOpenAIInstrumentor().instrument()\n",
                "llm.py": "from openai import OpenAI\n\nclient = OpenAI(timeout=20)\n\ndef answer(q):\n    return client.chat.completions.create(model='gpt-4o-mini', messages=[])\n",
            }
        ),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        if project.signals.has("instrumentation"):
            return
        for site in project.call_sites:
            if not site.observed:
                yield self.finding(site.location, f"{call_label(site)}{gateway_note(site)} is not logged or traced where it is made")
