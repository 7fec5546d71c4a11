"""Scan every fixture repo and require exactly the findings its annotations mark."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from readiness.config import load_config
from readiness.engine import scan
from readiness.registry import all_rules
from readiness.testing import actual_findings, fixture_expectations

from conftest import FIXTURES, run_cli

FIXTURE_DIRS = sorted(p for p in FIXTURES.iterdir() if p.is_dir())


def _show(items: set) -> str:
    return "\n".join(f"  {code} {path}:{line}" + (f" cell {cell}" if cell else "") for code, path, line, cell in sorted(items, key=str)) or "  (none)"


@pytest.mark.parametrize("fixture", FIXTURE_DIRS, ids=[p.name for p in FIXTURE_DIRS])
def test_fixture_findings_exact(fixture: Path) -> None:
    expected, meta = fixture_expectations(fixture)
    # Every rule of the checklist is installed: an expectation naming any other code is a typo.
    unknown = {e[0] for e in expected} - {r.code for r in all_rules()}
    assert not unknown, f"expectations name unknown rule ids: {sorted(unknown)}"
    # A fixture is a tree, not a repository: the history of the repo that hosts it (keys rotated in
    # fixtures) is not its history. SEC003 runs on real temporary repos in test_secrets.py.
    result = scan(fixture, load_config(fixture).with_overrides(history_depth=0))
    actual = actual_findings(result)
    missing, extra = expected - actual, actual - expected
    assert not missing and not extra, f"\nmissing:\n{_show(missing)}\nunexpected:\n{_show(extra)}"
    want_diags = {(d["path"], d["kind"]) for d in meta.get("diagnostics", [])}
    got_diags = {(d.location.path, d.kind) for d in result.diagnostics}
    assert got_diags == want_diags


def test_chatbot_json_marks_lines_and_fails_on_medium() -> None:
    proc = run_cli("scan", "fixtures/chatbot_prototype", "--format", "json", "--fail-on", "medium")
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert data["schema_version"] == 1
    codes = {f["code"] for f in data["findings"]}
    assert codes == {code for code, _, _, _ in fixture_expectations(FIXTURES / "chatbot_prototype")[0]}
    assert len(data["call_sites"]) == 5
    legacy = [c for c in data["call_sites"] if c["provider"] == "openai-legacy"]
    assert legacy and legacy[0]["retries"] == {"value": 0.0, "source": "sdk-default", "note": legacy[0]["retries"]["note"]}


def test_hardened_service_is_clean_and_exits_zero() -> None:
    proc = run_cli("scan", "fixtures/hardened_service", "--format", "json", "--fail-on", "info", "--history-depth", "0")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(proc.stdout)
    assert data["findings"] == [] and data["diagnostics"] == []
    assert len(data["call_sites"]) == 2


def test_syntax_error_is_a_diagnostic_and_the_rest_is_scanned() -> None:
    proc = run_cli("scan", "fixtures/syntax_error", "--format", "text", "--no-color")
    assert proc.returncode == 1
    assert "broken.py:" in proc.stdout and "[unparsable]" in proc.stdout
    assert "service.py:7:12 OBS001" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_notebook_findings_map_to_cell_and_line() -> None:
    result = scan(FIXTURES / "notebook_dump", load_config(FIXTURES / "notebook_dump"))
    (finding,) = [f for f in result.findings if f.code == "OBS001"]
    assert (finding.location.cell, finding.location.line) == (3, 1)
    assert finding.location.display() == "explore.ipynb:cell 3:1:9"
