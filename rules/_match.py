"""Helpers shared by the rules of the core pack."""
from __future__ import annotations

from readiness.facts.callsites import CallSite


def call_label(site: CallSite) -> str:
    """How a message names a call: `chat.completions.create` (OpenAI)."""
    return f"`{site.api}` ({site.label})"


def seconds(value: float) -> str:
    return f"{value:g}s"


def gateway_note(site: CallSite) -> str:
    """` in gateway `ask_llm` (reached from 4 call sites)`, or nothing at module level."""
    if not site.gateway or site.reach == 0:
        return ""
    noun = "call site" if site.reach == 1 else "call sites"
    return f" in gateway `{site.gateway}` (reached from {site.reach} {noun})"


def where(site: CallSite) -> str:
    """`llm.py:12`, or `explore.ipynb:cell 3:1` in a notebook."""
    loc = site.location
    cell = f"cell {loc.cell}:" if loc.cell is not None else ""
    return f"{loc.path}:{cell}{loc.line}"
