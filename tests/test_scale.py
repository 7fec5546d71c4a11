"""The per-file stage at scale: the cache, the worker processes, determinism, progress."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, run_cli

from readiness.cache import ResultCache
from readiness.catalog import load_catalog
from readiness.config import Config, parse_table
from readiness.discover import SourceFile, discover
from readiness.engine import FileResult, analyse_file, read_source
from readiness.filestage import MIN_PARALLEL_BYTES, run_file_stage
from readiness.progress import ProgressBar
from readiness.serial import decode, encode

sys.path.insert(0, str(ROOT / "benchmarks"))
from corpus import generate  # noqa: E402


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A prototype-like repo big enough to be split over two workers."""
    root = tmp_path_factory.mktemp("corpus")
    generate(root, 150)
    assert sum(p.stat().st_size for p in root.rglob("*.py")) > MIN_PARALLEL_BYTES
    return root


def _inputs(root: Path):
    sources, _ = discover(root, Config())
    return [(s, raw) for s in sources if isinstance(raw := read_source(s), bytes)]


def test_every_fixture_result_round_trips_through_json() -> None:
    catalog = load_catalog()
    seen = 0
    for folder in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        for source, raw in _inputs(folder):
            result = analyse_file(source, raw, catalog)
            again = decode(FileResult, json.loads(json.dumps(encode(result))))
            assert again == result, source.path
            seen += result.facts is not None
    assert seen >= 5


def test_jobs_and_cache_never_change_the_output(corpus: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    outputs = {}
    for name, args in {
        "jobs1-nocache": ["--jobs", "1", "--no-cache"],
        "jobs2-cold": ["--jobs", "2", "--cache-dir", str(cache)],
        "jobs2-warm": ["--jobs", "2", "--cache-dir", str(cache)],
        "jobs1-warm": ["--jobs", "1", "--cache-dir", str(cache)],
    }.items():
        proc = run_cli("scan", str(corpus), "--format", "json", *args)
        assert proc.returncode == 1, proc.stderr
        outputs[name] = proc.stdout
    assert len(set(outputs.values())) == 1
    assert json.loads(outputs["jobs2-cold"])["summary"]["call_sites"] > 10


def test_warm_scan_analyses_nothing_and_a_change_one_file(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    generate(repo, 40)
    calls: list[str] = []
    catalog = load_catalog()

    def work(source, raw):
        calls.append(source.path)
        return analyse_file(source, raw, catalog)

    cache = ResultCache.open(tmp_path / "cache", Config())
    first = run_file_stage(_inputs(repo), work, cache=cache)
    assert len(calls) == len(first) >= 40
    calls.clear()
    assert run_file_stage(_inputs(repo), work, cache=cache) == first and calls == []
    changed = next(repo.rglob("helpers_*.py"))
    changed.write_text(changed.read_text() + "\n# edited\n")
    run_file_stage(_inputs(repo), work, cache=cache)
    assert calls == [changed.relative_to(repo).as_posix()]


def test_cache_key_follows_content_path_and_fact_config(tmp_path: Path) -> None:
    base = ResultCache.open(tmp_path, Config())
    source, raw = _inputs(FIXTURES / "chatbot_prototype")[0]
    key = base.key(source, raw)
    assert base.key(source, raw + b"\n") != key
    assert ResultCache.open(tmp_path, parse_table({"select": ["REL"], "fail-on": "high"}, "x")).key(source, raw) == key
    assert ResultCache.open(tmp_path, parse_table({"model-wrappers": ["app.llm.ask"]}, "x")).key(source, raw) != key


def _packs(cache: Path) -> list[Path]:
    return sorted(cache.rglob("pack-*.jsonl"))


def test_corrupt_entries_are_ignored_and_rewritten(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    generate(repo, 30)
    cache = tmp_path / "cache"
    args = ["scan", str(repo), "--format", "json", "--cache-dir", str(cache)]
    clean = run_cli(*args).stdout
    [pack] = _packs(cache)
    lines = pack.read_bytes().splitlines()
    assert len(lines) >= 30
    garbage = [b"", b"{not json", b'{"path": 3}', b"[1, 2]", b'{"path": "x.py", "facts": null, "pins": "no", "diagnostics": []}']
    broken = [line.split(b"\t")[0] + b"\t" + junk for line, junk in zip(lines, garbage)]
    pack.write_bytes(b"\n".join(broken + lines[len(garbage):] + [b"short\tkey", lines[-1][:40]]) + b"\n")
    for stored in cache.rglob("value-*.json"):
        stored.unlink()  # the whole-scan result would answer without reading the per-file entries
    again = run_cli(*args)
    assert again.stdout == clean and "Traceback" not in again.stderr
    newest = _packs(cache)[-1]
    assert newest != pack  # the re-analysed entries were written again
    rewritten = {line.split(b"\t")[0] for line in newest.read_bytes().splitlines()}
    assert {line.split(b"\t")[0] for line in broken} <= rewritten
    assert run_cli(*args).stdout == clean
    assert (cache / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")


def test_old_packs_are_folded_and_stale_entries_dropped(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    generate(repo, 20)
    cache = tmp_path / "cache"
    args = ["scan", str(repo), "--format", "json", "--cache-dir", str(cache)]
    target = next(repo.rglob("helpers_*.py"))
    for edit in range(ResultCache.MAX_PACKS + 2):
        target.write_text(target.read_text() + f"\n# edit {edit}\n")
        out = run_cli(*args).stdout
    assert len(_packs(cache)) <= ResultCache.MAX_PACKS
    entries = [line for pack in _packs(cache) for line in pack.read_bytes().splitlines()]
    assert len(entries) < 22 + ResultCache.MAX_PACKS + 2  # stale versions of the edited file are gone
    assert run_cli(*args, "--no-cache").stdout == out


def test_two_concurrent_scans_share_one_cache(corpus: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    argv = [sys.executable, "-m", "readiness", "scan", str(corpus), "--format", "json", "--jobs", "2", "--cache-dir", str(cache)]
    procs = [subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [1, 1], outs[0][1]
    assert outs[0][0] == outs[1][0]
    assert not list(cache.rglob(".tmp-*")) and 1 <= len(_packs(cache)) <= 2
    warm = run_cli("scan", str(corpus), "--format", "json", "--cache-dir", str(cache))
    assert warm.stdout == outs[0][0]


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal_and_only_when_long() -> None:
    assert ProgressBar.for_terminal(io.StringIO()) is None
    stream = _Tty()
    bar = ProgressBar.for_terminal(stream)
    assert bar is not None
    bar.start(10)
    bar.advance(5)  # under the delay: nothing drawn
    assert stream.getvalue() == ""
    bar.delay = 0
    bar.advance(5)
    assert "10/10 files" in stream.getvalue()
    bar.finish()
    assert stream.getvalue().endswith("\r\033[K")


def test_cli_draws_no_progress_into_a_pipe() -> None:
    proc = run_cli("scan", str(FIXTURES / "chatbot_prototype"), "--no-cache", "--format", "json", "--exit-zero")
    assert "\r" not in proc.stderr and "files/s" not in proc.stderr


def test_collectors_skip_files_their_triggers_rule_out(monkeypatch: pytest.MonkeyPatch) -> None:
    from readiness.facts import extract

    seen: list[str] = []

    class ImportsOpenAI(extract.Collector):
        TRIGGERS = ("openai",)

        def visit_Call(self, node) -> None:
            seen.append(self.core.module_name)

        def contribute(self) -> dict:
            return {}

    class Everywhere(ImportsOpenAI):
        TRIGGERS = None

    monkeypatch.setattr(extract, "COLLECTORS", (ImportsOpenAI,))
    catalog = load_catalog()
    plain = b"import json\nprint(json.dumps({}))\n"
    model = b"from openai import OpenAI\nOpenAI().chat.completions.create(model='m', messages=[])\n"
    for path, raw in (("plain.py", plain), ("model.py", model)):
        source = SourceFile(path, "", "python", len(raw))
        assert analyse_file(source, raw, catalog).facts is not None
    assert seen == ["model", "model"]  # two calls in model.py, none visited in plain.py
    seen.clear()
    monkeypatch.setattr(extract, "COLLECTORS", (Everywhere,))
    analyse_file(SourceFile("plain.py", "", "python", len(plain)), plain, catalog)
    assert seen == ["plain", "plain"]


def _stage_inputs():
    return _inputs(FIXTURES / "chatbot_prototype")


def test_spawned_workers_give_the_same_results(monkeypatch: pytest.MonkeyPatch) -> None:
    """macOS and Windows spawn workers; Linux forks. Both must work and agree."""
    import multiprocessing

    from functools import partial

    from readiness import filestage

    inputs = _stage_inputs()
    work = partial(analyse_file, catalog=load_catalog())
    in_process = run_file_stage(inputs, work)
    monkeypatch.setattr(filestage, "MIN_PARALLEL_BYTES", 0)
    monkeypatch.setattr(filestage, "_context", lambda: multiprocessing.get_context("spawn"))
    assert run_file_stage(inputs, work, jobs=2, file_timeout=120) == in_process


def _dies_at_start(conn, work, cache) -> None:
    import os

    os._exit(3)


def test_workers_that_cannot_start_fall_back_to_this_process(monkeypatch: pytest.MonkeyPatch, caplog) -> None:
    from functools import partial

    from readiness import filestage

    inputs = _stage_inputs()
    work = partial(analyse_file, catalog=load_catalog())
    in_process = run_file_stage(inputs, work)
    monkeypatch.setattr(filestage, "_worker_main", _dies_at_start)
    assert run_file_stage(inputs, work, jobs=2, file_timeout=60) == in_process
    assert "did not start" in caplog.text


def test_a_result_that_cannot_be_read_back_costs_one_file_not_the_scan(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from functools import partial

    from readiness import cache as cache_module
    from readiness.serial import SerialError

    inputs = _stage_inputs()
    work = partial(analyse_file, catalog=load_catalog())
    victim = next(source.path for source, _ in inputs if source.kind == "python")
    real = cache_module.decode_result

    def decode(payload):  # the scan's side only: workers encode, the scan decodes
        result = real(payload)
        if result.path == victim:
            raise SerialError("damaged on the way")
        return result

    monkeypatch.setattr(cache_module, "decode_result", decode)
    cache = ResultCache.open(tmp_path / "cache", Config())
    results = run_file_stage(inputs, work, jobs=2, file_timeout=60, cache=cache)
    by_path = {r.path: r for r in results}
    assert [d.message for d in by_path[victim].diagnostics] == ["analysis result could not be read back: damaged on the way"]
    assert all(r.facts is not None for r in results if r.path != victim and r.path.endswith(".py"))
    monkeypatch.setattr(cache_module, "decode_result", real)
    again = ResultCache.open(tmp_path / "cache", Config())
    assert again.get(again.key(*next((s, raw) for s, raw in inputs if s.path == victim))) is None  # not cached


def test_workers_started_ahead_serve_both_stages_and_stop_when_closed() -> None:
    from functools import partial

    from readiness.filestage import Workers

    inputs = _stage_inputs()
    work = partial(analyse_file, catalog=load_catalog())
    expected = run_file_stage(inputs, work)
    workers = Workers(work)
    try:
        started = [slot.proc for slot in workers.slots]
        assert len(started) == 1 and started[0].is_alive()
        assert run_file_stage(inputs, work, jobs=2, file_timeout=60, workers=workers) == expected
        assert run_file_stage(inputs[:3], work, jobs=2, file_timeout=60, workers=workers) == expected[:3]
        assert [slot.proc for slot in workers.slots] == started and started[0].is_alive()  # lent, not stopped
    finally:
        workers.close()
    started[0].join(timeout=10)
    assert not started[0].is_alive() and workers.slots == []


def _dies_on_llm(source: SourceFile, raw: bytes) -> FileResult:
    import os

    if source.path == "llm.py":
        os._exit(9)  # as libcst's native parser can, on hostile input
    return analyse_file(source, raw, load_catalog())


def test_a_worker_started_ahead_that_dies_on_a_file_is_replaced() -> None:
    from readiness.filestage import Workers

    inputs = _stage_inputs()
    assert any(source.path == "llm.py" for source, _ in inputs)
    workers = Workers(_dies_on_llm)
    try:
        results = run_file_stage(inputs, _dies_on_llm, jobs=1, file_timeout=60, workers=workers)
    finally:
        workers.close()
    by_path = {r.path: r for r in results}
    assert [d.kind for d in by_path["llm.py"].diagnostics] == ["skipped"]
    assert all(r.facts is not None for r in results if r.path.endswith(".py") and r.path != "llm.py")
