"""The launch checklist as data (`rules/checklist.toml`): areas, controls, risk profiles, verdict knobs."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from readiness.errors import RuleLoadError

from readiness._toml import tomllib

RISKS = ("low", "medium", "high")
GRADES = ("Prototype", "Hardening", "Launch-ready")
KINDS = ("call-sites", "findings")
NEEDS = ("", "call-sites", "web-surface")
SITES = ("all", "generation")


@dataclass(frozen=True, slots=True)
class Control:
    id: str
    name: str
    plain: str
    kind: str
    rules: tuple[str, ...]
    penalty: dict[str, float]
    cap: dict[str, float]
    needs: str
    sites: str
    phrase: str
    weight: dict[str, float]


@dataclass(frozen=True, slots=True)
class Area:
    id: str
    name: str
    plain: str
    weight: dict[str, float]
    controls: tuple[Control, ...]


@dataclass(frozen=True, slots=True)
class RiskProfile:
    id: str
    label: str
    hardening: float
    launch_ready: float


@dataclass(frozen=True, slots=True)
class Indicator:
    id: str
    name: str
    plain: str
    controls: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    points: float = 0.0


@dataclass(frozen=True, slots=True)
class Checklist:
    areas: tuple[Area, ...]
    risks: dict[str, RiskProfile]
    default_risk: str
    refactor_below: float
    rebuild_from: float
    foundation: tuple[Indicator, ...]
    fragility: tuple[Indicator, ...]
    modules: dict[str, Any]
    effort: dict[str, float]

    def controls(self) -> list[Control]:
        return [c for a in self.areas for c in a.controls]

    def rule_ids(self) -> set[str]:
        return {r for c in self.controls() for r in c.rules}


def _need(table: dict[str, Any], key: str, where: str) -> Any:
    if key not in table:
        raise RuleLoadError(f"checklist: {where} lacks `{key}`")
    return table[key]


def _per_rule(value: Any, rules: tuple[str, ...], default: float, where: str) -> dict[str, float]:
    if isinstance(value, dict):
        unknown = set(value) - set(rules)
        if unknown:
            raise RuleLoadError(f"checklist: {where} names rules it is not fed by: {sorted(unknown)}")
        return {r: float(value.get(r, default)) for r in rules}
    return {r: float(value if value is not None else default) for r in rules}


def _weights(value: Any, where: str) -> dict[str, float]:
    if isinstance(value, (int, float)):
        return {risk: float(value) for risk in RISKS}
    if not isinstance(value, dict) or set(value) != set(RISKS):
        raise RuleLoadError(f"checklist: {where} weight needs low, medium and high")
    return {risk: float(value[risk]) for risk in RISKS}


def _control(raw: dict[str, Any], area: str) -> Control:
    cid = _need(raw, "id", f"a control of {area}")
    where = f"control {cid}"
    if not cid.startswith(area + "."):
        raise RuleLoadError(f"checklist: {where} must start with its area id `{area}.`")
    kind = _need(raw, "kind", where)
    rules = tuple(_need(raw, "rules", where))
    if kind not in KINDS or raw.get("needs", "") not in NEEDS or raw.get("sites", "all") not in SITES:
        raise RuleLoadError(f"checklist: {where} has a bad kind, needs or sites")
    return Control(
        id=cid,
        name=_need(raw, "name", where),
        plain=_need(raw, "plain", where),
        kind=kind,
        rules=rules,
        penalty=_per_rule(raw.get("penalty"), rules, 100.0, where),
        cap=_per_rule(raw.get("cap"), rules, 100.0, where),
        needs=raw.get("needs", ""),
        sites=raw.get("sites", "all"),
        phrase=raw.get("phrase", "pass"),
        weight=_weights(raw.get("weight", 1.0), where),
    )


def parse_checklist(data: dict[str, Any]) -> Checklist:
    """Validate the checklist document; a malformed one is a load error naming the entry."""
    areas = []
    for raw in _need(data, "areas", "the checklist"):
        aid = _need(raw, "id", "an area")
        controls = tuple(_control(c, aid) for c in _need(raw, "controls", f"area {aid}"))
        areas.append(Area(aid, _need(raw, "name", aid), raw.get("plain", ""), _weights(_need(raw, "weight", aid), aid), controls))
    risks = {}
    for risk in RISKS:
        raw = _need(_need(data, "risk", "the checklist"), risk, "[risk]")
        risks[risk] = RiskProfile(risk, raw.get("label", risk), float(raw["hardening"]), float(raw["launch-ready"]))
        if not 0 < risks[risk].hardening < risks[risk].launch_ready <= 100:
            raise RuleLoadError(f"checklist: risk {risk} needs 0 < hardening < launch-ready <= 100")
    ids = [c.id for a in areas for c in a.controls]
    if len(ids) != len(set(ids)):
        raise RuleLoadError("checklist: control ids must be unique")
    verdict = _need(data, "verdict", "the checklist")
    foundation = tuple(
        Indicator(i["id"], i["name"], i.get("plain", ""), controls=tuple(i["controls"])) for i in verdict["foundation"]
    )
    for indicator in foundation:
        missing = set(indicator.controls) - set(ids)
        if missing:
            raise RuleLoadError(f"checklist: foundation {indicator.id} names unknown controls {sorted(missing)}")
    fragility = tuple(
        Indicator(i["id"], i["name"], i.get("plain", ""), rules=tuple(i["rules"]), points=float(i["points"])) for i in verdict["fragility"]
    )
    return Checklist(
        areas=tuple(areas),
        risks=risks,
        default_risk=data.get("default-risk", "medium"),
        refactor_below=float(verdict["refactor-below"]),
        rebuild_from=float(verdict["rebuild-from"]),
        foundation=foundation,
        fragility=fragility,
        modules=dict(_need(data, "modules", "the checklist")),
        effort={k: float(v) for k, v in _need(data, "effort", "the checklist").items()},
    )


@lru_cache(maxsize=1)
def load_checklist() -> Checklist:
    """The checklist shipped with the core rule pack."""
    text = resources.files("readiness.rules").joinpath("checklist.toml").read_text("utf-8")
    try:
        return parse_checklist(tomllib.loads(text))
    except (KeyError, TypeError, ValueError) as exc:
        raise RuleLoadError(f"checklist: malformed entry: {exc}") from exc
