"""The rule pack works from a normal install of the built wheel, not only from the source tree."""
from __future__ import annotations

import json
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

from readiness.testing import fixture_expectations

from conftest import FIXTURES, ROOT


def test_wheel_installs_and_scans_a_fixture(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        check=True, capture_output=True, text=True, timeout=600,
    )
    (wheel,) = dist.glob("readiness-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for rule_file in (ROOT / "rules").glob("*.py"):
        assert f"readiness/rules/{rule_file.name}" in names, rule_file.name
    for data in (ROOT / "rules").glob("*.toml"):
        assert f"readiness/rules/{data.name}" in names, data.name
    assert not any(n.startswith(("rules/", "tests/", "fixtures/")) for n in names)

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True, capture_output=True, text=True, timeout=900)

    # Run from an empty folder so nothing from the source tree can be imported.
    work = tmp_path / "elsewhere"
    work.mkdir()
    proc = subprocess.run(
        [str(env_dir / "bin" / "readiness"), "scan", str(FIXTURES / "chatbot_prototype"), "--format", "json"],
        cwd=work, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert {f["code"] for f in data["findings"]} == {code for code, _, _, _ in fixture_expectations(FIXTURES / "chatbot_prototype")[0]}
    assert data["score"]["verdict"]["decision"] in ("Refactor", "Targeted rebuild", "Rebuild")
    assert "readiness/rules/checklist.toml" in names and "readiness/report/templates/report.html.j2" in names
    report = subprocess.run(
        [str(env_dir / "bin" / "readiness"), "scan", str(FIXTURES / "chatbot_prototype"), "--format", "html"],
        cwd=work, capture_output=True, text=True, timeout=300,
    )
    assert report.stdout.startswith("<!DOCTYPE html>") and "<svg" in report.stdout, report.stderr
    origin = subprocess.run(
        [str(python), "-c", "import readiness.rules, readiness; print(readiness.rules.__file__)"],
        cwd=work, capture_output=True, text=True, check=True,
    ).stdout
    assert str(env_dir) in origin
