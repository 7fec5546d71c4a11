"""The project model that rules read: every file's facts, linked call sites, pins, config."""
from __future__ import annotations

from dataclasses import dataclass, field

from readiness.catalog import Catalog
from readiness.config import Config
from readiness.facts.callsites import CallSite, build_call_sites
from readiness.facts.deps import Pin
from readiness.facts.model import FileFacts
from readiness.facts.secrets import SecretScan
from readiness.facts.secrets_history import SecretHistory


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


def build_project(
    files: dict[str, FileFacts], paths: list[str], pins: dict[str, Pin], config: Config, catalog: Catalog
) -> Project:
    """Link per-file facts into the project model."""
    evidence = catalog.evidence
    sites = build_call_sites(
        files,
        catalog,
        pins,
        retry_decorators=evidence.retry_decorators | frozenset(config.retry_decorators),
        tracing_decorators=evidence.tracing_decorators | frozenset(config.tracing_decorators),
        retry_helpers=evidence.retry_helpers,
    )
    return Project(files, tuple(sorted(paths)), tuple(sites), pins, config, catalog)
