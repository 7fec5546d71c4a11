"""Baselines through the real CLI, and the gate: fail-on over new findings, min-score, no-regress."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import run_cli
from readiness.compare import Comparison
from readiness.config import Config
from readiness.engine import scan
from readiness.gate import Gate, GateError, evaluate
from readiness.model import RunResult, Severity
from readiness.testing import run_files

BAD = """\
from openai import OpenAI

client = OpenAI(max_retries=0, timeout=20)


def ask(q):
    return client.chat.completions.create(model="gpt-4o-mini-2024-07-18", max_tokens=200, messages=[q])
"""
MORE = "\n\ndef other(q):\n    return client.chat.completions.create(model='gpt-4o-2024-08-06', max_tokens=200, messages=[q])\n"


def test_baseline_accepts_todays_findings_and_gates_new_ones(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(BAD)
    made = run_cli("baseline", str(tmp_path))
    baseline = tmp_path / ".readiness-baseline.json"
    doc = json.loads(baseline.read_text())
    assert made.returncode == 0 and f"wrote {len(doc['findings'])} findings" in made.stdout
    # The call's findings, and the repo-level ones (no tests, no CI...) that are accepted with them.
    line_level = {f["code"] for f in doc["findings"] if f["location"]["line"]}
    assert doc["version"] == 1 and line_level == {"REL001", "OBS001"}
    assert all(f["fingerprint"] for f in doc["findings"])

    (tmp_path / "app.py").write_text("import os\n\n" + BAD)  # lines move; nothing new
    assert run_cli("scan", str(tmp_path), "--baseline", str(baseline)).returncode == 0

    (tmp_path / "app.py").write_text(BAD + MORE)
    proc = run_cli("scan", str(tmp_path), "--baseline", str(baseline), "--format", "json")
    assert proc.returncode == 1 and "2 new findings at or above low" in proc.stderr
    data = json.loads(proc.stdout)
    new = set(data["comparison"]["new"])
    assert {f["location"]["line"] for f in data["findings"] if f["fingerprint"] in new} == {11}

    (tmp_path / "pyproject.toml").write_text('[tool.readiness]\nbaseline = ".readiness-baseline.json"\nfail-on = "high"\n')
    assert run_cli("scan", str(tmp_path)).returncode == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not valid JSON"),
        ("[]", "not a readiness baseline"),
        ('{"version": 9, "findings": []}', "unsupported version 9"),
        ('{"version": 1, "findings": [{"code": "REL001"}]}', "finding #1 lacks 'location'"),
        ('{"version": 1, "findings": [{"code": "REL001", "severity": "huge", "fingerprint": "x", "location": {"path": "a.py"}}]}', "unknown severity"),
    ],
)
def test_a_malformed_baseline_stops_the_scan(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "app.py").write_text(BAD)
    bad = tmp_path / "baseline.json"
    bad.write_text(content)
    proc = run_cli("scan", str(tmp_path), "--baseline", str(bad))
    assert proc.returncode == 2 and message in proc.stderr and "baseline.json" in proc.stderr
    missing = run_cli("scan", str(tmp_path), "--baseline", str(tmp_path / "nope.json"))
    assert missing.returncode == 2 and "readiness baseline" in missing.stderr


def test_min_score_config_is_validated(tmp_path: Path) -> None:
    (tmp_path / "readiness.toml").write_text("min-score = 140\n")
    proc = run_cli("scan", str(tmp_path))
    assert proc.returncode == 2 and "`min-score`" in proc.stderr
    assert run_cli("scan", str(tmp_path), "--min-score", "101").returncode == 2


def test_min_score_gates_on_the_real_score(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(BAD)
    result = scan(tmp_path, Config())
    if result.score is None:
        proc = run_cli("scan", str(tmp_path), "--min-score", "10", "--exit-zero")
        assert proc.returncode == 2 and "--min-score needs the readiness score" in proc.stderr
        pytest.skip("this build computes no score yet; the gate's arithmetic is tested with a scorecard below")
    overall = result.score.to_json()["overall"]["score"]
    assert run_cli("scan", str(tmp_path), "--min-score", "0", "--fail-on", "critical").returncode == 0
    if overall < 100:
        low = run_cli("scan", str(tmp_path), "--min-score", "100", "--fail-on", "critical")
        assert low.returncode == 1 and "below the minimum 100" in low.stderr


class Scorecard:
    """Plain data in the shape `RunResult.score.to_json()` returns."""

    def __init__(self, overall: float, areas: dict[str, float | None]) -> None:
        self.data = {
            "overall": {"score": overall, "grade": "Hardening"},
            "risk": "medium",
            "areas": [{"id": k, "name": k.title(), "score": v} for k, v in areas.items()],
            "verdict": {"decision": "Refactor", "confidence": "high"},
        }

    def to_json(self) -> dict[str, Any]:
        return self.data


def _with(result: RunResult, head: Scorecard | None, base: Scorecard | None, kind: str = "diff") -> RunResult:
    import dataclasses

    comparison = Comparison(kind, "main (abc)", frozenset(), (), base_score=base)
    return dataclasses.replace(result, score=head, comparison=comparison)


def test_gate_min_score_and_no_regress() -> None:
    result = run_files({"app.py": "print('hi')\n"})
    head = Scorecard(72.0, {"reliability": 60.0, "observability": 80.0, "inputs": None})
    assert evaluate(_with(result, head, head), Gate(Severity.LOW, 70, True)) == []
    assert evaluate(_with(result, head, head), Gate(Severity.LOW, 75, False)) == ["score 72 is below the minimum 75"]
    base = Scorecard(74.0, {"reliability": 65.0, "observability": 80.0, "inputs": 50.0})
    assert evaluate(_with(result, head, base), Gate(Severity.LOW, None, True)) == ["Reliability fell from 65 to 60"]
    with pytest.raises(GateError, match="--diff-base"):
        evaluate(_with(result, head, base, kind="baseline"), Gate(Severity.LOW, None, True))
    with pytest.raises(GateError, match="computed none"):
        evaluate(_with(result, None, base), Gate(Severity.LOW, 50, False))


def test_pr_markdown_shows_base_and_head_scores_and_escapes_repo_text() -> None:
    from readiness.report import RENDERERS

    result = run_files({"a|b<script>.py": BAD})
    head = Scorecard(61.0, {"reliability": 55.0})
    base = Scorecard(64.0, {"reliability": 60.0})
    import dataclasses

    comparison = Comparison("diff", "main (abc)", frozenset(f.fingerprint for f in result.findings), (), base_score=base, changed=("x",), analysed=("x",))
    text = RENDERERS["pr-markdown"](dataclasses.replace(result, score=head, comparison=comparison))
    assert "| **Overall** | 64 (Hardening) | **61** (Hardening) | −3 |" in text
    assert "| Reliability | 60 | 55 | −5 |" in text
    assert "Verdict: **Refactor**" in text
    assert "<script>" not in text and "a\\|b&lt;script&gt;.py" in text
