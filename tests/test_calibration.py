"""The score orders prototypes the way a reviewer would, from a notebook demo to a hardened service."""
from __future__ import annotations

import pytest

from readiness.config import load_config
from readiness.engine import scan

from calibration import LADDER, expected_scorecard
from conftest import FIXTURES

RISKS = ("low", "medium", "high")


def _scan(name: str, risk: str):  # type: ignore[no-untyped-def]
    root = FIXTURES / name
    card = scan(root, load_config(root).with_overrides(risk=risk)).score
    assert card is not None
    return card


def test_the_ladder_spans_five_rungs_below_the_hardened_service() -> None:
    assert len(LADDER) >= 6 and LADDER[0] == "ladder_1_notebook_demo" and LADDER[-1] == "hardened_service"


def _assert_ladder(cards: list, risk: str) -> None:  # type: ignore[type-arg]
    scores = [c.score for c in cards]
    shown = ", ".join(f"{name}={s:.1f}" for name, s in zip(LADDER, scores))
    assert all(a < b for a, b in zip(scores, scores[1:])), f"not strictly increasing at {risk} risk: {shown}"
    assert cards[0].verdict.decision == "Rebuild", shown
    assert cards[-1].verdict.decision == "Refactor", shown
    pressures = [c.verdict.pressure for c in cards]
    assert all(a >= b for a, b in zip(pressures, pressures[1:])), f"rebuild pressure rises up the ladder: {pressures}"
    if risk == "low":
        assert cards[-1].grade == "Launch-ready", cards[-1].scores.grade_reason
    assert cards[0].grade == "Prototype"


@pytest.mark.parametrize("risk", RISKS)
def test_ladder_with_the_installed_rules(risk: str) -> None:
    _assert_ladder([_scan(name, risk) for name in LADDER], risk)


@pytest.mark.parametrize("risk", RISKS)
def test_ladder_once_every_annotated_rule_is_installed(risk: str) -> None:
    """The fixtures mark what the whole rule catalog will find; the order must hold then too."""
    cards = [expected_scorecard(name, risk) for name in LADDER]
    _assert_ladder(cards, risk)
    assert cards[0].verdict.confidence in ("medium", "high")
    assert cards[1].verdict.decision in ("Rebuild", "Targeted rebuild")


def test_higher_risk_never_grades_the_same_repo_higher() -> None:
    order = ["Prototype", "Hardening", "Launch-ready"]
    for name in LADDER:
        grades = [order.index(expected_scorecard(name, risk).grade) for risk in RISKS]
        assert grades == sorted(grades, reverse=True), (name, grades)
