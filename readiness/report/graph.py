"""The import graph as Graphviz DOT or JSON (from the project model's plain data)."""
from __future__ import annotations

import json
from typing import Any

ROLE_COLOURS = {"ui": "#f4cccc", "routes": "#fce5cd", "model": "#d9d2e9", "data": "#d0e0e3"}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_json(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, indent=2) + "\n"


def render_dot(data: dict[str, Any]) -> str:
    """Modules as boxes filled by role, imports as arrows, cycle edges in red."""
    in_cycle: set[tuple[str, str]] = set()
    members = [set(c) for c in data.get("cycles", [])]
    for edge in data["edges"]:
        if any(edge["from"] in c and edge["to"] in c for c in members):
            in_cycle.add((edge["from"], edge["to"]))
    lines = ["digraph imports {", "  rankdir=LR;", '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica"];']
    for module in data["modules"]:
        roles = module["roles"]
        label_attr = _quote(module["path"])
        if roles:  # `\n` is DOT's line break inside a label
            label_attr = label_attr[:-1] + f"\\n[{', '.join(roles)}]" + '"'
        colour = next((ROLE_COLOURS[r] for r in ("ui", "routes", "model", "data") if r in roles), "#ffffff")
        style = ', style="rounded,filled,dashed"' if module["test"] else ""
        lines.append(f"  {_quote(module['path'])} [label={label_attr}, fillcolor={_quote(colour)}{style}];")
    for edge in data["edges"]:
        key = (edge["from"], edge["to"])
        attrs = ' [color="#cc0000", penwidth=2]' if key in in_cycle else ""
        lines.append(f"  {_quote(edge['from'])} -> {_quote(edge['to'])}{attrs};")
    lines.append("}")
    return "\n".join(lines) + "\n"


GRAPH_RENDERERS = {"dot": render_dot, "json": render_json}
