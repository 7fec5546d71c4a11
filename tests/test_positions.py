"""facts/positions.py (and the emit functions behind it) give every node exactly the range
libcst's PositionProvider gives it."""
from __future__ import annotations

from pathlib import Path

import hypothesmith
import libcst
import pytest
from hypothesis import HealthCheck, given, settings
from libcst.metadata import MetadataWrapper, PositionProvider

from conftest import FIXTURES

from readiness.discover import SourceFile
from readiness.facts.emit import UNRECORDED
from readiness.facts.positions import FastPositionProvider, _unpack, positions, recorded_spans, spans
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
    found = positions(module)
    # what the emit functions record is libcst's range, for every node a collector may ask about
    emitted = {key: _unpack(value) for key, value in found.packed.items()}
    assert emitted == {key: expected.get(key) for key in emitted}
    assert {id(node) for node in reference if node.__class__ not in UNRECORDED} <= emitted.keys()
    for node in reference:
        if node.__class__ not in UNRECORDED:
            found.line_of(node)
    assert found.complete is None  # libcst's whole codegen only runs for an unrecorded node
    # every node through `Positions` (whitespace, brackets and operators from the whole codegen)
    assert {id(node): found.span(node) for node in reference} == expected
    assert spans(module) == expected
    assert recorded_spans(module) == expected
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


EDGE_CASES_MORE = [
    "x = f'{a!r:>{w}.{p}} {b=} {c:%Y-%m}' f\"\"\"\n{d}\n\"\"\" rf'{e}'\n",
    "y = [i async for i in g() if i if not i for j in i]; z = {k: v for k, v in d.items()}; s = {i for i in ()}\n",
    "w = (i for i in x); f = lambda: 0; g = lambda a, /, b=1, *c, d, **e: a\nh = a[1:2], a[::3], a[:, 1:], a[x:=1]\n",
    "def gen():\n    yield\n    yield 1\n    yield from x\n    x = yield\n    await (yield)\n",
    "print(*a, **k); l = [*a, *b]; d = {**a, 'k': 1, **b}; t = *a, b\n",
    "assert x\nassert x, 'm'\nraise\nraise E\nraise E from e\nraise E() from None\n",
    "from . import a\nfrom .. import (b, c as d,)\nfrom ...m import *\nfrom m import (\n    e,  # c\n    f,\n)\n",
    "class A(): pass\nclass B(C, metaclass=M, **kw):\n    x: int\n    y: int = 1\n",
    "if a: pass\nelif b: x = 1; y = 2\nelse: pass\nwhile x: break\nfor a, b in c: continue\n",
    "a = not b; c = -d; e = ~f; g = a not in b; h = a is not b; i = a if b else c; j = a and b or c\n",
    "x = (\n    1 +  # one\n    2\n) * \\\n    3\ndel a, b[1]\nglobal g\n",
    "@a.b(c)\n# comment\n@d\n\nasync def f(a: int = 1, *, b: 'str' = '', **kw: dict) -> None:\n    async with a as b, c:\n        pass\n    async for x in y:\n        pass\n    else:\n        pass\n",
    "try:\n    pass\nexcept E as e:\n    pass\nexcept (A, B):\n    pass\nelse:\n    pass\n",
    "x = {1, 2}; y = {}; z = (); w = (1,); v = [1, 2,]; u = 1.5j + 2.0 + 0x1 + ...\n",
    "s = ('a'\n     'b'  'c')\nt = b'x' \\\n    b'y'\n",
    "x = a[b][c](d)(e).f.g[h]\nif (a):\n    # leading\n\n    b\n    # footer\n# module footer\n",
]


@pytest.mark.parametrize("code", [*EDGE_CASES, *EDGE_CASES_MORE])
def test_same_ranges_as_libcst_on_edge_cases(code: str) -> None:
    _assert_same(libcst.parse_module(code))


def _constructed() -> libcst.Module:
    """Nodes built in code: libcst writes its defaults (commas, `=`, spaces) for MaybeSentinel fields."""
    n = libcst.Name
    args = [libcst.Arg(n("a")), libcst.Arg(n("b"), keyword=n("k")), libcst.Arg(n("c"), star="*")]
    params = libcst.Parameters(
        params=[libcst.Param(n("p")), libcst.Param(n("q"), default=libcst.Integer("1"), annotation=libcst.Annotation(n("int")))],
        kwonly_params=[libcst.Param(n("r"))], star_kwarg=libcst.Param(n("kw")), posonly_params=[libcst.Param(n("o"))],
    )
    body = libcst.IndentedBlock([
        libcst.SimpleStatementLine([libcst.Expr(libcst.Call(n("f"), args)), libcst.Return(n("x")), libcst.Return()]),
        libcst.SimpleStatementLine([libcst.Assert(n("t"), msg=libcst.SimpleString("'m'")), libcst.Raise(n("E"), cause=libcst.From(n("e")))]),
        libcst.SimpleStatementLine([libcst.AnnAssign(n("v"), libcst.Annotation(n("int")), value=libcst.Integer("2"))]),
        libcst.SimpleStatementLine([libcst.Expr(libcst.List([libcst.Element(n("a")), libcst.StarredElement(n("b")), libcst.Element(n("c"))]))]),
        libcst.SimpleStatementLine([libcst.Expr(libcst.Tuple([libcst.Element(n("a"))])), libcst.Expr(libcst.Set([libcst.Element(n("a")), libcst.Element(n("b"))]))]),
        libcst.SimpleStatementLine([libcst.Expr(libcst.Dict([libcst.DictElement(n("a"), n("b")), libcst.StarredDictElement(n("c")), libcst.DictElement(n("d"), n("e"))]))]),
        libcst.SimpleStatementLine([libcst.Expr(libcst.Lambda(libcst.Parameters([libcst.Param(n("a"))]), n("a"))), libcst.Expr(libcst.Lambda(libcst.Parameters(), n("b")))]),
        libcst.SimpleStatementLine([libcst.Expr(libcst.Subscript(n("a"), [libcst.SubscriptElement(libcst.Index(n("i"))), libcst.SubscriptElement(libcst.Slice(None, None, step=n("s")))]))]),
        libcst.SimpleStatementLine([libcst.Import([libcst.ImportAlias(n("a")), libcst.ImportAlias(n("b"), asname=libcst.AsName(n("c")))])]),
        libcst.SimpleStatementLine([libcst.ImportFrom(n("m"), [libcst.ImportAlias(n("a")), libcst.ImportAlias(n("b"))])]),
        libcst.SimpleStatementLine([]),
        libcst.With([libcst.WithItem(n("a"), comma=libcst.Comma(whitespace_after=libcst.ParenthesizedWhitespace())), libcst.WithItem(n("b"))], libcst.IndentedBlock([])),
        libcst.If(n("c"), libcst.SimpleStatementSuite([libcst.Pass(), libcst.Pass()]), orelse=libcst.Else(libcst.IndentedBlock([]))),
    ])
    function = libcst.FunctionDef(n("f"), params, body, returns=libcst.Annotation(n("int")), decorators=[libcst.Decorator(n("d"))])
    cls = libcst.ClassDef(n("C"), libcst.IndentedBlock([libcst.SimpleStatementLine([libcst.Pass()])]), bases=[libcst.Arg(n("B"))],
                          keywords=[libcst.Arg(n("M"), keyword=n("metaclass"))])
    generator = libcst.FunctionDef(n("g"), libcst.Parameters(), libcst.IndentedBlock([
        libcst.SimpleStatementLine([libcst.Expr(libcst.Yield(n("x"))), libcst.Expr(libcst.Yield(libcst.From(n("y")))), libcst.Expr(libcst.Yield())]),
    ]))
    return libcst.Module(body=[function, cls, generator, libcst.SimpleStatementLine([libcst.Expr(libcst.Name("z"))])], default_indent="\t", default_newline="\r\n")


def test_same_ranges_on_nodes_built_in_code_with_default_tokens() -> None:
    _assert_same(_constructed())


def test_an_untested_libcst_release_gets_libcst_own_ranges(monkeypatch: pytest.MonkeyPatch) -> None:
    import readiness.facts.positions as module_positions

    assert module_positions.EMIT, "the installed libcst is not a release the emitters were checked against"
    parsed = _parsed("x.py", "python", b"@dec\ndef f(a, *, b=2):\n    return g(a)[b] + 'x'  # c\n")
    assert parsed is not None
    monkeypatch.setattr(module_positions, "EMIT", False)
    found = module_positions.positions(parsed.module)
    reference = MetadataWrapper(parsed.module, unsafe_skip_copy=True).resolve(PositionProvider)
    for node, r in reference.items():
        assert found.span(node) == (r.start.line, r.start.column, r.end.line, r.end.column)
