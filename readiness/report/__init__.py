"""Renderers: each turns a `RunResult` into text; none prints, exits or computes findings."""
from __future__ import annotations

import codecs
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


def _surrogates(exc: UnicodeError, raw: bool) -> tuple[bytes, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out = bytearray()
    for char in exc.object[exc.start:exc.end]:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # a byte of a name that is not UTF-8
            out += bytes([code - 0xDC00]) if raw else f"\\x{code - 0xDC00:02x}".encode()
        else:  # a surrogate written escaped in scanned source
            out += f"\\u{code:04x}".encode()
    return bytes(out), exc.end


codecs.register_error("readiness-bytes", lambda exc: _surrogates(exc, raw=True))
codecs.register_error("readiness-escapes", lambda exc: _surrogates(exc, raw=False))


def encoded(text: str, raw_names: bool = True) -> bytes:
    """The bytes to write for rendered output: UTF-8. The bytes of a file name that is not UTF-8
    (Python reads them as lone surrogates) are written back as the file system has them, whatever
    the locale's error handler (strict under most UTF-8 locales); with `raw_names=False` (text
    GitHub reads, which must be UTF-8) as `\\xNN` escapes. JSON and SARIF are ASCII already."""
    return text.encode("utf-8", "readiness-bytes" if raw_names else "readiness-escapes")
