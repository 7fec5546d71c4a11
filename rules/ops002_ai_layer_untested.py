"""Flags test suites that never exercise the code that calls models.

## What it does
When the repo has tests and makes model calls, looks for one test that reaches the model layer:
a test importing a module that calls a model, or importing code that leads there (or the model
SDK itself, to patch it) while using a fake, a mock or recorded responses (`unittest.mock`, pytest-mock, VCR/pytest-recording,
respx, responses, LangChain fake LLMs, cassettes). Reports the repository once if none does.

## Why it matters in production
The model layer is where a prototype breaks: output that is not the expected JSON, a refusal,
an empty answer, a timeout. Tests that stop at the layer around it pass while that code is
never run. *Data reality and evaluation: tests cover the AI layer with fakes or recordings.*

## Remediation
Test the gateway with a fake client or recorded responses, including the failure cases: a
malformed answer, a rate-limit error, a timeout. No network and no keys needed.
"""
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Rule, Severity, Valid
from readiness.facts.signals import find_signals
from readiness.project import Project
from readiness.rules._project import REPO, code_modules, whole_repo

_LLM = "from openai import OpenAI\n\nclient = OpenAI(timeout=20)\n\ndef complete(q):\n    return client.chat.completions.create(model='gpt-4o-mini', messages=[{'role': 'user', 'content': q}]).choices[0].message.content\n"
_SERVICE = "from llm import complete\n\ndef answer(q):\n    return complete(q).strip()\n"
_UTILS = "def clean(text):\n    return text.strip()\n"


class AiLayerUntested(Rule):
    code = "OPS002"
    name = "ai-layer-untested"
    control = "evaluation.ai-tests"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    effort = 180

    INVALID = [
        Invalid(
            {"llm.py": _LLM, "utils.py": _UTILS, "tests/test_utils.py": "from utils import clean\n\ndef test_clean():\n    assert clean(' a ') == 'a'\n"},
            lines=(("", 0),),
        ),
    ]
    VALID = [
        Valid(
            {
                "llm.py": _LLM, "service.py": _SERVICE,
                "tests/test_service.py": "from unittest import mock\nimport service\n\ndef test_answer():\n    with mock.patch.object(service, 'complete', return_value=' hi '):\n        assert service.answer('q') == 'hi'\n",
            }
        ),
        Valid({"llm.py": _LLM, "tests/test_llm.py": "import llm\n\ndef test_complete(monkeypatch):\n    monkeypatch.setattr(llm, 'client', object())\n"}),
        # The app is loaded by file name (Streamlit's AppTest) and the SDK is patched.
        Valid(
            {
                "page.py": "import streamlit as st\n" + _LLM,
                "app_test.py": "from unittest.mock import patch\nfrom openai.types.chat import ChatCompletion\n\n@patch('openai.resources.chat.Completions.create')\ndef test_page(create):\n    pass\n",
            }
        ),
        # No model calls: nothing to cover.
        Valid({"utils.py": _UTILS, "tests/test_utils.py": "from utils import clean\n"}),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        if not whole_repo(project):
            return
        if not project.signals.has("tests"):
            return
        model = [n.path for n in code_modules(project) if n.kind == "python" and n.model_calls]
        if not model:
            return
        graph = project.graph
        if not any(node.is_test for node in graph.modules.values()):
            return  # the tests exist but were left out of the scan: nothing to judge
        for path, node in sorted(graph.modules.items()):
            if not node.is_test:
                continue
            if set(graph.imports_of(path)) & set(model):
                return
            doubles = find_signals([path], {path: project.files[path]}).has("test-doubles")
            if doubles and ("model" in node.roles or graph.reaches(path, model)):
                return
        yield self.finding(REPO, "no test reaches the code that calls models with a fake, a mock or a recording")
