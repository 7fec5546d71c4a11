"""Every rule's docs examples are tests: a bad example fires at exactly its lines, a good one never."""
from __future__ import annotations

import pytest

from readiness.registry import all_rules
from readiness.rule import Invalid
from readiness.testing import RuleCase, example_lines, rule_cases

CASES = list(rule_cases())


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule_example(case: RuleCase) -> None:
    fired = example_lines(case)
    if isinstance(case.example, Invalid):
        assert fired == case.example.expected, f"{case.id}: expected {sorted(case.example.expected)}, got {sorted(fired)}"
    else:
        assert fired == set(), f"{case.id}: a good example fired at {sorted(fired)}"


@pytest.mark.parametrize("rule", all_rules(), ids=[r.code for r in all_rules()])
def test_rule_metadata(rule) -> None:
    assert rule.metadata_problems() == []


def test_rule_codes_and_names_unique() -> None:
    rules = all_rules()
    assert len({r.code for r in rules}) == len(rules)
    assert len({r.name for r in rules}) == len(rules)
    assert {"REL001", "REL002", "OBS001"} <= {r.code for r in rules}


def test_rule_files_are_named_after_code_and_name() -> None:
    for rule in all_rules():
        module = rule.__module__.rsplit(".", 1)[-1]
        assert module == f"{rule.code.lower()}_{rule.name.replace('-', '_')}", module
