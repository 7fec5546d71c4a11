"""The project model that rules read: every file's facts, linked call sites, pins, config."""
from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from readiness.catalog import Catalog
from readiness.config import Config
from readiness.facts.callgraph import ModelCalls, build_model_calls
from readiness.facts.callsites import CallSite
from readiness.facts.deps import Pin
from readiness.facts.history import History, build_history
from readiness.facts.imports import ImportGraph, build_import_graph
from readiness.facts.model import FileFacts
from readiness.facts.signals import Signals, find_signals, load_signal_table
from readiness.facts.textfacts import TextFacts
from readiness.facts.secretmodel import SecretScan
from readiness.facts.secrets_history import SecretHistory
from readiness.facts.promptflow import PromptModel, build_prompt_model

if TYPE_CHECKING:
    from readiness.cache import ResultCache


@dataclass(frozen=True, slots=True)
class Project:
    files: dict[str, FileFacts]
    paths: tuple[str, ...]
    call_sites: tuple[CallSite, ...]
    pins: dict[str, Pin]
    config: Config
    catalog: Catalog
    #: Redacted secret facts by path (only files with secrets or that are dotenv files).
    secrets: dict[str, SecretScan] = field(default_factory=dict)
    #: Secrets found in past commits; None when history was not scanned.
    secret_history: SecretHistory | None = None
    #: Call sites with the call graph around them (gateways, who reaches them, where output goes).
    model_calls: ModelCalls | None = None
    prompts: PromptModel = PromptModel()
    #: The project model (issue: project-level rules): imports, delivery signals, text facts, history.
    graph: ImportGraph = field(default_factory=ImportGraph)
    signals: Signals = field(default_factory=Signals)
    texts: dict[str, TextFacts] = field(default_factory=dict)
    history: History = field(default_factory=lambda: History.unavailable("not computed"))
    #: Only part of the repo was analysed (diff mode): rules that judge the whole repo stay quiet.
    partial: bool = False


def build_project(
    files: dict[str, FileFacts], paths: list[str], pins: dict[str, Pin], config: Config, catalog: Catalog,
    texts: dict[str, TextFacts] | None = None, root: Path | None = None, listed: list[str] | None = None,
    partial: bool = False, history_rev: str = "HEAD", cache: ResultCache | None = None, history_log: Any = None,
) -> Project:
    """Link per-file facts into the project model.

    `listed` are files of the repo left out of the scan by `exclude`: they still count as
    evidence of delivery signals (a `tests/` folder excluded from the scan still exists).
    `history_log`: the git log, already being read (see `history.build_history`).
    """
    with ThreadPoolExecutor(1) as background:  # git works out the history while this thread links the facts
        reading = background.submit(
            build_history, root, paths, max_commits=config.history_depth, rev=history_rev, cache=cache, log=history_log,
        )
        model_calls = build_model_calls(files, catalog, pins, config)
        sites = tuple(model_calls.sites)
        table = load_signal_table()
        graph = build_import_graph(files, table.roles, Counter(site.location.path for site in sites))
        signals = find_signals(sorted(set(paths) | set(listed or ())), files, table)
        prompts = build_prompt_model(files, sites)
        history = reading.result()
    return Project(
        files, tuple(sorted(paths)), sites, pins, config, catalog,
        model_calls=model_calls, prompts=prompts,
        graph=graph, signals=signals, texts=dict(texts or {}), history=history, partial=partial,
    )
