"""Inline `# readiness: ignore[CODE]` directives and per-path ignores from config."""
from __future__ import annotations

from readiness.config import Config
from readiness.discover import _glob_match
from readiness.facts.model import FileFacts
from readiness.model import Finding


def _covers(codes: tuple[str, ...], code: str) -> bool:
    return any(code.startswith(c) for c in codes)


def is_suppressed(finding: Finding, files: dict[str, FileFacts], config: Config) -> bool:
    loc = finding.location
    for glob, codes in config.per_file_ignores:
        if _glob_match(loc.path, glob) and _covers(codes, finding.code):
            return True
    facts = files.get(loc.path)
    if facts is None:
        return False
    if _covers(facts.file_ignores, finding.code):
        return True
    cell = loc.cell or 0
    return any(s.cell == cell and s.line == loc.line and _covers(s.codes, finding.code) for s in facts.suppressions)


def apply_suppressions(findings: list[Finding], files: dict[str, FileFacts], config: Config) -> tuple[list[Finding], int]:
    """Split findings into the kept ones and a count of the suppressed."""
    kept = [f for f in findings if not is_suppressed(f, files, config)]
    return kept, len(findings) - len(kept)
