"""Flags a repository that calls models and never records the tokens they use.

## What it does
When the repo makes generation calls, looks for a read of token usage anywhere in its code
(`response.usage`, `usage_metadata`, `prompt_tokens`, `["usage"]`, ...) or LLM tracing or
instrumentation that records it (LangSmith, Langfuse, OpenLLMetry, Helicone, Weave, OpenLIT,
OpenTelemetry instrumentors). Reports the repository once if there is neither.

## Why it matters in production
Model cost is tokens times price, per request. Without recorded usage there is no cost per
user or per feature, no alert when a prompt change doubles the bill, and no evidence for
choosing a smaller model. *Observability: token usage recorded.*

## Remediation
Log `response.usage` (prompt, completion and total tokens, model, latency) at the gateway, or
set up an LLM tracing tool that records usage for every call.
"""
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Rule, Severity, Valid
from readiness.facts.signals import is_test_path
from readiness.project import Project
from readiness.rules._project import REPO, whole_repo

_CALL = "    response = client.chat.completions.create(model='gpt-4o-mini', messages=[{'role': 'user', 'content': q}])\n"
_HEAD = "import logging\nfrom openai import OpenAI\n\nlog = logging.getLogger(__name__)\nclient = OpenAI(timeout=20)\n\ndef ask(q):\n"


class TokenUsageNotRecorded(Rule):
    code = "OBS003"
    name = "token-usage-not-recorded"
    control = "observability.token-usage"
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    effort = 30

    INVALID = [
        Invalid({"llm.py": _HEAD + _CALL + "    log.info('answered')\n    return response.choices[0].message.content\n"}, lines=(("", 0),)),
    ]
    VALID = [
        Valid({"llm.py": _HEAD + _CALL + "    log.info('tokens=%s', response.usage.total_tokens)\n    return response.choices[0].message.content\n"}),
        Valid({"llm.py": _HEAD + _CALL + "    return response\n", "main.py": "from langfuse.openai import openai\n"}),
        Valid(
            {
                "llm.py": _HEAD + _CALL + "    return response\n",
                "app.py": "from opentelemetry.instrumentation.openai import OpenAIInstrumentor\n\nOpenAIInstrumentor().instrument()\n",
            }
        ),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        if not whole_repo(project):
            return
        generations = [s for s in project.call_sites if not s.embedding]
        if not generations:
            return
        if any(f.usage_reads for path, f in project.files.items() if not is_test_path(path)):
            return
        if project.signals.has("llm-tracing") or project.signals.has("instrumentation"):
            return
        # The message names no count: a baseline must keep matching as calls are added.
        yield self.finding(REPO, "the token usage of model calls is never read or traced: cost is invisible")
