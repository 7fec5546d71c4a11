"""SARIF output validates against the official 2.1.0 schema and carries rule metadata."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import SHARED, run_cli
from readiness.registry import all_rules

SCHEMA = SHARED / "schemas" / "sarif-schema-2.1.0.json"


def _validate(doc: dict) -> None:
    if not SCHEMA.is_file():
        pytest.skip(f"the official SARIF schema is not at {SCHEMA} (it lives in ../shared/schemas beside the checkout)")
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text())
    validator = jsonschema.Draft4Validator(schema)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_sarif_of_a_fixture_validates_and_describes_every_rule(tmp_path: Path) -> None:
    proc = run_cli("scan", "fixtures/chatbot_prototype", "--format", "sarif")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    _validate(doc)
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.code for r in all_rules()]
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert "## Remediation" in rule["help"]["markdown"] and "```python" in rule["help"]["markdown"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
        assert "readiness" in rule["properties"]["tags"]
    results = run["results"]
    assert results and all(r["partialFingerprints"]["readiness/v1"] for r in results)
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert all(not u.startswith("/") and r"\\" not in u for u in uris)
    # Scanned from the repo root, a sub-folder's paths are prefixed so code scanning finds the files.
    assert all(u.startswith("fixtures/chatbot_prototype/") for u in uris)
    second = run_cli("scan", "fixtures/chatbot_prototype", "--format", "sarif").stdout
    assert second == proc.stdout


def test_security_rules_carry_a_security_severity() -> None:
    from readiness.report.sarif import _rule, is_security_rule

    for rule in all_rules():
        props = _rule(rule)["properties"]
        if is_security_rule(rule):
            assert 0 < float(props["security-severity"]) <= 10 and "security" in props["tags"]
        else:
            assert "security-severity" not in props


def test_sarif_with_a_baseline_marks_baseline_state_and_validates(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    code = "from openai import OpenAI\n\nclient = OpenAI(max_retries=0)\n\n\ndef ask(q):\n    return client.chat.completions.create(model='gpt-4o', messages=[q])\n"
    (repo / "app.py").write_text(code)
    assert run_cli("baseline", str(repo)).returncode == 0
    (repo / "app.py").write_text(code + "\n\ndef extra(q):\n    import openai\n    return openai.ChatCompletion.create(model='gpt-4', messages=[q])\n")
    proc = run_cli("scan", str(repo), "--format", "sarif", "--baseline", str(repo / ".readiness-baseline.json"))
    doc = json.loads(proc.stdout)
    _validate(doc)
    states = [r["baselineState"] for r in doc["runs"][0]["results"]]
    assert "unchanged" in states and "new" in states
    assert set(states) == {"new", "unchanged"}


def test_sarif_of_a_diff_scan_validates(tmp_path: Path, git_available: None) -> None:
    import subprocess

    from conftest import make_git_repo

    code = "from openai import OpenAI\n\nclient = OpenAI(max_retries=0)\n\n\ndef ask(q):\n    return client.chat.completions.create(model='gpt-4o', messages=[q])\n"
    make_git_repo(tmp_path / "repo", {"app.py": code, "other.py": "X = 1\n"})
    subprocess.run(["git", "branch", "-M", "main"], cwd=tmp_path / "repo", check=True)
    (tmp_path / "repo" / "app.py").write_text(code + "\n\ndef again(q):\n    return client.chat.completions.create(model='gpt-4o-mini', messages=[q])\n")
    proc = run_cli("scan", str(tmp_path / "repo"), "--diff-base", "main", "--format", "sarif")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    _validate(doc)
    run = doc["runs"][0]
    states = [(r["ruleId"], r["baselineState"]) for r in run["results"]]
    new = sorted(code for code, state in states if state == "new")
    assert new and new == sorted(code for code, state in states if state == "unchanged")  # the same rules fire on the copy
    assert run["properties"]["comparison"]["kind"] == "diff"
