"""Rebuild or refactor: foundation and fragility indicators, a module map, and the effort estimate."""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from readiness.checklist import Checklist, Indicator
from readiness.facts.model import FileFacts
from readiness.model import Finding
from readiness.score import RuleSet, Scores, finding_ref, shown

REFACTOR, TARGETED, REBUILD = "Refactor", "Targeted rebuild", "Rebuild"


@dataclass(frozen=True, slots=True)
class IndicatorResult:
    id: str
    name: str
    plain: str
    kind: str  # foundation | fragility
    value: float | None  # foundation: strength 0..100; fragility: 0..100; None: could not be assessed
    evidence: str
    findings: tuple[Finding, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "kind": self.kind,
            "value": None if self.value is None else round(self.value, 1),
            "evidence": self.evidence, "findings": [finding_ref(f) for f in self.findings],
        }


@dataclass(frozen=True, slots=True)
class ModuleVerdict:
    path: str
    lines: int
    status: str  # keep | harden | replace
    findings: int
    risk: float
    fan_in: int
    churn: float | None
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path, "lines": self.lines, "status": self.status, "findings": self.findings,
            "risk": round(self.risk, 1), "fan_in": self.fan_in, "churn": self.churn, "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class Effort:
    hardening_minutes: int
    hardening_days: float
    rebuild_days: float
    code_lines: int
    assumptions: tuple[str, ...]
    hours_per_day: float = 6.0

    def to_json(self) -> dict[str, Any]:
        return {
            "hardening_minutes": self.hardening_minutes, "hardening_days": round(self.hardening_days, 1),
            "rebuild_days": round(self.rebuild_days, 1), "code_lines": self.code_lines, "assumptions": list(self.assumptions),
            "hours_per_day": self.hours_per_day,
        }


@dataclass(frozen=True, slots=True)
class Verdict:
    decision: str
    confidence: str
    pressure: float
    reasons: tuple[str, ...]
    foundation: tuple[IndicatorResult, ...]
    fragility: tuple[IndicatorResult, ...]
    modules: tuple[ModuleVerdict, ...]
    effort: Effort
    summary: str = ""

    def modules_with(self, status: str) -> list[str]:
        return [m.path for m in self.modules if m.status == status]

    def to_json(self) -> dict[str, Any]:
        return {
            "decision": self.decision, "confidence": self.confidence, "pressure": round(self.pressure, 1),
            "summary": self.summary, "reasons": list(self.reasons),
            "foundation": [i.to_json() for i in self.foundation],
            "fragility": [i.to_json() for i in self.fragility],
            "modules": [m.to_json() for m in self.modules],
            "replace": self.modules_with("replace"), "keep": self.modules_with("keep"),
            "effort": self.effort.to_json(),
        }


def _foundation(indicator: Indicator, scores: Scores) -> IndicatorResult:
    controls = [c for c in (scores.control(cid) for cid in indicator.controls) if c is not None]
    scored = [c for c in controls if c.score is not None]
    if not scored:
        codes = sorted({code for c in controls for code in c.rules})
        return IndicatorResult(indicator.id, indicator.name, indicator.plain, "foundation", None, f"could not be assessed: none of its checks ran ({', '.join(codes) or 'none defined'})")
    value = sum(c.score for c in scored if c.score is not None) / len(scored)
    evidence = "; ".join(f"{c.name}: {shown(c.score or 0.0)}/100 ({c.evidence})" for c in scored)
    found = tuple(f for c in scored for loss in c.losses for f in loss.findings)
    return IndicatorResult(indicator.id, indicator.name, indicator.plain, "foundation", value, evidence, found)


def _fragility(indicator: Indicator, findings: Sequence[Finding], rules: RuleSet) -> IndicatorResult:
    ran = [code for code in indicator.rules if code in rules.ran]
    if not ran:
        return IndicatorResult(indicator.id, indicator.name, indicator.plain, "fragility", None, f"could not be assessed: no rule installed ({', '.join(indicator.rules)})")
    mine = tuple(f for f in findings if f.code in ran)
    if not mine:
        return IndicatorResult(indicator.id, indicator.name, indicator.plain, "fragility", 0.0, f"none found ({', '.join(ran)} checked)")
    counts = Counter(f.code for f in mine)
    evidence = ", ".join(f"{n} × {code} {next(f.name for f in mine if f.code == code)}" for code, n in sorted(counts.items()))
    return IndicatorResult(indicator.id, indicator.name, indicator.plain, "fragility", min(100.0, indicator.points * len(mine)), evidence, mine)


def _fan_in(files: Mapping[str, FileFacts]) -> dict[str, int]:
    modules = {f.module: path for path, f in files.items() if f.module}
    importers: dict[str, set[str]] = {path: set() for path in files}
    for path, facts in files.items():
        for target in set(facts.imports.values()):
            parts = target.split(".")
            for cut in range(len(parts), 0, -1):
                owner = modules.get(".".join(parts[:cut]))
                if owner is not None:
                    if owner != path:
                        importers[owner].add(path)
                    break
    return {path: len(found) for path, found in importers.items()}


def _churn(project: Any) -> dict[str, float]:
    history = getattr(project, "history", None)
    churn = getattr(history, "churn", None)
    if isinstance(churn, Mapping):
        return {str(k): float(v) for k, v in churn.items() if isinstance(v, (int, float))}
    return {}


def module_map(project: Any, findings: Sequence[Finding], checklist: Checklist) -> tuple[ModuleVerdict, ...]:
    """keep / harden / replace for every code module, from findings, centrality and churn."""
    files: Mapping[str, FileFacts] = project.files
    knobs = checklist.modules
    points_of: Mapping[str, float] = knobs["severity-points"]
    structural_points = {code: i.points for i in checklist.fragility for code in i.rules}
    fan_in = _fan_in(files)
    churn = _churn(project)
    busy = sorted(v for v in churn.values() if v > 0)
    hot = busy[(3 * len(busy)) // 4] if busy else None
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        by_path.setdefault(finding.location.path, []).append(finding)
    out = []
    for path in sorted(files):
        facts = files[path]
        mine = by_path.get(path, [])
        if facts.lines < 3 and not mine:
            continue  # an empty `__init__.py` is not a module anyone keeps or replaces
        points = sum(float(points_of.get(f.severity.value, 1.0)) for f in mine)
        density = points * 100.0 / max(facts.lines, int(knobs["min-lines"]))
        risk = density * (1 + float(knobs["fan-in-factor"]) * min(fan_in.get(path, 0), 5))
        file_churn = churn.get(path) if churn else None
        if hot is not None and file_churn is not None and file_churn >= hot:
            risk *= 1 + float(knobs["churn-factor"])
        serious = any(f.severity.rank >= 3 for f in mine)
        structural = sum(structural_points.get(f.code, 0.0) for f in mine)
        # Missing settings are cheap to fix in place; only structural damage (coupling, hard-coding,
        # workarounds) makes a module worth replacing.
        if risk >= float(knobs["replace-from"]) and structural >= float(knobs["replace-structural"]):
            status = "replace"
        elif risk < float(knobs["keep-below"]) and not serious:
            status = "keep"
        else:
            status = "harden"
        codes = ", ".join(sorted({f.code for f in mine}))
        parts = [f"{len(mine)} finding{'s' if len(mine) != 1 else ''}" + (f" ({codes})" if codes else "")]
        parts.append(f"{density:.1f} severity points per 100 lines")
        if structural:
            parts.append(f"structural damage {structural:g}")
        if fan_in.get(path):
            parts.append(f"imported by {fan_in[path]} module{'s' if fan_in[path] != 1 else ''}")
        if file_churn is not None:
            parts.append(f"churn {file_churn:g}")
        out.append(ModuleVerdict(path, facts.lines, status, len(mine), risk, fan_in.get(path, 0), file_churn, "; ".join(parts)))
    return tuple(out)


def estimate_effort(project: Any, findings: Sequence[Finding], checklist: Checklist, overrides: Mapping[str, float]) -> Effort:
    """Hardening effort from the rules' fix estimates against a rebuild estimate from code size."""
    knobs = {**checklist.effort, **overrides}
    per_day, overhead, hours = knobs["rebuild-lines-per-day"], knobs["rebuild-overhead-days"], knobs["hours-per-day"]
    minutes = sum(f.effort for f in findings)
    lines = sum(f.lines for f in project.files.values())
    assumptions = (
        "hardening: the sum of each finding's fix estimate (the rule's effort figure)",
        f"a working day is {hours:g} focused hours",
        f"a rebuild writes {per_day:g} production lines per engineer-day, plus {overhead:g} days of set-up",
        f"the code to rebuild is the {lines} lines of Python and notebooks scanned",
    )
    return Effort(minutes, minutes / 60.0 / hours, lines / per_day + overhead, lines, assumptions, hours)


def _confidence(coverage: float, margin: float) -> str:
    if coverage >= 0.67 and margin >= 10:
        return "high"
    if (coverage >= 0.34 and margin >= 5) or margin >= 25:
        return "medium"
    return "low"


def decide(
    scores: Scores, findings: Sequence[Finding], rules: RuleSet, checklist: Checklist, project: Any, effort_overrides: Mapping[str, float]
) -> Verdict:
    """Weigh foundation against fragility and the score, and name the modules to keep or replace."""
    foundation = tuple(_foundation(i, scores) for i in checklist.foundation)
    fragility = tuple(_fragility(i, findings, rules) for i in checklist.fragility)
    parts: list[float] = []
    reasons: list[str] = []
    known_f = [i.value for i in foundation if i.value is not None]
    known_g = [i.value for i in fragility if i.value is not None]
    if known_f:
        strength = sum(known_f) / len(known_f)
        parts.append(100 - strength)
        reasons.append(f"foundation {strength:.0f}/100 (boundaries, tests, infrastructure)")
    if known_g:
        level = sum(known_g) / len(known_g)
        parts.append(level)
        reasons.append(f"fragility {level:.0f}/100 (coupling, hard-coding, workarounds)")
    if scores.score is not None:
        parts.append(100 - scores.score)
        reasons.append(f"checklist score {shown(scores.score)}/100")
    pressure = sum(parts) / len(parts) if parts else 50.0
    modules = module_map(project, findings, checklist)
    low, high = checklist.refactor_below, checklist.rebuild_from
    replace = [m for m in modules if m.status == "replace"]
    if pressure >= high:
        decision, margin = REBUILD, pressure - high
    elif pressure < low:
        decision, margin = REFACTOR, low - pressure
    elif replace:
        decision, margin = TARGETED, min(pressure - low, high - pressure)
    else:
        decision, margin = REFACTOR, min(pressure - low, high - pressure)
        reasons.append("no module is bad enough to replace, so hardening in place is the cheaper path")
    coverage = (len(known_f) + len(known_g)) / max(1, len(foundation) + len(fragility))
    unknown = [i.name.lower() for i in foundation + fragility if i.value is None]
    if unknown:
        reasons.append(f"not assessed: {', '.join(unknown)} (their rules are not installed or did not run)")
    effort = estimate_effort(project, findings, checklist, effort_overrides)
    cheaper = "less" if effort.hardening_days <= effort.rebuild_days else "more"
    reasons.append(f"fixing the findings ({duration(effort.hardening_minutes, effort.hours_per_day)}) costs {cheaper} than a rebuild (about {effort.rebuild_days:.0f} days)")
    summary = _summary(decision, modules, sum(known_f) / len(known_f) if known_f else None)
    if not parts:
        summary = "Not enough evidence for a verdict: none of the installed checks applies to this code."
    return Verdict(decision, _confidence(coverage, margin), pressure, tuple(reasons), foundation, fragility, modules, effort, summary)


def duration(minutes: float, hours_per_day: float) -> str:
    """Minutes of work in the unit a person would use."""
    if minutes < 90:
        return f"about {minutes:.0f} minutes"
    hours = minutes / 60.0
    if hours < hours_per_day * 1.5:
        return f"about {hours:.0f} hours"
    return f"about {hours / hours_per_day:.1f} days"


def _summary(decision: str, modules: Sequence[ModuleVerdict], foundation: float | None) -> str:
    """The verdict in one plain sentence."""
    if decision == REFACTOR:
        return "Keep this code and harden it: fixing what is listed below costs less than starting over."
    replace = [m.path for m in modules if m.status == "replace"]
    if decision == TARGETED:
        keep = [m.path for m in modules if m.status != "replace"]
        kept = f" and keep the rest ({', '.join(keep)})" if keep else ""
        return f"Replace {', '.join(replace)}{kept}: those modules are too tangled to fix in place."
    why = "its foundation (boundaries, tests, infrastructure) is too weak to build on" if foundation is not None and foundation < 50 else "it fails most of the launch checks that could be run"
    return f"Start a fresh codebase and carry over what the prototype taught you: {why}."
