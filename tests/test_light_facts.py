"""The light pass (ast) gives exactly the facts the libcst pass gives for the fields it fills,
and the pre-screen sends to it only files no model-aware fact can come from."""
from __future__ import annotations

import json
from pathlib import Path

import hypothesmith
import libcst
import pytest
from hypothesis import HealthCheck, given, settings

from conftest import FIXTURES, ROOT, run_cli

from readiness.cache import ResultCache
from readiness.catalog import load_catalog
from readiness.config import Config
from readiness.discover import SourceFile
from readiness.engine import analyse_file
from readiness.facts.extract import extract_facts
from readiness.facts.light import light_facts
from readiness.parse import ParsedModule, parse_file
from readiness.prescreen import light_paths

pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")
CATALOG = load_catalog()
FIELDS = (
    "path", "module", "kind", "imports", "functions", "suppressions", "file_ignores", "lines", "statements", "import_refs",
    "sys_path_edits", "local_paths", "workaround_markers", "env_reads", "usage_reads", "module_settings",
)
PROMPT_FIELDS = ("prints", "main_guard", "cli")
OWN_CODE = sorted(
    p for folder in ("readiness", "rules", "tests", "benchmarks") for p in (ROOT / folder).rglob("*.py")
) + sorted(FIXTURES.rglob("*.py"))


def _differences(path: str, raw: bytes) -> list[str] | None:
    """Fields on which the two passes disagree; None when either pass declines the file."""
    source = SourceFile(path, "", "python", len(raw))
    parsed = parse_file(source, raw)
    light = light_facts(source, raw)
    if not isinstance(parsed, ParsedModule) or light is None:
        return None
    full = extract_facts(parsed, CATALOG).to_json()
    cheap = light.to_json()
    wrong = [f for f in FIELDS if full[f] != cheap[f]]
    wrong += [f"prompts.{f}" for f in PROMPT_FIELDS if full["prompts"][f] != cheap["prompts"][f]]
    return wrong


def test_light_pass_equals_the_libcst_pass_on_fixtures_and_own_code() -> None:
    compared, mismatched = 0, {}
    for file in OWN_CODE:
        wrong = _differences(file.relative_to(ROOT).as_posix(), file.read_bytes())
        if wrong is None:
            continue
        compared += 1
        if wrong:
            mismatched[str(file.relative_to(ROOT))] = wrong
    assert compared > 200
    assert mismatched == {}


TRICKY = '''\
"""Docstring with /home/alice/notes and # TODO inside a string."""
import os, sys as system
from . import sibling
from .pkg.mod import (a,  # FIXME later
    b as c)
if TYPE_CHECKING:
    from typing import Any
system.path.insert(0, "/Users/bob/project")
os.environ["FOO"] = "x"
value = os.environ["BAR"]; other = os.getenv("BAZ") ;  # HACK
print("é", end=""); x = 1
paths = ("prefix"
         "/home/carol/data.csv")


@decorator(arg)
@other.deco
async def handler(a: int = 1, *, b: "str" = "#") -> None:  # header comment
    # leading comment
    with tracer.start_as_current_span("x"):
        logger.info("done %s", a)
    for item in range(3): print(item)
    else:
        pass
    while a:
        break
    try:
        pass
    except (ValueError, KeyError) as exc:  # XXX
        pass
    else:
        pass
    finally:
        response.usage.total_tokens
    if a:
        pass
    elif b:  # why
        pass
    else:
        pass


class Widget(Base, metaclass=Meta):
    def method(self):
        return Client().chat.completions.create(model=x)

    def piped(self):
        return (prompt | llm).invoke({})


if __name__ == "__main__":
    print(main())
s = "# TODO not a comment"; t = "#"  # KLUDGE here
joined = ("a"  # WORKAROUND between parts
          "b")
'''


def test_light_pass_equals_the_libcst_pass_on_tricky_code() -> None:
    assert _differences("pkg/tricky.py", TRICKY.encode()) == []
    facts = light_facts(SourceFile("pkg/tricky.py", "", "python", 0), TRICKY.encode())
    assert facts is not None and facts.sys_path_edits == (8,) and ("BAR", 10) in facts.env_reads
    assert [m for _, m in facts.workaround_markers] == ["FIXME", "HACK", "XXX", "KLUDGE", "WORKAROUND"]
    assert [line for line, _ in facts.local_paths] == [8, 13]
    assert [p.in_main for p in facts.prompts.prints] == [False, False, True]


@pytest.mark.parametrize("raw", [b"\xef\xbb\xbfx = 1\n", b"# -*- coding: latin-1 -*-\nx = 1\n", b"x = 1\0\n", b"x = \xff\n", b"def f(:\n"])
def test_light_pass_declines_what_ast_would_read_differently(raw: bytes) -> None:
    assert light_facts(SourceFile("m.py", "", "python", len(raw)), raw) is None


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


@SETTINGS
@given(hypothesmith.from_grammar())
def test_light_pass_equals_the_libcst_pass_on_generated_programs(code: str) -> None:
    assert _differences("gen/module.py", code.encode("utf-8", "surrogatepass")) in (None, [])


@SETTINGS
@given(hypothesmith.from_node(libcst.Module))
def test_light_pass_equals_the_libcst_pass_on_generated_modules(code: str) -> None:
    assert _differences("gen/pkg/__init__.py", code.encode("utf-8", "surrogatepass")) in (None, [])


def _inputs(files: dict[str, str]) -> list[tuple[SourceFile, bytes]]:
    kinds = {".py": "python", ".ipynb": "notebook"}
    return [(SourceFile(p, "", kinds.get(Path(p).suffix, "text"), len(t)), t.encode()) for p, t in files.items()]


def test_prescreen_keeps_everything_connected_to_model_or_web_code() -> None:
    files = {
        "app/llm.py": "from openai import OpenAI\nfrom app.prompts import SYSTEM\nclient = OpenAI()\n",
        "app/prompts.py": "SYSTEM = 'You are a helpful assistant.'\nfrom app.text import clean\n",
        "app/text.py": "def clean(s):\n    return s.strip()\n",
        "app/service.py": "from app import llm\n",
        "app/api.py": "from .service import answer\n",
        "app/web.py": "import streamlit as st\n",
        "app/raw_http.py": "import httpx\nfrom app.urls import URL\n",
        "app/urls.py": "URL = 'https://api.example.com/v1/chat/completions'\n",
        "app/audit.py": "import logging\nlogging.info('key %s', api_key)\n",
        "tools/report.py": "import csv\nfrom app.text import clean\nprint(clean(' x '))\n",
        "tests/test_text.py": "from app.text import clean\n",
        "notebooks/explore.ipynb": '{"cells": []}',
        "README.md": "import openai\n",
    }
    light = light_paths(_inputs(files), CATALOG, Config())
    # app/text.py is only imported by prompts (a connected module), two steps from the SDK
    assert light == {"app/text.py", "tools/report.py", "tests/test_text.py"}


def test_declared_wrappers_are_seeds() -> None:
    files = {"app/gateway.py": "from inhouse.llm import ask\n", "app/other.py": "import csv\n"}
    assert light_paths(_inputs(files), CATALOG, Config(model_wrappers=("inhouse.llm.ask",))) == {"app/other.py"}
    assert light_paths(_inputs(files), CATALOG, Config()) == {"app/gateway.py", "app/other.py"}


def test_light_and_full_results_are_cached_apart(tmp_path: Path) -> None:
    cache = ResultCache.open(tmp_path, Config())
    source = SourceFile("m.py", "", "python", 6)
    light = SourceFile("m.py", "", "python", 6, light=True)
    assert cache.key(source, b"x = 1\n") != cache.key(light, b"x = 1\n")
    full_result = analyse_file(source, b"x = 1\n", CATALOG)
    light_result = analyse_file(light, b"x = 1\n", CATALOG)
    assert full_result.facts is not None and light_result.facts is not None
    assert full_result.facts.statements == light_result.facts.statements


def test_scan_reports_hygiene_findings_in_unconnected_files(tmp_path: Path) -> None:
    """A file far from model code still gets ARC005, ARC006, OBS002 and its suppressions."""
    repo = tmp_path / "repo"
    (repo / "app").mkdir(parents=True)
    (repo / "app" / "llm.py").write_text("from openai import OpenAI\nclient = OpenAI(timeout=10, max_retries=2)\n")
    (repo / "app" / "jobs.py").write_text(
        "import sys\nsys.path.append('/home/dave/lib')\n\n\ndef run(path):\n    print('running', path)\n"
        "    print('again')  # readiness: ignore[OBS002]\n"
    )
    done = run_cli("scan", str(repo), "--format", "json", "--exit-zero", "--no-cache", "--select", "ARC005,ARC006,OBS002")
    assert done.returncode == 0, done.stderr
    found = sorted((f["code"], f["location"]["line"]) for f in json.loads(done.stdout)["findings"])
    assert found == [("ARC005", 2), ("ARC006", 2), ("OBS002", 6)]
