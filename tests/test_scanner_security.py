"""The scanner is static: it never imports or runs scanned code and never opens a network connection."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

PAYLOAD = "import pathlib\npathlib.Path({marker!r}).write_text('ran: ' + __name__)\n"
# Module names a careless scanner could import: the repo's own, and ones shadowing what it uses.
PAYLOAD_FILES = (
    "evil_payload_mod.py", "evilpkg/__init__.py", "evilpkg/evil_payload_sub.py", "conftest.py", "setup.py",
    "sitecustomize.py", "usercustomize.py", "json.py", "click.py", "libcst.py", "git.py", "tomllib.py",
    "readiness_plugin.py", "__main__.py",
)

HOOK = r'''
import json, socket, sys
record_path = sys.argv.pop(1)
NET = {socket.AF_INET, socket.AF_INET6}
def note(event, detail):
    # written at once: worker processes leave through os._exit, without atexit
    with open(record_path, "a") as fh:
        fh.write(json.dumps([[event, detail]]) + "\n")
def hook(event, args):
    if event in ("socket.connect", "socket.bind", "socket.getaddrinfo", "socket.gethostbyname",
                 "socket.gethostbyaddr", "socket.sendto", "socket.sendmsg", "urllib.Request"):
        note(event, repr(args)[:200])
    elif event == "socket.__new__" and len(args) > 1 and args[1] in NET:
        note(event, repr(args)[:200])
    elif event == "import" and args and str(args[0]).startswith(("evil_payload", "evilpkg", "readiness_plugin")):
        note(event, str(args[0]))
    elif event == "subprocess.Popen":
        note(event, repr(args[1])[:300])
note("started", "")
sys.addaudithook(hook)
sys.argv[0] = "readiness"
from readiness.cli import main
main()
'''


@pytest.fixture
def hostile_payload(tmp_path: Path) -> tuple[Path, Path]:
    """A repo whose every module, if imported or run, writes a marker file."""
    repo = tmp_path / "repo"
    marker = tmp_path / "MARKER"
    for name in PAYLOAD_FILES:
        target = repo / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(PAYLOAD.format(marker=str(marker)) + "from openai import OpenAI\nOpenAI().chat.completions.create(model='x', messages=[])\n")
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 1, "source": [PAYLOAD.format(marker=str(marker))]}
    (repo / "run.ipynb").write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    (repo / "evil.pth").write_text(f"import pathlib; pathlib.Path({str(marker)!r}).write_text('pth')\n")
    (repo / "pyproject.toml").write_text('[build-system]\nrequires = ["setuptools"]\nbuild-backend = "evil_payload_mod"\n')
    return repo, marker


def test_no_scanned_code_is_imported_or_run(hostile_payload: tuple[Path, Path]) -> None:
    repo, marker = hostile_payload
    script = Path(sys.executable).with_name("readiness")
    if not script.exists():
        pytest.skip("the readiness console script is not installed next to this interpreter")
    for jobs in ("1", "2"):
        # From inside the scanned repo, where a shadowing json.py or click.py sits in the cwd.
        proc = subprocess.run([str(script), "scan", ".", "--no-cache", "--jobs", jobs, "--format", "json"],
                              cwd=repo, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 1, proc.stderr
        assert len(json.loads(proc.stdout)["call_sites"]) >= len(PAYLOAD_FILES)
        assert not marker.exists(), marker.read_text()


def test_a_scan_opens_no_network_connection(hostile_payload: tuple[Path, Path], tmp_path: Path, git_available: None) -> None:
    repo, marker = hostile_payload
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "-c", "user.name=a", "-c", "user.email=a@b", "add", "-A"], cwd=repo, check=True)
    record = tmp_path / "events.jsonl"
    for jobs in ("1", "2"):
        proc = subprocess.run([sys.executable, "-c", HOOK, str(record), "scan", str(repo), "--no-cache", "--jobs", jobs,
                               "--format", "json"], cwd=ROOT, capture_output=True, text=True, timeout=300,
                              env={**os.environ, "PYTHONSAFEPATH": "1"})
        assert proc.returncode == 1, proc.stderr
        assert json.loads(proc.stdout)["call_sites"]
    events = [e for line in record.read_text().splitlines() for e in json.loads(line)]
    assert [e for e in events if e[0] == "subprocess.Popen"], "the audit hook saw no git call: it did not run"
    network = [e for e in events if e[0].startswith(("socket", "urllib"))]
    assert network == []
    assert [e for e in events if e[0] == "import"] == []
    # The only programs started are git (the file listing); never Python on a scanned file.
    for event, argv in events:
        if event == "subprocess.Popen":
            assert "git" in argv and "python" not in argv.lower(), argv
    assert not marker.exists()
