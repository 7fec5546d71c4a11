"""Flags a service with no error tracking or metrics.

## What it does
For a repo that serves users (Streamlit, Gradio or Chainlit apps, templates, web routes),
looks for error tracking or metrics set up in its code: Sentry, Rollbar, Bugsnag, Honeybadger,
Datadog, New Relic, Elastic APM, Prometheus, StatsD, OpenTelemetry or Logfire. Reports the
repository once if there is none. Imports in tests do not count.

## Why it matters in production
Without error tracking the team learns about failures from users, if at all: exceptions go
to a log nobody reads, and there is no rate, no trend and no alert when the model provider
starts failing. *Observability: error tracking; visibility into usage, errors and cost.*

## Remediation
Initialise an error tracker at start-up (`sentry_sdk.init(dsn=os.environ["SENTRY_DSN"])`)
and export basic metrics (request count, latency, model errors), for example with
OpenTelemetry or Prometheus.
"""
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Rule, Severity, Valid
from readiness.project import Project
from readiness.rules._project import REPO, is_service, whole_repo

_API = "from fastapi import FastAPI\n\napp = FastAPI()\n\n@app.get('/ask')\ndef ask(q: str):\n    return {'answer': q}\n"


class NoErrorTracking(Rule):
    code = "OBS004"
    name = "no-error-tracking"
    control = "observability.error-tracking"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    effort = 45

    INVALID = [
        Invalid({"main.py": _API}, lines=(("", 0),)),
        Invalid({"page.py": "import streamlit as st\n\nst.title('Bot')\n", "tests/test_page.py": "import sentry_sdk\n"}, lines=(("", 0),)),
    ]
    VALID = [
        Valid({"main.py": "import os\nimport sentry_sdk\n\nsentry_sdk.init(dsn=os.environ.get('SENTRY_DSN'))\n" + _API}),
        Valid({"main.py": _API, "metrics.py": "from prometheus_client import Counter\n\nREQUESTS = Counter('requests', 'requests')\n"}),
        # A script or library is not a service, even one that renders templates into files.
        Valid({"batch.py": "import csv\n\ndef run(path):\n    return list(csv.reader(open(path)))\n"}),
        Valid({"report.py": "import jinja2\n\ndef render(rows):\n    return jinja2.Template('{{ rows }}').render(rows=rows)\n"}),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        if not whole_repo(project):
            return
        if is_service(project) and not project.signals.has("error-tracking"):
            yield self.finding(REPO, "the service has no error tracking or metrics (Sentry, OpenTelemetry, Prometheus...)")
