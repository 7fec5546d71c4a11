"""Jinja environments for the Markdown and HTML reports: strict, and escaping everything from the repo."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from readiness.score import shown
from readiness.verdict import duration

if TYPE_CHECKING:  # jinja2 loads only when a template renders (not for json, sarif, text)
    import jinja2

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_MD_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "@": "&#64;", "#": "&#35;"}


class Md(str):
    """Markdown the template built itself (not text from the scanned repo): left as it is."""


def md_escape(value: Any) -> str:
    """Make any text inert in GitHub Markdown: no markup, no HTML, no mentions, one line."""
    if isinstance(value, Md):
        return value
    text = "" if value is None else str(value)
    text = " ".join(text.split())
    text = "".join(_MD_ENTITIES.get(ch, ch) for ch in text)
    return _MD_SPECIAL.sub(r"\\\1", text)


def shown_score(value: float | None) -> str:
    return "n/a" if value is None else shown(value)


_score = shown_score


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _where(location: dict[str, Any]) -> str:
    if not location.get("path"):
        return "(project)"
    cell = f"cell {location['cell']}:" if "cell" in location else ""
    return f"{location['path']}:{cell}{location['line']}" if location.get("line") else location["path"]


def _days(value: float) -> str:
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


def _effort(effort: dict[str, Any]) -> str:
    return duration(effort["hardening_minutes"], effort["hours_per_day"])


def _common(env: jinja2.Environment) -> jinja2.Environment:
    env.filters.update(score=_score, plural=_plural, where=_where, days=_days, effort=_effort)
    return env


def markdown_env() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("readiness.report", "templates"),
        undefined=jinja2.StrictUndefined, autoescape=False, finalize=md_escape,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    env.filters["md"] = Md
    return _common(env)


def html_env() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("readiness.report", "templates"),
        undefined=jinja2.StrictUndefined, autoescape=True, trim_blocks=True, lstrip_blocks=True,
    )
    return _common(env)
