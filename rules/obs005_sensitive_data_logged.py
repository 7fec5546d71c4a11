'''Flags logs that write prompts, user messages or credentials verbatim.

## What it does
Finds logging calls (`logging`, a `logger`, structlog, loguru) whose arguments carry user input
(request data, Streamlit and Gradio inputs, CLI input, followed through assignments, f-strings
and the parameters of the functions it is passed to), or values named as prompts, user messages,
questions, passwords, secrets, API keys or access tokens. A bare `token` is left alone: in a
model app it is usually a streamed output token. Counts and metadata are fine: `len(prompt)`,
`usage.total_tokens`, `prompt_tokens`, `model`, ids, latencies, and values computed from the
input (an answer's length) are not flagged.

## Why it matters in production
Logs are copied to more places, kept longer and read by more people than the database. A prompt
or a user message in a log line is personal data in an unprotected store (GDPR, HIPAA, customer
contracts); a key in a log is a leaked key. *Engineering standards: no sensitive data in logs.*

## Remediation
Log metadata (ids, sizes, token counts, latency, model, prompt version), not content. If content
must be kept for debugging, send it to a tracing store with access control and retention, with
redaction.
'''
from __future__ import annotations

import re
from typing import Iterator

from readiness import Confidence, Finding, Invalid, Rule, Severity, Valid
from readiness.facts.promptflow import location
from readiness.project import Project
from readiness.rules._prompts import is_test_path

SENSITIVE = re.compile(
    r"^(prompt|prompts|full_prompt|system_prompt|user_prompt|final_prompt|user_message|chat_history|"
    r"question|user_question|user_query|user_input|input_text|password|passwd|pwd|secret|client_secret|"
    r"api_key|apikey|openai_api_key|anthropic_api_key|access_token|auth_token|refresh_token|api_token|bearer_token|authorization|credentials?)$",
    re.I,
)


def sensitive_names(names: tuple[str, ...]) -> list[str]:
    return [n for n in names if SENSITIVE.match(n.rsplit(".", 1)[-1])]


class SensitiveDataLogged(Rule):
    code = "OBS005"
    name = "sensitive-data-logged"
    control = "standards.log-hygiene"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    effort = 15

    INVALID = [
        Invalid(
            """\
import logging
import streamlit as st

logger = logging.getLogger(__name__)
question = st.chat_input("Ask")
if question:
    logger.info(f"user asked: {question}")
""",
            lines=(7,),
        ),
        Invalid(
            """\
import logging

log = logging.getLogger("llm")

def call(prompt, api_key):
    log.debug("calling model with prompt=%s key=%s", prompt, api_key)
""",
            lines=(6,),
        ),
    ]
    VALID = [
        Valid(
            """\
import logging

logger = logging.getLogger(__name__)

def record(prompt, response):
    logger.info("model=%s prompt_chars=%d tokens=%d", response.model, len(prompt), response.usage.total_tokens)
"""
        ),
        Valid(
            """\
import logging

logger = logging.getLogger(__name__)

def record(request_id, latency):
    logger.info("request %s answered in %.2fs", request_id, latency)
"""
        ),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        for path in sorted(project.files):
            if is_test_path(path):
                continue
            facts = project.files[path]
            for call in facts.prompts.logs:
                # a value computed from user input (an answer, a count) is not the input itself
                sources = () if call.flow.derived else project.prompts.resolve_deep(path, call.scope, call.flow)
                names = sensitive_names(call.flow.names)
                if sources:
                    what = f"user input ({sources[0]})"
                elif names:
                    what = f"`{names[0]}`"
                else:
                    continue
                yield self.finding(location(facts, call.line, call.col), f"`{call.api}` writes {what} verbatim; log sizes and ids instead")
