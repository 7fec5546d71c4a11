"""Prompt construction and the intra-procedural flow of untrusted values, for one file.

For every function it keeps an environment of what each local name carries (`Flow`), seeded
with its parameters (route and CLI parameters are untrusted sources), and records: calls that
may reach a model (or a repo function) with what each argument carries; messages built with a
role; literal text that names itself a prompt; log calls; prints; literals that name a model.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from dataclasses import replace
from typing import Any

import libcst as cst

from readiness.facts.collector import Collector
from readiness.facts.names import LOG_METHODS

if TYPE_CHECKING:
    from readiness.facts.extract import FactsVisitor
from readiness.facts.flowmodel import (
    Arg, CallFlow, Flow, LogCall, ModelName, PrintCall, PromptFacts, PromptText, RolePart, RoleSite, Signature,
)
from readiness.facts.surface import route_of
from readiness.facts.vocabulary import (
    CLICK_DECORATORS, EXTERNAL_HEADS, MODEL_KEYWORDS, MODEL_NAME, PROMPT_NAME, REQUEST_SETTINGS, STRONG_NAME,
    TYPED_SCALARS, annotation_head, dotted, is_main_test, string_value,
)
from readiness.facts.values import Evaluator, merge, named, with_bound


class PromptCollector(Collector):
    """Collects `PromptFacts` for one file."""

    def __init__(self, core: FactsVisitor) -> None:
        super().__init__(core)
        self.envs: list[dict[str, Flow]] = [{}]
        self.class_envs: dict[str, dict[str, Flow]] = {}
        self.request_stack: list[frozenset[str]] = [frozenset()]
        self.signatures: list[Signature] = []
        self.calls: list[CallFlow] = []
        self.roles: dict[tuple[int, int, str], RoleSite] = {}
        self.texts: dict[tuple[int, int], PromptText] = {}
        self.logs: list[LogCall] = []
        self.prints: list[PrintCall] = []
        self.models: dict[int, ModelName] = {}
        self.model_context: dict[int, str] = {}
        self.main_depth = 0
        self.main_guard = False
        self.cli = False
        self.candidates: set[tuple[int, int]] = set()
        self.schemas: dict[str, bool] = {}
        self.init_attrs: dict[tuple[str, str], tuple[str, ...]] = {}
        self.schema_fields: dict[str, dict[str, str]] = {}
        self.param_schemas: list[dict[str, str]] = [{}]
        # read defensively: the core's pre-screen is shared with the model-call resolution work
        self._tails: frozenset[str] = frozenset(getattr(core, "tails", ()) or ())
        self._packages: frozenset[str] = frozenset(getattr(core, "packages", ()) or ())
        self.values = Evaluator(core, self._lookup, self._on_role, self._is_candidate, lambda: self.request_stack[-1], self._typed)

    # -- environments ------------------------------------------------------------
    def _lookup(self, name: str) -> Flow | None:
        if name.startswith("self."):
            cls = self._class()
            found = self.class_envs.get(cls, {}).get(name) if cls else None
            if self.core.scope.endswith(".__init__") or found is None or not found.params:
                return found
            # another method reads what `__init__` stored: the attribute stands for those parameters
            return replace(found, params=(name,))
        for env in reversed(self.envs):
            if name in env:
                return env[name]
        return None

    def _class(self) -> str:
        # `kinds` also stacks loops and `try` blocks, which have no entry in `names`
        structural = [kind for kind in self.core.kinds if kind in ("class", "func")]
        for index in range(len(structural) - 1, -1, -1):
            if structural[index] == "class":
                return ".".join(self.core.names[: index + 1])
        return ""

    def _bind(self, target: cst.BaseExpression, flow: Flow, augment: bool = False) -> None:
        if isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind(element.value, flow, augment)
            return
        if isinstance(target, cst.Subscript):
            base = dotted(target.value)
            index = target.slice[0].slice if len(target.slice) == 1 else None
            key = string_value(index.value) if isinstance(index, cst.Index) else None
            if base is not None and key not in REQUEST_SETTINGS:
                self._bind_name(base, flow, augment=True)
            return
        name = dotted(target)
        if name is not None:
            self._bind_name(name, flow, augment)

    def _bind_name(self, name: str, flow: Flow, augment: bool = False) -> None:
        flow = named(flow, name.rsplit(".", 1)[-1])
        if name.startswith("self."):
            cls = self._class()
            if cls:
                env = self.class_envs.setdefault(cls, {})
                env[name] = merge(env[name], flow) if augment and name in env else flow
                if self.core.scope == f"{cls}.__init__" and flow.params:
                    self.init_attrs[(cls, name)] = tuple(sorted({*self.init_attrs.get((cls, name), ()), *flow.params}))
                self.values.rebound(name)
            return
        env = self.envs[-1] if "." not in name else self.envs[0]
        env[name] = merge(env[name], flow) if augment and name in env else flow
        self.values.rebound(name)

    def _on_role(self, part: RolePart) -> None:
        self.roles[(part.line, part.col, part.role)] = RoleSite(self.core.scope, part)

    def _is_candidate(self, node: cst.Call, name: str | None, qualified: str) -> bool:
        """The core visitor's pre-screen for model calls (it has not visited nested calls yet);
        `name` is `dotted(node.func)`, `qualified` its qualified form."""
        if name is None:
            return isinstance(node.func, cst.Attribute) and node.func.attr.value in self._tails
        return qualified.rsplit(".", 1)[-1] in self._tails or qualified.split(".")[0] in self._packages

    def _core_kept(self) -> tuple[int, int] | None:
        """Where the core visitor's last kept model-call candidate is (it runs first on each node)."""
        calls = getattr(self.core, "calls", None)
        if not calls:
            return None
        last = calls[-1]
        if isinstance(last, dict):
            return last.get("line"), last.get("col")  # type: ignore[return-value]
        return getattr(last, "line", None), getattr(last, "col", None)  # type: ignore[return-value]

    # -- functions -------------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.values.forget()  # another scope, environment and request parameters
        env: dict[str, Flow] = {}
        params = [*node.params.posonly_params, *node.params.params, *node.params.kwonly_params]
        names = [p.name.value for p in params]
        in_class = len(self.core.kinds) >= 2 and self.core.kinds[-2] == "class"
        if in_class and names and names[0] in ("self", "cls"):
            names = names[1:]
        self.signatures.append(Signature(self.core.scope, tuple(names)))
        route = next((r for r in (route_of(self.core, d) for d in node.decorators) if r is not None), None)
        decorators = {self.core.qualify(dotted(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator) or "") for d in node.decorators}
        cli = bool(decorators & CLICK_DECORATORS) or any(d.endswith(".command") for d in decorators if "typer" in d or "click" in d)
        requests: set[str] = set()
        for param in params:
            name = param.name.value
            annotation = (dotted(param.annotation.annotation) or "") if param.annotation is not None else ""
            if annotation.rsplit(".", 1)[-1] in ("Request", "WebSocket", "HttpRequest") or (name == "request" and not route):
                requests.add(name)
            flow = Flow(params=(name,))
            if route is not None and name not in ("self", "cls") and not self._is_dependency(param) and name not in requests:
                # path segments and typed scalars are short by construction
                short = "{" + name + "}" in route[2] or "{" + name + ":" in route[2] or annotation in ("int", "float", "bool", "UUID", "date", "datetime")
                flow = Flow(sources=(f"request parameter `{name}` of {route[1][0]} {route[2] or route[0]}",), params=(name,),
                            bounded=short or self._param_bounded(param))
            elif cli:
                flow = Flow(sources=(f"CLI option `{name}`",), params=(name,))
            env[name] = flow
            if param.default is not None:
                value = string_value(param.default)
                if value is not None and MODEL_NAME.match(value) and "model" in name.lower():
                    self.model_context[id(param.default)] = f"default of `{name}`"
        self.param_schemas.append({
            p.name.value: annotation_head(p.annotation.annotation) for p in params
            if route is not None and p.annotation is not None and annotation_head(p.annotation.annotation) in self.schema_fields
        })
        self.envs.append(env)
        self.request_stack.append(frozenset(requests) | (self.request_stack[-1] if len(self.request_stack) > 1 else frozenset()))

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.values.forget()
        self.param_schemas.pop()
        self.envs.pop()
        self.request_stack.pop()

    def _is_dependency(self, param: cst.Param) -> bool:
        calls = [param.default] if isinstance(param.default, cst.Call) else []
        annotation = param.annotation.annotation if param.annotation is not None else None
        if isinstance(annotation, cst.Subscript):
            calls += [e.slice.value for e in annotation.slice if isinstance(e.slice, cst.Index) and isinstance(e.slice.value, cst.Call)]
        return any((dotted(c.func) or "").rsplit(".", 1)[-1] in ("Depends", "Security") for c in calls if isinstance(c, cst.Call))

    def _param_bounded(self, param: cst.Param) -> bool:
        annotation = param.annotation.annotation if param.annotation is not None else None
        base = (dotted(annotation) or "") if annotation is not None else ""
        if base and base not in ("str", "bytes", "dict", "Dict", "Any", "list", "List") and base[0].isupper():
            # a schema model: bounded when its text fields are; a model defined elsewhere gets the benefit of the doubt
            return self.schemas.get(base.rsplit(".", 1)[-1], True)
        calls = [param.default] if isinstance(param.default, cst.Call) else []
        if isinstance(annotation, cst.Subscript):
            calls += [e.slice.value for e in annotation.slice if isinstance(e.slice, cst.Index) and isinstance(e.slice.value, cst.Call)]
        return any(a.keyword is not None and a.keyword.value == "max_length" for c in calls if isinstance(c, cst.Call) for a in c.args)

    def _typed(self, name: str) -> bool:
        """`body.price.amount` is a validated number, bool or choice (it cannot carry instructions)."""
        head, *fields = name.split(".")
        schema = self.param_schemas[-1].get(head)
        for field in fields:
            if schema is None:
                return False
            kind = self.schema_fields.get(schema, {}).get(field)
            if kind is None:
                return False
            if kind in TYPED_SCALARS:
                return True
            schema = kind if kind in self.schema_fields else None
        return False

    # -- request schemas ---------------------------------------------------------------
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.values.forget()  # `self.` names resolve in another class
        bases = [self.core.qualify(dotted(b.value) or "") for b in node.bases]
        if any(b.endswith("BaseModel") or b.rsplit(".", 1)[-1] in self.schemas for b in bases):
            self.schemas[node.name.value] = True

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.values.forget()

    def visit_Import(self, node: cst.Import) -> None:
        self.values.forget()  # the core visitor's import map (`qualify`) changed

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self.values.forget()

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._schema_field(node)
        if node.value is not None:
            flow = self.values.of(node.value)
            self._bind(node.target, flow)
            self._prompt_named(node.target, flow)
            self._model_assign(node.target, node.value)

    def _schema_field(self, node: cst.AnnAssign) -> None:
        kinds, names = self.core.kinds, self.core.names
        if not kinds or kinds[-1] != "class" or names[-1] not in self.schemas:
            return
        annotation = node.annotation.annotation
        field = dotted(node.target)
        if field is not None:
            self.schema_fields.setdefault(names[-1], {})[field] = annotation_head(annotation)
            self.values.forget()  # `typed` reads the schema fields
        if "str" not in {dotted(annotation), *(dotted(e.slice.value) for e in getattr(annotation, "slice", ()) if isinstance(e.slice, cst.Index))}:
            return
        calls = [node.value] if isinstance(node.value, cst.Call) else []
        if isinstance(annotation, cst.Subscript):
            calls += [e.slice.value for e in annotation.slice if isinstance(e.slice, cst.Index) and isinstance(e.slice.value, cst.Call)]
        if not any(a.keyword is not None and a.keyword.value == "max_length" for c in calls if isinstance(c, cst.Call) for a in c.args):
            self.schemas[names[-1]] = False

    # -- statements --------------------------------------------------------------------
    def visit_If(self, node: cst.If) -> None:
        if self.core.scope == "<module>" and is_main_test(node.test):
            self.main_depth += 1
            self.main_guard = True
        if isinstance(node.test, cst.Comparison):
            self._length_check(node.test)

    def leave_If(self, original_node: cst.If) -> None:
        if self.core.scope == "<module>" and is_main_test(original_node.test):
            self.main_depth -= 1

    def visit_Assert(self, node: cst.Assert) -> None:
        if isinstance(node.test, cst.Comparison):
            self._length_check(node.test)

    def _length_check(self, test: cst.Comparison) -> None:
        for side in (test.left, *(c.comparator for c in test.comparisons)):
            if isinstance(side, cst.Call) and dotted(side.func) == "len" and side.args:
                name = dotted(side.args[0].value)
                found = self._lookup(name) if name else None
                if name and found is not None:
                    self._bind_name(name, with_bound(found))

    def visit_Assign(self, node: cst.Assign) -> None:
        flow = self.values.of(node.value)
        for target in node.targets:
            self._bind(target.target, flow)
            self._prompt_named(target.target, flow)
            self._model_assign(target.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        flow = self.values.of(node.value)
        self._bind(node.target, flow, augment=True)
        self._prompt_named(node.target, flow)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind(node.target, self.values.of(node.value))

    def visit_For(self, node: cst.For) -> None:
        self._bind(node.target, self.values.of(node.iter))

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            item = node.item
            name = dotted(item.func) if isinstance(item, cst.Call) else None
            flow = Flow(loaded=f"{name}()") if name in ("open", "io.open") else self.values.of(item)
            self._bind(node.asname.name, flow)

    def _prompt_named(self, target: cst.BaseExpression, flow: Flow) -> None:
        name = dotted(target)
        if name is None or not flow.texts or flow.loaded:
            return
        short = name.rsplit(".", 1)[-1]
        if PROMPT_NAME.search(short):
            self._prompt_texts(flow, f"variable `{short}`", bool(STRONG_NAME.search(short)))

    def _prompt_texts(self, flow: Flow, context: str, strong: bool) -> None:
        for text in flow.texts:
            key = (text.line, text.col)
            if key not in self.texts or (strong and not self.texts[key].strong):
                self.texts[key] = PromptText(self.core.scope, context, strong, text)

    def _model_assign(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        name = dotted(target)
        if name is not None and "model" in name.lower():
            self.model_context[id(value)] = f"`{name.rsplit('.', 1)[-1]}`"

    # -- calls ---------------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        line, col, _ = self.core.line_of(node)
        candidate = self._core_kept() == (line, col)
        if candidate:
            self.candidates.add((line, col))
        name = dotted(node.func)
        qualified = self.core.qualify(name) if name else ""
        tail = qualified.rsplit(".", 1)[-1] if qualified else (node.func.attr.value if isinstance(node.func, cst.Attribute) else "")
        for given in node.args:
            if given.keyword is not None and given.keyword.value in MODEL_KEYWORDS:
                self.model_context[id(given.value)] = f"`{given.keyword.value}=`"
        if qualified in ("os.getenv", "os.environ.get") and len(node.args) > 1:
            self.model_context[id(node.args[1].value)] = "config default"
        if tail == "get" and len(node.args) == 2 and PROMPT_NAME.search(string_value(node.args[0].value) or "@"):
            key = string_value(node.args[0].value) or ""
            default = self.values.of(node.args[1].value)
            if default.texts and not default.loaded:
                self._prompt_texts(default, f"default of `{key}`", bool(STRONG_NAME.search(key)))
        if qualified == "print":
            self.prints.append(PrintCall(line, col, self.core.scope, self.main_depth > 0))
            return
        if qualified.split(".")[0] in ("argparse", "click", "typer", "fire") or tail == "ArgumentParser":
            self.cli = True
        if tail in LOG_METHODS and name and ("log" in name.split(".")[0].lower() or qualified.split(".")[0] in ("logging", "structlog", "loguru")):
            flow = merge(*(self.values.of(a.value) for a in node.args))
            if flow.sources or flow.params or flow.names:
                self.logs.append(LogCall(line, col, self.core.scope, name, flow))
            return
        if isinstance(node.func, cst.Attribute) and tail in ("append", "extend", "insert", "add", "update", "appendleft"):
            receiver = dotted(node.func.value)
            if receiver is not None:
                self._bind_name(receiver, merge(*(self.values.of(a.value) for a in node.args)), augment=True)
            return
        # every argument is evaluated (in order) for the role parts it announces, even when the call
        # records nothing; where each argument sits is only read for a recorded call
        args = [(a.keyword.value if a.keyword is not None else (str(i) if not a.star else a.star), self.values.of(a.value), a.value)
                for i, a in enumerate(node.args) if a.star != "*"]
        for key, flow, _ in args:
            if flow.texts and not flow.loaded and not key.isdigit() and PROMPT_NAME.search(key):
                self._prompt_texts(flow, f"keyword `{key}=`", bool(STRONG_NAME.search(key)))
        if tail in ("PromptTemplate", "ChatPromptTemplate", "from_template", "from_messages", "SystemMessagePromptTemplate"):
            for _, flow, _ in args:
                if flow.texts and not flow.loaded:
                    self._prompt_texts(flow, f"`{tail}`", False)
                for part in flow.roles:
                    if part.flow.texts:
                        self._prompt_texts(part.flow, f"{part.role} message of `{tail}`", part.role == "system")
        target = self._target(node, name, qualified)
        if not target or not (candidate or self._interesting(args, qualified)):
            return
        facts = tuple(Arg(key, flow, *self.core.line_of(value)[:2]) for key, flow, value in args)
        self.calls.append(CallFlow(line, col, self.core.scope, target, facts, candidate))

    @staticmethod
    def _interesting(args: list[tuple[str, Flow, cst.BaseExpression]], qualified: str) -> bool:
        """A call worth recording although no model-call candidate: its arguments carry input or long text."""
        return any(f.sources or f.params or f.roles or f.loaded for _, f, _ in args) or (
            qualified.split(".")[0] not in EXTERNAL_HEADS and any(t.length >= 20 for _, f, _ in args for t in f.texts)
        )

    def _target(self, node: cst.Call, name: str | None, qualified: str) -> str:
        func = node.func
        if name is not None:
            if name.startswith("self.") and name.count(".") == 1:
                cls = self._class()
                return f"{self.core.module_name}.{cls}.{name[5:]}" if cls else ""
            head = name.split(".")[0]
            if head not in self.core.imports and "." in name:
                instance = self._instance_of(head)
                if instance:
                    return f"{instance}.{name.split('.', 1)[1]}"
            return qualified
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Call):
            ctor = dotted(func.value.func)
            if ctor is not None:
                return f"{self.core.qualify(ctor)}.{func.attr.value}"
        return ""

    def _instance_of(self, name: str) -> str:
        scope = self.core.scope
        for binding in reversed(self.core.bindings):
            if binding.name == name and binding.kind == "call" and binding.scope in (scope, "<module>"):
                return binding.target
        return ""

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is None:
            return
        flow = self.values.of(node.value)
        function = self.core.scope.rsplit(".", 1)[-1]
        if flow.texts and not flow.loaded and PROMPT_NAME.search(function):
            self._prompt_texts(flow, f"returned by `{function}()`", bool(STRONG_NAME.search(function)))

    def visit_Dict(self, node: cst.Dict) -> None:
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                key = string_value(element.key)
                if key and PROMPT_NAME.search(key):
                    flow = self.values.of(element.value)
                    if flow.texts and not flow.loaded:
                        self._prompt_texts(flow, f"key `{key}`", bool(STRONG_NAME.search(key)))

    def visit_Expr(self, node: cst.Expr) -> None:
        if isinstance(node.value, (cst.Dict, cst.List, cst.Tuple)):
            self.values.of(node.value)

    # -- model names -------------------------------------------------------------------------
    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = string_value(node)
        if value is None or len(value) > 80 or not MODEL_NAME.match(value):
            return
        line, col, _ = self.core.line_of(node)
        self.models[id(node)] = ModelName(line, col, value, "")

    def contribute(self) -> dict[str, Any]:
        models = tuple(
            ModelName(m.line, m.col, m.value, self.model_context.get(key, "literal"))
            for key, m in self.models.items()
        )
        return {"prompts": PromptFacts(
            signatures=tuple(self.signatures),
            calls=tuple(self.calls),
            roles=tuple(sorted(self.roles.values(), key=lambda r: (r.part.line, r.part.col, r.part.role))),
            texts=tuple(sorted(self.texts.values(), key=lambda t: (t.text.line, t.text.col))),
            logs=tuple(self.logs),
            prints=tuple(self.prints),
            models=tuple(sorted(models, key=lambda m: (m.line, m.col))),
            main_guard=self.main_guard,
            cli=self.cli,
            init_attrs=tuple((cls, attr, params) for (cls, attr), params in sorted(self.init_attrs.items())),
        )}

