"""facts/traverse.py calls the same visitor methods, on the same nodes, in the same order as libcst."""
from __future__ import annotations

import ast
import inspect
import textwrap
from dataclasses import fields
from pathlib import Path

import hypothesmith
import libcst
import pytest
from hypothesis import HealthCheck, given, settings

from conftest import FIXTURES

from readiness.discover import SourceFile
from readiness.facts.traverse import IRREGULAR, visit_batched
from readiness.parse import ParsedModule, parse_file

pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")
ROOT = Path(__file__).resolve().parent.parent
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
NODE_TYPES = sorted(
    {c for c in vars(libcst).values() if isinstance(c, type) and issubclass(c, libcst.CSTNode)}, key=lambda c: c.__name__
)


def _recorder() -> type[libcst.BatchableCSTVisitor]:
    """A visitor with a visit_/leave_ method for every node type and every attribute of it."""

    def method(name: str):
        def record(self, node):
            self.log.append((name, id(node)))
        record.__name__ = name
        return record

    namespace = {}
    for cls in NODE_TYPES:
        for prefix in ("visit_", "leave_"):
            namespace[f"{prefix}{cls.__name__}"] = method(f"{prefix}{cls.__name__}")
            for field in fields(cls) if hasattr(cls, "__dataclass_fields__") else ():
                namespace[f"{prefix}{cls.__name__}_{field.name}"] = method(f"{prefix}{cls.__name__}_{field.name}")
    return type("Recorder", (libcst.BatchableCSTVisitor,), namespace)


RECORDER = _recorder()


def _assert_same(module: libcst.Module) -> None:
    ours, theirs = RECORDER(), RECORDER()
    ours.log, theirs.log = [], []
    other = RECORDER()  # a second visitor: methods of several visitors interleave by visitor order
    other.log = ours.log
    other_theirs = RECORDER()
    other_theirs.log = theirs.log
    visit_batched(module, [ours, other])
    libcst.visit_batched(module, [theirs, other_theirs])
    assert ours.log == theirs.log


FILES = sorted([*FIXTURES.rglob("*.py"), *FIXTURES.rglob("*.ipynb"), *(ROOT / "readiness").rglob("*.py")])


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_same_calls_as_libcst_on_repo_files(path: Path) -> None:
    raw = path.read_bytes()
    parsed = parse_file(SourceFile(path.name, "", "notebook" if path.suffix == ".ipynb" else "python", len(raw)), raw)
    if not isinstance(parsed, ParsedModule):
        pytest.skip("does not parse")
    _assert_same(parsed.module)


@pytest.mark.parametrize("code", [
    "from . import (a as b, c)\nfrom x import *\nimport y as z\n",
    "f'{a!r:>{w}} {b=} {c:{d}}'\nf''\n",
    "def g[T: int = str, *Ts, **P](a: T) -> T: ...\ntype X[T] = list[T]\n",
    "match p:\n    case [1, *rest] if rest:\n        pass\n    case {'k': v, **kw}:\n        pass\n",
])
def test_same_calls_as_libcst_on_edge_cases(code: str) -> None:
    _assert_same(libcst.parse_module(code))


@SETTINGS
@given(hypothesmith.from_node(libcst.Module))
def test_same_calls_on_generated_modules(code: str) -> None:
    try:
        module = libcst.parse_module(code)
    except libcst.ParserSyntaxError:
        return
    _assert_same(module)


def _sparse_recorder() -> type[libcst.BatchableCSTVisitor]:
    """A visitor like the collectors: methods for a few node types (one of them found only
    inside whitespace), so most nodes, whitespace above all, have none and are not walked."""

    def method(name: str):
        def record(self, node):
            self.log.append((name, id(node)))
        record.__name__ = name
        return record

    names = [f"{prefix}{name}" for prefix in ("visit_", "leave_")
             for name in ("Call", "Name", "Comment", "SimpleStatementLine", "FunctionDef", "Call_args", "FormattedStringText")]
    return type("Sparse", (libcst.BatchableCSTVisitor,), {name: method(name) for name in names})


SPARSE = _sparse_recorder()


@pytest.mark.parametrize("path", FILES[::3], ids=lambda p: str(p.relative_to(ROOT)))
def test_same_calls_as_libcst_with_methods_for_a_few_node_types(path: Path) -> None:
    raw = path.read_bytes()
    parsed = parse_file(SourceFile(path.name, "", "notebook" if path.suffix == ".ipynb" else "python", len(raw)), raw)
    if not isinstance(parsed, ParsedModule):
        pytest.skip("does not parse")
    ours, theirs = SPARSE(), SPARSE()
    ours.log, theirs.log = [], []
    visit_batched(parsed.module, [ours])
    libcst.visit_batched(parsed.module, [theirs])
    assert ours.log == theirs.log


def test_every_branching_traversal_in_libcst_is_handled_as_irregular() -> None:
    """A node type whose traversal is not one fixed list of `visit_*(self, "name", self.name, ...)`
    calls must go through libcst (IRREGULAR); this catches such a change in a libcst upgrade."""
    for cls in NODE_TYPES:
        impl = cls.__dict__.get("_visit_and_replace_children")
        if impl is None or getattr(impl, "__isabstractmethod__", False):
            continue
        fn = ast.parse(textwrap.dedent(inspect.getsource(impl))).body[0]
        branches = [n for n in ast.walk(fn) if isinstance(n, (ast.If, ast.IfExp, ast.For, ast.While, ast.comprehension))]
        visits = [n for n in ast.walk(fn) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id.startswith("visit_")]
        renamed = [
            n for n in visits
            if not (isinstance(n.args[1], ast.Constant) and isinstance(n.args[2], ast.Attribute) and n.args[2].attr == n.args[1].value)
        ]
        if branches or renamed:
            assert cls.__name__ in IRREGULAR, cls.__name__
