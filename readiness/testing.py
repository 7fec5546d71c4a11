"""Test helpers: rule examples as pytest cases, and fixture-repo expectations."""
from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

from readiness.config import parse_table
from readiness.discover import SourceFile, classify
from readiness.engine import analyse, scan
from readiness.model import RunResult
from readiness.parse import notebook_code
from readiness.registry import all_rules
from readiness.rule import Invalid, Rule, Valid

from readiness._toml import tomllib

EXPECT = re.compile(r"#\s*expect:\s*([A-Z]{3}\d{3}(?:\s*,\s*[A-Z]{3}\d{3})*)")


@dataclass(frozen=True)
class RuleCase:
    rule: type[Rule]
    example: Valid | Invalid
    id: str


def rule_cases() -> Iterator[RuleCase]:
    """One case per docs example of every rule, with ids like `REL001-invalid-0`."""
    for rule in all_rules():
        for kind, examples in (("valid", rule.VALID), ("invalid", rule.INVALID)):
            for index, example in enumerate(examples):
                yield RuleCase(rule, example, f"{rule.code}-{kind}-{index}")


def run_files(files: Mapping[str, str], rules: list[type[Rule]] | None = None, config: Mapping[str, Any] | None = None) -> RunResult:
    """Analyse an in-memory repo of {path: code} (nothing touches the disk)."""
    table = dict(config or {})
    inputs = []
    for path, code in sorted(files.items()):
        raw = code.encode("utf-8")
        inputs.append((SourceFile(path, "", classify(path), len(raw)), raw))
    return analyse(inputs, parse_table(table, "<example>"), rules=rules)


def run_history(
    files: Mapping[str, str], history: tuple[Mapping[str, str], ...], rule: type[Rule], config: Mapping[str, Any] | None = None
) -> RunResult:
    """Commit each snapshot of `history` and then `files` to a real git repo in a temp dir, and scan it."""
    git = ["git", "-c", "user.name=Dev", "-c", "user.email=dev@example.com", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        subprocess.run([*git, "init", "-q"], cwd=root, check=True)
        for number, snapshot in enumerate([*history, files], start=1):
            for old in root.rglob("*"):
                if old.is_file() and ".git" not in old.relative_to(root).parts:
                    old.unlink()
            for path, code in snapshot.items():
                (root / path).parent.mkdir(parents=True, exist_ok=True)
                (root / path).write_text(code, encoding="utf-8")
            subprocess.run([*git, "add", "-A"], cwd=root, check=True)
            subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", f"commit {number}"], cwd=root, check=True)
        return scan(root, parse_table({**dict(config or {}), "select": [rule.code]}, "<example>"))


def example_lines(case: RuleCase) -> set[tuple[str, int]]:
    """Where the case's rule fired on the case's example."""
    if case.example.history:
        result = run_history(case.example.files, case.example.history, case.rule, case.example.config)
    else:
        result = run_files(case.example.files, [case.rule], case.example.config)
    assert not [d for d in result.diagnostics if d.kind in ("unparsable", "internal", "rule-error")], result.diagnostics
    return {(f.location.path, f.location.line) for f in result.findings if f.code == case.rule.code}


def _expectations_in(path: str, text: str) -> set[tuple[str, str, int, int | None]]:
    found: set[tuple[str, str, int, int | None]] = set()
    if path.endswith(".ipynb"):
        try:
            code, cells = notebook_code(text.encode("utf-8"))
        except ValueError:
            return found
        for number, line in enumerate(code.splitlines(), start=1):
            for match in EXPECT.finditer(line):
                cell, cell_line = cells.locate(number)
                found |= {(c.strip(), path, cell_line, cell) for c in match.group(1).split(",")}
        return found
    for number, line in enumerate(text.splitlines(), start=1):
        for match in EXPECT.finditer(line):
            found |= {(c.strip(), path, number, None) for c in match.group(1).split(",")}
    return found


def fixture_expectations(root: Path) -> tuple[set[tuple[str, str, int, int | None]], dict[str, Any]]:
    """Expected (code, path, line, cell) from `# expect:` comments plus `expected.toml`."""
    expected: set[tuple[str, str, int, int | None]] = set()
    for file in sorted(root.rglob("*")):
        if not file.is_file() or file.name == "expected.toml" or file.is_symlink():
            continue
        try:
            text = file.read_text("utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        expected |= _expectations_in(file.relative_to(root).as_posix(), text)
    meta: dict[str, Any] = {}
    toml_path = root / "expected.toml"
    if toml_path.is_file():
        meta = tomllib.loads(toml_path.read_text("utf-8"))
        for item in meta.get("findings", []):
            expected.add((item["code"], item.get("path", ""), item.get("line", 0), item.get("cell")))
    return expected, meta


def actual_findings(result: RunResult) -> set[tuple[str, str, int, int | None]]:
    return {(f.code, f.location.path, f.location.line, f.location.cell) for f in result.findings}
