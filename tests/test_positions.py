"""facts/positions.py gives every node exactly the range libcst's PositionProvider gives it."""
from __future__ import annotations

from pathlib import Path

import hypothesmith
import libcst
import pytest
from hypothesis import HealthCheck, given, settings
from libcst.metadata import MetadataWrapper, PositionProvider

from conftest import FIXTURES

from readiness.discover import SourceFile
from readiness.facts.positions import FastPositionProvider, spans
from readiness.parse import ParsedModule, parse_file

pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")  # generated code like `1()`
ROOT = Path(__file__).resolve().parent.parent
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
FILES = sorted(
    [*FIXTURES.rglob("*.py"), *FIXTURES.rglob("*.ipynb"), *(ROOT / "readiness").rglob("*.py"), *(ROOT / "rules").rglob("*.py")]
)


def _assert_same(module: libcst.Module) -> None:
    reference = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    expected = {id(node): (r.start.line, r.start.column, r.end.line, r.end.column) for node, r in reference.items()}
    assert spans(module) == expected
    assert dict(MetadataWrapper(module, unsafe_skip_copy=True).resolve(FastPositionProvider)) == dict(reference)


def _parsed(path: str, kind: str, raw: bytes) -> ParsedModule | None:
    parsed = parse_file(SourceFile(path, "", kind, len(raw)), raw)
    return parsed if isinstance(parsed, ParsedModule) else None


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_same_ranges_as_libcst_on_repo_files(path: Path) -> None:
    parsed = _parsed(path.name, "notebook" if path.suffix == ".ipynb" else "python", path.read_bytes())
    if parsed is None:
        pytest.skip("does not parse (a syntax-error fixture)")
    _assert_same(parsed.module)


EDGE_CASES = [
    "",
    "\n",
    "\n\n# only a comment\n",
    "x = 1",  # no trailing newline
    "x = 1\r\ny = (2,\r\n     3)\r\n",  # CRLF
    "x = 1\ry = 2\r",  # lone CR
    "if x:\n\ty = 1\n\tif y:\n\t\tz = 2\n",  # tabs
    "x = 1 + \\\n    2\n",  # backslash continuation
    's = """a\nb\r\nc"""\nt = f"{s!r:>{10}} {s}"\n',
    "@dec\n@other(1)\nclass A(B, metaclass=M):\n    '''doc'''\n    def f(self, /, a, *, b=2, **kw) -> int: return 1\n",
    "try:\n    pass\nexcept (A, B) as e:\n    raise\nexcept C:\n    pass\nelse:\n    x\nfinally:\n    y\n",
    "try:\n    pass\nexcept* C:\n    pass\nfinally:\n    y\n",
    "match p:\n    case [1, *rest] if rest:\n        pass\n    case {'k': v, **kw}:\n        pass\n    case Point(x=0) | None:\n        pass\n    case _:\n        pass\n",
    "a = 1; b = 2;  # trailing\nwith (open(a) as f, open(b) as g):\n    pass\n",
    "async def f():\n    async with a as b:\n        async for x in y:\n            await z\n    return [i async for i in g()]\n",
    "def f():\n    global a\n    nonlocal_ = lambda x, *y, **z: (yield)\n    del a[1:2, ::3], b.c\n",
    "x = (  # comment\n    1\n    # another\n    , 2\n)\nprint(*x, sep='')\n",
    "def g[T: int, *Ts, **P](a: T) -> T: ...\ntype X[T] = list[T]\n",
    "if a:\n    pass\nelif b:\n    pass\nelse:\n    pass\nwhile c:\n    break\nelse:\n    continue\n",
    "x: int = 1\ny += 2\nassert x, 'msg'\nimport a.b as c, d\nfrom .. import (e as f, g,)\nfrom . import *\n",
]


@pytest.mark.parametrize("code", EDGE_CASES)
def test_same_ranges_as_libcst_on_edge_cases(code: str) -> None:
    _assert_same(libcst.parse_module(code))


def test_an_empty_module_built_in_code_ends_after_its_newline() -> None:
    _assert_same(libcst.Module(body=[]))  # libcst adds one newline token to an empty module


def test_a_node_shared_by_two_parents_keeps_libcst_overwrite_rules() -> None:
    name = libcst.Name("x")
    call = libcst.Call(libcst.Name("f"), args=[libcst.Arg(name)])
    module = libcst.Module(body=[
        libcst.SimpleStatementLine([libcst.Expr(name)]),
        libcst.SimpleStatementLine([libcst.Expr(call)]),
        libcst.SimpleStatementLine([libcst.Expr(call)]),
    ])
    _assert_same(module)


@SETTINGS
@given(hypothesmith.from_grammar())
def test_same_ranges_on_grammar_generated_programs(code: str) -> None:
    parsed = _parsed("gen/module.py", "python", code.encode("utf-8", "surrogatepass"))
    if parsed is not None:
        _assert_same(parsed.module)


@SETTINGS
@given(hypothesmith.from_node(libcst.Module))
def test_same_ranges_on_libcst_generated_modules(code: str) -> None:
    parsed = _parsed("gen/module.py", "python", code.encode("utf-8", "surrogatepass"))
    if parsed is not None:
        _assert_same(parsed.module)
