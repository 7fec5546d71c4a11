"""One libcst pass over a parsed file -> `FileFacts`.

Names are resolved with the file's own import-alias map, not libcst's QualifiedNameProvider,
which costs several times the parse; cross-file resolution happens in the project stage.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from readiness.catalog import Catalog
from readiness.facts.model import (
    DYNAMIC, MODULE_SCOPE, RETURN, Binding, CallFact, FileFacts, FunctionFact, Suppression,
)
from readiness.parse import ParsedModule

LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "msg", "success", "trace"})
SPAN_CALLS = frozenset({"start_as_current_span", "start_span", "start_as_current_observation", "span", "trace", "observe", "start_trace", "trace_as_chain_group"})
SLEEP_CALLS = frozenset({"sleep"})
_SUPPRESS = re.compile(r"#\s*readiness:\s*(ignore|file-ignore)\[([A-Za-z0-9_,\s]+)\]")


def dotted(node: cst.BaseExpression) -> str | None:
    """`a.b.c` for a Name/Attribute chain, else None."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def literal(node: cst.BaseExpression) -> Any:
    """The value of a literal expression, or `DYNAMIC`."""
    if isinstance(node, cst.Integer):
        return int(node.evaluated_value)
    if isinstance(node, cst.Float):
        return float(node.evaluated_value)
    if isinstance(node, cst.SimpleString):
        try:
            value = node.evaluated_value
        except Exception:  # noqa: BLE001 - odd escapes: treat as dynamic
            return DYNAMIC
        return value if isinstance(value, str) else DYNAMIC
    if isinstance(node, cst.ConcatenatedString):
        try:
            value = node.evaluated_value
        except Exception:  # noqa: BLE001
            return DYNAMIC
        return value if isinstance(value, str) else DYNAMIC
    if isinstance(node, cst.Name) and node.value in ("None", "True", "False"):
        return {"None": None, "True": True, "False": False}[node.value]
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        inner = literal(node.expression)
        return -inner if isinstance(inner, (int, float)) and not isinstance(inner, bool) else DYNAMIC
    if isinstance(node, cst.Call):
        name = dotted(node.func) or ""
        if name.rsplit(".", 1)[-1] == "Timeout":
            # httpx.Timeout(30.0, connect=5.0) or Timeout(timeout=30): the overall limit
            for arg in node.args:
                if arg.keyword is None or arg.keyword.value in ("timeout", "read"):
                    return literal(arg.value)
    return DYNAMIC


def keyword_args(call: cst.Call) -> tuple[dict[str, Any], int]:
    kwargs: dict[str, Any] = {}
    positional = 0
    for arg in call.args:
        if arg.star == "**":
            kwargs["**"] = DYNAMIC
        elif arg.keyword is not None:
            kwargs[arg.keyword.value] = literal(arg.value)
        elif arg.star != "*":
            positional += 1
    return kwargs, positional


@dataclass
class _Function:
    qualname: str
    line: int
    end_line: int
    is_async: bool
    decorators: tuple[str, ...]
    logs: bool = False
    traced: bool = False
    calls: set[str] = field(default_factory=set)


@dataclass
class _Loop:
    sleeps: bool = False
    retry_candidates: list[int] = field(default_factory=list)


class FactsVisitor(cst.BatchableCSTVisitor):
    """The core collector: imports, scopes, bindings, candidate model calls, function evidence.

    It runs first in the one batched traversal, so other collectors can read its import map
    (`qualify`), current scope and loop state while they visit the same node.
    """

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, module_name: str, is_package: bool, catalog: Catalog) -> None:
        super().__init__()
        self.module_name = module_name
        self.is_package = is_package
        self.tails = catalog.method_tails
        self.packages = catalog.packages
        self.imports: dict[str, str] = {}
        self.bindings: list[Binding] = []
        self.calls: list[dict[str, Any]] = []
        self.functions: list[_Function] = [_Function(MODULE_SCOPE, 1, 1, False, ())]
        self.done_functions: list[_Function] = []
        self.names: list[str] = []  # class/function name stack for qualnames
        self.kinds: list[str] = []  # "class" | "func" | "loop" | "try" stack
        self.loops: list[_Loop] = []
        self.awaited: set[int] = set()
        self.text = ""  # the file's source text, for collectors that read exact code spans

    # -- names ---------------------------------------------------------------
    def qualify(self, name: str) -> str:
        head, _, rest = name.partition(".")
        if head in self.imports:
            full = self.imports[head]
            return f"{full}.{rest}" if rest else full
        return name

    def _resolve_relative(self, level: int, module: str | None) -> str:
        parts = self.module_name.split(".") if self.module_name else []
        keep = len(parts) - level + (1 if self.is_package else 0)
        base = parts[: max(keep, 0)]
        if module:
            base.append(module)
        return ".".join(base)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            name = dotted(alias.name) or ""
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.imports[alias.asname.name.value] = name
            else:
                head = name.split(".")[0]
                self.imports[head] = head

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = dotted(node.module) if node.module is not None else None
        level = len(node.relative)
        base = self._resolve_relative(level, module) if level else (module or "")
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            name = dotted(alias.name) or ""
            local = alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) else name
            self.imports[local] = f"{base}.{name}" if base else name

    # -- scopes --------------------------------------------------------------
    @property
    def scope(self) -> str:
        return self.functions[-1].qualname

    def line_of(self, node: cst.CSTNode) -> tuple[int, int, int]:
        """(start line, start column, end line) of a node."""
        return self._line(node)

    def _line(self, node: cst.CSTNode) -> tuple[int, int, int]:
        pos = self.get_metadata(PositionProvider, node)
        return pos.start.line, pos.start.column, pos.end.line

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.names.append(node.name.value)
        self.kinds.append("class")

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.names.pop()
        self.kinds.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.names.append(node.name.value)
        self.kinds.append("func")
        line, _, end = self._line(node)
        decorators = []
        for dec in node.decorators:
            expr = dec.decorator.func if isinstance(dec.decorator, cst.Call) else dec.decorator
            name = dotted(expr)
            if name:
                decorators.append(self.qualify(name))
        self.functions.append(_Function(".".join(self.names), line, end, node.asynchronous is not None, tuple(decorators)))

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.done_functions.append(self.functions.pop())
        self.names.pop()
        self.kinds.pop()

    def _loop_enter(self) -> None:
        self.kinds.append("loop")
        self.loops.append(_Loop())

    def _loop_leave(self) -> None:
        self.kinds.pop()
        loop = self.loops.pop()
        if loop.sleeps:
            for index in loop.retry_candidates:
                self.calls[index]["retry_loop"] = True
        if self.loops and loop.sleeps:
            self.loops[-1].sleeps = True

    def visit_For(self, node: cst.For) -> None:
        self._loop_enter()

    def leave_For(self, original_node: cst.For) -> None:
        self._loop_leave()

    def visit_While(self, node: cst.While) -> None:
        self._loop_enter()

    def leave_While(self, original_node: cst.While) -> None:
        self._loop_leave()

    def visit_Try(self, node: cst.Try) -> None:
        self.kinds.append("try")

    def leave_Try(self, original_node: cst.Try) -> None:
        self.kinds.pop()

    def _loop_state(self) -> tuple[bool, bool]:
        """(inside a loop of this function, inside a try that sits inside that loop)."""
        in_try = False
        for kind in reversed(self.kinds):
            if kind == "func" or kind == "class":
                return False, False
            if kind == "try":
                in_try = True
            if kind == "loop":
                return True, in_try
        return False, False

    # -- bindings ------------------------------------------------------------
    def _bind(self, target: cst.BaseExpression, value: cst.BaseExpression, line: int) -> None:
        name = dotted(target)
        if name is None:
            return
        scope = self.scope
        if name.startswith("self.") and len(self.kinds) >= 2 and self.kinds[-1] == "func" and self.kinds[-2] == "class":
            scope = ".".join(self.names[:-1])
        elif "." in name:
            return
        self._bind_value(scope, name, value, line)

    def _bind_value(self, scope: str, name: str, value: cst.BaseExpression, line: int) -> None:
        if isinstance(value, cst.Await):
            value = value.expression
        if isinstance(value, cst.Call):
            callee = dotted(value.func)
            if callee is None:
                return
            args, _ = keyword_args(value)
            if callee.endswith(".with_options"):
                self.bindings.append(Binding(scope, name, "with_options", self.qualify(callee[: -len(".with_options")]), args, line))
            else:
                self.bindings.append(Binding(scope, name, "call", self.qualify(callee), args, line))
        else:
            ref = dotted(value)
            if ref is not None:
                self.bindings.append(Binding(scope, name, "alias", self.qualify(ref), {}, line))

    def visit_Assign(self, node: cst.Assign) -> None:
        line = self._line(node)[0]
        for target in node.targets:
            self._bind(target.target, node.value, line)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind(node.target, node.value, self._line(node)[0])

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is not None and self.scope != MODULE_SCOPE:
            self._bind_value(self.scope, RETURN, node.value, self._line(node)[0])

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind(node.asname.name, node.item, self._line(node)[0])
        if isinstance(node.item, cst.Call):
            name = dotted(node.item.func) or ""
            if name.rsplit(".", 1)[-1] in SPAN_CALLS:
                self.functions[-1].traced = True

    # -- calls ---------------------------------------------------------------
    def visit_Await(self, node: cst.Await) -> None:
        self.awaited.add(id(node.expression))

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        options: dict[str, Any] = {}
        ctor = ""
        ctor_args: dict[str, Any] = {}
        name = dotted(func)
        if name is None and isinstance(func, cst.Attribute):
            name, options, ctor, ctor_args = self._chained(func)
        if not name:
            return
        qualified = self.qualify(name)
        last = qualified.rsplit(".", 1)[-1]
        head = qualified.split(".")[0]
        fn = self.functions[-1]
        fn.calls.add(qualified)
        if last in LOG_METHODS and ("log" in name.split(".")[0].lower() or head in ("logging", "structlog", "loguru")):
            fn.logs = True
        if last in SLEEP_CALLS and self.loops:
            self.loops[-1].sleeps = True
        if last not in self.tails and head not in self.packages and not ctor:
            return
        line, col, _ = self._line(node)
        kwargs, positional = keyword_args(node)
        in_loop, retry_candidate = self._loop_state()
        if retry_candidate:
            self.loops[-1].retry_candidates.append(len(self.calls))
        self.calls.append(
            dict(
                line=line, col=col, scope=fn.qualname, target=qualified, args=kwargs, positional=positional,
                ctor=ctor, ctor_args=ctor_args, options=options, awaited=id(node) in self.awaited,
                in_loop=in_loop, retry_loop=False,
            )
        )

    def _chained(self, func: cst.Attribute) -> tuple[str, dict[str, Any], str, dict[str, Any]]:
        """Unwrap `X(...).a.b` and `x.with_options(...).a.b` receivers into a dotted name."""
        attrs: list[str] = []
        node: cst.BaseExpression = func
        while isinstance(node, cst.Attribute):
            attrs.append(node.attr.value)
            node = node.value
        if not isinstance(node, cst.Call):
            return "", {}, "", {}
        inner = dotted(node.func)
        if inner is None:
            return "", {}, "", {}
        chain = ".".join(reversed(attrs))
        args, _ = keyword_args(node)
        if inner.endswith(".with_options"):
            return f"{inner[: -len('.with_options')]}.{chain}", args, "", {}
        return f"<ctor>.{chain}", {}, self.qualify(inner), args

    def finish(
        self, path: str, kind: str, text: str, cell_lines: tuple[tuple[int, int], ...], extra: dict[str, Any]
    ) -> FileFacts:
        functions = self.done_functions + self.functions
        for call in self.calls:
            if call["target"].startswith("<ctor>."):
                call["target"] = call["target"][len("<ctor>."):]
        suppressions, file_ignores = read_suppressions(text, cell_lines)
        return FileFacts(
            path=path,
            module=self.module_name,
            kind=kind,
            imports=dict(sorted(self.imports.items())),
            bindings=tuple(self.bindings),
            calls=tuple(CallFact(**c) for c in self.calls),
            functions=tuple(
                FunctionFact(f.qualname, f.line, f.end_line, f.is_async, f.decorators, f.logs, f.traced, tuple(sorted(f.calls)))
                for f in sorted(functions, key=lambda f: (f.line, f.qualname))
            ),
            suppressions=suppressions,
            file_ignores=file_ignores,
            lines=text.count("\n") + 1,
            cell_lines=cell_lines,
            **extra,
        )


class Collector(cst.BatchableCSTVisitor):
    """A fact collector that shares the file's single traversal with the core visitor.

    Subclasses write `visit_<Node>` methods, read names and scopes from `self.core`, and return
    the `FileFacts` fields they fill from `contribute()`. Register them in `COLLECTORS`.
    """

    METADATA_DEPENDENCIES = (PositionProvider,)
    #: The cheap pre-screen: a collector runs only on files whose text contains at least one of
    #: these strings (say the import names it looks for); None runs it on every file. A file it
    #: skips gets its `FileFacts` fields' defaults, so declare only triggers that guarantee that.
    TRIGGERS: tuple[str, ...] | None = None

    def __init__(self, core: FactsVisitor) -> None:
        super().__init__()
        self.core = core

    def contribute(self) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def wanted(cls, text: str) -> bool:
        return cls.TRIGGERS is None or any(trigger in text for trigger in cls.TRIGGERS)


#: Collectors run after the core visitor on every node, in this order.
COLLECTORS: tuple[type[Collector], ...] = ()


def _register_builtin_collectors() -> None:
    global COLLECTORS
    from readiness.facts.anchors import StatementAnchors

    COLLECTORS = (*COLLECTORS, StatementAnchors)


_register_builtin_collectors()


def read_suppressions(text: str, cell_lines: tuple[tuple[int, int], ...]) -> tuple[tuple[Suppression, ...], tuple[str, ...]]:
    """Inline `# readiness: ignore[CODE]` directives, by (cell, line), and file-wide ones."""
    found: list[Suppression] = []
    file_wide: list[str] = []
    if "readiness:" not in text:
        return (), ()
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _SUPPRESS.finditer(line):
            codes = tuple(c.strip().upper() for c in match.group(2).split(",") if c.strip())
            if match.group(1) == "file-ignore":
                file_wide.extend(codes)
                continue
            cell, cell_line = cell_lines[number - 1] if number <= len(cell_lines) else (0, number)
            found.append(Suppression(cell, cell_line, codes))
    return tuple(found), tuple(sorted(set(file_wide)))


def module_name(path: str) -> tuple[str, bool]:
    """Dotted module name of a repo-relative path (a `src/` prefix is dropped) and is-package."""
    stem = path.rsplit(".", 1)[0]
    parts = stem.split("/")
    if parts and parts[0] == "src" and len(parts) > 1:
        parts = parts[1:]
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return ".".join(parts), is_package


def extract_facts(parsed: ParsedModule, catalog: Catalog) -> FileFacts:
    """Run the facts visitor over one parsed file."""
    name, is_package = module_name(parsed.source.path)
    core = FactsVisitor(name, is_package, catalog)
    core.text = parsed.text
    collectors = [collector(core) for collector in COLLECTORS if collector.wanted(parsed.text)]
    MetadataWrapper(parsed.module, unsafe_skip_copy=True).visit_batched([core, *collectors])
    extra: dict[str, Any] = {}
    for collector in collectors:
        extra.update(collector.contribute())
    cell_lines = parsed.cells.lines if parsed.cells is not None else ()
    return core.finish(parsed.source.path, parsed.source.kind, parsed.text, cell_lines, extra)
