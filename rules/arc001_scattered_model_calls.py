"""Flags model calls made straight from UI code, or from many modules with no gateway.

## What it does
Finds model calls made directly in a UI or web module (a Streamlit or Gradio page, a module
that renders templates or defines web routes), and, when model calls are spread over three or
more modules, reports each of those modules once, at its first call. Tests and notebooks are
not counted; a single module that every other module goes through is a gateway and stays quiet.

## Why it matters in production
Retries, timeouts, logging, cost limits and a provider switch are each one change in a
gateway, and as many changes as there are call sites without one. Calls buried in UI code
also tie the page to one provider and make it impossible to test the page without the model.
*Separation of experimentation: model calls behind a gateway.*

## Remediation
Move every model call into one module (for example `llm.py` exposing `complete()` and
`embed()`), give it the retries, timeout, logging and limits, and call it from the UI.
"""
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Rule, Severity, Valid
from readiness.facts.callsites import CallSite
from readiness.project import Project
from readiness.rules._match import call_label
from readiness.rules._project import code_modules, names

MIN_MODULES = 3

_GATEWAY = """\
from openai import OpenAI

client = OpenAI(timeout=20)

def complete(prompt):
    return client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}])
"""
_PAGE_WITH_CALL = """\
import streamlit as st
from openai import OpenAI

client = OpenAI(timeout=20)
question = st.text_input("Question")
if question:
    answer = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": question}])
    st.write(answer.choices[0].message.content)
"""


def _direct(module: str) -> str:
    return f"""\
from openai import OpenAI

client = OpenAI(timeout=20)

def {module}(text):
    return client.chat.completions.create(model="gpt-4o-mini", messages=[{{"role": "user", "content": text}}])
"""


class ScatteredModelCalls(Rule):
    code = "ARC001"
    name = "scattered-model-calls"
    control = "separation.gateway"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    effort = 60

    INVALID = [
        Invalid({"page.py": _PAGE_WITH_CALL}, lines=(("page.py", 7),)),
        Invalid(
            {"summarise.py": _direct("summarise"), "classify.py": _direct("classify"), "translate.py": _direct("translate")},
            lines=(("classify.py", 6), ("summarise.py", 6), ("translate.py", 6)),
        ),
    ]
    VALID = [
        Valid(
            {
                "llm.py": _GATEWAY,
                "page.py": "import streamlit as st\nfrom llm import complete\n\nquestion = st.text_input('Question')\nif question:\n    st.write(complete(question))\n",
            }
        ),
        # Two modules calling models is not yet scattered; tests do not count.
        Valid({"summarise.py": _direct("summarise"), "classify.py": _direct("classify"), "tests/test_llm.py": _direct("test_it")}),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        modules = [node for node in code_modules(project) if node.kind == "python" and node.model_calls]
        first: dict[str, CallSite] = {}
        for site in project.call_sites:
            first.setdefault(site.location.path, site)
        reported: set[str] = set()
        for site in project.call_sites:
            node = project.graph.node(site.location.path)
            if node is None or node.is_test or node.kind != "python" or not node.roles & {"ui", "routes"}:
                continue
            where = "UI code" if "ui" in node.roles else "a web route module"
            reported.add(site.location.path)
            yield self.finding(site.location, f"{call_label(site)} is made directly from {where}; call a model gateway instead")
        if len(modules) < MIN_MODULES:
            return
        paths = [node.path for node in modules]
        for node in modules:
            site = first[node.path]
            if node.path in reported:
                continue
            others = names([p for p in paths if p != node.path])
            yield self.finding(
                site.location,
                f"model calls are made directly from {len(paths)} modules (also {others}); route them through one gateway",
            )
