"""Facts of a file that no model-aware rule looks at, from Python's own `ast`.

Most files of a big repo are not connected to a model SDK, a web framework or code that uses
one (see `readiness.prescreen`). The rules read only their project-level facts: imports (with
lines and context), functions and their evidence, statement anchors for fingerprints,
suppressions and repo-hygiene markers (`sys.path` edits, local paths, TODO comments, environment
and token-usage reads, module settings). `light_facts` rebuilds exactly those fields, with the
same rules for names, scopes and positions as the libcst visitors, at a fraction of the cost
(ast parses several times faster than libcst, and positions come free). The fields only the
model-aware collectors fill (bindings, calls, invocations, tries, flows, web surface, prompts)
keep their empty defaults. `tests/test_light_facts.py` checks the two paths agree.

It gives up (None: the caller takes the libcst path) on anything `ast` would read differently:
a BOM, a coding cookie, NUL bytes, invalid UTF-8, text that NFKC normalisation changes (ast
folds identifiers), bare CR line ends, a backslash continuation across CRLF, or code `ast`
cannot parse.
"""
from __future__ import annotations

import ast
import re
import unicodedata
import warnings
from typing import Any

from readiness.discover import SourceFile, module_name
from readiness.facts.names import LOG_METHODS
from readiness.facts.light_text import Anchors, find_markers, marker_lines, paths_by_token, tokens_of
from readiness.facts.textmarks import (
    ENV_GETTERS, ENV_NAME, SPAN_CALLS, SYS_PATH_CALLS, USAGE_ATTRS, local_path_in, read_suppressions,
)
from readiness.facts.flowmodel import PrintCall, PromptFacts
from readiness.facts.model import MODULE_SCOPE, FileFacts, function_facts, qualified

_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=]", re.MULTILINE)
_NEWLINE = re.compile(r"\r\n|\r|\n")
_USAGE_KEYS = frozenset({"usage", "token_usage", "usage_metadata"})


def _is_name_constant(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and (node.value is None or node.value is True or node.value is False)


def dotted(node: ast.AST) -> str | None:
    """`facts.collector.dotted` on an `ast` node (a literal identifier subscript counts as an attribute)."""
    parts: list[str] = []
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        if isinstance(node, ast.Subscript):
            key = node.slice
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str) and key.value.isidentifier()):
                return None
            parts.append(key.value)
        else:
            parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    if _is_name_constant(node):
        parts.append(repr(node.value))  # libcst: `None`, `True`, `False` are names
        return ".".join(reversed(parts))
    return None


class _Function:
    __slots__ = ("qualname", "line", "end_line", "is_async", "decorators", "logs", "traced", "calls")

    def __init__(self, qualname: str, line: int, end_line: int, is_async: bool, decorators: tuple[str, ...]) -> None:
        self.qualname, self.line, self.end_line, self.is_async, self.decorators = qualname, line, end_line, is_async, decorators
        self.logs = self.traced = False
        self.calls: set[str] = set()


class LightVisitor(ast.NodeVisitor):
    """The core visitor's imports and function evidence plus the markers collector, on `ast`."""

    def __init__(self, module: str, is_package: bool, lines: list[str]) -> None:
        self.module_name, self.is_package, self.lines = module, is_package, lines
        self.imports: dict[str, str] = {}
        self.functions = [_Function(MODULE_SCOPE, 1, 1, False, ())]
        self.done: list[_Function] = []
        self.names: list[str] = []
        self.kinds: list[str] = []
        self.typing_depth = 0
        self.import_refs: list[tuple[str, str, int, str]] = []
        self.sys_path_edits: list[int] = []
        self.local_paths: list[tuple[int, str]] = []
        self.env_reads: list[tuple[str, int]] = []
        self.usage_reads = 0
        self.module_settings: set[str] = set()
        self.write_targets: set[int] = set()
        self.prints: list[PrintCall] = []
        #: Lines where a `#` precedes a TODO-like word, and the strings that touch them.
        self.marker_lines: set[int] = set()
        self.string_spans: list[tuple[int, int, int, int]] = []
        self.main_depth = 0
        self.main_guard = False
        self.cli = False

    def visit(self, node: ast.AST) -> None:
        method = _DISPATCH.get(type(node))
        if method is None:
            self.generic_visit(node)
        else:
            method(self, node)

    def generic_visit(self, node: ast.AST) -> None:
        for name in _CHILD_FIELDS.get(type(node)) or _child_fields(type(node)):
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, ast.AST):
                        self.visit(item)
            elif isinstance(value, ast.AST):
                self.visit(value)

    def qualify(self, name: str) -> str:
        return qualified(self.imports, name)

    def _context(self) -> str:
        if self.typing_depth:
            return "typing"
        return "local" if "func" in self.kinds else "module"

    # -- imports ---------------------------------------------------------------
    def _usage_in(self, name: str) -> None:
        # libcst visits the Attribute nodes of a dotted import name
        self.usage_reads += sum(1 for part in name.split(".")[1:] if part in USAGE_ATTRS)

    def visit_Import(self, node: ast.Import) -> None:
        context = self._context()
        for alias in node.names:
            self._usage_in(alias.name)
            if alias.asname is not None:
                self.imports[alias.asname] = alias.name
            else:
                head = alias.name.split(".")[0]
                self.imports[head] = head
            self.import_refs.append((alias.name, "", node.lineno, context))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module
        if module:
            self._usage_in(module)
        if node.level:
            parts = self.module_name.split(".") if self.module_name else []
            keep = len(parts) - node.level + (1 if self.is_package else 0)
            base_parts = parts[: max(keep, 0)]
            if module:
                base_parts.append(module)
            base = ".".join(base_parts)
        else:
            base = module or ""
        star = any(alias.name == "*" for alias in node.names)
        if base:
            context = self._context()
            if star:
                self.import_refs.append((base, "*", node.lineno, context))
            else:
                self.import_refs.extend((base, alias.name, node.lineno, context) for alias in node.names)
        if star:
            return
        for alias in node.names:
            local = alias.asname or alias.name
            self.imports[local] = f"{base}.{alias.name}" if base else alias.name

    # -- scopes, in libcst's order: decorators, signature, then body -----------
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

    def visit_If(self, node: ast.If) -> None:
        typing = (dotted(node.test) or "").rsplit(".", 1)[-1] == "TYPE_CHECKING"
        main = self.functions[-1].qualname == MODULE_SCOPE and _is_main_test(node.test)
        self.typing_depth += typing
        self.main_depth += main
        self.main_guard = self.main_guard or main
        self.generic_visit(node)
        self.typing_depth -= typing
        self.main_depth -= main

    # -- evidence: logging, tracing spans, callees -----------------------------
    def visit_withitem(self, node: ast.withitem) -> None:
        if isinstance(node.context_expr, ast.Call):
            name = dotted(node.context_expr.func) or ""
            if name.rsplit(".", 1)[-1] in SPAN_CALLS:
                self.functions[-1].traced = True
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        plain = dotted(func)
        name = plain if plain is not None else self._chained(func) if isinstance(func, ast.Attribute) else None
        if name:
            qualified = self.qualify(name)
            head = qualified.split(".")[0]
            fn = self.functions[-1]
            fn.calls.add(qualified)
            if qualified.rsplit(".", 1)[-1] in LOG_METHODS and ("log" in name.split(".")[0].lower() or head in ("logging", "structlog", "loguru")):
                fn.logs = True
        target = self.qualify(plain) if plain else ""  # a plain dotted callee, qualified
        self._prompt_evidence(node, target)
        if target in SYS_PATH_CALLS:
            self.sys_path_edits.append(node.lineno)
        elif target in ENV_GETTERS and (node.args or node.keywords):
            first = min([*node.args, *node.keywords], key=lambda a: (a.lineno, a.col_offset))
            self._env(first.value if isinstance(first, (ast.keyword, ast.Starred)) else first, node.lineno)
        self.generic_visit(node)

    def _prompt_evidence(self, node: ast.Call, qualified: str) -> None:
        """What `facts.prompts.PromptCollector` records outside model code: prints and CLI parsers."""
        tail = qualified.rsplit(".", 1)[-1] if qualified else (node.func.attr if isinstance(node.func, ast.Attribute) else "")
        if qualified == "print":
            col = len(self.lines[node.lineno - 1].encode("utf-8")[:node.col_offset].decode("utf-8", "replace"))
            self.prints.append(PrintCall(node.lineno, col, self.functions[-1].qualname, self.main_depth > 0))
        elif qualified.split(".")[0] in ("argparse", "click", "typer", "fire") or tail == "ArgumentParser":
            self.cli = True

    def _chained(self, func: ast.Attribute) -> str:
        """`X(...).a.b` -> `<ctor>.a.b`, `x.with_options(...).a` -> `x.a`, `(p | llm).invoke` -> `<ctor>.invoke`."""
        attrs: list[str] = []
        node: ast.expr = func
        while isinstance(node, ast.Attribute):
            attrs.append(node.attr)
            node = node.value
        chain = ".".join(reversed(attrs))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return f"<ctor>.{chain}" if self._has_pipe_operand(node) else ""
        if not isinstance(node, ast.Call):
            return ""
        inner = dotted(node.func)
        if inner is None:
            return ""
        if inner.endswith(".with_options"):
            return f"{inner[: -len('.with_options')]}.{chain}"
        return f"<ctor>.{chain}"

    def _has_pipe_operand(self, node: ast.expr) -> bool:
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return self._has_pipe_operand(node.left) or self._has_pipe_operand(node.right)
        if isinstance(node, ast.Call):
            return dotted(node.func) is not None
        return dotted(node) is not None

    # -- markers: sys.path, environment, token usage, module settings ----------
    def _env(self, key: ast.expr, line: int) -> None:
        if isinstance(key, ast.Constant) and isinstance(key.value, str) and ENV_NAME.match(key.value) and self._single_token(key):
            self.env_reads.append((key.value, line))

    def _single_token(self, node: ast.expr) -> bool:
        """A string literal written as one token (libcst: a SimpleString, not a concatenation)."""
        return tokens_of(self.lines, node) == 1

    def visit_Subscript(self, node: ast.Subscript) -> None:
        base = dotted(node.value)
        key = node.slice
        if base is not None and self.qualify(base) == "os.environ" and id(node) not in self.write_targets:
            if not isinstance(key, (ast.Tuple, ast.Slice)):
                self._env(key, node.lineno)
        if isinstance(key, ast.Constant) and isinstance(key.value, str) and key.value in _USAGE_KEYS:
            self.usage_reads += 1
        self.generic_visit(node)

    def _targets(self, targets: list[ast.expr], line: int) -> None:
        for target in targets:
            name = dotted(target.value) if isinstance(target, ast.Subscript) else dotted(target)
            if name is not None and self.qualify(name) == "sys.path":
                self.sys_path_edits.append(line)
            elif name is not None and not isinstance(target, ast.Subscript) and "." in name and name.split(".")[0] in self.imports:
                self.module_settings.add(self.qualify(name))
            if isinstance(target, ast.Subscript):
                self.write_targets.add(id(target))

    def visit_Assign(self, node: ast.Assign) -> None:
        self._targets(node.targets, node.lineno)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._targets([node.target], node.lineno)
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in USAGE_ATTRS:
            self.usage_reads += 1
        self.generic_visit(node)

    # -- strings: paths of one machine ------------------------------------------
    def visit_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            self._string_span(node.value)
            return  # docstrings and bare strings are prose
        self.generic_visit(node)

    def _string_span(self, node: ast.expr) -> None:
        """Keep where a string touching a line with a TODO-like `#` sits (is the `#` in it?)."""
        if self.marker_lines and any(line in self.marker_lines for line in range(node.lineno, (node.end_lineno or node.lineno) + 1)):
            self.string_spans.append((node.lineno, node.col_offset, node.end_lineno or node.lineno, node.end_col_offset or 0))

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, (str, bytes)):
            self._string_span(node)
        if isinstance(node.value, str) and ("Users" in node.value or "/home/" in node.value):
            self.local_paths.extend(paths_by_token(self.lines, node))

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        self._string_span(node)
        for part in node.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                if path := local_path_in(part.value):
                    self.local_paths.append((node.lineno, path))
            else:
                self.visit(part)


#: Fields that never hold a node worth visiting (contexts and operators are leaf nodes).
_LEAF_FIELDS = frozenset({"ctx", "op", "ops"})
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
_DISPATCH: dict[type, Any] = {}


def _child_fields(kind: type) -> tuple[str, ...]:
    fields = tuple(f for f in kind._fields if f not in _LEAF_FIELDS)  # type: ignore[attr-defined]
    _CHILD_FIELDS[kind] = fields
    return fields


for _name in dir(ast):
    _kind = getattr(ast, _name)
    if isinstance(_kind, type) and issubclass(_kind, ast.AST) and hasattr(LightVisitor, f"visit_{_name}"):
        _DISPATCH[_kind] = getattr(LightVisitor, f"visit_{_name}")


def _is_main_test(test: ast.expr) -> bool:
    """`__name__ == "__main__"` (either way round)."""
    if not isinstance(test, ast.Compare) or len(test.ops) != 1 or not isinstance(test.ops[0], ast.Eq):
        return False
    sides = (test.left, test.comparators[0])
    names = {dotted(side) for side in sides}
    values = {side.value for side in sides if isinstance(side, ast.Constant) and isinstance(side.value, str)}
    return "__name__" in names and "__main__" in values


def light_facts(source: SourceFile, raw: bytes) -> FileFacts | None:
    """The project-level facts of a Python file, or None when it needs the libcst pass."""
    if source.kind != "python" or b"\0" in raw or raw.startswith(b"\xef\xbb\xbf") or _COOKIE.search(raw, 0, 400):
        return None
    if b"\r" in raw and (b"\\\r" in raw or raw.count(b"\r") != raw.count(b"\r\n")):
        return None  # old Mac line ends, or a line continued across CRLF: positions differ
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not raw.isascii() and not unicodedata.is_normalized("NFKC", text):
        return None  # ast folds identifiers to NFKC (`Aª` is `Aa`); libcst keeps what is written
    lines = _NEWLINE.split(text)
    name, is_package = module_name(source.path)
    visitor = LightVisitor(name, is_package, lines)
    anchors = Anchors(lines)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the scanned code's SyntaxWarnings are not ours to print
            tree = ast.parse(raw, filename=source.path, type_comments=False)
        visitor.marker_lines = marker_lines(text)
        visitor.visit(tree)
        anchors.body(tree.body)
        markers = find_markers(lines, visitor.marker_lines, visitor.string_spans, text) if visitor.marker_lines else []
    except (SyntaxError, ValueError, RecursionError, MemoryError, TypeError, IndexError):
        return None
    suppressions, file_ignores = read_suppressions(text, ())
    functions = visitor.done + visitor.functions
    return FileFacts(
        path=source.path,
        module=name,
        kind=source.kind,
        imports=dict(sorted(visitor.imports.items())),
        bindings=(),
        calls=(),
        functions=function_facts(functions),
        suppressions=suppressions,
        file_ignores=file_ignores,
        lines=text.count("\n") + 1,
        statements=tuple(sorted(anchors.found)),
        import_refs=tuple(visitor.import_refs),
        sys_path_edits=tuple(sorted(set(visitor.sys_path_edits))),
        local_paths=tuple(visitor.local_paths),
        workaround_markers=tuple(markers),
        env_reads=tuple(visitor.env_reads),
        usage_reads=visitor.usage_reads,
        module_settings=tuple(sorted(visitor.module_settings)),
        prompts=PromptFacts(prints=tuple(visitor.prints), main_guard=visitor.main_guard, cli=visitor.cli),
    )
