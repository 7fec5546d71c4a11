"""Dump `FileFacts.to_json()` of every Python file and notebook under some roots, one JSON line each.

Run it before and after a change to the facts stage that must not change its output, then compare
the two files byte for byte (`cmp before.jsonl after.jsonl`):

    python benchmarks/facts_oracle.py before.jsonl /path/to/repo:8 fixtures/*   # `:8` = every 8th file
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from readiness.catalog import load_catalog
from readiness.config import Config
from readiness.discover import discover
from readiness.engine import read_source
from readiness.facts.extract import extract_facts
from readiness.parse import parse_file


def main(out_path: str, specs: list[str]) -> None:
    sys.setrecursionlimit(10000)
    catalog = load_catalog()
    spent = 0.0
    with open(out_path, "w", encoding="utf-8") as out:
        for spec in specs:
            root, _, step = spec.partition(":")
            files, _ = discover(Path(root), Config())
            for source in [f for f in files if f.kind != "text"][:: int(step or 1)]:
                parsed = parse_file(source, read_source(source))
                if not hasattr(parsed, "module"):
                    out.write(json.dumps({"root": root, "path": source.path, "failed": True}) + "\n")
                    continue
                start = time.perf_counter()
                facts = extract_facts(parsed, catalog)
                spent += time.perf_counter() - start
                out.write(json.dumps({"root": root, "path": source.path, "facts": facts.to_json()}, sort_keys=True) + "\n")
    print(f"extract_facts: {spent:.2f}s", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
