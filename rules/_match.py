"""Helpers shared by the rules of the core pack."""
from __future__ import annotations

from readiness.facts.callsites import CallSite


def call_label(site: CallSite) -> str:
    """How a message names a call: `chat.completions.create` (OpenAI)."""
    return f"`{site.api}` ({site.label})"


def seconds(value: float) -> str:
    return f"{value:g}s"
