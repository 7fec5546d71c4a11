"""Flags an application with no container, platform or infrastructure config.

## What it does
For a repo that serves users (a Streamlit, Gradio or Chainlit app, templates, or web routes),
looks for a way to deploy it: a Dockerfile or compose file, a platform config (Procfile,
`fly.toml`, `render.yaml`, `app.yaml`, `serverless.yml`, Railway, Vercel, Modal) or
infrastructure code (Terraform, Helm charts, Kubernetes manifests). Reports the repository
once if there is none. Libraries and notebooks are not applications and are not reported.

## Why it matters in production
If the only way to run the app is the steps the author remembers, every deploy is a manual
rebuild of their laptop: a different Python, missing system packages, a forgotten variable.
*Engineering standards: repeatable deployment (container or platform config).*

## Remediation
Add a Dockerfile that installs the locked dependencies and starts the app, or the config of
the platform you deploy to, and commit it next to the code.
"""
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Rule, Severity, Valid
from readiness.project import Project
from readiness.rules._project import REPO, is_service, whole_repo

_PAGE = "import streamlit as st\n\nst.title('Bot')\n"
_API = "from fastapi import FastAPI\n\napp = FastAPI()\n\n@app.get('/health')\ndef health():\n    return {'ok': True}\n"


class NoDeployConfig(Rule):
    code = "OPS006"
    name = "no-deploy-config"
    control = "standards.deployment"
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    effort = 90

    INVALID = [
        Invalid({"app.py": _PAGE}, lines=(("", 0),)),
        Invalid({"api/main.py": _API, "docs/deploy.md": "Run it with uvicorn on the VM.\n"}, lines=(("", 0),)),
    ]
    VALID = [
        Valid({"app.py": _PAGE, "Dockerfile": "FROM python:3.12-slim\n"}),
        Valid({"api/main.py": _API, "fly.toml": "app = 'bot'\n"}),
        # A library or a script is not deployed.
        Valid({"summarise.py": "from openai import OpenAI\n"}),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        if not whole_repo(project):
            return
        if is_service(project) and not project.signals.has("deploy"):
            yield self.finding(REPO, "the app has no Dockerfile, platform or infrastructure config: deploys are manual")
