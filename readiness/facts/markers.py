"""Per-file facts for the project model: imports with their lines, and repo-hygiene markers.

One `Collector` in the shared traversal records what the project-level rules need and cannot
get from the core visitor: every imported module with its line and context (module level,
inside a function, under `TYPE_CHECKING`), `sys.path` edits, absolute paths of a developer's
machine, workaround comments, environment variables read, and reads of token usage.
"""
from __future__ import annotations

from typing import Any

import libcst as cst

from readiness.facts.collector import Collector, dotted, string_literal
from readiness.facts.textmarks import ENV_GETTERS, ENV_NAME, MARKER, SYS_PATH_CALLS, USAGE_ATTRS, local_path_in


class MarkersCollector(Collector):
    """Imports with lines, `sys.path` edits, local paths, TODO/HACK comments, env reads, usage reads."""

    def __init__(self, core: Any) -> None:
        super().__init__(core)
        self.import_refs: list[tuple[str, str, int, str]] = []
        self.sys_path_edits: list[int] = []
        self.local_paths: list[tuple[int, str]] = []
        self.workaround_markers: list[tuple[int, str]] = []
        self.env_reads: list[tuple[str, int]] = []
        self.usage_reads = 0
        self.module_settings: set[str] = set()
        self.typing_depth = 0
        self.skip_strings: set[int] = set()
        self.write_targets: set[int] = set()

    def _context(self) -> str:
        if self.typing_depth:
            return "typing"
        return "local" if "func" in self.core.kinds else "module"

    def _line(self, node: cst.CSTNode) -> int:
        return int(self.core.line_of(node)[0])

    # -- imports ---------------------------------------------------------------
    def visit_If(self, node: cst.If) -> None:
        test = dotted(node.test) or ""
        if test.rsplit(".", 1)[-1] == "TYPE_CHECKING":
            self.typing_depth += 1

    def leave_If(self, original_node: cst.If) -> None:
        test = dotted(original_node.test) or ""
        if test.rsplit(".", 1)[-1] == "TYPE_CHECKING":
            self.typing_depth -= 1

    def visit_Import(self, node: cst.Import) -> None:
        line, context = self._line(node), self._context()
        for alias in node.names:
            name = dotted(alias.name)
            if name:
                self.import_refs.append((name, "", line, context))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = dotted(node.module) if node.module is not None else None
        level = len(node.relative)
        base = self.core._resolve_relative(level, module) if level else (module or "")
        if not base:
            return
        line, context = self._line(node), self._context()
        if isinstance(node.names, cst.ImportStar):
            self.import_refs.append((base, "*", line, context))
            return
        for alias in node.names:
            name = dotted(alias.name)
            if name:
                self.import_refs.append((base, name, line, context))

    # -- sys.path and environment --------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        name = dotted(node.func)
        if name is None:
            return
        qualified = self.core.qualify(name)
        if qualified in SYS_PATH_CALLS:
            self.sys_path_edits.append(self._line(node))
        elif qualified in ENV_GETTERS and node.args:
            self._env(node.args[0].value, node)

    def _env(self, key: cst.BaseExpression, node: cst.CSTNode) -> None:
        if isinstance(key, cst.SimpleString):
            value = key.evaluated_value
            if isinstance(value, str) and ENV_NAME.match(value):
                self.env_reads.append((value, self._line(node)))

    def visit_Subscript(self, node: cst.Subscript) -> None:
        base = dotted(node.value)
        if base is not None and self.core.qualify(base) == "os.environ" and id(node) not in self.write_targets:
            if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
                self._env(node.slice[0].slice.value, node)
        if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            key = node.slice[0].slice.value
            if isinstance(key, cst.SimpleString) and key.value.strip("'\"") in ("usage", "token_usage", "usage_metadata"):
                self.usage_reads += 1

    def _targets(self, targets: list[cst.BaseExpression], node: cst.CSTNode) -> None:
        for target in targets:
            name = dotted(target.value) if isinstance(target, cst.Subscript) else dotted(target)
            if name is not None and self.core.qualify(name) == "sys.path":
                self.sys_path_edits.append(self._line(node))
            elif name is not None and not isinstance(target, cst.Subscript) and "." in name and name.split(".")[0] in self.core.imports:
                # `litellm.success_callback = [...]`: a setting of an imported module.
                self.module_settings.add(self.core.qualify(name))
            if isinstance(target, cst.Subscript):
                self.write_targets.add(id(target))

    def visit_Assign(self, node: cst.Assign) -> None:
        self._targets([t.target for t in node.targets], node)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._targets([node.target], node)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value in USAGE_ATTRS:
            self.usage_reads += 1

    # -- strings and comments -------------------------------------------------
    def visit_Expr(self, node: cst.Expr) -> None:
        if isinstance(node.value, (cst.SimpleString, cst.ConcatenatedString)):
            self.skip_strings.add(id(node.value))  # docstrings and bare strings are prose

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if id(node) in self.skip_strings:
            return
        value = string_literal(node)  # FAILED for odd escapes: not a path we can read
        if isinstance(value, str) and (path := local_path_in(value)):
            self.local_paths.append((self._line(node), path))

    def visit_FormattedStringText(self, node: cst.FormattedStringText) -> None:
        if path := local_path_in(node.value):
            self.local_paths.append((self._line(node), path))

    def visit_Comment(self, node: cst.Comment) -> None:
        match = MARKER.search(node.value)
        if match:
            self.workaround_markers.append((self._line(node), match.group(1)))

    def contribute(self) -> dict[str, Any]:
        return {
            "import_refs": tuple(self.import_refs),
            "sys_path_edits": tuple(sorted(set(self.sys_path_edits))),
            "local_paths": tuple(self.local_paths),
            "workaround_markers": tuple(self.workaround_markers),
            "env_reads": tuple(self.env_reads),
            "usage_reads": self.usage_reads,
            "module_settings": tuple(sorted(self.module_settings)),
        }
