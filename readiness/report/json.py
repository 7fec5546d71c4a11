"""JSON output with a versioned schema; byte-identical for the same tree."""
from __future__ import annotations

import json
from collections import Counter
from typing import Any

from readiness import __version__
from readiness.model import RunResult

SCHEMA_VERSION = 1


def payload(result: RunResult) -> dict[str, Any]:
    by_severity = Counter(f.severity.value for f in result.findings)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "readiness", "version": __version__},
        "summary": {
            "files_scanned": result.files_scanned,
            "findings": len(result.findings),
            "by_severity": dict(sorted(by_severity.items())),
            "suppressed": result.suppressed,
            "diagnostics": len(result.diagnostics),
            "call_sites": len(result.call_sites),
        },
        "findings": [f.to_json() for f in result.findings],
        "diagnostics": [d.to_json() for d in result.diagnostics],
        "call_sites": list(result.call_sites),
        **({"score": result.score.to_json()} if result.score is not None else {}),
    }


def render(result: RunResult, **_: Any) -> str:
    data = payload(result)
    if result.comparison is not None:
        data["comparison"] = result.comparison.to_json()
    return json.dumps(data, sort_keys=True, indent=2) + "\n"
