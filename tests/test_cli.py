"""The real CLI in a subprocess: exit codes, selection, config errors, suppression, determinism."""
from __future__ import annotations

import json
from pathlib import Path

from readiness.testing import fixture_expectations

from conftest import FIXTURES, run_cli

BAD_CALL = """\
from openai import OpenAI

client = OpenAI(max_retries=0)


def ask(q):
    return client.chat.completions.create(model="gpt-4o-mini-2024-07-18", max_tokens=300, messages=[{"role": "user", "content": q}])
"""


def _repo(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def _codes(proc) -> list[tuple[str, int]]:
    # Project-level findings (line 0: no tests, no CI...) are covered by the fixtures.
    return [(f["code"], f["location"]["line"]) for f in json.loads(proc.stdout)["findings"] if f["location"]["line"]]


def test_exit_codes_follow_fail_on(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"app.py": BAD_CALL})
    assert run_cli("scan", str(repo)).returncode == 1
    assert run_cli("scan", str(repo), "--fail-on", "high").returncode == 0
    assert run_cli("scan", str(repo), "--exit-zero").returncode == 0
    clean = _repo(tmp_path / "clean", {"app.py": "VALUE = 1\n"})
    assert run_cli("scan", str(clean)).returncode == 0


def test_usage_errors_exit_two(tmp_path: Path) -> None:
    missing = run_cli("scan", str(tmp_path / "nope"))
    assert missing.returncode == 2 and "path not found" in missing.stderr
    assert run_cli("scan", str(tmp_path), "--format", "yaml").returncode == 2
    assert run_cli("scan", str(tmp_path), "--fail-on", "severe").returncode == 2
    unknown = run_cli("explain", "XYZ999")
    assert unknown.returncode == 2 and "readiness rules" in unknown.stderr
    # an output that cannot be written is a one-line error, for every command that writes one
    blocked = tmp_path / "blocked"
    blocked.write_text("a file, not a folder")
    for argv in (
        ("scan", str(tmp_path), "--output", str(blocked / "out.json")),
        ("baseline", str(tmp_path), "--output", str(blocked / "baseline.json")),
        ("report", str(tmp_path), "--html", str(blocked / "report.html")),
        ("graph", str(tmp_path), "--output", str(blocked / "graph.dot")),
    ):
        proc = run_cli(*argv)
        assert proc.returncode == 2 and "cannot write" in proc.stderr and "Traceback" not in proc.stderr, (argv, proc.stderr)


def test_select_and_ignore(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"app.py": BAD_CALL})
    assert {c for c, _ in _codes(run_cli("scan", str(repo), "--format", "json"))} == {"REL001", "REL002", "OBS001"}
    assert {c for c, _ in _codes(run_cli("scan", str(repo), "--format", "json", "--select", "REL"))} == {"REL001", "REL002"}
    assert {c for c, _ in _codes(run_cli("scan", str(repo), "--format", "json", "--ignore", "REL001,OBS"))} == {"REL002"}
    # a typo must not switch a check off silently
    typo = run_cli("scan", str(repo), "--ignore", "RLE001")
    assert typo.returncode == 2 and "`RLE001`" in typo.stderr and "readiness rules" in typo.stderr
    assert run_cli("scan", str(repo), "--select", "rel,OBS9").returncode == 2
    (repo / "pyproject.toml").write_text('[tool.readiness]\nselect = ["REL", "SECRET"]\n')
    from_config = run_cli("scan", str(repo))
    assert from_config.returncode == 2 and "select" in from_config.stderr and "`SECRET`" in from_config.stderr


def test_config_file_is_read_and_validated(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"app.py": BAD_CALL, "pyproject.toml": '[tool.readiness]\nignore = ["OBS001"]\ntimeout-budget = 700\n'})
    assert {c for c, _ in _codes(run_cli("scan", str(repo), "--format", "json"))} == {"REL001"}

    (repo / "pyproject.toml").write_text('[tool.readiness]\nignroe = ["OBS001"]\n')
    proc = run_cli("scan", str(repo))
    assert proc.returncode == 2
    assert "pyproject.toml" in proc.stderr and "`ignroe`" in proc.stderr and "unknown key" in proc.stderr

    (repo / "pyproject.toml").write_text('[tool.readiness]\ntimeout-budget = "fast"\n')
    proc = run_cli("scan", str(repo))
    assert proc.returncode == 2 and "`timeout-budget`" in proc.stderr

    (repo / "pyproject.toml").write_text('[tool.readiness]\nfail-on = "severe"\n')
    proc = run_cli("scan", str(repo))
    assert proc.returncode == 2 and "`fail-on`" in proc.stderr and "severe" in proc.stderr

    other = tmp_path / "custom.toml"
    other.write_text('select = ["REL002"]\n')
    assert {c for c, _ in _codes(run_cli("scan", str(repo), "--format", "json", "--config", str(other)))} == {"REL002"}
    proc = run_cli("scan", str(repo), "--config", str(tmp_path / "missing.toml"))
    assert proc.returncode == 2 and "not found" in proc.stderr


def test_inline_and_per_path_suppression(tmp_path: Path) -> None:
    suppressed = BAD_CALL.replace(
        'content": q}])', 'content": q}])  # readiness: ignore[REL001, OBS] accepted for the demo'
    )
    repo = _repo(tmp_path, {"app.py": suppressed})
    data = json.loads(run_cli("scan", str(repo), "--format", "json").stdout)
    assert [f["code"] for f in data["findings"] if f["location"]["line"]] == ["REL002"]
    assert data["summary"]["suppressed"] == 2

    repo2 = _repo(tmp_path / "two", {"scripts/once.py": BAD_CALL, "readiness.toml": '[per-file-ignores]\n"scripts/**" = ["REL"]\n'})
    assert {c for c, _ in _codes(run_cli("scan", str(repo2), "--format", "json"))} == {"OBS001"}


def test_text_output_lines_and_grouping(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"app.py": BAD_CALL, "b/other.py": BAD_CALL})
    out = run_cli("scan", str(repo), "--no-color", "--select", "REL,OBS001").stdout
    assert "app.py:7:12 REL001 `chat.completions.create` (OpenAI) is tried once" in out
    assert "b/other.py:7:12 REL002" in out
    assert out.index("app.py\n") < out.index("b/other.py\n")
    assert "\x1b[" not in out
    assert "6 findings in 2 files" in out
    coloured = run_cli("scan", str(repo), "--color").stdout
    assert "\x1b[33mREL001" in coloured


def test_json_is_byte_identical_across_runs(tmp_path: Path) -> None:
    first = run_cli("scan", "fixtures/chatbot_prototype", "--format", "json").stdout
    second = run_cli("scan", "fixtures/chatbot_prototype", "--format", "json").stdout
    assert first == second and first.strip()


def test_output_file_and_inventory(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    proc = run_cli("scan", "fixtures/chatbot_prototype", "--format", "json", "--output", str(target))
    assert proc.stdout == "" and json.loads(target.read_text())["summary"]["findings"] == len(fixture_expectations(FIXTURES / "chatbot_prototype")[0])
    inventory = run_cli("scan", "fixtures/hardened_service", "--inventory", "--no-color").stdout
    assert "app/llm.py:16" in inventory and "3 (client)" in inventory and "30 (client)" in inventory


def test_rules_and_explain() -> None:
    listing = run_cli("rules").stdout
    assert "REL001  model-call-without-retry" in listing
    doc = run_cli("explain", "model-call-without-timeout")
    assert doc.returncode == 0
    for part in ("REL002 model-call-without-timeout", "## What it does", "## Example", "## Use instead", "## Remediation", "client = OpenAI()"):
        assert part in doc.stdout
