"""The project model that rules read: every file's facts, linked call sites, pins, config."""
from __future__ import annotations

from dataclasses import dataclass, field

from readiness.catalog import Catalog
from readiness.config import Config
from readiness.facts.callgraph import ModelCalls, build_model_calls
from readiness.facts.callsites import CallSite
from readiness.facts.deps import Pin
from readiness.facts.model import FileFacts
from readiness.facts.secrets import SecretScan
from readiness.facts.secrets_history import SecretHistory
from readiness.facts.promptflow import PromptModel, build_prompt_model


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


def build_project(
    files: dict[str, FileFacts], paths: list[str], pins: dict[str, Pin], config: Config, catalog: Catalog
) -> Project:
    """Link per-file facts into the project model."""
    model_calls = build_model_calls(files, catalog, pins, config)
    sites = tuple(model_calls.sites)
    return Project(
        files, tuple(sorted(paths)), sites, pins, config, catalog,
        model_calls=model_calls, prompts=build_prompt_model(files, sites),
    )
