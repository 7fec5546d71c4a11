"""Runs the pipeline: read -> parse -> facts -> project model -> rules -> suppression."""
from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from readiness.catalog import Catalog, load_catalog
from readiness.config import Config
from readiness.discover import SourceFile, discover
from readiness.facts.deps import Pin, is_dependency_file, merge_pins, read_pins
from readiness.facts.model import FileFacts
from readiness.facts.textfacts import TextFacts, read_text_facts
from readiness.facts.secretmodel import NO_SECRETS, SecretScan
from readiness.heap import frozen
from readiness.model import Diagnostic, Finding, Location, RunResult
from readiness.runcache import load_run, run_key, store_run

# The parse, facts and project stages (libcst, networkx, the rule pack) are imported where they
# run: a rescan answered by the cache never loads them.
if TYPE_CHECKING:
    from readiness.cache import ResultCache
    from readiness.facts.secrets_history import PendingHistory, SecretHistory
    from readiness.filestage import Progress
    from readiness.project import Project
    from readiness.rule import Rule

LOG = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FileResult:
    """What the per-file stage learned about one file (cacheable, parallelisable)."""

    path: str
    facts: FileFacts | None
    pins: tuple[Pin, ...]
    diagnostics: tuple[Diagnostic, ...]
    secrets: SecretScan = NO_SECRETS
    text: TextFacts | None = None


def analyse_file(source: SourceFile, raw: bytes, catalog: Catalog) -> FileResult:
    """Parse one file, extract its facts and its (redacted) secrets; failures become diagnostics."""
    from readiness.facts.secrets import scan_secrets, scrub  # the patterns load where files are analysed

    result = _analyse_code(source, raw, catalog)
    secrets, values = scan_secrets(source.path, source.kind, raw)
    if not values:
        return dataclasses.replace(result, secrets=secrets) if secrets.secrets or secrets.env else result
    # No secret value may survive in any other fact of this file (the cache stores them).
    facts = FileFacts.from_json(scrub(result.facts.to_json(), values)) if result.facts is not None else None
    diagnostics = tuple(dataclasses.replace(d, message=scrub(d.message, values)) for d in result.diagnostics)
    text = TextFacts.from_json(scrub(result.text.to_json(), values)) if result.text is not None else None
    return dataclasses.replace(result, facts=facts, diagnostics=diagnostics, secrets=secrets, text=text)


def _analyse_code(source: SourceFile, raw: bytes, catalog: Catalog) -> FileResult:
    """Parse one file and extract its facts; every failure becomes a diagnostic."""
    if source.kind == "text":
        text_facts = read_text_facts(source.path, raw)
        if is_dependency_file(source.path):
            text = raw.decode("utf-8", errors="replace")
            return FileResult(source.path, None, tuple(read_pins(source.path, text)), (), text=text_facts)
        return FileResult(source.path, None, (), (), text=text_facts)
    if source.light:
        from readiness.facts.light import light_facts

        light = light_facts(source, raw)
        if light is not None:
            return FileResult(source.path, light, (), ())
    from readiness.facts.extract import extract_facts  # libcst loads only for the full pass
    from readiness.parse import ParseFailure, parse_file

    parsed = parse_file(source, raw)
    if isinstance(parsed, ParseFailure):
        return FileResult(source.path, None, (), (parsed.diagnostic,))
    try:
        facts = extract_facts(parsed, catalog)
    except RecursionError:
        return FileResult(source.path, None, (), (Diagnostic("unparsable", Location(source.path), "nesting too deep to analyse"),))
    except Exception as exc:  # noqa: BLE001 - one file's failure must not stop the scan
        LOG.debug("facts extraction failed for %s", source.path, exc_info=True)
        return FileResult(source.path, None, (), (Diagnostic("internal", Location(source.path), f"facts extraction failed: {type(exc).__name__}: {exc}"),))
    return FileResult(source.path, facts, (), ())


def read_source(source: SourceFile) -> bytes | Diagnostic:
    try:
        with open(source.abs_path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        return Diagnostic("unreadable", Location(source.path), f"cannot read: {exc.strerror or exc}")


def read_all(sources: list[SourceFile], diagnostics: list[Diagnostic]) -> list[tuple[SourceFile, bytes]]:
    """The bytes of each file; one that cannot be read becomes a diagnostic."""
    inputs: list[tuple[SourceFile, bytes]] = []
    for source in sources:
        raw = read_source(source)
        if isinstance(raw, Diagnostic):
            diagnostics.append(raw)
        else:
            inputs.append((source, raw))
    return inputs


def run_rules(rules: list[type[Rule]], project: Project) -> tuple[list[Finding], list[Diagnostic]]:
    """Run each rule in isolation: a crashing rule becomes a diagnostic, the others go on."""
    findings: list[Finding] = []
    diagnostics: list[Diagnostic] = []
    for rule_class in rules:
        try:
            findings.extend(rule_class().check(project))
        except Exception as exc:  # noqa: BLE001 - the error boundary for one rule
            LOG.debug("rule %s crashed", rule_class.code, exc_info=True)
            diagnostics.append(Diagnostic("rule-error", Location(""), f"{rule_class.code} crashed: {type(exc).__name__}: {exc}"))
    return findings, diagnostics


def analyse(
    inputs: list[tuple[SourceFile, bytes]],
    config: Config,
    root: str = ".",
    diagnostics: list[Diagnostic] | None = None,
    rules: list[type[Rule]] | None = None,
    secret_history: SecretHistory | PendingHistory | None = None,
    paths: list[str] | None = None,
    repo_root: Path | None = None,
    listed_paths: list[str] | None = None,
    *,
    jobs: int = 1,
    cache: ResultCache | None = None,
    progress: Progress | None = None,
    file_timeout: float | None = None,
    history_log: Any = None,
) -> RunResult:
    """Analyse already-read files; the core of both a scan and a rule example.

    `paths` lists every file of the repo when `inputs` are only some of them (diff mode).
    With `file_timeout` the per-file stage runs in `jobs` worker processes (see `filestage`);
    it reuses `cache`. Results depend on neither.
    """
    from readiness.filestage import run_file_stage

    from readiness.prescreen import mark_light

    catalog = load_catalog()
    inputs = mark_light(inputs, catalog, config)
    results = run_file_stage(
        inputs, partial(analyse_file, catalog=catalog), jobs=jobs, cache=cache, progress=progress, file_timeout=file_timeout
    )
    from readiness.facts.secrets_history import PendingHistory

    if isinstance(secret_history, PendingHistory):
        secret_history = secret_history.result()
        diagnostics = [*(diagnostics or []), *secret_history.diagnostics]
    return analyse_results(
        results, config, root, diagnostics, rules, paths if paths is not None else [s.path for s, _ in inputs], secret_history,
        repo_root=repo_root, listed_paths=listed_paths, cache=cache, history_log=history_log,
    )


@frozen()  # the per-file results live to the end: collections need not traverse them
def analyse_results(
    results: list[FileResult],
    config: Config,
    root: str = ".",
    diagnostics: list[Diagnostic] | None = None,
    rules: list[type[Rule]] | None = None,
    paths: list[str] | None = None,
    secret_history: SecretHistory | None = None,
    repo_root: Path | None = None,
    listed_paths: list[str] | None = None,
    history_rev: str = "HEAD",
    cache: ResultCache | None = None,
    history_log: Any = None,
) -> RunResult:
    """The project stage over per-file results: link, run rules, suppress, score.

    Diff mode calls it twice, sharing the results of files that did not change. `repo_root`
    (for git history, read up to `history_rev`) and `listed_paths` (files `exclude` left out) feed
    the project model; results that cover only some of `paths` make it partial.
    """
    from readiness.facts.callgraph import inventory
    from readiness.fingerprint import fingerprint_findings
    from readiness.project import build_project
    from readiness.registry import select_rules
    from readiness.scorecard import build_scorecard
    from readiness.suppress import apply_suppressions

    catalog = load_catalog()
    diagnostics = list(diagnostics or [])
    files = {r.path: r.facts for r in results if r.facts is not None}
    pins = merge_pins([p for r in results for p in r.pins])
    for r in results:
        diagnostics.extend(r.diagnostics)
    texts = {r.path: r.text for r in results if r.text is not None}
    partial = paths is not None and bool(set(paths) - {r.path for r in results})
    project = build_project(
        files, paths if paths is not None else [r.path for r in results], pins, config, catalog, texts, repo_root, listed_paths,
        partial=partial, history_rev=history_rev, cache=cache, history_log=history_log,
    )
    project = dataclasses.replace(
        project,
        secrets={r.path: r.secrets for r in results if r.secrets.secrets or r.secrets.env},
        secret_history=secret_history,
    )
    chosen = rules if rules is not None else select_rules(config.select, config.ignore)
    findings, rule_diagnostics = run_rules(chosen, project)
    diagnostics.extend(rule_diagnostics)
    kept, suppressed = apply_suppressions(findings, files, config)
    score = None
    try:
        score = build_scorecard(project, sorted(set(kept), key=Finding.sort_key), chosen, config)
    except Exception as exc:  # noqa: BLE001 - a scoring bug must not lose the findings
        LOG.debug("scoring failed", exc_info=True)
        diagnostics.append(Diagnostic("internal", Location(""), f"scoring failed: {type(exc).__name__}: {exc}"))
    return RunResult(
        root=root,
        findings=tuple(fingerprint_findings(set(kept), files)),
        diagnostics=tuple(sorted(set(diagnostics), key=Diagnostic.sort_key)),
        call_sites=inventory(project.call_sites, kept),
        suppressed=suppressed,
        files_scanned=len(results),
        score=score,
    )


def scan(
    root: Path, config: Config, *, jobs: int = 1, cache: ResultCache | None = None, progress: Progress | None = None,
    file_timeout: float | None = None,
) -> RunResult:
    """Discover, read and analyse the repo at `root` (`jobs`, `cache`, `progress`: see `analyse`)."""
    sources, diagnostics = discover(root, config)
    inputs = read_all(sources, diagnostics)
    listed = _excluded_paths(root, config)
    key = run_key(cache, root, config, inputs, diagnostics, listed) if cache is not None else None
    if cache is not None and key is not None and (stored := load_run(cache, key)) is not None:
        return stored  # nothing changed since a scan with the same tool, config and HEAD
    from readiness.facts.history import read_log
    from readiness.facts.secrets_history import PendingHistory
    from readiness.pending import Pending
    from readiness.registry import select_rules

    chosen = select_rules(config.select, config.ignore)  # a code that matches no rule stops the scan here
    history = None
    if config.history_depth > 0 and any(r.code == "SEC003" for r in chosen):
        # read while the per-file stage runs; its diagnostics join the others when it is done
        history = PendingHistory(root, config.history_depth, config.exclude, cache)
    # the churn log too: the project stage would otherwise wait for git (seconds on a long history)
    log = Pending(read_log, root, config.history_depth, "HEAD", cache) if config.history_depth > 0 else None
    try:
        result = analyse(
            inputs, config, root=root.name or ".", diagnostics=diagnostics, rules=chosen, secret_history=history,
            repo_root=root, listed_paths=listed, jobs=jobs, cache=cache, progress=progress, file_timeout=file_timeout,
            history_log=log,
        )
    finally:  # read by now, unless the scan failed or was interrupted: then stop the helpers
        for helper in (history, log):
            if helper is not None:
                helper.close()
    if cache is not None and key is not None:
        store_run(cache, key, result)
    return result


def _excluded_paths(root: Path, config: Config) -> list[str]:
    """Files that `exclude` keeps out of the scan: still evidence that tests or CI exist."""
    if not config.exclude:
        return []
    everything, _ = discover(root, replace(config, exclude=()))
    return [source.path for source in everything]


def load_project(
    root: Path, config: Config, *, jobs: int = 1, progress: Progress | None = None, file_timeout: float | None = None,
) -> tuple[Project, list[Diagnostic]]:
    """The project model of the repo at `root` (import graph, signals, history), without rules.
    `jobs`, `progress` and `file_timeout` work as in `analyse`."""
    from readiness.filestage import run_file_stage
    from readiness.prescreen import mark_light
    from readiness.project import build_project

    sources, diagnostics = discover(root, config)
    catalog = load_catalog()
    inputs = mark_light(read_all(sources, diagnostics), catalog, config)
    results = run_file_stage(inputs, partial(analyse_file, catalog=catalog), jobs=jobs, progress=progress, file_timeout=file_timeout)
    files = {r.path: r.facts for r in results if r.facts is not None}
    pins = merge_pins([p for r in results for p in r.pins])
    texts = {r.path: r.text for r in results if r.text is not None}
    for r in results:
        diagnostics.extend(r.diagnostics)
    project = build_project(files, [s.path for s in sources], pins, config, catalog, texts, root, _excluded_paths(root, config))
    return project, sorted(set(diagnostics), key=Diagnostic.sort_key)
