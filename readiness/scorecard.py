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


def build_scorecard(project: Any, findings: Sequence[Finding], ran: Sequence[type[Rule]], config: Config, checklist: Checklist | None = None) -> Scorecard:
    """Score, verdict and founder answers for one analysed project."""
    checklist = checklist or load_checklist()
    risk = config.risk or checklist.default_risk
    rules = rule_set(ran)
    scores = score_checklist(checklist, findings, project.call_sites, rules, risk)
    verdict = decide(scores, findings, rules, checklist, project, dict(config.effort))
    questions = answer_questions(scores, dict(config.answers))
    return Scorecard(scores, checklist.risks[risk].label, verdict, questions)
