"""secrets.py finds provider matches without the leading lookbehind in the regex (`_matches`): the
matches must be exactly those of the full pattern's `finditer`, on real files and generated text."""
from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES

from readiness.facts.secrets import _matches, load_patterns

ROOT = Path(__file__).resolve().parent.parent
PATTERNS = load_patterns().providers
#: Pieces that start, continue or break credentials, so generated text holds near and real matches.
PIECES = sorted({*(a for p in PATTERNS for a in p.anchors), "sk-proj-", "sk-ant-api03-", "postgres://", "u:", "@h", "Bearer ",
                 "ghp_", "AKIA", "xoxb-", "0123456789", "abcdefghijABCDEFGHIJ", "aB3_", "-", "+", "/", "=", "_", ".", ":",
                 "@", " ", "\n", "\"", "'", "x", "Z", "9", "é"})


def _same(text: str) -> None:
    for pattern in PATTERNS:
        expected = [(m.span(), m.groups()) for m in pattern.regex.finditer(text)]
        assert [(m.span(), m.groups()) for m in _matches(pattern, text)] == expected, pattern.id


def test_every_pattern_has_a_core_without_the_lookbehind() -> None:
    assert all(p.core is not None and not p.core.pattern.startswith("(?<!") for p in PATTERNS)


def test_same_matches_on_fixtures_and_sources() -> None:
    files = [f for d in (FIXTURES, ROOT / "tests", ROOT / "rules") for f in sorted(d.rglob("*")) if f.is_file()]
    for file in files:
        _same(file.read_bytes().decode("utf-8", errors="replace"))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=60))
def test_same_matches_on_generated_text(pieces: list[str]) -> None:
    _same("".join(pieces))
