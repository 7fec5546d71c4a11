"""Dependency pins read from requirements files, pyproject.toml and lockfiles."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from readiness._toml import tomllib

_REQ = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(==|~=|>=|===)\s*([0-9][0-9A-Za-z.+!-]*)")
LOCKFILES = ("poetry.lock", "uv.lock", "Pipfile.lock", "pdm.lock")


@dataclass(frozen=True, slots=True)
class Pin:
    package: str
    version: str
    exact: bool
    source: str


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def is_dependency_file(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return (
        name in LOCKFILES
        or name == "pyproject.toml"
        or (name.startswith("requirements") and name.endswith((".txt", ".in")))
    )


def _from_requirement(line: str, source: str) -> Pin | None:
    match = _REQ.match(line)
    if not match:
        return None
    name, op, version = match.groups()
    return Pin(normalise(name), version, op in ("==", "==="), source)


def _pyproject(data: dict[str, Any], source: str) -> list[Pin]:
    pins: list[Pin] = []
    for req in data.get("project", {}).get("dependencies", []) or []:
        if isinstance(req, str) and (pin := _from_requirement(req, source)):
            pins.append(pin)
    poetry = data.get("tool", {}).get("poetry", {}).get("dependencies", {}) or {}
    for name, spec in poetry.items():
        text = spec.get("version", "") if isinstance(spec, dict) else str(spec)
        match = re.match(r"^\s*(\^|~|==|>=)?\s*([0-9][0-9A-Za-z.]*)", text)
        if match and name != "python":
            pins.append(Pin(normalise(name), match.group(2), match.group(1) in (None, "=="), source))
    return pins


def _lock_packages(data: dict[str, Any], source: str) -> list[Pin]:
    return [
        Pin(normalise(p["name"]), str(p["version"]), True, source)
        for p in data.get("package", [])
        if isinstance(p, dict) and "name" in p and "version" in p
    ]


def read_pins(path: str, text: str) -> list[Pin]:
    """Pins declared by one dependency file; malformed files give none, never an error."""
    name = path.rsplit("/", 1)[-1]
    try:
        if name.startswith("requirements"):
            return [p for line in text.splitlines() if (p := _from_requirement(line, path))]
        if name == "Pipfile.lock":
            data = json.loads(text)
            return [
                Pin(normalise(pkg), info["version"].lstrip("="), True, path)
                for section in ("default", "develop")
                for pkg, info in (data.get(section) or {}).items()
                if isinstance(info, dict) and str(info.get("version", "")).startswith("==")
            ]
        data = tomllib.loads(text)
        if name == "pyproject.toml":
            return _pyproject(data, path)
        return _lock_packages(data, path)
    except (ValueError, TypeError, AttributeError, KeyError):
        return []


def merge_pins(pins: list[Pin]) -> dict[str, Pin]:
    """One pin per package: exact pins (lockfiles) win over ranges; ties by path for determinism."""
    best: dict[str, Pin] = {}
    for pin in sorted(pins, key=lambda p: (p.package, not p.exact, p.source)):
        best.setdefault(pin.package, pin)
    return best
