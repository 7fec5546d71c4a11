"""Renderers: each turns a `RunResult` into text; none prints, exits or computes findings."""
from __future__ import annotations

from typing import Callable

from readiness.report import html as html_report
from readiness.report import json as json_report
from readiness.report import markdown as markdown_report
from readiness.report import pr_markdown as pr_markdown_report
from readiness.report import sarif as sarif_report
from readiness.report import text as text_report

Renderer = Callable[..., str]

RENDERERS: dict[str, Renderer] = {
    "text": text_report.render,
    "json": json_report.render,
    "markdown": markdown_report.render,
    "html": html_report.render,
    "sarif": sarif_report.render,
    "pr-markdown": pr_markdown_report.render,
}


def encoded(text: str) -> bytes:
    """The bytes to write for rendered output: UTF-8, with the bytes of a file name that is not
    UTF-8 (Python reads them as lone surrogates) written back as the file system has them, whatever
    the locale's error handler (strict under most UTF-8 locales). JSON and SARIF are ASCII."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that does not stand for a byte (escaped in source text)
        return text.encode("utf-8", "backslashreplace")
