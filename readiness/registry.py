"""Finds rule packs through the `readiness.packs` entry-point group and collects their rules."""
from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from importlib.metadata import entry_points
from types import ModuleType

from readiness.errors import RuleLoadError, UnknownRuleError
from readiness.rule import Rule

GROUP = "readiness.packs"


def _pack_modules() -> list[ModuleType]:
    packs = []
    for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        try:
            packs.append(ep.load())
        except Exception as exc:  # noqa: BLE001 - a broken third-party pack is a load error
            raise RuleLoadError(f"rule pack {ep.name!r} ({ep.value}) failed to import: {exc}") from exc
    if not packs:
        # Not installed as a distribution (e.g. run from a source tree on sys.path).
        packs.append(importlib.import_module("readiness.rules"))
    return packs


def _rules_in(pack: ModuleType) -> list[type[Rule]]:
    found: list[type[Rule]] = []
    for info in sorted(pkgutil.iter_modules(pack.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{pack.__name__}.{info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Rule) and value is not Rule and value.__module__ == module.__name__:
                found.append(value)
    return found


@lru_cache(maxsize=1)
def all_rules() -> tuple[type[Rule], ...]:
    """Every rule of every installed pack, sorted by code; duplicate codes are a load error."""
    rules: dict[str, type[Rule]] = {}
    for pack in _pack_modules():
        for rule in _rules_in(pack):
            if rule.code in rules and rules[rule.code] is not rule:
                raise RuleLoadError(f"rule code {rule.code} is declared twice ({rules[rule.code].__module__}, {rule.__module__})")
            rules[rule.code] = rule
    return tuple(rules[code] for code in sorted(rules))


def find_rule(code_or_name: str) -> type[Rule] | None:
    wanted = code_or_name.strip()
    for rule in all_rules():
        if rule.code == wanted.upper() or rule.name == wanted.lower():
            return rule
    return None


def _selected(code: str, patterns: tuple[str, ...]) -> bool:
    return any(code.startswith(p) for p in patterns)


def select_rules(select: tuple[str, ...], ignore: tuple[str, ...]) -> list[type[Rule]]:
    """Rules chosen by `select` (all when empty) minus `ignore`; codes or prefixes. A code or
    prefix that matches no rule is an error (a typo would otherwise turn a check off silently)."""
    rules = all_rules()
    for option, patterns in (("select", select), ("ignore", ignore)):
        unknown = [p for p in patterns if not any(r.code.startswith(p) for r in rules)]
        if unknown:
            names = ", ".join(f"`{p}`" for p in unknown)
            raise UnknownRuleError(f"{option}: no rule matches {names}; `readiness rules` lists the codes")
    chosen = [r for r in rules if not select or _selected(r.code, select)]
    return [r for r in chosen if not _selected(r.code, ignore)]
