"""Facts are plain data: they survive a JSON round trip (the cache stores them)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from readiness.catalog import load_catalog
from readiness.discover import SourceFile, classify
from readiness.facts.extract import extract_facts
from readiness.facts.model import FileFacts
from readiness.parse import ParsedModule, parse_file

from conftest import FIXTURES

SOURCES = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".py", ".ipynb") and p.name != "broken.py")


@pytest.mark.parametrize("path", SOURCES, ids=[str(p.relative_to(FIXTURES)) for p in SOURCES])
def test_facts_round_trip_through_json(path: Path) -> None:
    rel = path.relative_to(FIXTURES).as_posix()
    raw = path.read_bytes()
    parsed = parse_file(SourceFile(rel, str(path), classify(rel), len(raw)), raw)
    assert isinstance(parsed, ParsedModule)
    facts = extract_facts(parsed, load_catalog())
    again = FileFacts.from_json(json.loads(json.dumps(facts.to_json(), sort_keys=True)))
    assert again == facts


def test_facts_resolve_imports_bindings_and_scopes() -> None:
    path = FIXTURES / "chatbot_prototype" / "utils" / "summarizer.py"
    raw = path.read_bytes()
    parsed = parse_file(SourceFile("utils/summarizer.py", str(path), "python", len(raw)), raw)
    facts = extract_facts(parsed, load_catalog())
    assert facts.module == "utils.summarizer"
    assert facts.imports == {"OpenAI": "openai.OpenAI"}
    bindings = {(b.scope, b.name): (b.kind, b.target, b.args) for b in facts.bindings}
    assert bindings[("Summarizer", "self.client")] == ("call", "openai.OpenAI", {"max_retries": 0})
    assert bindings[("Summarizer.embed", "fast")] == ("with_options", "self.client", {"timeout": 10})
    scopes = {c.scope for c in facts.calls if c.target.endswith(".create")}
    assert scopes == {"Summarizer.summarize", "Summarizer.embed"}
