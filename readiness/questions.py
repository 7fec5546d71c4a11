"""The four founder questions, answered from evidence where code can tell and from config otherwise."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from readiness.score import Scores


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    text: str
    controls: tuple[str, ...]
    ask: str  # what the team must answer when the code cannot


QUESTIONS = (
    Question(
        "failure", "Can the team explain where the system fails and what happens next?",
        ("reliability.retries", "reliability.timeouts", "reliability.error-handling", "reliability.fallback",
         "reliability.output-validation", "observability.error-tracking"),
        "describe what users see when the model provider is slow, down or returns nonsense, and who gets alerted",
    ),
    Question(
        "visibility", "Is there visibility into usage, errors and cost?",
        ("observability.call-logging", "observability.token-usage", "observability.error-tracking", "observability.logging"),
        "say where usage, error rates and the model bill are watched, and by whom",
    ),
    Question(
        "outcome", "Is the AI feature tied to a measurable product outcome?",
        ("evaluation.eval-harness",),
        "name the product metric the AI feature is meant to move and how it is measured",
    ),
    Question(
        "ownership", "Can another engineer take ownership without reverse-engineering everything?",
        ("ownership.readme", "ownership.config-documented", "ownership.boundaries", "ownership.no-cycles",
         "ownership.authors", "evaluation.tests", "standards.ci"),
        "name who besides the author can run, change and deploy this code today",
    ),
)


@dataclass(frozen=True, slots=True)
class Answer:
    id: str
    question: str
    status: str  # yes | partly | no | unknown | answered (by the team, no code evidence)
    evidence: tuple[str, ...]
    team_answer: str
    todo: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "question": self.question, "status": self.status, "evidence": list(self.evidence),
            "team_answer": self.team_answer or None, "team_must_answer": self.todo or None,
        }


def answer_questions(scores: Scores, answers: Mapping[str, str]) -> tuple[Answer, ...]:
    """Each question with its status from the evidence, the team's answer, or what is left to answer."""
    out = []
    for q in QUESTIONS:
        controls = [c for c in (scores.control(cid) for cid in q.controls) if c is not None and c.score is not None]
        evidence = tuple(f"{c.name}: {c.evidence}" for c in controls)
        if controls:
            mean = sum(c.score or 0.0 for c in controls) / len(controls)
            status = "yes" if mean >= scores.launch_ready else "partly" if mean >= scores.hardening else "no"
        else:
            status = "unknown"
        team = answers.get(q.id, "")
        if team and status == "unknown":
            status = "answered"
        todo = "" if team else f"The team must {q.ask}; record it as {q.id} = \"...\" under [tool.readiness.answers]."
        out.append(Answer(q.id, q.text, status, evidence, team, todo))
    return tuple(out)
