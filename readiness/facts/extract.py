"""One libcst pass over a parsed file -> `FileFacts`.

Names are resolved with the file's own import-alias map, not libcst's QualifiedNameProvider,
which costs several times the parse; cross-file resolution happens in the project stage.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import libcst as cst
from libcst.metadata import MetadataWrapper

from readiness.catalog import Catalog
from readiness.discover import module_name  # noqa: F401 - re-exported
from readiness.facts.anchors import StatementAnchors
from readiness.facts.collector import Collector, clear_literals, dotted, string_literal
from readiness.facts.markers import MarkersCollector
from readiness.facts.positions import Positions, Span, positions
from readiness.facts.traverse import visit_batched
from readiness.facts.prompts import PromptCollector
from readiness.facts.surface import SurfaceCollector
from readiness.facts.model import (
    DYNAMIC, MODULE_SCOPE, RETURN, Binding, CallFact, FileFacts, Flow, Invocation, function_facts, qualified,
    TryFact,
)
from readiness.facts.flow import (
    BUILTINS, CONCURRENCY_CALLS, DEFERRING_CALLS, SINKS, template,
    try_summary,
)
from readiness.facts.names import LOG_METHODS, VALIDATING_CALLS
from readiness.facts.textmarks import SPAN_CALLS, read_suppressions
from readiness.parse import ParsedModule

SLEEP_CALLS = frozenset({"sleep"})


_CONSTANTS: dict[str, Any] = {"None": None, "True": True, "False": False}


def literal(node: cst.BaseExpression) -> Any:
    """The value of a literal expression, or `DYNAMIC`."""
    # exact node types (libcst's node classes are final): `isinstance` on them goes through ABCMeta
    kind = node.__class__
    if kind is cst.Name:
        return _CONSTANTS.get(node.value, DYNAMIC)  # type: ignore[attr-defined]
    if kind is cst.Attribute:
        return DYNAMIC
    if kind is cst.Integer:
        return int(node.evaluated_value)  # type: ignore[attr-defined]
    if kind is cst.Float:
        return float(node.evaluated_value)  # type: ignore[attr-defined]
    if kind is cst.SimpleString or kind is cst.ConcatenatedString:
        value = string_literal(node)  # type: ignore[arg-type]  # FAILED for odd escapes: treat as dynamic
        return value if isinstance(value, str) else DYNAMIC
    if kind is cst.UnaryOperation and node.operator.__class__ is cst.Minus:  # type: ignore[attr-defined]
        inner = literal(node.expression)  # type: ignore[attr-defined]
        return -inner if isinstance(inner, (int, float)) and not isinstance(inner, bool) else DYNAMIC
    if kind is cst.Call:
        name = dotted(node.func) or ""
        if name.rsplit(".", 1)[-1] in ("Timeout", "ClientTimeout"):
            # httpx.Timeout(30.0, connect=5.0), Timeout(timeout=30), aiohttp.ClientTimeout(total=30)
            for arg in node.args:
                if arg.keyword is None or arg.keyword.value in ("timeout", "read", "total"):
                    return literal(arg.value)
    return DYNAMIC


def _record(kwargs: dict[str, Any], key: str, value: cst.BaseExpression, depth: int = 0) -> None:
    """`key`: the literal value; `@key`: a dotted reference; `~key`: an f-string's template;
    `key.sub`: entries of a dict literal or keyword arguments of a config object (`Config(...)`)."""
    found = literal(value)
    if key.startswith("#") and found == DYNAMIC:
        pass
    else:
        kwargs[key] = found
    ref = dotted(value)
    if ref is not None and ref not in ("None", "True", "False"):
        kwargs["@" + key] = ref
    elif isinstance(value, (cst.FormattedString, cst.BinaryOperation)):
        text = template(value)
        if text:
            kwargs["~" + key] = text
    if depth > 1:
        return
    if isinstance(value, cst.Dict):
        for element in value.elements:
            if isinstance(element, cst.DictElement):
                sub = literal(element.key)
                if isinstance(sub, str) and sub != DYNAMIC:
                    _record(kwargs, f"{key}.{sub}", element.value, depth + 1)
            else:
                kwargs[f"{key}.**"] = DYNAMIC
    elif isinstance(value, cst.Call) and found == DYNAMIC:
        callee = dotted(value.func)
        if callee is not None:
            kwargs["()" + key] = callee
        for arg in value.args:
            if arg.keyword is not None:
                _record(kwargs, f"{key}.{arg.keyword.value}", arg.value, depth + 1)
            elif arg.star == "**":
                kwargs[f"{key}.**"] = DYNAMIC


def _passed(kwargs: dict[str, Any]) -> dict[str, Any]:
    """What a call passes that may be a model: names (`@#0`, `@llm`) and inline constructions
    (from the call's `keyword_args`)."""
    return {k: v for k, v in kwargs.items() if k.startswith(("@", "()")) or ("()" + k.split(".")[0]) in kwargs}


def keyword_args(call: cst.Call) -> tuple[dict[str, Any], int]:
    kwargs: dict[str, Any] = {}
    positional = 0
    for arg in call.args:
        if arg.star == "**":
            kwargs["**"] = DYNAMIC
            ref = dotted(arg.value)
            if ref is not None:
                kwargs["@**"] = ref
        elif arg.keyword is not None:
            _record(kwargs, arg.keyword.value, arg.value)
        elif arg.star != "*":
            _record(kwargs, f"#{positional}", arg.value)
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
    per_item: bool = False
    fn: object = None
    exits: bool = False  # a `break` or `return` can leave it early
    members: list[tuple[str, int]] = field(default_factory=list)  # per-item calls recorded inside


class FactsVisitor(cst.BatchableCSTVisitor):
    """The core collector: imports, scopes, bindings, candidate model calls, function evidence.

    It runs first in the one batched traversal, so other collectors can read its import map
    (`qualify`), current scope and loop state while they visit the same node.
    """

    def __init__(self, module_name: str, is_package: bool, catalog: Catalog) -> None:
        super().__init__()
        self.module_name = module_name
        self.is_package = is_package
        self.tails = catalog.method_tails
        self.constructors = frozenset(catalog.constructors)
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
        self.invocations: list[Invocation] = []
        self.tries: list[TryFact] = []
        self.try_stack: list[tuple[int, _Function]] = []
        self.flows: list[Flow] = []
        self.taint: list[dict[str, tuple[tuple[int, int], ...]]] = [{}]
        self.concurrency = 0
        self.collecting: list[list[tuple[int, int]]] = []
        self.sink_args: dict[int, tuple[int, int, str, str, int, bool]] = {}
        self.validating = 0
        self.bound: set[str] = set()
        self.comp_loops: list[_Loop] = []
        self._counted: set[int] = set()
        self._maybe_callable: set[int] = set()
        self.handler_depth: list[_Function] = []
        self._validators: set[int] = set()
        self._keyword_args: dict[int, tuple[cst.Call, dict[str, Any], int]] = {}
        self.text = ""  # the file's source text, for collectors that read exact code spans
        self.positions = Positions({})  # every node's libcst position (facts/positions.py)

    def keyword_args(self, call: cst.Call) -> tuple[dict[str, Any], int]:
        """`keyword_args(call)`, read once per call node: a call assigned to a name, its invocation and
        its model-call record (or a chained constructor) all read them. Each caller gets its own dict."""
        hit = self._keyword_args.get(id(call))
        if hit is None or hit[0] is not call:
            kwargs, positional = keyword_args(call)
            hit = self._keyword_args[id(call)] = (call, kwargs, positional)
        return dict(hit[1]), hit[2]

    # -- names ---------------------------------------------------------------
    def qualify(self, name: str) -> str:
        return qualified(self.imports, name)

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
        return self.positions.line_of(node)

    def span_of(self, node: cst.CSTNode) -> Span:
        """(start line, start column, end line, end column) of a node, as libcst's PositionProvider."""
        return self.positions.span(node)

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
        self.taint.append({})
        scope = ".".join(self.names)
        positional = [p for p in node.params.params if p.name.value not in ("self", "cls")]
        for param in (*node.params.params, *node.params.kwonly_params):
            name = param.name.value
            if name in ("self", "cls"):
                continue
            # a parameter holds whatever its callers pass (resolved across the call graph)
            index = positional.index(param) if param in positional else -1
            self.bindings.append(Binding(scope, name, "param", "", {"index": index}, line))
            if param.default is not None and isinstance(param.default, cst.Call):
                self._bind_value(scope, name, param.default, line)
            elif param.default is not None and dotted(param.default) not in (None, "None", "True", "False"):
                # `def ask(q, client=client)`: the default is read where the function is defined
                outer = self.functions[-2].qualname if len(self.functions) > 1 else MODULE_SCOPE
                self.bindings.append(Binding(scope, name, "alias", self.qualify(dotted(param.default) or ""), {"@scope": outer}, line))
            self._annotated(scope, name, param.annotation, line)

    def _annotated(self, scope: str, name: str, annotation: cst.Annotation | None, line: int) -> None:
        """`client: OpenAI` (a parameter or a field): a client built elsewhere, settings unknown."""
        if annotation is None:
            return
        expr = annotation.annotation
        if isinstance(expr, cst.BinaryOperation):  # `OpenAI | None`
            expr = expr.left
        if isinstance(expr, cst.Subscript):  # `Optional[OpenAI]`
            element = expr.slice[0].slice if expr.slice else None
            expr = element.value if isinstance(element, cst.Index) else expr
        if isinstance(expr, cst.SimpleString):
            expr = cst.parse_expression(expr.evaluated_value) if isinstance(expr.evaluated_value, str) and expr.evaluated_value.replace(".", "").isidentifier() else expr
        ref = dotted(expr)
        if ref is None:
            return
        qualified = self.qualify(ref)
        if qualified != ref or ref[:1].isupper():
            # an imported or class-like type: a client, or an instance of one of the repo's classes
            self.bindings.append(Binding(scope, name, "annotation", qualified, {}, line))
            self.bound.add(name)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.done_functions.append(self.functions.pop())
        self.names.pop()
        self.kinds.pop()
        self.taint.pop()

    def _loop_enter(self, per_item: bool = False) -> None:
        self.kinds.append("loop")
        self.loops.append(_Loop(per_item=per_item, fn=self.functions[-1]))

    def _loop_leave(self) -> None:
        self.kinds.pop()
        loop = self.loops.pop()
        if loop.exits:
            # a loop that can stop early (retries, agent turns, search) does not run once per item
            for kind, index in loop.members:
                if kind == "call":
                    self.calls[index]["per_item"] = False
                else:
                    self.invocations[index] = replace(self.invocations[index], per_item=False)
        if loop.sleeps:
            for index in loop.retry_candidates:
                self.calls[index]["retry_loop"] = True
        if self.loops and loop.sleeps:
            self.loops[-1].sleeps = True

    def visit_For_iter(self, node: cst.For) -> None:
        self.collecting.append([])
        if node.asynchronous is not None:
            self.awaited.add(id(node.iter))

    def visit_With(self, node: cst.With) -> None:
        if node.asynchronous is not None:
            for item in node.items:
                self.awaited.add(id(item.item))

    def leave_For_iter(self, original_node: cst.For) -> None:
        # `for chunk in llm.stream(...)`: the loop variable carries the stream's output.
        self._taint_target(original_node.target, self._collected())

    def visit_For_body(self, node: cst.For) -> None:
        # `for _ in range(n)` counts rounds (refinement, agent turns), not items;
        # `range(len(items))` walks items.
        per_item = True
        if isinstance(node.iter, cst.Call) and dotted(node.iter.func) == "range":
            per_item = any(isinstance(a.value, cst.Call) and dotted(a.value.func) == "len" for a in node.iter.args)
        self._loop_enter(per_item=per_item)

    def visit_Break(self, node: cst.Break) -> None:
        if self.loops and self.loops[-1].fn is self.functions[-1]:
            self.loops[-1].exits = True

    def leave_For_body(self, original_node: cst.For) -> None:
        self._loop_leave()

    def visit_While_body(self, node: cst.While) -> None:
        self._loop_enter()

    def leave_While_body(self, original_node: cst.While) -> None:
        self._loop_leave()

    def visit_Try(self, node: cst.Try) -> None:
        broad, swallow, catches = try_summary(node, self._line)
        self.tries.append(TryFact(self._line(node)[0], self.scope, broad, swallow, catches))

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        self.handler_depth.append(self.functions[-1])

    def leave_ExceptHandler(self, original_node: cst.ExceptHandler) -> None:
        self.handler_depth.pop()

    def visit_Try_body(self, node: cst.Try) -> None:
        self.kinds.append("try")
        self.try_stack.append((self._line(node)[0], self.functions[-1]))

    def leave_Try_body(self, original_node: cst.Try) -> None:
        self.kinds.pop()
        self.try_stack.pop()

    def _try_line(self) -> int:
        if self.try_stack and self.try_stack[-1][1] is self.functions[-1]:
            return self.try_stack[-1][0]
        return 0

    # comprehensions run their element once per item
    def _comp_enter(self) -> None:
        self.comp_loops.append(_Loop(per_item=True))
        self._loop_enter(per_item=True)

    def _comp_leave(self) -> None:
        self.comp_loops.pop()
        self._loop_leave()

    def visit_ListComp_elt(self, node: cst.ListComp) -> None:
        self._comp_enter()

    def leave_ListComp_elt(self, original_node: cst.ListComp) -> None:
        self._comp_leave()

    def visit_SetComp_elt(self, node: cst.SetComp) -> None:
        self._comp_enter()

    def leave_SetComp_elt(self, original_node: cst.SetComp) -> None:
        self._comp_leave()

    def visit_GeneratorExp_elt(self, node: cst.GeneratorExp) -> None:
        self._comp_enter()

    def leave_GeneratorExp_elt(self, original_node: cst.GeneratorExp) -> None:
        self._comp_leave()

    def visit_DictComp_value(self, node: cst.DictComp) -> None:
        self._comp_enter()

    def leave_DictComp_value(self, original_node: cst.DictComp) -> None:
        self._comp_leave()

    def _per_item(self) -> bool:
        for kind in reversed(self.kinds):
            if kind in ("func", "class"):
                return False
            if kind == "loop":
                return self.loops[-1].per_item if self.loops else False
        return False

    # -- where call results flow ----------------------------------------------
    # While an assigned value, a returned value or a sink's argument is being visited, every
    # call inside it and every name assigned from a call is collected as one of its origins.
    def _collected(self) -> tuple[tuple[int, int], ...]:
        return tuple(dict.fromkeys(self.collecting.pop()))

    def _collect(self, origins: tuple[tuple[int, int], ...]) -> None:
        for bucket in self.collecting:
            bucket.extend(origins)

    def _lookup_name(self, name: str) -> None:
        for table in (self.taint[-1], self.taint[0]):
            if name in table:
                self._collect(table[name])
                return

    def visit_Name(self, node: cst.Name) -> None:
        if self.collecting:
            self._lookup_name(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if self.collecting:
            name = dotted(node)
            if name is not None:
                self._lookup_name(name)

    def _taint_target(self, target: cst.BaseExpression, origins: tuple[tuple[int, int], ...]) -> None:
        if isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._taint_target(element.value, origins)
            return
        name = dotted(target)
        if name is None:
            return
        table = self.taint[-1]
        if origins:
            table[name] = origins
        else:
            table.pop(name, None)

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
        if isinstance(target, (cst.Tuple, cst.List)):
            self._bind_unpacked(target, value, line)
            return
        name = dotted(target)
        if name is None:
            return
        scope = self.scope
        structural = [k for k in self.kinds if k in ("class", "func")]
        if name.startswith("self.") and name.count(".") == 1 and structural[-2:] == ["class", "func"]:
            scope = ".".join(self.names[:-1])
            ref = dotted(value)
            if ref is not None and not ref.startswith("self."):
                # `self.llm = llm`: the name on the right is the method's own (a parameter)
                self.bound.add(name)
                self.bindings.append(Binding(scope, name, "alias", self.qualify(ref), {"@scope": self.scope}, line))
                return
        elif "." in name:
            if name.split(".")[0] not in self.imports:
                return
            # an attribute of an imported module: `st.session_state.llm = ChatOpenAI()`
            scope, name = MODULE_SCOPE, self.qualify(name)
        elif structural and structural[-1] == "class":
            # a class attribute: methods see it as `self.<name>`
            scope, name = ".".join(self.names), f"self.{name}"
        self._bind_value(scope, name, value, line)

    def _bind_unpacked(self, target: cst.Tuple | cst.List, value: cst.BaseExpression, line: int) -> None:
        """`a, b = A(), B()` element by element; `a, b = make()` as items of what `make` returns."""
        if isinstance(value, cst.Await):
            value = value.expression
        names = [element.value for element in target.elements]
        if isinstance(value, (cst.Tuple, cst.List)) and len(value.elements) == len(names):
            for element, item in zip(names, value.elements):
                self._bind(element, item.value, line)
            return
        callee = dotted(value.func) if isinstance(value, cst.Call) else None
        if callee is None:
            return
        for index, element in enumerate(names):
            name = dotted(element)
            if name is not None and "." not in name:
                self.bound.add(name)
                self.bindings.append(Binding(self.scope, name, "item", self.qualify(callee), {"index": index}, line))

    def _bind_value(self, scope: str, name: str, value: cst.BaseExpression, line: int) -> None:
        if isinstance(value, cst.Await):
            value = value.expression
        if name == RETURN and isinstance(value, cst.Tuple):
            # `return a, b`: each item can be unpacked by the caller
            for index, element in enumerate(value.elements):
                self._bind_value(scope, f"{RETURN}[{index}]", element.value, line)
            return
        if isinstance(value, (cst.BooleanOperation, cst.IfExp)):
            # `client or OpenAI()`, `OpenAI() if key else None`: the operand that builds something
            operands = [value.left, value.right] if isinstance(value, cst.BooleanOperation) else [value.body, value.orelse]
            value = next((o for o in operands if isinstance(o, (cst.Call, cst.Await))), operands[0])
            if isinstance(value, cst.Await):
                value = value.expression
        self.bound.add(name)
        if isinstance(value, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            text = template(value)
            if text:
                self.bindings.append(Binding(scope, name, "str", text, {}, line))
            return
        if isinstance(value, cst.Dict):
            entries: dict[str, Any] = {}
            _record(entries, "d", value)
            self.bindings.append(Binding(scope, name, "dict", "", {k[2:]: v for k, v in entries.items() if k.startswith("d.")}, line))
            return
        if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.BitOr):
            stages = self._pipe_operands(value)
            if stages:
                self.bindings.append(Binding(scope, name, "pipe", stages[0], {"|": stages}, line))
            return
        if isinstance(value, cst.Call):
            callee = dotted(value.func)
            if callee is None and isinstance(value.func, cst.Attribute):
                chained, options, ctor, ctor_args = self._chained(value.func)
                if ctor:
                    self.bindings.append(Binding(scope, name, "chain", ctor, {**ctor_args, ".": chained[len("<ctor>."):]}, line))
                return
            if callee is None:
                return
            args, _ = self.keyword_args(value)
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

    def visit_Assign_value(self, node: cst.Assign) -> None:
        self.collecting.append([])

    def leave_Assign_value(self, original_node: cst.Assign) -> None:
        origins = self._collected()
        for target in original_node.targets:
            self._taint_target(target.target, origins)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        structural = [k for k in self.kinds if k in ("class", "func")]
        if node.value is None and structural and structural[-1] == "class" and isinstance(node.target, cst.Name):
            self._annotated(".".join(self.names), f"self.{node.target.value}", node.annotation, self._line(node)[0])
        if node.value is not None:
            self._bind(node.target, node.value, self._line(node)[0])

    def visit_AnnAssign_value(self, node: cst.AnnAssign) -> None:
        self.collecting.append([])

    def leave_AnnAssign_value(self, original_node: cst.AnnAssign) -> None:
        self._taint_target(original_node.target, self._collected())

    def visit_AugAssign_value(self, node: cst.AugAssign) -> None:
        self.collecting.append([])

    def leave_AugAssign_value(self, original_node: cst.AugAssign) -> None:
        origins = self._collected()
        name = dotted(original_node.target)
        if origins and name is not None:
            self.taint[-1][name] = tuple(dict.fromkeys(self.taint[-1].get(name, ()) + origins))

    def visit_Return(self, node: cst.Return) -> None:
        for loop in reversed(self.loops):
            if loop.fn is not self.functions[-1]:
                break
            loop.exits = True
        if node.value is not None and self.scope != MODULE_SCOPE:
            self._bind_value(self.scope, RETURN, node.value, self._line(node)[0])

    def visit_Return_value(self, node: cst.Return) -> None:
        self.collecting.append([])

    def leave_Return_value(self, original_node: cst.Return) -> None:
        origins = self._collected()
        if origins and self.scope != MODULE_SCOPE:
            line, col, _ = self._line(original_node)
            self.flows.append(Flow("return", line, col, self.scope, "return", origins, self._try_line()))

    def visit_Yield_value(self, node: cst.Yield) -> None:
        self.collecting.append([])

    def leave_Yield_value(self, original_node: cst.Yield) -> None:
        origins = self._collected()
        if origins and self.scope != MODULE_SCOPE:
            line, col, _ = self._line(original_node)
            self.flows.append(Flow("return", line, col, self.scope, "yield", origins, self._try_line()))

    def visit_Arg_value(self, node: cst.Arg) -> None:
        if id(node) in self.sink_args:
            self.collecting.append([])

    def leave_Arg_value(self, original_node: cst.Arg) -> None:
        pending = self.sink_args.pop(id(original_node), None)
        if pending is not None:
            origins = self._collected()
            if origins:
                line, col, scope, sink, try_line, validated = pending
                self.flows.append(Flow("sink", line, col, scope, sink, origins, try_line, validated))

    def _pipe_operands(self, node: cst.BaseExpression) -> list[str]:
        """`prompt | llm | parser` -> qualified operands; an inline call is `call:<callee>`."""
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            return self._pipe_operands(node.left) + self._pipe_operands(node.right)
        if isinstance(node, cst.Call):
            callee = dotted(node.func)
            return [f"call:{self.qualify(callee)}"] if callee else []
        ref = dotted(node)
        return [self.qualify(ref)] if ref else []

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
        if self.collecting:
            self._collect((self._line(node)[:2],))
        self._sink(node, name)
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
        line, col, _ = self._line(node)
        awaited = id(node) in self.awaited
        per_item = self._per_item()
        concurrent = self.concurrency > 0
        try_line = self._try_line()
        if qualified in CONCURRENCY_CALLS or last in ("gather", "create_task", "ensure_future", "as_completed", "submit", "map", "run_in_executor", "to_thread", "abatch", "batch"):
            self.concurrency += 1
            self._counted.add(id(node))
        if last in VALIDATING_CALLS:
            self.validating += 1
            self._validators.add(id(node))
        if name not in BUILTINS:
            if per_item and self.loops:
                self.loops[-1].members.append(("inv", len(self.invocations)))
            self.invocations.append(
                Invocation(line, col, fn.qualname, qualified[len("<ctor>."):] if ctor else qualified,
                           ctor, awaited, per_item, concurrent, try_line, False, _passed(self.keyword_args(node)[0]) if node.args else {})
            )
        if qualified in DEFERRING_CALLS or last in ("to_thread", "run_in_executor", "submit"):
            self._deferred(node, fn.qualname, line, col, per_item, concurrent, try_line)
        # `llm(prompt)`, `st.session_state.chain({...})`: calling a bound object; whether the name
        # is bound anywhere in the file is checked once the whole file is read.
        maybe_callable = not ctor and ("." not in name or (name.startswith("self.") and name.count(".") == 1) or name.split(".")[0] in self.imports)
        if last not in self.tails and head not in self.packages and not ctor and not maybe_callable:
            return
        kwargs, positional = self.keyword_args(node)
        in_loop, retry_candidate = self._loop_state()
        if retry_candidate:
            self.loops[-1].retry_candidates.append(len(self.calls))
        if per_item and self.loops:
            self.loops[-1].members.append(("call", len(self.calls)))
        self.calls.append(
            dict(
                line=line, col=col, scope=fn.qualname, target=qualified, args=kwargs, positional=positional,
                ctor=ctor, ctor_args=ctor_args, options=options, awaited=awaited,
                in_loop=in_loop, retry_loop=False, per_item=per_item, concurrent=concurrent, try_line=try_line,
                in_handler=bool(self.handler_depth) and self.handler_depth[-1] is fn,
            )
        )
        if maybe_callable and last not in self.tails and head not in self.packages:
            self._maybe_callable.add(len(self.calls) - 1)

    def _sink(self, node: cst.Call, name: str | None) -> None:
        """Record where call results are parsed or executed (`json.loads(out)`, `cur.execute(sql)`)."""
        func = node.func
        if name and not name.startswith("<ctor>."):
            qualified = self.qualify(name)
            sink = SINKS.get(qualified) or (SINKS.get("*." + qualified.rsplit(".", 1)[-1]) if "." in qualified else None)
        elif isinstance(func, cst.Attribute):
            sink = SINKS.get("*." + func.attr.value)
        else:
            return
        if sink is None:
            return
        # only what is parsed or run: the first argument (SQL parameters are bound, not run)
        first = next((a for a in node.args if a.keyword is None and a.star == ""), None) or next(
            (a for a in node.args if a.keyword is not None), None
        )
        if first is not None:
            line, col, _ = self._line(node)
            self.sink_args[id(first)] = (line, col, self.scope, sink, self._try_line(), self.validating > 0)

    def _name_of(self, call: dict[str, Any]) -> str:
        """The call's target as written, before import qualification (for locally bound names)."""
        for local, full in self.imports.items():
            if call["target"] == full or call["target"].startswith(full + "."):
                return local + call["target"][len(full):]
        return call["target"]

    def leave_Call(self, original_node: cst.Call) -> None:
        if id(original_node) in self._counted:
            self._counted.discard(id(original_node))
            self.concurrency -= 1
        if id(original_node) in self._validators:
            self._validators.discard(id(original_node))
            self.validating -= 1

    def _deferred(self, node: cst.Call, scope: str, line: int, col: int, per_item: bool, concurrent: bool, try_line: int) -> None:
        """`asyncio.to_thread(fn, ...)`: `fn` is reached, off the event loop."""
        positional = [a for a in node.args if a.keyword is None and a.star == ""]
        index = 1 if dotted(node.func) and (dotted(node.func) or "").endswith("run_in_executor") else 0
        if len(positional) > index:
            ref = dotted(positional[index].value)
            if ref is not None and ref != "None":
                self.invocations.append(Invocation(line, col, scope, self.qualify(ref), "", False, per_item, True, try_line, True))

    def _chained(self, func: cst.Attribute) -> tuple[str, dict[str, Any], str, dict[str, Any]]:
        """Unwrap `X(...).a.b` and `x.with_options(...).a.b` receivers into a dotted name."""
        attrs: list[str] = []
        node: cst.BaseExpression = func
        while isinstance(node, cst.Attribute):
            attrs.append(node.attr.value)
            node = node.value
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            operands = self._pipe_operands(node)
            return (f"<ctor>.{'.'.join(reversed(attrs))}", {}, "<pipe>", {"|": operands}) if operands else ("", {}, "", {})
        if not isinstance(node, cst.Call):
            return "", {}, "", {}
        inner = dotted(node.func)
        if inner is None:
            return "", {}, "", {}
        chain = ".".join(reversed(attrs))
        args, _ = self.keyword_args(node)
        if inner.endswith(".with_options"):
            return f"{inner[: -len('.with_options')]}.{chain}", args, "", {}
        return f"<ctor>.{chain}", {}, self.qualify(inner), args

    def finish(
        self, path: str, kind: str, text: str, cell_lines: tuple[tuple[int, int], ...], extra: dict[str, Any]
    ) -> FileFacts:
        functions = self.done_functions + self.functions
        self.calls = [
            c for i, c in enumerate(self.calls)
            if i not in self._maybe_callable or c["target"] in self.bound or self._name_of(c) in self.bound
        ]
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
            invocations=tuple(self.invocations),
            tries=tuple(self.tries),
            flows=tuple(self.flows),
            functions=function_facts(functions),
            suppressions=suppressions,
            file_ignores=file_ignores,
            lines=text.count("\n") + 1,
            cell_lines=cell_lines,
            **extra,
        )


#: Collectors run after the core visitor on every node, in this order. Each lives in its own
#: module and imports its base from facts/collector.py, so there is no import cycle.
COLLECTORS: tuple[type[Collector], ...] = (SurfaceCollector, PromptCollector, StatementAnchors, MarkersCollector)


def extract_facts(parsed: ParsedModule, catalog: Catalog) -> FileFacts:
    """Run the facts visitor over one parsed file."""
    name, is_package = module_name(parsed.source.path)
    core = FactsVisitor(name, is_package, catalog)
    core.text = parsed.text
    core.positions = positions(parsed.module)
    collectors = [collector(core) for collector in COLLECTORS if collector.wanted(parsed.text)]
    visitors = [core, *collectors]
    clear_literals()  # string literal values are read once per file (collector.string_literal)
    try:
        if any(v.get_inherited_dependencies() for v in visitors):
            # a collector that still asks libcst for metadata gets it resolved (costly)
            MetadataWrapper(parsed.module, unsafe_skip_copy=True).visit_batched(visitors)
        else:
            visit_batched(parsed.module, visitors)
    finally:
        clear_literals()
    extra: dict[str, Any] = {}
    for collector in collectors:
        extra.update(collector.contribute())
    cell_lines = parsed.cells.lines if parsed.cells is not None else ()
    return core.finish(parsed.source.path, parsed.source.kind, parsed.text, cell_lines, extra)

