"""Precision and recall of SEC001 on fixtures/secrets_corpus, and of detect-secrets on the same files.

    python benchmarks/secrets_corpus.py [--json] [--corpus fixtures/secrets_corpus]

Ground truth: `# expect: SEC001` comments and `expected.toml` findings (planted secrets); near
misses are lines marked `near-miss` (a comment-only marker line labels the line below it) plus
`expected.toml` `near_misses`. A finding on any other line counts as a false positive.
detect-secrets (a benchmark-only tool: `pip install -e ".[bench]"`) runs with its default plugins
and filters; its notebook hits, reported on raw JSON lines, are mapped back to (cell, line).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from readiness.config import load_config  # noqa: E402
from readiness.discover import discover  # noqa: E402
from readiness.engine import scan  # noqa: E402
from readiness.testing import fixture_expectations  # noqa: E402

Where = tuple[str, int, "int | None"]


def near_misses(root: Path, meta: dict[str, Any]) -> set[Where]:
    found: set[Where] = set()
    for item in meta.get("near_misses", []):
        found.add((item["path"], item.get("line", 0), item.get("cell")))
    for file in sorted(root.rglob("*")):
        if not file.is_file() or file.name == "expected.toml":
            continue
        rel = file.relative_to(root).as_posix()
        text = file.read_text("utf-8", errors="replace")
        if file.suffix == ".ipynb":
            for number, cell in enumerate(json.loads(text)["cells"], start=1):
                lines = "".join(cell.get("source", [])).splitlines()
                found |= {(rel, i, number) for i, line in enumerate(lines, start=1) if "near-miss" in line}
            continue
        lines = text.splitlines()
        for i, line in enumerate(lines, start=1):
            if "near-miss" in line:
                comment_only = line.lstrip().startswith(("#", ";"))
                found.add((rel, i + 1 if comment_only else i, None))
    return found


def readiness_hits(root: Path) -> tuple[set[Where], float]:
    start = time.perf_counter()
    result = scan(root, load_config(root).with_overrides(select=("SEC001",), history_depth=0))
    return {(f.location.path, f.location.line, f.location.cell) for f in result.findings}, time.perf_counter() - start


def _notebook_map(text: str) -> dict[int, tuple[int, int]]:
    """Raw JSON line number -> (cell, line in cell; 1 for outputs) for an indented notebook."""
    raw_lines = text.splitlines()
    mapping: dict[int, tuple[int, int]] = {}
    for number, cell in enumerate(json.loads(text)["cells"], start=1):
        pieces = [(line, i) for i, line in enumerate(cell.get("source", []), start=1)]
        for output in cell.get("outputs", []):
            for value in [output.get("text", []), *output.get("data", {}).values()]:
                for line in value if isinstance(value, list) else [value]:
                    pieces.append((line, 1))
        for line, cell_line in pieces:
            needle = json.dumps(line)
            for j, raw in enumerate(raw_lines, start=1):
                if j not in mapping and needle in raw:
                    mapping[j] = (number, cell_line)
                    break
    return mapping


def detect_secrets_hits(root: Path) -> tuple[set[Where], float, str]:
    try:
        from detect_secrets import SecretsCollection
        from detect_secrets.settings import default_settings
        from importlib.metadata import version
    except ImportError:
        return set(), 0.0, "not installed"
    sources, _ = discover(root, load_config(root))
    start = time.perf_counter()
    collection = SecretsCollection()
    with default_settings():
        for source in sources:
            collection.scan_file(source.abs_path)
    elapsed = time.perf_counter() - start
    hits: set[Where] = set()
    maps: dict[str, dict[int, tuple[int, int]]] = {}
    for filename, secret in collection:
        rel = Path(filename).resolve().relative_to(root.resolve()).as_posix()
        if rel.endswith(".ipynb"):
            if rel not in maps:
                maps[rel] = _notebook_map((root / rel).read_text("utf-8"))
            cell, line = maps[rel].get(secret.line_number, (0, secret.line_number))
            hits.add((rel, line, cell))
        else:
            hits.add((rel, secret.line_number, None))
    return hits, elapsed, version("detect-secrets")


def score(name: str, hits: set[Where], expected: set[Where], misses: set[Where]) -> dict[str, Any]:
    tp, fp, fn = hits & expected, hits - expected, expected - hits
    return {
        "tool": name,
        "true_positives": len(tp),
        "false_positives": len(fp),
        "false_negatives": len(fn),
        "precision": round(len(tp) / len(hits), 3) if hits else 0.0,
        "recall": round(len(tp) / len(expected), 3) if expected else 0.0,
        "near_misses_fired": len(hits & misses),
        "missed": sorted(fn, key=str),
        "false_alarms": sorted(fp, key=str),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "fixtures" / "secrets_corpus")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    root = args.corpus.resolve()
    labelled, meta = fixture_expectations(root)
    expected = {(path, line, cell) for code, path, line, cell in labelled if code == "SEC001"}
    misses = near_misses(root, meta) - expected
    ours, our_time = readiness_hits(root)
    theirs, their_time, their_version = detect_secrets_hits(root)
    report = {
        "planted": len(expected),
        "near_misses": len(misses),
        "results": [
            {**score("readiness", ours, expected, misses), "seconds": round(our_time, 3)},
            {**score(f"detect-secrets {their_version}", theirs, expected, misses), "seconds": round(their_time, 3)},
        ],
    }
    if args.json:
        print(json.dumps(report, indent=2, default=list))
        return 0
    print(f"corpus: {root}\nplanted secrets: {report['planted']}   near misses: {report['near_misses']}\n")
    print(f"{'tool':<24} {'precision':>9} {'recall':>7} {'TP':>4} {'FP':>4} {'FN':>4} {'near-miss hits':>15} {'seconds':>8}")
    for row in report["results"]:
        print(f"{row['tool']:<24} {row['precision']:>9.3f} {row['recall']:>7.3f} {row['true_positives']:>4} "
              f"{row['false_positives']:>4} {row['false_negatives']:>4} {row['near_misses_fired']:>15} {row['seconds']:>8.3f}")
    for row in report["results"]:
        for label, items in (("missed", row["missed"]), ("false alarm", row["false_alarms"])):
            for path, line, cell in items:
                print(f"  {row['tool']}: {label} {path}:{'cell %s:' % cell if cell else ''}{line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
