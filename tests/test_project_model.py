"""The project model: import graph, module roles, delivery signals and text facts."""
from __future__ import annotations

import json
from pathlib import Path

from readiness.config import Config
from readiness.discover import SourceFile, classify
from readiness.engine import analyse_file, load_project
from readiness.catalog import load_catalog
from readiness.facts.signals import find_signals, glob_match, is_test_path, load_signal_table
from readiness.facts.textfacts import read_text_facts
from readiness.project import build_project

from conftest import run_cli


def _project(files: dict[str, str]):
    catalog = load_catalog()
    results = [analyse_file(SourceFile(p, "", classify(p), len(c)), c.encode(), catalog) for p, c in sorted(files.items())]
    facts = {r.path: r.facts for r in results if r.facts is not None}
    texts = {r.path: r.text for r in results if r.text is not None}
    return build_project(facts, list(files), {}, Config(), catalog, texts)


def test_graph_resolves_packages_relative_src_namespace_and_sibling_imports() -> None:
    project = _project({
        "src/shop/__init__.py": "",
        "src/shop/cart.py": "from .pricing import total\nfrom . import tax\nimport shop.models.item\n",
        "src/shop/pricing.py": "import requests\nimport json\n",
        "src/shop/tax.py": "",
        "src/shop/models/item.py": "from ..pricing import total\n",  # namespace package: no __init__
        "scripts/run.py": "import helper\nimport numpy as np\n",
        "scripts/helper.py": "",
    })
    graph = project.graph
    assert graph.imports_of("src/shop/cart.py") == ["src/shop/models/item.py", "src/shop/pricing.py", "src/shop/tax.py"]
    assert graph.imports_of("src/shop/models/item.py") == ["src/shop/pricing.py"]
    assert graph.imports_of("scripts/run.py") == ["scripts/helper.py"]
    assert graph.third_party["src/shop/pricing.py"] == ("requests",)  # json is stdlib
    assert graph.third_party["scripts/run.py"] == ("numpy",)
    assert graph.edge_line("src/shop/cart.py", "src/shop/tax.py") == 2
    assert graph.fan_in("src/shop/pricing.py") == 2 and graph.instability("src/shop/pricing.py") == 0.0
    assert graph.instability("src/shop/cart.py") == 1.0 and graph.instability("src/shop/__init__.py") is None
    assert graph.cycles() == []


def test_cycles_ignore_type_checking_but_keep_function_level_imports() -> None:
    project = _project({
        "a.py": "import b\n",
        "b.py": "def f():\n    import a\n    return a\n",
        "c.py": "import d\n",
        "d.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import c\n",
    })
    assert project.graph.cycles() == [["a.py", "b.py"]]
    assert project.graph.cycle_path(["a.py", "b.py"]) == ["a.py", "b.py", "a.py"]
    assert project.graph.edge_context("b.py", "a.py") == "local" and project.graph.edge_context("a.py", "b.py") == "module"
    again = _project({"a.py": "def f():\n    import b\n\nimport b\n", "b.py": ""})
    assert again.graph.edge_context("a.py", "b.py") == "module" and again.graph.edge_line("a.py", "b.py") == 4


def test_module_roles_from_imports_routes_and_call_sites() -> None:
    project = _project({
        "page.py": "import streamlit as st\n",
        "api.py": "from fastapi import FastAPI\napp = FastAPI()\n\n@app.get('/x')\ndef x():\n    return 1\n",
        "models.py": "from fastapi import Depends\n\ndef get_db():\n    return 1\n",
        "store.py": "from sqlalchemy import create_engine\nfrom langchain_community.vectorstores import Chroma\n",
        "llm.py": "from openai import OpenAI\nclient = OpenAI()\ndef ask(q):\n    return client.chat.completions.create(model='m', messages=[])\n",
    })
    roles = {path: node.roles for path, node in project.graph.modules.items()}
    assert roles == {
        "page.py": {"ui"}, "api.py": {"routes"}, "models.py": set(), "store.py": {"data"}, "llm.py": {"model"},
    }
    assert project.graph.node("llm.py").model_calls == 1


def test_signals_from_paths_imports_calls_and_decorators() -> None:
    project = _project({
        "app.py": "import sentry_sdk\nfrom functools import lru_cache\n\n@lru_cache\ndef f():\n    return 1\n",
        "tests/test_app.py": "import prometheus_client\nfrom unittest import mock\n",
        ".github/workflows/ci.yml": "on: push\n",
        "poetry.lock": "",
        "deploy/k8s.yaml": "kind: Deployment\n",
        "evals/cases.jsonl": "{}\n",
        ".env.example": "A=1\n",
    })
    signals = project.signals
    for category in ("tests", "test-doubles", "ci", "lockfile", "deploy", "evals", "error-tracking", "cache", "env-template"):
        assert signals.has(category), category
    assert [e.path for e in signals.of("error-tracking")] == ["app.py"]  # the test's prometheus import does not count
    assert signals.first("cache").how == "decorator functools.lru_cache"
    assert not signals.has("readme") and not signals.has("instrumentation")
    assert json.loads(json.dumps(signals.to_json()))["ci"][0]["path"] == ".github/workflows/ci.yml"


def test_signal_table_and_globs() -> None:
    table = load_signal_table()
    assert {s.category for s in table.specs} >= {"tests", "ci", "lockfile", "deploy", "evals", "error-tracking", "llm-tracing", "cache", "readme"}
    assert glob_match("a/b/test_x.py", "**/test_*.py") and glob_match("test_x.py", "**/test_*.py")
    assert glob_match("evals/data/set.csv", "evals/**") and not glob_match("my_evals.py", "evals/**")
    assert is_test_path("tests/helpers.py") and is_test_path("pkg/foo_test.py") and not is_test_path("testing_utils.py")
    assert find_signals(["README.rst"], {}).has("readme") and not find_signals(["docs/README.md"], {}).has("readme")


def test_text_facts_read_templates_docs_and_requirements() -> None:
    env = read_text_facts(".env.example", b"export OPENAI_API_KEY=\n# comment\nMODEL_NAME = gpt\n")
    assert env is not None and env.env_names == ("MODEL_NAME", "OPENAI_API_KEY")
    req = read_text_facts("requirements.txt", b"# deps\nopenai==1.55.0\nstreamlit\nlangchain>=0.2  # range\n-r base.txt\n")
    assert req is not None and [(r.name, r.line, r.pinned) for r in req.requirements] == [
        ("openai", 2, True), ("streamlit", 3, False), ("langchain", 4, False),
    ]
    readme = read_text_facts("README.md", b"# Bot\n\n## Quickstart\n\nSet SLACK_TOKEN.\n")
    assert readme is not None and readme.setup_instructions and "SLACK_TOKEN" in readme.env_names
    assert read_text_facts("notes/todo.txt", b"x") is None
    assert type(req).from_json(json.loads(json.dumps(req.to_json()))) == req


def test_graph_cli_shows_the_cycle_of_the_tangled_fixture() -> None:
    proc = run_cli("graph", "fixtures/tangled_prototype", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["cycles"] == [["core/chat.py", "core/db.py"]]
    assert {"from": "app.py", "to": "core/chat.py", "line": 10, "context": "module"} in data["edges"]
    app = next(m for m in data["modules"] if m["path"] == "app.py")
    assert app["roles"] == ["data", "model", "ui"]
    dot = run_cli("graph", "fixtures/tangled_prototype")
    assert dot.returncode == 0 and dot.stdout.startswith("digraph imports {")
    assert '"core/chat.py" -> "core/db.py" [color="#cc0000", penwidth=2];' in dot.stdout
    assert '"app.py" -> "core/chat.py";' in dot.stdout


def test_graph_cli_writes_a_file_and_rejects_bad_input(tmp_path: Path) -> None:
    out = tmp_path / "g.dot"
    proc = run_cli("graph", "fixtures/hardened_service", "-o", str(out))
    assert proc.returncode == 0 and out.read_text().count("->") == 4
    missing = run_cli("graph", "fixtures/does-not-exist")
    assert missing.returncode == 2 and "path not found" in missing.stderr
    bad = run_cli("graph", "fixtures/hardened_service", "--format", "svg")
    assert bad.returncode == 2


def test_load_project_on_a_plain_folder_has_no_history(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("import os\n")
    project, diagnostics = load_project(tmp_path, Config())
    assert diagnostics == [] and not project.history.available
    assert list(project.graph.modules) == ["app.py"]


def test_excluded_tests_still_count_as_tests(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "app.py").write_text("from openai import OpenAI\nclient = OpenAI(timeout=5)\n\ndef ask(q):\n    return client.chat.completions.create(model='m', messages=[])\n")
    (tmp_path / "tests" / "test_app.py").write_text("def test_it():\n    assert True\n")
    (tmp_path / "readiness.toml").write_text('exclude = ["tests/**"]\n')
    proc = run_cli("scan", str(tmp_path), "--format", "json", "--select", "OPS001,OPS002")
    assert json.loads(proc.stdout)["findings"] == []
    (tmp_path / "readiness.toml").write_text("")
    proc = run_cli("scan", str(tmp_path), "--format", "json", "--select", "OPS001,OPS002")
    assert [f["code"] for f in json.loads(proc.stdout)["findings"]] == ["OPS002"]


from hypothesis import given, settings, strategies as st

from readiness.facts.textmarks import local_path_in

TEXT_NAMES = ["requirements.txt", "pyproject.toml", ".env.example", "README.md", "Dockerfile", "docs/setup.md", "compose.yaml"]


@settings(max_examples=150, deadline=None)
@given(name=st.sampled_from(TEXT_NAMES), raw=st.binary(max_size=400))
def test_text_facts_never_raise_on_garbage(name: str, raw: bytes) -> None:
    facts = read_text_facts(name, raw)
    assert facts is not None and facts.path == name
    assert type(facts).from_json(json.loads(json.dumps(facts.to_json()))) == facts


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120))
def test_local_path_detection_never_raises(text: str) -> None:
    found = local_path_in(text)
    assert found is None or ("Users" in found or found.startswith("/home/"))


def test_local_path_detection_examples() -> None:
    assert local_path_in("/Users/maria/data.csv") == "/Users/maria/"
    assert local_path_in("file:///home/li/models/x.bin") == "/home/li/"
    assert local_path_in("C:\\Users\\sam\\bot\\index") == "C:\\Users\\sam\\"
    for text in ("/Users/you/data.csv", "/home/<user>/x", "/home/jovyan/work/x", "see /usr/share/x", "https://x.com/Users/bob/", "/Users/"):
        assert local_path_in(text) is None, text


def test_dot_quotes_hostile_paths() -> None:
    from readiness.report.graph import render_dot

    data = {
        "modules": [
            {"path": 'a"b\\c.py', "roles": ["ui"], "test": False},
            {"path": "x.py", "roles": [], "test": True},
        ],
        "edges": [{"from": 'a"b\\c.py', "to": "x.py", "line": 1, "context": "module"}],
        "cycles": [],
    }
    dot = render_dot(data)
    assert '"a\\"b\\\\c.py" [label="a\\"b\\\\c.py\\n[ui]", fillcolor="#f4cccc"];' in dot
    assert '"x.py" [label="x.py", fillcolor="#ffffff", style="rounded,filled,dashed"];' in dot
    assert '"a\\"b\\\\c.py" -> "x.py";' in dot


def test_litellm_callbacks_count_as_project_wide_instrumentation() -> None:
    project = _project({"main.py": "import litellm\n\nlitellm.success_callback = ['langfuse']\n", "x.py": "import os\nos.environ['A'] = '1'\n"})
    evidence = project.signals.first("instrumentation")
    assert evidence is not None and evidence.how == "setting litellm.success_callback"
    assert project.files["x.py"].module_settings == ()  # a subscript write is not a module setting
    assert not _project({"tests/conftest.py": "import litellm\nlitellm.callbacks = []\n"}).signals.has("instrumentation")


def test_explain_shows_each_file_of_a_repo_example() -> None:
    doc = run_cli("explain", "import-cycle")
    assert doc.returncode == 0
    assert "    # app/chat.py\n    from app.store import save" in doc.stdout
    assert "    # app/__init__.py (empty)" in doc.stdout


def test_a_partial_analysis_does_not_judge_the_whole_repo() -> None:
    from readiness.engine import analyse

    code = "import os\nfrom openai import OpenAI\nclient = OpenAI(timeout=5)\nMODEL = os.getenv('MODEL')\n"
    inputs = [(SourceFile("app.py", "", "python", len(code)), code.encode())]
    whole = analyse(inputs, Config())
    assert {"OPS001", "OPS004", "OPS007", "OPS008"} <= {f.code for f in whole.findings}
    # Diff mode analyses the changed files but lists the whole repo: .env.example was not read.
    part = analyse(inputs, Config(), paths=["app.py", ".env.example", "tests/test_app.py"])
    assert not {f.code for f in part.findings} & {"OPS001", "OPS002", "OPS003", "OPS004", "OPS007", "OPS008", "OBS003"}
