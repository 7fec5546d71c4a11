"""The whole-scan cache: a rescan of a repo where nothing changed returns the stored result.

Rules, scores and the verdict are pure functions of the per-file inputs, the git history at
HEAD, the configuration and the tool itself, so a result can be reused when all of them are
the same. The key names every one: the cache salt (tool version, rule pack and catalogs,
libcst and Python versions), the whole configuration, the scanned folder's name, each file's
path, kind and content hash, the discovery diagnostics, the files `exclude` left out, and the
history key of HEAD (the commit plus what changes how git shows it, see
`facts.history.commit_key`). A scan whose files crashed or timed out is not stored.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from readiness.config import Config
from readiness.discover import SourceFile
from readiness.model import Diagnostic, RunResult
from readiness.scorecard import Scorecard

if TYPE_CHECKING:
    from readiness.cache import ResultCache

LOG = logging.getLogger(__name__)
#: Diagnostics that say the result is incomplete for a reason that may not recur.
TRANSIENT = frozenset({"internal", "skipped", "rule-error"})


@dataclass(frozen=True, slots=True)
class StoredRun:
    result: RunResult
    score: Scorecard | None


def history_key(root: Path) -> str | None:
    """The history key of HEAD, `no-git` outside a repository, None when git cannot say."""
    try:
        import git
    except ImportError:
        return "no-git"
    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return "no-git"
    except Exception:  # noqa: BLE001 - git unusable: do not reuse results
        return None
    from readiness.facts.history import commit_key, missing_head

    if not repo.head.is_valid():
        return None if missing_head(repo) else "no-commits"  # a damaged clone: do not reuse results
    return commit_key(repo, "HEAD")


def run_key(
    cache: ResultCache, root: Path, config: Config, inputs: list[tuple[SourceFile, bytes]],
    diagnostics: list[Diagnostic], listed: list[str],
) -> str | None:
    history = history_key(root)
    if history is None:
        return None
    digest = hashlib.sha256()
    settings = json.dumps(dataclasses.asdict(config), sort_keys=True, default=repr)
    digest.update(f"{cache.salt}\0{settings}\0{root.name}\0{history}\0".encode("utf-8", "surrogateescape"))
    for source, raw in inputs:
        digest.update(f"{source.path}\0{source.kind}\0".encode("utf-8", "surrogateescape"))
        digest.update(hashlib.sha256(raw).digest())
    for diagnostic in diagnostics:
        digest.update(f"{diagnostic!r}\0".encode("utf-8", "surrogateescape"))
    digest.update("\0".join(listed).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def load_run(cache: ResultCache, key: str) -> RunResult | None:
    stored = cache.load(f"run-{key}", StoredRun)
    if not isinstance(stored, StoredRun):
        return None
    return dataclasses.replace(stored.result, score=stored.score)


def store_run(cache: ResultCache, key: str, result: RunResult) -> None:
    if any(d.kind in TRANSIENT for d in result.diagnostics) or result.comparison is not None:
        return
    score: Any = result.score
    if score is not None and not isinstance(score, Scorecard):
        return
    cache.store(f"run-{key}", StoredRun(dataclasses.replace(result, score=None), score))
