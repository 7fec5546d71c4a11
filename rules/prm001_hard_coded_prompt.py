'''Flags instruction text written inline in code where it reaches a model.

## What it does
Finds prompt text that lives in the source: a system message, a `system=` argument, the text of a
message or prompt passed to a model call or to a wrapper that forwards it to one, a `PromptTemplate`,
or a string assigned to a prompt-named variable (`SYSTEM_PROMPT`, `instructions`). It is a heuristic,
and says how sure it is:

- **role and position**: text in the system role, a `system=`/`instructions=` argument or a
  system-named variable is a prompt by position; text in a user message or a plain `prompt`
  variable needs instruction phrasing too;
- **instruction phrasing**: "You are ...", "Act as", "Your task", imperative openings
  ("Summarise", "Classify", "Return only JSON"), "do not", "step by step";
- **length**: at least 12 characters and three words of literal text in a system position, 25
  characters elsewhere; 200 characters or more at a model call count even without instruction
  phrasing. Paths, URLs and names (fewer than three words) are never prompts.

Confidence is *high* for instruction phrasing in a system position, *medium* for one of the two,
*low* for length alone. Prompts loaded from files (`open().read()`, `Path.read_text()`, jinja
`get_template`, YAML/TOML/JSON loads, a prompt hub `pull`) and text in test files are not flagged.

## Why it matters in production
A prompt is product behaviour that changes weekly. Inline in code, every wording change is a
deploy, nobody can review prompt changes apart from code changes, and evaluations cannot be tied
to a prompt version. *Separation of experimentation: prompts versioned outside code.*

## Remediation
Move the text to a versioned file (`prompts/summarise.md`, a YAML catalog or a prompt registry),
load it at start-up, and log its version with each call.
'''
from __future__ import annotations

import dataclasses
import re
from typing import Iterator

from readiness import Confidence, Finding, Invalid, Rule, Severity, Valid
from readiness.facts.promptflow import location
from readiness.project import Project
from readiness.rules._prompts import is_test_path

OPENING = re.compile(
    r"^\W*(you\b|your (task|job|role|goal)|act as|as an? |pretend|imagine you|given |please |"
    r"do not|don't|never |always |answer|respond|reply|summari[sz]e|translate|classify|extract|generate|write|rewrite|"
    r"create|explain|analy[sz]e|describe|list |return|provide|identify|determine|evaluate|review|suggest|convert|compose|"
    r"draft|tell me|help |here is|here's|based on|using the|read the|design|plan )",
    re.I,
)
ANYWHERE = re.compile(
    r"\b(you are|you must|you should|do not|don't|respond (only|with|in)|return (only|a|the|json)|answer (the|only|in)|"
    r"step by step|in json|as json|valid json|your task|the user|following (text|question|document|context))\b",
    re.I,
)


def assess(text: str, length: int, strong: bool, at_call: bool) -> Confidence | None:
    """How sure we are that literal text is a hard-coded instruction prompt (None: not one)."""
    if len(text.split()) < 3:
        return None  # a path, URL, name or label, not an instruction
    phrased = bool(OPENING.match(text) or ANYWHERE.search(text))
    if strong and length >= 12 and (phrased or length >= 40):
        return Confidence.HIGH if phrased else Confidence.MEDIUM
    if phrased and length >= 25:
        return Confidence.MEDIUM
    if at_call and length >= 200:
        return Confidence.LOW
    return None


class HardCodedPrompt(Rule):
    code = "PRM001"
    name = "hard-coded-prompt"
    control = "separation.prompts"
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    effort = 15

    INVALID = [
        Invalid(
            """\
from openai import OpenAI

client = OpenAI()

def summarise(text):
    return client.chat.completions.create(
        model="gpt-4o-mini-2024-07-18",
        messages=[
            {"role": "system", "content": "You are a support assistant. Answer in three short bullet points."},
            {"role": "user", "content": text},
        ],
    )
""",
            lines=(9,),
        ),
        Invalid(
            """\
import anthropic

SYSTEM_PROMPT = \"\"\"You are a strict code reviewer.
Return only JSON with the keys `issues` and `score`.\"\"\"

client = anthropic.Anthropic()

def review(diff):
    return client.messages.create(model="claude-3-5-haiku-20241022", max_tokens=500, system=SYSTEM_PROMPT,
                                  messages=[{"role": "user", "content": diff}])
""",
            lines=(3,),
        ),
        Invalid(
            {
                "llm.py": """\
from openai import OpenAI

client = OpenAI()

def ask_llm(system_prompt, user_prompt):
    return client.chat.completions.create(model="gpt-4o-mini-2024-07-18", messages=[
        {"role": "system", "content": system_prompt},
        {"role": "user", "content": user_prompt},
    ])
""",
                "router.py": """\
from llm import ask_llm

def route(query):
    return ask_llm(system_prompt="You are a classifier. Reply with one word.", user_prompt=query)
""",
            },
            lines=(("router.py", 4),),
        ),
    ]
    VALID = [
        Valid(
            """\
from pathlib import Path
from openai import OpenAI

client = OpenAI()
SYSTEM_PROMPT = (Path(__file__).parent / "prompts" / "support.md").read_text()

def summarise(text):
    return client.chat.completions.create(
        model="gpt-4o-mini-2024-07-18",
        messages=[{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": text}],
    )
"""
        ),
        Valid(
            """\
from openai import OpenAI

client = OpenAI()

def chat(history, question):
    messages = history + [{"role": "user", "content": question}]
    return client.chat.completions.create(model="gpt-4o-mini-2024-07-18", messages=messages)
"""
        ),
        Valid(
            {
                "tests/test_llm.py": """\
PROMPT = "You are a test double. Always answer 42."
""",
            }
        ),
        Valid(
            """\
SYSTEM_PROMPT_PATH = "prompts/system/customer_support_assistant_v3.md"
INSTRUCTIONS_URL = "https://docs.example.com/assistant/instructions/latest"
PROMPT_LABEL = "Type your question"
"""
        ),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        for use in project.prompts.texts:
            if is_test_path(use.path):
                continue
            text = use.text
            confidence = assess(text.text, text.length, use.strong, use.at_call)
            if confidence is None:
                continue
            preview = " ".join(text.text.split())[:48]
            where = f"{use.context}" + (f", `{text.name}`" if text.name and text.name not in use.context else "")
            message = (f"hard-coded prompt \"{preview}{'...' if len(text.text) > 48 else ''}\" ({where}; "
                       f"{confidence.value} confidence): load it from a versioned prompt file")
            finding = self.finding(location(project.files[use.path], text.line, text.col), message)
            yield dataclasses.replace(finding, confidence=confidence)
