"""Fingerprints survive line moves and unrelated edits, and change when the flagged code does."""
from __future__ import annotations

from readiness.testing import run_files

BAD = """\
from openai import OpenAI

client = OpenAI(max_retries=0, timeout=20)


def ask(question):
    return client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": question}])
"""


def _prints(files: dict[str, str]) -> dict[tuple[str, str], str]:
    result = run_files(files)
    assert all(f.fingerprint for f in result.findings)
    return {(f.code, f.location.path): f.fingerprint for f in result.findings}


def _lines(files: dict[str, str]) -> dict[str, int]:
    return {f.code: f.location.line for f in run_files(files).findings}


def test_fingerprints_survive_lines_inserted_above() -> None:
    moved = BAD.replace("\n\ndef ask", "\nimport os\nimport sys\n\nLIMIT = 3  # new constant\n\n\ndef ask")
    assert _lines({"app.py": moved})["REL001"] == _lines({"app.py": BAD})["REL001"] + 5
    assert _prints({"app.py": moved}) == _prints({"app.py": BAD})


def test_fingerprints_ignore_whitespace_and_trailing_comments() -> None:
    reformatted = BAD.replace(
        '    return client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": question}])',
        '    return client.chat.completions.create(\n        model="gpt-4o-mini",\n        messages=[{"role": "user", "content": question}],\n    )  # ask the model',
    )
    assert _prints({"app.py": reformatted}) == _prints({"app.py": BAD})


def test_fingerprints_change_with_the_code_the_function_and_the_path() -> None:
    base = _prints({"app.py": BAD})
    other_code = _prints({"app.py": BAD.replace("gpt-4o-mini", "gpt-4o")})
    other_function = _prints({"app.py": BAD.replace("def ask", "def answer")})
    other_path = _prints({"svc/app.py": BAD})
    assert base[("REL001", "app.py")] != other_code[("REL001", "app.py")]
    assert base[("REL001", "app.py")] != other_function[("REL001", "app.py")]
    assert base[("REL001", "app.py")] != other_path[("REL001", "svc/app.py")]
    assert base[("REL001", "app.py")] != base[("OBS001", "app.py")]


def test_identical_statements_in_one_function_get_distinct_fingerprints() -> None:
    twice = BAD + '    return client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": question}])\n'
    result = run_files({"app.py": twice})
    rel001 = [f.fingerprint for f in result.findings if f.code == "REL001"]
    assert len(rel001) == 2 and len(set(rel001)) == 2


def _notebook(cells: list[str]) -> str:
    import json

    return json.dumps({"cells": [{"cell_type": "code", "source": c, "metadata": {}, "outputs": []} for c in cells], "nbformat": 4, "nbformat_minor": 5, "metadata": {}})


def test_notebook_fingerprints_survive_a_cell_inserted_above() -> None:
    setup = "from openai import OpenAI\nclient = OpenAI(max_retries=0, timeout=20)\n"
    call = "reply = client.chat.completions.create(model='gpt-4o', messages=[{'role': 'user', 'content': 'hi'}])\n"
    before = run_files({"nb.ipynb": _notebook([setup, call])})
    after = run_files({"nb.ipynb": _notebook(["import os\nprint(os.getcwd())\n", setup, call])})
    cells = {f.code: f.location.cell for f in after.findings}
    assert cells["REL001"] == 3 and {f.code: f.location.cell for f in before.findings}["REL001"] == 2
    assert {(f.code, f.fingerprint) for f in before.findings} == {(f.code, f.fingerprint) for f in after.findings}
