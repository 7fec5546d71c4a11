"""Hostile repositories for the robustness suite: every way a real tree can be strange.

`build(root)` writes one repo with every case under `root` and returns, per case, the path it
made and what a scan must report for it. `python tests/hostile.py DIR` writes one to look at.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

MODEL_CALL = (
    "from openai import OpenAI\n\nclient = OpenAI()\n\n\n"
    "def ask(q):\n    return client.chat.completions.create(model='gpt-4o-mini', messages=[{'role': 'user', 'content': q}])\n"
)


@dataclass(frozen=True)
class Case:
    """`path` (repo-relative, POSIX) and the diagnostic kind a scan must give for it (None: scanned)."""

    name: str
    path: str
    diagnostic: str | None


def _write(root: Path, name: str | bytes, data: bytes) -> None:
    target = os.path.join(os.fsencode(root), name if isinstance(name, bytes) else name.encode())
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as fh:
        fh.write(data)


def deep_nesting(depth: int = 3000) -> bytes:
    return b"x = " + b"(" * depth + b"1" + b")" * depth + b"\n"


def build(root: Path, outside: Path | None = None) -> list[Case]:
    """Write the hostile files under `root`; `outside` is a folder beside it for the escaping symlink."""
    root.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []

    def add(name: str, path: str, data: bytes | None, diagnostic: str | None) -> None:
        if data is not None:
            _write(root, path, data)
        cases.append(Case(name, path, diagnostic))

    add("a model call, to prove the scan still works", "app/llm.py", MODEL_CALL.encode(), None)
    add("syntax error", "broken/syntax.py", b"def f(:\n    return 1\n", "unparsable")
    add("Python 2 code", "legacy/py2.py", b'print "hello"\nexec "x = 1"\nprint >>sys.stderr, "x"\n', "unparsable")
    add("latin-1 with a coding cookie", "enc/latin1.py", b"# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n", None)
    add("invalid UTF-8 without a cookie", "enc/bad_utf8.py", b"name = 'caf\xe9 \xff\xfe'\n", "unparsable")
    add("UTF-8 with a BOM", "enc/bom.py", b"\xef\xbb\xbf" + MODEL_CALL.encode(), None)
    add("UTF-16 text", "enc/utf16.py", "x = 'hello'\n".encode("utf-16"), "unparsable")
    add("NUL bytes", "bin/nul.py", b"x = 1\0\0\ny = 2\n", "unparsable")
    add("a 10 MB one-line file", "data/huge.py", b"x = [" + b"1," * (5 * 1024 * 1024) + b"]\n", "skipped")
    add("a 10 MB one-line text file", "data/huge.json", b"[" + b"1," * (5 * 1024 * 1024) + b"1]", None)
    add("3,000-deep nesting (crashes the parser: isolated)", "deep/nesting.py", deep_nesting(), "skipped")
    add("broken notebook JSON", "nb/broken.ipynb", b'{"cells": [{"cell_type": "code", "source": ["x = ', "unparsable")
    markdown_only = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# Notes\n", "nothing to run"]}],
                     "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    add("notebook with only markdown cells", "nb/markdown_only.ipynb", json.dumps(markdown_only).encode(), None)
    add("notebook that is a JSON list", "nb/list.ipynb", b"[1, 2, 3]", "unparsable")
    add("non-UTF-8 file name", "names/caf\udce9.py", None, None)
    _write(root, b"names/caf\xe9.py", MODEL_CALL.encode())
    add("non-UTF-8 file name with a syntax error", "names/bad\udcff.py", None, "unparsable")
    _write(root, b"names/bad\xff.py", b"def (:\n")
    add("empty file", "empty/__init__.py", b"", None)

    # symlinks: a loop, a dangling link, a directory loop, and one that leaves the repo
    links = root / "links"
    links.mkdir(exist_ok=True)
    for a, b in (("loop_a.py", "loop_b.py"), ("loop_b.py", "loop_a.py")):
        if not (links / a).is_symlink():
            os.symlink(b, links / a)
    cases += [Case("symlink loop", "links/loop_a.py", "skipped"), Case("symlink loop", "links/loop_b.py", "skipped")]
    if not (links / "dir_loop").is_symlink():
        os.symlink(".", links / "dir_loop")
    if not (links / "dangling.py").is_symlink():
        os.symlink("missing.py", links / "dangling.py")
    cases.append(Case("dangling symlink", "links/dangling.py", "skipped"))
    if outside is not None:
        outside.mkdir(parents=True, exist_ok=True)
        (outside / "secret_module.py").write_text(MODEL_CALL)
        if not (links / "outside.py").is_symlink():
            os.symlink(outside / "secret_module.py", links / "outside.py")
        cases.append(Case("symlink to outside the root", "links/outside.py", "skipped"))

    # An unreadable file. Root reads it anyway, so the case only holds when not root.
    _write(root, "private/unreadable.py", MODEL_CALL.encode())
    os.chmod(root / "private" / "unreadable.py", 0)
    cases.append(Case("unreadable file", "private/unreadable.py", "unreadable" if not is_root() else None))
    return cases


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def git_init(path: Path, commit: bool) -> None:
    git = ["git", "-c", "user.name=Dev", "-c", "user.email=dev@example.com", "-c", "init.defaultBranch=main"]
    subprocess.run([*git, "init", "-q"], cwd=path, check=True)
    if commit:
        subprocess.run([*git, "add", "-A"], cwd=path, check=True, capture_output=True)
        subprocess.run([*git, "commit", "-q", "-m", "hostile"], cwd=path, check=True, capture_output=True)


if __name__ == "__main__":  # pragma: no cover - a generator for manual runs
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-repo")
    for case in build(target / "repo", target / "outside"):
        print(f"{case.path}: {case.name} -> {case.diagnostic or 'scanned'}")
