"""The pre-screen's `ast` facts equal the libcst facts on every file it accepts."""
from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, ROOT

from readiness.catalog import load_catalog
from readiness.discover import SourceFile
from readiness.engine import analyse_file
from readiness.facts.extract import extract_facts
from readiness.facts.light import light_facts
from readiness.facts.model import FileFacts
from readiness.parse import ParsedModule, parse_file

sys.path.insert(0, str(ROOT / "benchmarks"))
from corpus import generate  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")
CATALOG = load_catalog()


@pytest.fixture(autouse=True)
def _core_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Compare the core facts: a collector that wants every file (statement anchors, today)
    sends every file through libcst, so the light path is tested with the collectors off."""
    from readiness.facts import extract

    monkeypatch.setattr(extract, "COLLECTORS", tuple(c for c in extract.COLLECTORS if c.TRIGGERS is not None))


def _full(path: str, raw: bytes) -> FileFacts | None:
    parsed = parse_file(SourceFile(path, "", "python", len(raw)), raw)
    return extract_facts(parsed, CATALOG) if isinstance(parsed, ParsedModule) else None


def _without_fresh_object_calls(facts: FileFacts) -> FileFacts:
    """The light path leaves out `Foo().bar()` calls that cannot be model calls."""
    tails, packages = CATALOG.method_tails, CATALOG.packages
    for call in facts.calls:
        assert call.ctor and call.target.rsplit(".", 1)[-1] not in tails and call.ctor.split(".")[0] not in packages, call
    return dataclasses.replace(facts, calls=())


def agree(path: str, raw: bytes) -> bool:
    """True when the light path took the file (and then matched the libcst facts)."""
    light = light_facts(SourceFile(path, "", "python", len(raw)), raw, CATALOG)
    if light is None:
        return False
    full = _full(path, raw)
    if full is None:
        return True  # libcst cannot parse what ast can (newer syntax): facts beat a diagnostic
    assert light == _without_fresh_object_calls(full), path
    return True


PLAIN = '''\
"""A helper module: no model call anywhere."""
from __future__ import annotations
import logging, os.path as osp
from . import sibling
from ..pkg.mod import thing as alias, other
import a.b.c
from x import *

log = logging.getLogger(__name__)
CONST: int = -5
path = osp.join("a", "b")
cfg = alias.with_options(timeout=3, max_retries=-1.5)
client = make_client(timeout=httpx.Timeout(10, connect=2), retries=None, flag=True, name="n" "m", fs=f"{x}", **kw)
t2 = Timeout(*args)
data = b"bytes"


@decorator.attr(1)
@simple
@(lambda f: f)
async def fetch(url: str = default_url(), *, retries=3) -> dict:
    import json as j
    with tracer.start_as_current_span("fetch") as span, open(url) as fh:
        self_x = fh
    for i in range(3):
        try:
            return j.loads(fh.read())
        except ValueError:
            log.warning("retrying %s", url)
            time.sleep(1)
    logger.info("done")
    return await other.fetch(url)


class Service(Base, metaclass=Meta):
    def __init__(self):
        self.client = sibling.Client(timeout=30)
        self.cache = {}
        for k in ():
            self.skipped = 1
        x = datetime.now().isoformat()
        y = Builder().with_options(timeout=1).build()
        z = Builder(a=1).x.y(2)

    class Inner:
        def method(self):
            return self

    @property
    def size(self):
        return len(self.cache)  # readiness: ignore[REL001]

# readiness: file-ignore[OBS001, REL002]
def gen():
    yield from range(3)
    lambda: (yield)
    return
'''


def test_a_file_using_everything_the_light_path_mirrors() -> None:
    assert agree("pkg/sub/helpers.py", PLAIN.encode())
    assert agree("pkg/__init__.py", PLAIN.encode())


@pytest.mark.parametrize("code", [
    "from openai import OpenAI\nclient = OpenAI()\n",  # a call into a catalog package
    "x = client.chat.completions.create(model='m')\n",  # a catalog method
    "import anthropic as a\nprint(a.Anthropic().models.list())\n",
    "def f():\n    return thing.stream()\n",
])
def test_files_that_may_call_a_model_take_the_libcst_path(code: str) -> None:
    assert light_facts(SourceFile("m.py", "", "python", 0), code.encode(), CATALOG) is None


@pytest.mark.parametrize("raw", [b"\xef\xbb\xbfx = 1\n", b"# -*- coding: latin-1 -*-\nx = 'caf\xe9'\n", b"x = 1\0\n", b"def (:\n", b"x = '\xff'\n"])
def test_odd_files_take_the_libcst_path(raw: bytes) -> None:
    assert light_facts(SourceFile("m.py", "", "python", 0), raw, CATALOG) is None


def test_light_and_full_agree_on_fixtures_and_corpus(tmp_path: Path) -> None:
    generate(tmp_path / "corpus", 60)
    taken = 0
    for path in sorted([*FIXTURES.rglob("*.py"), *(tmp_path / "corpus").rglob("*.py"), *(ROOT / "readiness").rglob("*.py")]):
        taken += agree(path.name if path.is_relative_to(FIXTURES) else path.relative_to(path.parents[1]).as_posix(), path.read_bytes())
    assert taken >= 40


def test_a_light_scan_equals_the_full_scan_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from readiness.facts import light

    generate(tmp_path, 60)
    paths = sorted(tmp_path.rglob("*.py"))
    with_light = [analyse_file(SourceFile(p.name, str(p), "python", 0), p.read_bytes(), CATALOG) for p in paths]
    monkeypatch.setattr("readiness.engine.light_facts", lambda *a: None)
    without = [analyse_file(SourceFile(p.name, str(p), "python", 0), p.read_bytes(), CATALOG) for p in paths]
    for a, b in zip(with_light, without):
        assert a.diagnostics == b.diagnostics
        assert a.facts == b.facts or a.facts == _without_fresh_object_calls(b.facts)
    assert light  # the module under test was imported


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(hypothesmith.from_grammar())
def test_light_and_full_agree_on_generated_programs(code: str) -> None:
    try:
        raw = code.encode("utf-8")
    except UnicodeEncodeError:
        return
    agree("gen/mod.py", raw)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(sorted((ROOT / "readiness").rglob("*.py"))), st.data())
def test_light_and_full_agree_on_mangled_real_code(sample: Path, data: st.DataObject) -> None:
    lines = sample.read_text().splitlines(keepends=True)
    start = data.draw(st.integers(0, len(lines)))
    end = data.draw(st.integers(start, min(len(lines), start + 40)))
    agree("readiness/x.py", "".join(lines[start:end]).encode())
