'''Flags debug mode, auto-reload and credentialed wildcard CORS in app setup.

## What it does
Finds `app.run(debug=True)`, `app.debug = True`, `app.config["DEBUG"] = True`, `FastAPI(debug=True)`,
`uvicorn.run(..., reload=True)`, Django's `DEBUG = True` in a settings module, and CORS that allows
every origin *with* credentials (`CORSMiddleware(allow_origins=["*"], allow_credentials=True)`,
`flask_cors.CORS(app, supports_credentials=True)` with no origin list,
`CORS_ALLOW_ALL_ORIGINS` with `CORS_ALLOW_CREDENTIALS`). Values read from the environment are not flagged.

## Why it matters in production
Flask's debugger runs arbitrary code for whoever reaches an error page; Django's debug pages leak
settings and source; auto-reload watches the disk and restarts mid-request; credentialed wildcard
CORS lets any website act as the logged-in user. All are right on a laptop and wrong on a server.
*Engineering standards: repeatable, safe deployment.*

## Remediation
Read debug and reload flags from the environment with safe defaults
(`debug=os.getenv("APP_DEBUG") == "1"`), and list the allowed origins explicitly.
'''
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Rule, Severity, Valid
from readiness.facts.promptflow import location
from readiness.project import Project
from readiness.rules._prompts import is_test_path


class DebugModeEnabled(Rule):
    code = "SEC005"
    name = "debug-mode-enabled"
    control = "standards.auth"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    effort = 5

    INVALID = [
        Invalid(
            """\
from flask import Flask

app = Flask(__name__)

if __name__ == "__main__":
    app.run(host="0.0.0.0", debug=True)
""",
            lines=(6,),
        ),
        Invalid(
            """\
import uvicorn
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True, allow_methods=["*"])

if __name__ == "__main__":
    uvicorn.run("main:app", host="0.0.0.0", reload=True)
""",
            lines=(6, 9),
        ),
    ]
    VALID = [
        Valid(
            """\
import os
from flask import Flask

app = Flask(__name__)

if __name__ == "__main__":
    app.run(debug=os.getenv("APP_DEBUG") == "1")
"""
        ),
        Valid(
            """\
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"], allow_credentials=True)
"""
        ),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        for path in sorted(project.files):
            if is_test_path(path):
                continue
            facts = project.files[path]
            for setting in facts.surface.settings:
                yield self.finding(location(facts, setting.line, setting.col), f"{setting.message}: not for production")
