"""Property tests: facts extraction never raises, on generated programs and on arbitrary input."""
from __future__ import annotations

import json

import hypothesmith
import libcst
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES

from readiness.catalog import load_catalog
from readiness.discover import SourceFile
from readiness.engine import FileResult, analyse_file
from readiness.facts.extract import extract_facts
from readiness.parse import ParsedModule, parse_file
from readiness.serial import decode, encode

# The scanned code's own compile warnings (generated `1()`, a mangled `"\l"`); the CLI's file
# boundary silences them, these tests call the analysis directly.
pytestmark = [pytest.mark.filterwarnings("ignore::SyntaxWarning"), pytest.mark.filterwarnings("ignore::DeprecationWarning")]
CATALOG = load_catalog()
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
SAMPLES = sorted(p for p in FIXTURES.rglob("*.py"))


def _check(path: str, kind: str, raw: bytes) -> FileResult:
    source = SourceFile(path, "", kind, len(raw))
    parsed = parse_file(source, raw)
    if isinstance(parsed, ParsedModule):
        facts = extract_facts(parsed, CATALOG)  # no error boundary here: it must not raise
        assert facts.path == path and facts.lines >= 1
    result = analyse_file(source, raw, CATALOG)
    assert not [d for d in result.diagnostics if d.kind == "internal"], result.diagnostics
    assert decode(FileResult, json.loads(json.dumps(encode(result)))) == result
    return result


@SETTINGS
@given(hypothesmith.from_grammar())
def test_facts_from_grammar_generated_programs(code: str) -> None:
    _check("gen/module.py", "python", code.encode("utf-8", "surrogatepass"))


@SETTINGS
@given(hypothesmith.from_node(libcst.Module))
def test_facts_from_libcst_generated_modules(code: str) -> None:
    _check("gen/pkg/__init__.py", "python", code.encode("utf-8", "surrogatepass"))


@SETTINGS
@given(st.binary(max_size=2000), st.sampled_from(["python", "notebook", "text"]))
def test_arbitrary_bytes_never_raise(raw: bytes, kind: str) -> None:
    path = {"python": "a/b.py", "notebook": "a/b.ipynb", "text": "requirements.txt"}[kind]
    _check(path, kind, raw)


@SETTINGS
@given(st.sampled_from(SAMPLES), st.data())
def test_mangled_real_files_never_raise(sample, data) -> None:
    raw = sample.read_bytes()
    start = data.draw(st.integers(0, len(raw)))
    end = data.draw(st.integers(start, len(raw)))
    insert = data.draw(st.sampled_from([b"", b"(", b")", b":", b"\n    ", b"await ", b"lambda: ", b"\\", b"'''", b"\x00", b"\xff", b"# readiness: ignore[", b"client.chat.completions.create(", b"**kwargs"]))
    _check("mangled.py", "python", raw[:start] + insert + raw[end:])


_NAMES = st.sampled_from(["client", "self.client", "oa", "llm", "c", "OpenAI()", "Anthropic(timeout=3)", "x.with_options(timeout=1)"])
_METHODS = st.sampled_from(["chat.completions.create", "messages.create", "responses.create", "completions.parse", "messages.stream", "embeddings.create"])
_VALUES = st.sampled_from(["1", "-2.5", "None", "True", "'gpt-4o'", "f'{x}'", "x", "[1, 2]", "{'a': 1}", "httpx.Timeout(10, connect=2)", "*args", "**kw"])


@SETTINGS
@given(st.lists(st.tuples(_NAMES, _METHODS, st.lists(st.tuples(st.sampled_from(["model", "timeout", "max_retries", "max_tokens", "", "stream"]), _VALUES), max_size=4), st.booleans(), st.integers(0, 3)), min_size=1, max_size=6))
def test_model_call_shaped_programs(calls) -> None:
    lines = ["import openai as oa", "from openai import OpenAI", "from anthropic import Anthropic", "client = OpenAI(max_retries=2)", "", "class Bot:", "    def __init__(self):", "        self.client = OpenAI()", "", "    async def run(self, x, *args, **kw):"]
    for receiver, method, args, awaited, depth in calls:
        rendered = []
        for key, value in args:
            if value.startswith("*"):
                rendered.append(value)
            else:
                rendered.append(f"{key}={value}" if key else value)
        indent = "        " + "    " * depth
        for level in range(depth):
            lines.append("        " + "    " * level + ("for i in range(3):" if level % 2 == 0 else "while x:"))
        lines.append(f"{indent}{'await ' if awaited else ''}{receiver}.{method}({', '.join(rendered)})")
    result = _check("bot.py", "python", ("\n".join(lines) + "\n").encode())
    if result.facts is not None:
        assert result.facts.calls, "\n".join(lines)
