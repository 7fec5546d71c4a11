'''Flags `print` in service and library code.

## What it does
Finds `print(...)` calls in application code. Scripts are left alone: files under `scripts/`,
`bin/`, `tools/`, `examples/`, command-line modules (argparse, click, typer), modules with an
`if __name__ == "__main__":` block and no web or UI surface, `setup.py`, `manage.py`, notebooks
and tests; and so is every `print` inside an `if __name__ == "__main__":` block, and at the top
level of a file that serves no web or UI framework (a script's body).

## Why it matters in production
`print` output has no level, no timestamp, no request context and no structure; in a container it
interleaves with everything else, and it cannot be filtered, sampled or shipped to a log service.
When something goes wrong in production, the record is not there. *Observability: logging, not print.*

## Remediation
Use `logging.getLogger(__name__)` with a level and `%`-style arguments, and configure handlers and
format once at start-up.
'''
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Rule, Severity, Valid
from readiness.facts.promptflow import location
from readiness.project import Project
from readiness.rules._prompts import is_script_path, is_test_path

UI_FRAMEWORKS = frozenset({"fastapi", "flask", "django", "streamlit", "gradio", "starlette", "quart", "chainlit"})


class PrintInsteadOfLogging(Rule):
    code = "OBS002"
    name = "print-instead-of-logging"
    control = "observability.logging"
    severity = Severity.LOW
    confidence = Confidence.HIGH
    effort = 5

    INVALID = [
        Invalid(
            """\
def load(path):
    print(f"loading {path}")
    return open(path).read()
""",
            path="app/store.py",
            lines=(2,),
        ),
        Invalid(
            """\
from fastapi import FastAPI

app = FastAPI()

@app.get("/ask")
def ask(q: str):
    print("question:", len(q))
    return {"ok": True}
""",
            lines=(7,),
        ),
        Invalid(
            """\
import streamlit as st

question = st.text_input("Question")
print("asked:", len(question))
""",
            lines=(4,),
        ),
    ]
    VALID = [
        Valid(
            """\
import logging

LOG = logging.getLogger(__name__)

def load(path):
    LOG.info("loading %s", path)
    return open(path).read()

if __name__ == "__main__":
    print(load("README.md"))
"""
        ),
        Valid(
            """\
import argparse

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    print(parser.parse_args().path)
""",
            path="tools/show.py",
        ),
        Valid(
            """\
import time

start = time.time()
total = sum(range(1000))
print("took", time.time() - start)
""",
            path="benchmark_sum.py",
        ),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        for path in sorted(project.files):
            facts = project.files[path]
            if facts.kind != "python" or is_test_path(path) or is_script_path(path):
                continue
            prompts = facts.prompts
            surface = facts.surface
            if prompts.cli or (prompts.main_guard and not (set(surface.frameworks) & UI_FRAMEWORKS)):
                continue
            ui = bool(set(surface.frameworks) & UI_FRAMEWORKS)
            for call in prompts.prints:
                # top-level code of a file with no web or UI framework is a script's body
                if not call.in_main and (ui or call.scope != "<module>"):
                    yield self.finding(location(facts, call.line, call.col), "`print` in service code; use `logging` with a level")
