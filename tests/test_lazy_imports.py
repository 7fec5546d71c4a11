"""Heavy libraries load only where they run: a warm rescan, the project stage, the rules and the
machine-readable reports never import libcst (the parser), only template reports load jinja2, and
a warm rescan loads neither the project stage (networkx) nor the secret patterns.

Start-up is most of a warm rescan and of a one-file `--diff-base` scan, so an eager import of
libcst (~0.1 s) or jinja2 would show up in every pull-request check.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, make_git_repo

LLM = 'from openai import OpenAI\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.chat.completions.create(model="gpt-4o", messages=[q])\n'

#: Runs the CLI in this process and prints which heavy modules it loaded.
PROBE = """
import json, sys
from readiness.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
print(json.dumps({name: name in sys.modules for name in ("libcst", "jinja2", "networkx", "readiness.facts.secrets")}))
"""


def _loaded(*args: str) -> dict[str, bool]:
    out = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_rules_project_stage_pre_screen_and_light_pass_load_without_the_parser() -> None:
    code = (
        "import sys\n"
        "import readiness.cli, readiness.diff, readiness.prescreen, readiness.project, readiness.facts.light\n"
        "from readiness.registry import select_rules\n"
        "from readiness.report import RENDERERS\n"
        "from readiness.parse import notebook_code\n"
        "assert select_rules((), ())\n"
        "import dataclasses\n"
        "from readiness.catalog import load_catalog\n"
        "from readiness.discover import SourceFile\n"
        "from readiness.engine import analyse_file\n"
        "raw = b'import os\\n\\ndef f(x):\\n    return os.path.join(x, \"a\")  # TODO: b\\n'\n"
        "light = dataclasses.replace(SourceFile('util.py', '', 'python', len(raw)), light=True)\n"
        "assert analyse_file(light, raw, load_catalog()).facts.functions\n"
        "print(sorted(n for n in ('libcst', 'jinja2') if n in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_a_warm_rescan_loads_neither_the_parser_nor_templates(tmp_path: Path, git_available: None) -> None:
    repo = tmp_path / "repo"
    make_git_repo(repo, {"app/llm.py": LLM, "app/util.py": "def clean(s):\n    return s.strip()\n"})
    scan = ["scan", str(repo), "--format", "json", "--exit-zero", "--cache-dir", str(tmp_path / "cache")]
    cold = _loaded(*scan)
    assert cold["networkx"]  # the project stage ran
    warm = _loaded(*scan)
    assert warm == {"libcst": False, "jinja2": False, "networkx": False, "readiness.facts.secrets": False}


def test_only_template_reports_load_jinja2(tmp_path: Path, git_available: None) -> None:
    repo = tmp_path / "repo"
    make_git_repo(repo, {"app/llm.py": LLM})
    cache = str(tmp_path / "cache")
    assert not _loaded("scan", str(repo), "--format", "sarif", "--exit-zero", "--cache-dir", cache)["jinja2"]
    assert _loaded("scan", str(repo), "--format", "markdown", "--exit-zero", "--cache-dir", cache)["jinja2"]
