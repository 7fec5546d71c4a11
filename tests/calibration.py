"""Calibration helpers: scan a fixture, or score it as if every checklist rule were installed."""
from __future__ import annotations

from pathlib import Path

from readiness.checklist import load_checklist
from readiness.config import Config, load_config
from readiness.discover import discover
from readiness.engine import analyse_file, read_source
from readiness.facts.deps import merge_pins
from readiness.catalog import load_catalog
from readiness.model import Confidence, Diagnostic, Finding, Location, Severity
from readiness.project import Project, build_project
from readiness.registry import all_rules
from readiness.score import RuleSet
from readiness.scorecard import Scorecard, build_scorecard
from readiness.testing import fixture_expectations

from conftest import FIXTURES

def _rungs() -> list[str]:
    """Fixtures that declare `[calibration] rung = N` in expected.toml, worst first."""
    rungs = []
    for root in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        _, meta = fixture_expectations(root)
        if "calibration" in meta:
            rungs.append((int(meta["calibration"]["rung"]), root.name))
    return [name for _, name in sorted(rungs)]


# The hardened service is the top of the ladder: it must stay free of findings.
LADDER = [*_rungs(), "hardened_service"]


def project_of(root: Path, config: Config) -> Project:
    """The project model of a fixture, built the way a scan builds it."""
    catalog = load_catalog()
    sources, _ = discover(root, config)
    results = []
    for source in sources:
        raw = read_source(source)
        if not isinstance(raw, Diagnostic):
            results.append((source.path, analyse_file(source, raw, catalog)))
    files = {path: r.facts for path, r in results if r.facts is not None}
    pins = merge_pins([p for _, r in results for p in r.pins])
    return build_project(files, [path for path, _ in results], pins, config, catalog)


def expected_scorecard(name: str, risk: str) -> Scorecard:
    """The scorecard the fixture gets once every rule its annotations name is installed.

    The annotated findings stand in for the rules that do not exist yet; `test_fixtures` holds the
    installed ones to exactly these annotations, so this is what the merged rule set will score.
    """
    root = FIXTURES / name
    config = load_config(root).with_overrides(risk=risk)
    expected, _ = fixture_expectations(root)
    installed = {r.code: r for r in all_rules()}
    findings = []
    for code, path, line, cell in sorted(expected, key=str):
        rule = installed.get(code)
        findings.append(Finding(
            code=code, name=rule.name if rule else code.lower(),
            severity=rule.severity if rule else Severity.MEDIUM,
            confidence=rule.confidence if rule else Confidence.MEDIUM,
            control=rule.control if rule else "", location=Location(path, line, 0, cell),
            message="expected finding", effort=rule.effort if rule else 30,
        ))
    everything = frozenset(load_checklist().rule_ids() | set(installed))
    rules = RuleSet(installed=everything, ran=everything, declared={c: r.control for c, r in installed.items()})
    project = project_of(root, config)
    return build_scorecard(project, sorted(findings, key=Finding.sort_key), [], config, rules=rules)
