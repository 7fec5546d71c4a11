"""Assemble the scorecard a founder reads: checklist scores, verdict and founder questions."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from readiness.checklist import Checklist, load_checklist
from readiness.config import Config
from readiness.model import Finding
from readiness.questions import Answer, answer_questions
from readiness.registry import all_rules
from readiness.rule import Rule
from readiness.score import RuleSet, Scores, finding_ref, score_checklist
from readiness.verdict import Verdict, decide


@dataclass(frozen=True, slots=True)
class Scorecard:
    scores: Scores
    risk_label: str
    verdict: Verdict
    questions: tuple[Answer, ...]

    @property
    def score(self) -> float | None:
        return self.scores.score

    @property
    def grade(self) -> str:
        return self.scores.grade

    def top_risks(self, limit: int = 5) -> list[dict[str, Any]]:
        """The losses that cost the overall score most, biggest first."""
        s = self.scores
        area_total = sum(a.weight for a in s.areas if a.score is not None) or 1.0
        risks: list[dict[str, Any]] = []
        for area in s.areas:
            scored = [c for c in area.controls if c.score is not None]
            control_total = sum(c.weight for c in scored) or 1.0
            for control in scored:
                if not control.losses or control.score is None:
                    continue
                impact = (100.0 - control.score) * control.weight / control_total * area.weight / area_total
                risks.append({
                    "area": area.name, "control": control.name, "plain": control.plain, "impact": round(impact, 1),
                    "score": round(control.score, 1), "evidence": control.evidence,
                    "findings": [finding_ref(f) for f in dict.fromkeys(f for loss in control.losses for f in loss.findings)],
                })
        risks.sort(key=lambda r: (-float(r["impact"]), str(r["control"])))
        return risks[:limit]

    def excluded(self) -> list[dict[str, str]]:
        return [
            {"control": c.id, "name": c.name, "area": a.name, "reason": c.na_reason}
            for a in self.scores.areas for c in a.controls if c.score is None
        ]

    def to_json(self) -> dict[str, Any]:
        s = self.scores
        return {
            "overall": {
                "score": None if s.score is None else round(s.score, 1),
                "grade": s.grade,
                "reason": s.grade_reason,
                "cutoffs": {"Hardening": s.hardening, "Launch-ready": s.launch_ready},
            },
            "risk": s.risk,
            "risk_label": self.risk_label,
            "areas": [a.to_json() for a in s.areas],
            "excluded": self.excluded(),
            "top_risks": self.top_risks(),
            "unscored_findings": [finding_ref(f) for f in s.unscored],
            "verdict": self.verdict.to_json(),
            "questions": [q.to_json() for q in self.questions],
        }


def rule_set(ran: Sequence[type[Rule]]) -> RuleSet:
    installed = all_rules()
    return RuleSet(
        installed=frozenset(r.code for r in installed),
        ran=frozenset(r.code for r in ran),
        declared={r.code: r.control for r in (*installed, *ran)},
    )


def build_scorecard(
    project: Any, findings: Sequence[Finding], ran: Sequence[type[Rule]], config: Config,
    checklist: Checklist | None = None, rules: RuleSet | None = None,
) -> Scorecard:
    """Score, verdict and founder answers for one analysed project."""
    checklist = checklist or load_checklist()
    risk = config.risk or checklist.default_risk
    rules = rules or rule_set(ran)
    # route-level controls (schemas, rate limits) are n/a for an app with no web routes
    web = any(getattr(getattr(f, "surface", None), "endpoints", ()) for f in project.files.values())
    scores = score_checklist(checklist, findings, project.call_sites, rules, risk, web)
    verdict = decide(scores, findings, rules, checklist, project, dict(config.effort))
    questions = answer_questions(scores, dict(config.answers))
    return Scorecard(scores, checklist.risks[risk].label, verdict, questions)
