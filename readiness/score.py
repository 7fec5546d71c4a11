"""Score the findings against the launch checklist: controls 0..100 or n/a, areas, overall, grade.

Every point lost is a `Loss` that names the findings (or the missing evidence) that cost it.
"""
from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from readiness.checklist import Area, Checklist, Control
from readiness.facts.callsites import CallSite
from readiness.model import Finding


def shown(value: float) -> str:
    """A score as people read it: rounded down, so 54.5 never looks like it met a cut-off of 55."""
    return str(math.floor(value + 1e-9))


def finding_ref(finding: Finding) -> dict[str, Any]:
    """How the scorecard points at a finding (the full finding is in the findings list)."""
    return {"code": finding.code, "location": finding.location.to_json()}


@dataclass(frozen=True, slots=True)
class Loss:
    points: float
    reason: str
    findings: tuple[Finding, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"points": round(self.points, 1), "reason": self.reason, "findings": [finding_ref(f) for f in self.findings]}


@dataclass(frozen=True, slots=True)
class ControlScore:
    id: str
    name: str
    plain: str
    kind: str
    score: float | None
    weight: float
    evidence: str
    rules: tuple[str, ...]
    losses: tuple[Loss, ...] = ()

    @property
    def na_reason(self) -> str:
        return self.evidence if self.score is None else ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "score": None if self.score is None else round(self.score, 1),
            "weight": self.weight,
            "evidence": self.evidence,
            "rules": list(self.rules),
            "lost": [loss.to_json() for loss in self.losses],
        }


@dataclass(frozen=True, slots=True)
class AreaScore:
    id: str
    name: str
    plain: str
    weight: float
    score: float | None
    controls: tuple[ControlScore, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "score": None if self.score is None else round(self.score, 1),
            "weight": self.weight,
            "controls": [c.to_json() for c in self.controls],
        }


@dataclass(frozen=True, slots=True)
class Scores:
    risk: str
    score: float | None
    grade: str
    grade_reason: str
    hardening: float
    launch_ready: float
    areas: tuple[AreaScore, ...]
    unscored: tuple[Finding, ...]

    def control(self, control_id: str) -> ControlScore | None:
        for area in self.areas:
            for control in area.controls:
                if control.id == control_id:
                    return control
        return None


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Which rules exist and ran, and the control each declares (so new rules map by data)."""

    installed: frozenset[str]
    ran: frozenset[str]
    declared: dict[str, str]  # rule code -> its `control` attribute

    def feeding(self, control: Control) -> tuple[str, ...]:
        extra = sorted(code for code, cid in self.declared.items() if cid == control.id and code not in control.rules)
        return tuple(control.rules) + tuple(extra)


def reach(site: CallSite) -> float:
    """How many places reach a call: a gateway's callers, when the project model knows them."""
    for holder in (site, getattr(site, "gateway", None)):
        for attr in ("reach", "callers"):
            value = getattr(holder, attr, None)
            if isinstance(value, bool) or value is None:
                continue
            if isinstance(value, (int, float)):
                return max(1.0, float(value))
            if isinstance(value, (tuple, list, set, frozenset)):
                return max(1.0, float(len(value)))
    return 1.0


def _site_key(site: CallSite) -> tuple[int, int]:
    return (site.location.cell or 0, site.location.line)


class _SiteIndex:
    """Call sites by file, sorted by position, to attribute findings without a quadratic scan."""

    def __init__(self, sites: Sequence[CallSite]) -> None:
        self.count = len(sites)
        self.by_path: dict[str, list[tuple[tuple[int, int], int]]] = {}
        for i, s in enumerate(sites):
            self.by_path.setdefault(s.location.path, []).append((_site_key(s), i))
        for entries in self.by_path.values():
            entries.sort()

    def attribute(self, finding: Finding) -> list[int] | None:
        """Which call sites a finding counts against; None when it sits outside every one."""
        loc = finding.location
        if not loc.path:
            return list(range(self.count))
        entries = self.by_path.get(loc.path)
        if not entries:
            return None
        if loc.line == 0:
            return [i for _, i in entries]
        key = (loc.cell or 0, loc.line)
        at = bisect.bisect_right(entries, (key, self.count))
        exact = []
        j = at - 1
        while j >= 0 and entries[j][0] == key:
            exact.append(entries[j][1])
            j -= 1
        if exact:
            return sorted(exact)
        return [entries[at - 1][1]] if at else [entries[0][1]]


def _site_name(site: CallSite) -> str:
    return f"{site.api} ({site.label}) at {site.location.display()}"


def _call_sites_control(control: Control, findings: list[Finding], sites: Sequence[CallSite], weight: float, fed: tuple[str, ...]) -> ControlScore:
    chosen = [s for s in sites if control.sites == "all" or not s.embedding]
    if not chosen:
        what = "generation calls" if control.sites == "generation" else "model calls"
        return ControlScore(control.id, control.name, control.plain, control.kind, None, weight, f"n/a: no {what} found", fed)
    failing: dict[int, list[Finding]] = {}
    loose: list[Finding] = []
    index = _SiteIndex(chosen)
    for finding in findings:
        targets = index.attribute(finding)
        if targets is None:
            loose.append(finding)
        for i in targets or ():
            failing.setdefault(i, []).append(finding)
    weights = [reach(s) for s in chosen]
    total = sum(weights) + len(loose)
    losses = [
        Loss(100.0 * weights[i] / total, f"{_site_name(chosen[i])}" + (f", reached from {weights[i]:g} places" if weights[i] > 1 else ""), tuple(failing[i]))
        for i in sorted(failing, key=lambda i: (chosen[i].location.path, *_site_key(chosen[i])))
    ]
    losses += [Loss(100.0 / total, f"{f.location.display()}: outside any model call", (f,)) for f in loose]
    score = 100.0 * sum(w for i, w in enumerate(weights) if i not in failing) / total
    passed = len(chosen) - len(failing)
    noun = "generation call" if control.sites == "generation" else "model call"
    evidence = f"{passed} of {len(chosen)} {noun}s {control.phrase}"
    if any(w != 1.0 for w in weights):
        evidence += " (weighted by how many places reach each call)"
    if loose:
        evidence += f"; {len(loose)} more finding{'s' if len(loose) != 1 else ''} outside any call"
    return ControlScore(control.id, control.name, control.plain, control.kind, score, weight, evidence, fed, tuple(losses))


def _findings_control(control: Control, findings: list[Finding], weight: float, fed: tuple[str, ...]) -> ControlScore:
    remaining = 100.0
    losses: list[Loss] = []
    for code in fed:
        mine = [f for f in findings if f.code == code]
        if not mine or remaining <= 0:
            continue
        penalty = control.penalty.get(code, 100.0)
        cost = min(penalty * len(mine), control.cap.get(code, 100.0), remaining)
        remaining -= cost
        each = f"{penalty:g} points each" if len(mine) > 1 else f"{penalty:g} points"
        losses.append(Loss(cost, f"{len(mine)} × {code} {mine[0].name} ({each})", tuple(mine)))
    evidence = "no finding" if not findings else f"{len(findings)} finding{'s' if len(findings) != 1 else ''}"
    return ControlScore(control.id, control.name, control.plain, control.kind, remaining, weight, evidence, fed, tuple(losses))


def score_control(
    control: Control, findings: Sequence[Finding], sites: Sequence[CallSite], rules: RuleSet, risk: str, web: bool = True,
) -> ControlScore:
    """One control: 0..100 with its losses, or n/a with the reason."""
    weight = control.weight[risk]
    fed = rules.feeding(control)
    ran = tuple(code for code in fed if code in rules.ran)
    if not ran:
        if not fed:
            reason = "n/a: no rule checks this yet"
        elif any(code in rules.installed for code in fed):
            reason = f"n/a: its rules were not selected ({', '.join(fed)})"
        else:
            reason = f"n/a: no rule installed ({', '.join(fed)})"
        return ControlScore(control.id, control.name, control.plain, control.kind, None, weight, reason, fed)
    mine = [f for f in findings if f.code in ran]
    if control.kind == "call-sites":
        return _call_sites_control(control, mine, sites, weight, ran)
    if control.needs == "call-sites" and not sites:
        return ControlScore(control.id, control.name, control.plain, control.kind, None, weight, "n/a: no model calls found", ran)
    if control.needs == "web-surface" and not (web and sites):
        return ControlScore(control.id, control.name, control.plain, control.kind, None, weight, "n/a: no model-backed web routes", ran)
    return _findings_control(control, mine, weight, ran)


def _mean(pairs: Sequence[tuple[float | None, float]]) -> float | None:
    scored = [(s, w) for s, w in pairs if s is not None and w > 0]
    total = sum(w for _, w in scored)
    return sum(s * w for s, w in scored) / total if total else None


def _area(area: Area, findings: Sequence[Finding], sites: Sequence[CallSite], rules: RuleSet, risk: str, web: bool = True) -> AreaScore:
    controls = tuple(score_control(c, findings, sites, rules, risk, web) for c in area.controls)
    return AreaScore(area.id, area.name, area.plain, area.weight[risk], _mean([(c.score, c.weight) for c in controls]), controls)


def grade(score: float | None, areas: Sequence[AreaScore], hardening: float, launch_ready: float) -> tuple[str, str]:
    """The grade band, capped by the weakest area, and why."""
    if score is None:
        return "Prototype", "nothing could be scored: no installed rule applies to this repo"
    if score < hardening:
        return "Prototype", f"the score is below the Hardening cut-off of {hardening:g}"
    if score < launch_ready:
        return "Hardening", f"the score is below the Launch-ready cut-off of {launch_ready:g}"
    weak = [a for a in areas if a.score is not None and a.score < hardening]
    if weak:
        names = ", ".join(f"{a.name} ({shown(a.score or 0.0)})" for a in weak)
        return "Hardening", f"capped by the weakest area: every area must reach {hardening:g}, and {names} does not"
    return "Launch-ready", f"the score and every area clear the cut-offs ({launch_ready:g} overall, {hardening:g} per area)"


def score_checklist(
    checklist: Checklist, findings: Sequence[Finding], sites: Sequence[CallSite], rules: RuleSet, risk: str, web: bool = True,
) -> Scores:
    """Score every area of the checklist at the given risk profile (`web`: the repo serves web routes)."""
    areas = tuple(_area(a, findings, sites, rules, risk, web) for a in checklist.areas)
    overall = _mean([(a.score, a.weight) for a in areas])
    profile = checklist.risks[risk]
    band, reason = grade(overall, areas, profile.hardening, profile.launch_ready)
    fed = {code for a in areas for c in a.controls for code in c.rules}
    unscored = tuple(f for f in findings if f.code not in fed)
    return Scores(risk, overall, band, reason, profile.hardening, profile.launch_ready, areas, unscored)
