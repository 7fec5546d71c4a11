"""action.yml and the README's workflow validate against GitHub's schemas, and zizmor finds nothing.

Both tools run offline: check-jsonschema's `vendor.*` schemas ship inside the package, and
zizmor runs with `--offline`.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

ACTION = ROOT / "action.yml"
WORKFLOW = ROOT / "docs" / "workflow-example.yml"


def _tool(name: str) -> str:
    found = Path(sys.executable).parent / name
    if found.exists():
        return str(found)
    which = shutil.which(name)
    if which is None:
        pytest.fail(f"{name} is not installed; it is in the `test` extra: pip install -e '.[test]'")
    return which


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, timeout=300, cwd=ROOT)


@pytest.mark.parametrize(("path", "schema"), [(ACTION, "vendor.github-actions"), (WORKFLOW, "vendor.github-workflows")])
def test_validates_against_githubs_schema(path: Path, schema: str) -> None:
    proc = _run(_tool("check-jsonschema"), "--builtin-schema", schema, str(path))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_zizmor_finds_nothing_even_pedantic() -> None:
    proc = _run(_tool("zizmor"), "--offline", "--persona", "pedantic", "--format", "plain", str(ACTION), str(WORKFLOW))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings to report" in proc.stdout


def test_readme_carries_the_example_workflow_verbatim() -> None:
    readme = (ROOT / "README.md").read_text()
    assert WORKFLOW.read_text().strip() in readme


def test_example_uses_the_actions_inputs_and_pins_every_action() -> None:
    from ruamel.yaml import YAML

    action = YAML(typ="safe").load(ACTION.read_text())
    workflow = YAML(typ="safe").load(WORKFLOW.read_text())
    inputs = set(action["inputs"])
    assert {"path", "config", "fail-on", "min-score", "risk", "sarif", "comment", "report"} <= inputs
    assert {"score", "grade", "verdict", "new-findings", "sarif-file"} <= set(action["outputs"])
    steps = workflow["jobs"]["readiness"]["steps"]
    used = [s for s in steps if "readiness" in s.get("uses", "")]
    assert used and set(used[0].get("with", {})) <= inputs
    for step in steps + action["runs"]["steps"]:
        if "uses" in step:
            ref = step["uses"].split("@", 1)[1]
            assert len(ref) == 40 and all(c in "0123456789abcdef" for c in ref), step["uses"]
    assert workflow["permissions"] == {"contents": "read"}
