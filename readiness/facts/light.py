"""The cheap pre-screen: facts of a file that cannot make a model call, without libcst.

Most files of a big repo never call a model. For them the libcst pass (parse, positions, one
traversal: about four times the parse alone) buys nothing that Python's own `ast` cannot give
at a tenth of the cost. `light_facts` parses such a file with `ast` and rebuilds exactly the
facts `FactsVisitor` would give it (imports, bindings, functions and their evidence,
suppressions), with the same rules for names, scopes and literals, and gives up (None, so the
caller takes the libcst path) as soon as the file:

- has a call the core would record as a model-call candidate (its last name is a catalog
  method, or its head a catalog package, or it is made on an object a catalog package built);
- is not plain UTF-8 (BOM, coding cookie), holds NUL bytes, or does not parse with `ast`;
- is needed by a fact collector (`Collector.TRIGGERS` is None or matches the text).

The one difference is deliberate: calls on a fresh object (`Foo().bar()`) that are not model
calls are not listed in `FileFacts.calls`, since no call site can come of them.
`tests/test_light_facts.py` checks the two paths agree on real and generated code.
"""
from __future__ import annotations

import ast
import re
import warnings
from typing import Any

from readiness.catalog import Catalog
from readiness.discover import SourceFile
from readiness.facts import extract
from readiness.facts.extract import LOG_METHODS, SPAN_CALLS, module_name, read_suppressions
from readiness.facts.model import DYNAMIC, MODULE_SCOPE, RETURN, Binding, FileFacts, FunctionFact

_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=]", re.MULTILINE)


class NeedsFullPass(Exception):
    """The file holds something only the libcst pass can extract faithfully."""


def dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    if isinstance(node, ast.Constant) and (node.value is None or node.value is True or node.value is False):
        parts.append(repr(node.value))  # libcst: `None`, `True`, `False` are names
        return ".".join(reversed(parts))
    return None


def literal(node: ast.expr) -> Any:
    """Mirror of `extract.literal` on an `ast` node."""
    if isinstance(node, ast.Constant):
        value = node.value
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, (int, float, str)):
            return value
        return DYNAMIC
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = literal(node.operand)
        return -inner if isinstance(inner, (int, float)) and not isinstance(inner, bool) else DYNAMIC
    if isinstance(node, ast.Call):
        name = dotted(node.func) or ""
        if name.rsplit(".", 1)[-1] == "Timeout":
            # libcst: the first argument without a keyword (`*x` and `**x` included), or timeout=/read=
            for arg in _ordered_args(node):
                if isinstance(arg, ast.keyword):
                    if arg.arg is None or arg.arg in ("timeout", "read"):
                        return literal(arg.value)
                else:
                    return literal(arg.value if isinstance(arg, ast.Starred) else arg)
    return DYNAMIC


def _ordered_args(call: ast.Call) -> list[ast.expr | ast.keyword]:
    items: list[ast.expr | ast.keyword] = [*call.args, *call.keywords]
    return sorted(items, key=lambda n: (n.lineno, n.col_offset))


def keyword_args(call: ast.Call) -> tuple[dict[str, Any], int]:
    kwargs: dict[str, Any] = {}
    positional = 0
    for arg in _ordered_args(call):
        if isinstance(arg, ast.keyword):
            if arg.arg is None:
                kwargs["**"] = DYNAMIC
            else:
                kwargs[arg.arg] = literal(arg.value)
        elif not isinstance(arg, ast.Starred):
            positional += 1
    return kwargs, positional


class _Function:
    __slots__ = ("qualname", "line", "end_line", "is_async", "decorators", "logs", "traced", "calls")

    def __init__(self, qualname: str, line: int, end_line: int, is_async: bool, decorators: tuple[str, ...]) -> None:
        self.qualname, self.line, self.end_line, self.is_async, self.decorators = qualname, line, end_line, is_async, decorators
        self.logs = self.traced = False
        self.calls: set[str] = set()


class LightVisitor(ast.NodeVisitor):
    """`FactsVisitor` on `ast`, minus model-call candidates (their presence aborts it)."""

    def __init__(self, module: str, is_package: bool, catalog: Catalog) -> None:
        self.module_name, self.is_package = module, is_package
        self.tails, self.packages = catalog.method_tails, catalog.packages
        self.imports: dict[str, str] = {}
        self.bindings: list[Binding] = []
        self.functions = [_Function(MODULE_SCOPE, 1, 1, False, ())]
        self.done: list[_Function] = []
        self.names: list[str] = []
        self.kinds: list[str] = []

    def qualify(self, name: str) -> str:
        head, _, rest = name.partition(".")
        if head in self.imports:
            full = self.imports[head]
            return f"{full}.{rest}" if rest else full
        return name

    # imports
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname is not None:
                self.imports[alias.asname] = alias.name
            else:
                head = alias.name.split(".")[0]
                self.imports[head] = head

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module
        if node.level:
            parts = self.module_name.split(".") if self.module_name else []
            keep = len(parts) - node.level + (1 if self.is_package else 0)
            base_parts = parts[: max(keep, 0)]
            if module:
                base_parts.append(module)
            base = ".".join(base_parts)
        else:
            base = module or ""
        if any(alias.name == "*" for alias in node.names):
            return
        for alias in node.names:
            local = alias.asname or alias.name
            self.imports[local] = f"{base}.{alias.name}" if base else alias.name

    # scopes, in libcst's order: decorators, signature, then body
    def _visit_all(self, nodes: list[Any]) -> None:
        for child in nodes:
            if child is not None:
                self.visit(child)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.names.append(node.name)
        self.kinds.append("class")
        self._visit_all([*node.decorator_list, *node.bases, *node.keywords])
        self._visit_all(node.body)
        self.names.pop()
        self.kinds.pop()

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.names.append(node.name)
        self.kinds.append("func")
        decorators = []
        for dec in node.decorator_list:
            expr = dec.func if isinstance(dec, ast.Call) else dec
            name = dotted(expr)
            if name:
                decorators.append(self.qualify(name))
        end = node.end_lineno or node.lineno
        self.functions.append(_Function(".".join(self.names), node.lineno, end, isinstance(node, ast.AsyncFunctionDef), tuple(decorators)))
        self._visit_all([*node.decorator_list])
        self.visit(node.args)
        self._visit_all([node.returns])
        self._visit_all(node.body)
        self.done.append(self.functions.pop())
        self.names.pop()
        self.kinds.pop()

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function

    def _loop(self, node: ast.AST) -> None:
        self.kinds.append("loop")
        self.generic_visit(node)
        self.kinds.pop()

    visit_For = _loop
    visit_AsyncFor = _loop
    visit_While = _loop

    def visit_Try(self, node: ast.Try) -> None:
        self.kinds.append("try")
        self.generic_visit(node)
        self.kinds.pop()

    @property
    def scope(self) -> str:
        return self.functions[-1].qualname

    # bindings
    def _bind(self, target: ast.expr, value: ast.expr, line: int) -> None:
        name = dotted(target)
        if name is None:
            return
        scope = self.scope
        if name.startswith("self.") and len(self.kinds) >= 2 and self.kinds[-1] == "func" and self.kinds[-2] == "class":
            scope = ".".join(self.names[:-1])
        elif "." in name:
            return
        self._bind_value(scope, name, value, line)

    def _bind_value(self, scope: str, name: str, value: ast.expr, line: int) -> None:
        if isinstance(value, ast.Await):
            value = value.value
        if isinstance(value, ast.Call):
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

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._bind(target, node.value, node.lineno)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._bind(node.target, node.value, node.lineno)
        self.generic_visit(node)

    def visit_Return(self, node: ast.Return) -> None:
        if node.value is not None and self.scope != MODULE_SCOPE:
            self._bind_value(self.scope, RETURN, node.value, node.lineno)
        self.generic_visit(node)

    def visit_withitem(self, node: ast.withitem) -> None:
        if node.optional_vars is not None:
            self._bind(node.optional_vars, node.context_expr, node.context_expr.lineno)
        if isinstance(node.context_expr, ast.Call):
            name = dotted(node.context_expr.func) or ""
            if name.rsplit(".", 1)[-1] in SPAN_CALLS:
                self.functions[-1].traced = True
        self.generic_visit(node)

    # calls
    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = dotted(func)
        chained = False
        if name is None and isinstance(func, ast.Attribute):
            name, chained = self._chained(func), True
        if name:
            qualified = self.qualify(name)
            last = qualified.rsplit(".", 1)[-1]
            head = qualified.split(".")[0]
            fn = self.functions[-1]
            fn.calls.add(qualified)
            if last in LOG_METHODS and ("log" in name.split(".")[0].lower() or head in ("logging", "structlog", "loguru")):
                fn.logs = True
            if last in self.tails or head in self.packages:
                raise NeedsFullPass("a model-call candidate")
            if chained and qualified.startswith("<ctor>.") and self._ctor_is_candidate(func):
                raise NeedsFullPass("a call on a constructed client")
        self.generic_visit(node)

    def _ctor_is_candidate(self, func: ast.Attribute) -> bool:
        node: ast.expr = func
        while isinstance(node, ast.Attribute):
            node = node.value
        inner = dotted(node.func) if isinstance(node, ast.Call) else None
        qualified = self.qualify(inner or "")
        return qualified.split(".")[0] in self.packages

    def _chained(self, func: ast.Attribute) -> str:
        attrs: list[str] = []
        node: ast.expr = func
        while isinstance(node, ast.Attribute):
            attrs.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Call):
            return ""
        inner = dotted(node.func)
        if inner is None:
            return ""
        chain = ".".join(reversed(attrs))
        if inner.endswith(".with_options"):
            return f"{inner[: -len('.with_options')]}.{chain}"
        return f"<ctor>.{chain}"

    def finish(self, source: SourceFile, text: str) -> FileFacts:
        suppressions, file_ignores = read_suppressions(text, ())
        functions = self.done + self.functions
        return FileFacts(
            path=source.path,
            module=self.module_name,
            kind=source.kind,
            imports=dict(sorted(self.imports.items())),
            bindings=tuple(self.bindings),
            calls=(),
            functions=tuple(
                FunctionFact(f.qualname, f.line, f.end_line, f.is_async, f.decorators, f.logs, f.traced, tuple(sorted(f.calls)))
                for f in sorted(functions, key=lambda f: (f.line, f.qualname))
            ),
            suppressions=suppressions,
            file_ignores=file_ignores,
            lines=text.count("\n") + 1,
            cell_lines=(),
        )


def light_facts(source: SourceFile, raw: bytes, catalog: Catalog) -> FileFacts | None:
    """Facts of a Python file that cannot call a model, or None when it needs the libcst pass."""
    if source.kind != "python" or b"\0" in raw or raw.startswith(b"\xef\xbb\xbf") or _COOKIE.search(raw, 0, 400):
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if any(collector.wanted(text) for collector in extract.COLLECTORS):
        return None
    name, is_package = module_name(source.path)
    visitor = LightVisitor(name, is_package, catalog)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the scanned code's SyntaxWarnings are not ours to print
            tree = ast.parse(raw, filename=source.path, type_comments=False)
        visitor.visit(tree)
    except (NeedsFullPass, SyntaxError, ValueError, RecursionError, MemoryError, TypeError):
        return None
    return visitor.finish(source, text)
