"""The gate: whether a run passes, and every reason it does not.

Findings gate only when new (all of them without a base). `min_score` gates on the overall
score, `no_regress` on any checklist area scoring lower at the head than at the base.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from readiness.compare import new_findings
from readiness.errors import ReadinessError
from readiness.model import RunResult, Severity


class GateError(ReadinessError):
    """A gate was asked for that this run cannot evaluate."""


@dataclass(frozen=True, slots=True)
class Gate:
    fail_on: Severity | None = Severity.LOW  # None: findings never fail the run
    min_score: float | None = None
    no_regress: bool = False


def score_json(score: Any) -> dict[str, Any] | None:
    """The scorecard as plain data (see `RunResult.score`), or None when not computed."""
    if score is None:
        return None
    data = score.to_json() if hasattr(score, "to_json") else score
    return data if isinstance(data, dict) else None


def _overall(score: dict[str, Any]) -> float | None:
    value = (score.get("overall") or {}).get("score")
    return float(value) if isinstance(value, (int, float)) else None


def regressions(result: RunResult) -> list[tuple[str, float, float]]:
    """(area name, base score, head score) of each area that scores lower at the head."""
    comparison = result.comparison
    head = score_json(result.score)
    base = score_json(comparison.base_score) if comparison is not None else None
    if head is None or base is None:
        return []
    before = {a.get("id"): a for a in base.get("areas", [])}
    out = []
    for area in head.get("areas", []):
        old = before.get(area.get("id"))
        if old is None or area.get("score") is None or old.get("score") is None:
            continue
        if round(float(area["score"]), 1) < round(float(old["score"]), 1):
            out.append((str(area.get("name") or area.get("id")), float(old["score"]), float(area["score"])))
    return out


def evaluate(result: RunResult, gate: Gate) -> list[str]:
    """Why the run fails the gate (empty when it passes).

    Raises:
        GateError: `min_score` or `no_regress` asked for without a score, or without a base.
    """
    reasons: list[str] = []
    if gate.fail_on is not None:
        gated = [f for f in new_findings(result) if f.severity.rank >= gate.fail_on.rank]
        if gated:
            noun = "finding" if len(gated) == 1 else "findings"
            what = "new " if result.comparison is not None else ""
            reasons.append(f"{len(gated)} {what}{noun} at or above {gate.fail_on.value}")
    head = score_json(result.score)
    if gate.min_score is not None:
        overall = _overall(head) if head is not None else None
        if overall is None:
            raise GateError("--min-score needs the readiness score, and this scan computed none")
        if overall < gate.min_score:
            reasons.append(f"score {overall:g} is below the minimum {gate.min_score:g}")
    if gate.no_regress:
        comparison = result.comparison
        if comparison is None or comparison.kind != "diff":
            raise GateError("--no-regress compares with a base: use it with --diff-base REF")
        if head is None or score_json(comparison.base_score) is None:
            raise GateError("--no-regress needs the readiness score at the head and the base, and this scan computed none")
        for name, before, after in regressions(result):
            reasons.append(f"{name} fell from {before:g} to {after:g}")
    return reasons
