"""Flags a repository that calls models and has no way to evaluate them.

## What it does
When the repo makes model calls, looks for an evaluation harness: an `evals/` (or `eval/`,
`evaluation/`) folder, a promptfoo config, or an evaluation library (DeepEval, Ragas, Inspect,
OpenAI Evals, TruLens, LangSmith evaluation, MLflow evaluate, Braintrust). Reports the
repository once if there is none.

## Why it matters in production
A prompt change, a model upgrade or a new retrieval setting changes answers for every user, and
unit tests cannot say whether they got better or worse. Without a fixed set of examples and a
score, each change ships on a feeling from a few manual tries.
*Data reality and evaluation: an evaluation harness for prompts.*

## Remediation
Collect 20-50 real inputs with the answers you expect in `evals/` (JSONL or CSV) and score the
current prompt and model against them with promptfoo, DeepEval or a small pytest script; run
it on every prompt or model change.
"""
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Rule, Severity, Valid
from readiness.project import Project
from readiness.rules._project import REPO, whole_repo

_LLM = "from openai import OpenAI\n\nclient = OpenAI(timeout=20)\n\ndef complete(q):\n    return client.chat.completions.create(model='gpt-4o-mini', messages=[{'role': 'user', 'content': q}])\n"


class NoEvalHarness(Rule):
    code = "OPS003"
    name = "no-eval-harness"
    control = "evaluation.eval-harness"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    effort = 240

    INVALID = [
        Invalid({"llm.py": _LLM, "tests/test_llm.py": "import llm\n"}, lines=(("", 0),)),
        Invalid({"llm.py": _LLM, "evaluation_notes.md": "we should evaluate this some day\n"}, lines=(("", 0),)),
    ]
    VALID = [
        Valid({"llm.py": _LLM, "evals/cases.jsonl": '{"input": "refund?", "expected": "policy"}\n'}),
        Valid({"llm.py": _LLM, "tests/test_quality.py": "from deepeval import assert_test\n"}),
        Valid({"llm.py": _LLM, "promptfooconfig.yaml": "prompts: [prompts/answer.txt]\n"}),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        if not whole_repo(project):
            return
        if not project.call_sites or project.signals.has("evals"):
            return
        yield self.finding(REPO, "the repo calls models and has no evaluation set or harness (evals/, promptfoo, DeepEval, Ragas...)")
