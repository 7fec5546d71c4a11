"""readiness: audits an AI prototype repository for production readiness."""
from __future__ import annotations

from readiness.model import Confidence, Diagnostic, Finding, Location, RunResult, Severity
from readiness.rule import Invalid, Rule, Valid

__version__ = "0.1.0"

__all__ = [
    "Confidence", "Diagnostic", "Finding", "Invalid", "Location", "Rule", "RunResult", "Severity",
    "Valid", "__version__",
]
