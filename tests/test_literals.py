"""facts/collector.py's cached string literal values and `dotted` give what libcst's
`evaluated_value` and the plain isinstance walk give, on every literal and name chain."""
from __future__ import annotations

import warnings
from pathlib import Path

import libcst as cst
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES

from readiness.facts.collector import FAILED, clear_literals, dotted, string_literal

pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning", "ignore::DeprecationWarning")
ROOT = Path(__file__).resolve().parent.parent
FILES = sorted([*FIXTURES.rglob("*.py"), *(ROOT / "readiness").rglob("*.py"), *(ROOT / "rules").rglob("*.py"), *(ROOT / "tests").rglob("*.py")])


def _reference(node: cst.SimpleString | cst.ConcatenatedString) -> object:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return node.evaluated_value
    except Exception:  # noqa: BLE001
        return FAILED


def _reference_dotted(node: cst.BaseExpression, subscripts: bool = True) -> str | None:
    """The isinstance-based walk `dotted` replaced."""
    parts: list[str] = []
    kinds = (cst.Attribute, cst.Subscript) if subscripts else (cst.Attribute,)
    while isinstance(node, kinds):
        if isinstance(node, cst.Subscript):
            if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
                return None
            key = node.slice[0].slice.value
            value = _reference(key) if isinstance(key, cst.SimpleString) else None
            if not (isinstance(value, str) and value.isidentifier()):
                return None
            parts.append(value)
        else:
            parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


class _All(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.strings: list[cst.BaseExpression] = []
        self.expressions: list[cst.BaseExpression] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            self.strings.append(node)
        if isinstance(node, cst.BaseExpression):
            self.expressions.append(node)
        return True


def _check(module: cst.Module) -> None:
    found = _All()
    module.visit(found)
    clear_literals()
    try:
        for _ in range(2):  # computed, then cached
            for node in found.strings:
                expected = _reference(node)  # type: ignore[arg-type]
                got = string_literal(node)  # type: ignore[arg-type]
                assert type(got) is type(expected) and (got is FAILED or got == expected), node.value if isinstance(node, cst.SimpleString) else node
            for node in found.expressions:
                assert dotted(node) == _reference_dotted(node)
                assert dotted(node, subscripts=False) == _reference_dotted(node, subscripts=False)
    finally:
        clear_literals()


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_same_values_on_repo_files(path: Path) -> None:
    try:
        module = cst.parse_module(path.read_bytes())
    except cst.ParserSyntaxError:
        pytest.skip("not valid Python (a fixture)")
    _check(module)


EDGES = [
    "''", '""', "''''''", '""""""', "'a'", '"""a"""', "'''it's'''", 'r"\\d"', "'\\d'", "b'x'", "rb'x'", "Rb'\\n'",
    "u'x'", "U'x'", "R'x'", "'\\N{BULLET}'", "'\\N{NO SUCH NAME}'", "'\\x4'", "'\\u12'", "'é'", "'中文'",
    '"""a\r\nb"""', '"""a\rb"""', "'a\\\nb'", "'\x0c'", "'\\''", "'a' 'b'", "b'a' b'b'", "'a' f'{b}'",
    "f'{a}' 'b'", "'a' 'b' 'c'", "'\\z' 'ok'", "'ok' '\\N{BAD}'", "st['x']['y'].z", "a['not id']", "a[0]", "a['x', 'y']",
    "a[b].c", "a.b.c", "(a).b", "a['\\x41']", "a[b'x']", "f(x).y", "x", "1", "a['']",
]


@pytest.mark.parametrize("code", EDGES)
def test_edge_cases(code: str) -> None:
    _check(cst.parse_module(code + "\n"))


ALPHABET = st.sampled_from(["a", "'", '"', "\\", "\r", "\n", "N", "{", "}", "x", "é", "\x00", "\ud800", " ", "0", "u", "r", "b"])


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(prefix=st.sampled_from(["", "r", "b", "u", "rb", "BR", "R"]), quote=st.sampled_from(["'", '"', "'''", '"""']),
       body=st.lists(ALPHABET, max_size=12).map("".join))
def test_random_literals(prefix: str, quote: str, body: str) -> None:
    """Any string literal the parser accepts."""
    text = prefix + quote + body + quote
    try:
        node = cst.parse_expression(text)
    except Exception:  # noqa: BLE001 - not a literal the parser accepts
        return
    if not isinstance(node, cst.SimpleString):
        return
    clear_literals()
    try:
        expected, got = _reference(node), string_literal(node)
        assert type(got) is type(expected) and (got is FAILED or got == expected)
    finally:
        clear_literals()
