"""Flags logic that exists only in Jupyter notebooks.

## What it does
Reports a notebook that defines three or more functions or classes found in no Python module
of the repo, or defines any and calls a model, or calls a model when no Python module does:
the product's logic lives in the notebook. Notebooks that only import and call the package's
code (exploration, demos, reports) are fine.

## Why it matters in production
Notebook code runs in whatever order cells were last executed, with hidden state, no imports
from the rest of the code, no tests and no code review in diffs. A service cannot import it,
so the logic gets copied by hand into the app and the two drift apart.
*Ownership and handoff: clean module boundaries.*

## Remediation
Move the functions into a module of the package (`myapp/pipeline.py`), add tests, and make
the notebook import and call them. Tools such as `nbdev` or `jupytext` help while moving.
"""
from __future__ import annotations

import json
from typing import Iterator

from readiness import Confidence, Finding, Invalid, Location, Rule, Severity, Valid
from readiness.project import Project
from readiness.rules._project import code_modules, whole_repo

MIN_FUNCTIONS = 3


def _notebook(*cells: str) -> str:
    return json.dumps(
        {
            "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": cell} for cell in cells],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
        }
    )


_CALL = "from openai import OpenAI\nclient = OpenAI(timeout=20)\nreply = client.chat.completions.create(model='gpt-4o-mini', messages=[])\n"


class NotebookAsSource(Rule):
    code = "ARC004"
    name = "notebook-as-source"
    control = "ownership.boundaries"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    effort = 120

    INVALID = [
        Invalid(
            {"pipeline.ipynb": _notebook("import pandas as pd\n", "def load(p):\n    return pd.read_csv(p)\n", "def clean(df):\n    return df.dropna()\n", "def score(df):\n    return df.mean()\n")},
            lines=(("pipeline.ipynb", 0),),
        ),
        Invalid({"explore.ipynb": _notebook(_CALL)}, lines=(("explore.ipynb", 0),)),
    ]
    VALID = [
        Valid(
            {
                "app/__init__.py": "",
                "app/pipeline.py": "def load(p):\n    return p\n\ndef clean(df):\n    return df\n\ndef score(df):\n    return df\n",
                "report.ipynb": _notebook("from app.pipeline import load, clean, score\n", "score(clean(load('data.csv')))\n"),
            }
        ),
        Valid(
            {
                "llm.py": "from openai import OpenAI\n\nclient = OpenAI(timeout=20)\n\ndef ask(q):\n    return client.chat.completions.create(model='gpt-4o-mini', messages=[])\n",
                "try_it.ipynb": _notebook(_CALL),
            }
        ),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        if not whole_repo(project):
            return
        modules = code_modules(project)
        defined: set[str] = set()
        py_calls = False
        for node in modules:
            if node.kind == "python":
                py_calls = py_calls or node.model_calls > 0
                defined |= {fn.qualname.split(".")[0] for fn in project.files[node.path].functions}
        for node in modules:
            if node.kind != "notebook":
                continue
            own = sorted({fn.qualname.split(".")[0] for fn in project.files[node.path].functions if fn.line > 0} - defined - {"<module>"})
            calls = node.model_calls
            if len(own) >= MIN_FUNCTIONS or (own and calls) or (calls and not py_calls):
                what = " and ".join(w for w, present in (("functions", own), ("model calls", calls)) if present)
                yield self.finding(Location(node.path), f"{what} live only in this notebook; move them into a module")
