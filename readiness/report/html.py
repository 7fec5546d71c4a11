"""HTML: a self-contained one-page founder report (inline CSS and SVG, no external assets, prints on A4)."""
from __future__ import annotations

import math
from typing import Any

from readiness.model import RunResult
from readiness.report.templating import html_env

MAX_FINDINGS = 500
MAX_TILES = 48
GRADE_COLOURS = {"Prototype": "#c0392b", "Hardening": "#d68910", "Launch-ready": "#1e8449"}
STATUS_COLOURS = {"keep": "#1e8449", "harden": "#d68910", "replace": "#c0392b"}


def _colour(score: float | None, card: dict[str, Any]) -> str:
    if score is None:
        return "#aab2bd"
    cut = card["overall"]["cutoffs"]
    if score >= cut["Launch-ready"]:
        return GRADE_COLOURS["Launch-ready"]
    return GRADE_COLOURS["Hardening"] if score >= cut["Hardening"] else GRADE_COLOURS["Prototype"]


def _gauge(score: float | None) -> dict[str, Any]:
    """The end point of the score arc on a half circle of radius 80 centred at (100, 100)."""
    fraction = 0.0 if score is None else max(0.0, min(100.0, score)) / 100.0
    angle = math.pi * (1.0 - fraction)
    return {"x": round(100 + 80 * math.cos(angle), 2), "y": round(100 - 80 * math.sin(angle), 2), "empty": fraction == 0.0}


def _tiles(modules: list[dict[str, Any]]) -> dict[str, Any]:
    shown = sorted(modules, key=lambda m: (-m["risk"], m["path"]))[:MAX_TILES]
    columns = 4
    rows = math.ceil(len(shown) / columns)
    tiles = [
        {**m, "x": (i % columns) * 170, "y": (i // columns) * 44, "colour": STATUS_COLOURS[m["status"]],
         "label": m["path"] if len(m["path"]) <= 24 else "…" + m["path"][-23:]}
        for i, m in enumerate(shown)
    ]
    return {"tiles": tiles, "height": max(rows * 44, 44), "hidden": len(modules) - len(shown)}


def render(result: RunResult, **_: Any) -> str:
    card = result.score.to_json() if result.score is not None else None
    findings = [f.to_json() for f in result.findings]
    context: dict[str, Any] = {
        "result": result, "card": card, "findings": findings[:MAX_FINDINGS],
        "more": max(0, len(findings) - MAX_FINDINGS), "total": len(findings),
        "diagnostics": [d.to_json() for d in result.diagnostics],
    }
    if card is not None:
        context.update(
            gauge=_gauge(card["overall"]["score"]),
            colour=_colour(card["overall"]["score"], card),
            area_colours=[_colour(a["score"], card) for a in card["areas"]],
            module_map=_tiles(card["verdict"]["modules"]),
            status_colours=STATUS_COLOURS,
        )
    return html_env().get_template("report.html.j2").render(**context)
