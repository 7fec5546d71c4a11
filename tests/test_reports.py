"""The founder report: JSON scorecard, Markdown and HTML renderers, escaping, the `report` command."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from readiness.config import load_config
from readiness.engine import scan
from readiness.report import RENDERERS

from conftest import FIXTURES, run_cli

GRADES = {"Prototype", "Hardening", "Launch-ready"}
DECISIONS = {"Refactor", "Targeted rebuild", "Rebuild"}
FIXTURE_DIRS = sorted(p for p in FIXTURES.iterdir() if p.is_dir())


def _result(name: str, **overrides: str):  # type: ignore[no-untyped-def]
    root = FIXTURES / name
    return scan(root, load_config(root).with_overrides(**overrides))


def test_json_carries_the_scorecard_in_the_agreed_shape() -> None:
    proc = run_cli("scan", "fixtures/chatbot_prototype", "--format", "json", "--risk", "high")
    data = json.loads(proc.stdout)["score"]
    assert isinstance(data["overall"]["score"], float) and data["overall"]["grade"] in GRADES
    assert data["risk"] == "high"
    assert [set(a) >= {"id", "name", "score"} for a in data["areas"]] == [True] * 8
    assert data["verdict"]["decision"] in DECISIONS and isinstance(data["verdict"]["confidence"], str)
    assert {q["id"] for q in data["questions"]} == {"failure", "visibility", "outcome", "ownership"}
    assert data["excluded"] and all(x["reason"].startswith("n/a") for x in data["excluded"])
    timeouts = next(c for a in data["areas"] for c in a["controls"] if c["id"] == "reliability.timeouts")
    assert timeouts["evidence"].startswith("1 of 5 model calls have a timeout within the budget")
    assert {f["code"] for loss in timeouts["lost"] for f in loss["findings"]} == {"REL002"}


def test_risk_comes_from_config_and_the_flag_wins(tmp_path: Path) -> None:
    (tmp_path / "readiness.toml").write_text('risk = "high"\n')
    (tmp_path / "app.py").write_text("print('hi')\n")
    from_config = json.loads(run_cli("scan", str(tmp_path), "--format", "json").stdout)["score"]
    assert from_config["risk"] == "high" and from_config["overall"]["cutoffs"]["Launch-ready"] == 90.0
    flagged = json.loads(run_cli("scan", str(tmp_path), "--format", "json", "--risk", "low").stdout)["score"]
    assert flagged["risk"] == "low"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('risk = "extreme"\n', "risk"),
        ('[answers]\nmood = "good"\n', "answers.mood"),
        ('[answers]\noutcome = ""\n', "answers.outcome"),
        ('[effort]\nhours-per-day = 0\n', "effort.hours-per-day"),
    ],
)
def test_bad_score_config_exits_two_naming_the_key(tmp_path: Path, toml: str, message: str) -> None:
    (tmp_path / "readiness.toml").write_text(toml)
    proc = run_cli("report", str(tmp_path))
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr


def test_founder_answers_and_effort_assumptions_come_from_config(tmp_path: Path) -> None:
    (tmp_path / "readiness.toml").write_text(
        '[answers]\noutcome = "Cuts support handling time; tracked weekly."\n[effort]\nrebuild-lines-per-day = 10\n'
    )
    (tmp_path / "app.py").write_text("x = 1\n" * 40)
    data = json.loads(run_cli("scan", str(tmp_path), "--format", "json").stdout)["score"]
    outcome = next(q for q in data["questions"] if q["id"] == "outcome")
    assert outcome["team_answer"] == "Cuts support handling time; tracked weekly." and outcome["team_must_answer"] is None
    failure = next(q for q in data["questions"] if q["id"] == "failure")
    assert "[tool.readiness.answers]" in failure["team_must_answer"]
    effort = data["verdict"]["effort"]
    assert effort["code_lines"] >= 40 and effort["rebuild_days"] == pytest.approx(effort["code_lines"] / 10 + 5, abs=0.05)
    assert any("10 production lines" in a for a in effort["assumptions"])


def test_report_command_writes_both_files(tmp_path: Path) -> None:
    html, md = tmp_path / "r.html", tmp_path / "r.md"
    proc = run_cli("report", "fixtures/chatbot_prototype", "--html", str(html), "--markdown", str(md))
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"(Prototype|Hardening|Launch-ready), score \d+(\.\d+)?/100, (Refactor|Targeted rebuild|Rebuild)", proc.stderr), proc.stderr
    assert html.read_text().startswith("<!DOCTYPE html>")
    assert md.read_text().startswith("## readiness: ")
    to_stdout = run_cli("report", "fixtures/hardened_service")
    assert to_stdout.returncode == 0 and to_stdout.stdout.startswith("## readiness: 100/100 · Launch-ready · Refactor")
    assert run_cli("report", str(tmp_path / "missing")).returncode == 2
    assert run_cli("report", "fixtures/chatbot_prototype", "--html", str(tmp_path / "no" / "dir" / "r.html")).returncode == 2


@pytest.mark.parametrize("fixture", FIXTURE_DIRS, ids=[p.name for p in FIXTURE_DIRS])
def test_html_is_self_contained_and_markdown_fits_a_comment(fixture: Path) -> None:
    result = _result(fixture.name)
    html = RENDERERS["html"](result)
    assert "<script" not in html.lower() and "<link" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html) and "url(" not in html
    assert html.count("<svg") == (3 if result.score.verdict.modules else 2)
    md = RENDERERS["markdown"](result)
    assert len(md) < 65536 and "<details>" in md
    assert md == RENDERERS["markdown"](_result(fixture.name)) and html == RENDERERS["html"](_result(fixture.name))


def test_everything_from_the_repo_is_escaped() -> None:
    result = _result("hostile_names")
    html = RENDERERS["html"](result)
    for raw in ("<script", "<img", "<!--{{", "onerror=alert(1)>"):
        assert raw not in html.lower()
    assert "pages/&lt;script&gt;alert(1)&lt;!--{{ 7*7 }}|*_[x](y).py" in html
    assert "The team says: &lt;script&gt;alert(&#39;answer&#39;)&lt;/script&gt; {{ 7*7 }}" in html
    md = RENDERERS["markdown"](result)
    for raw in ("<script", "<img", "<!--", "@everyone", "**bold**", "[x](javascript"):
        assert raw not in md
    assert "pages/&lt;script&gt;alert(1)&lt;!--{{ 7\\*7 }}\\|\\*\\_\\[x\\](y).py" in md
    rows = [line for line in md.splitlines() if line.startswith("| low |")]
    assert rows and all(len(re.findall(r"(?<!\\)\|", row)) == 5 for row in rows)


def test_scan_formats_include_markdown_and_html() -> None:
    for fmt, start in (("markdown", "## readiness: "), ("html", "<!DOCTYPE html>")):
        proc = run_cli("scan", "fixtures/hardened_service", "--format", fmt)
        assert proc.returncode == 0 and proc.stdout.startswith(start), proc.stderr


def test_a_repo_nothing_applies_to_is_not_scored_and_says_so(tmp_path: Path) -> None:
    (tmp_path / "tool.py").write_text("def add(a, b):\n    return a + b\n")
    (tmp_path / "readiness.toml").write_text('select = ["REL001", "REL002"]\n')  # only call-site rules: nothing to judge here
    proc = run_cli("report", str(tmp_path), "--markdown", str(tmp_path / "r.md"))
    assert proc.returncode == 0 and "not scored" in proc.stderr
    md = (tmp_path / "r.md").read_text()
    assert md.startswith("## readiness: not scored") and "Not enough evidence" in md
    data = json.loads(run_cli("scan", str(tmp_path), "--format", "json").stdout)["score"]
    assert data["overall"]["score"] is None and data["verdict"]["confidence"] == "low"
