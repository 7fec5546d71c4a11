"""Diff mode: scan what a change touches at its head and at its base, and compare by fingerprint.

The analysed set is the changed files plus what project rules need to judge them: the modules
they import (transitively, so clients built elsewhere resolve), the modules that import them
(so a changed client reaches its callers) and the dependency files (SDK pins). The base side
reads the changed files' blobs from git; unchanged files are the same bytes on both sides.
Every repo path is still listed in the project, so presence checks see the whole tree.
"""
from __future__ import annotations

import dataclasses
import logging
import os
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from readiness.compare import compare
from readiness.config import Config
from readiness.discover import SourceFile, classify, discover, is_excluded, module_name
from readiness.catalog import Catalog, load_catalog
from readiness.engine import analyse_file, analyse_results, read_source
from readiness.filestage import Progress, Workers, run_file_stage
from readiness.errors import ReadinessError
from readiness.facts.deps import is_dependency_file
from readiness.model import Diagnostic, Location, RunResult
from readiness.facts.history import read_log
from readiness.pending import Pending
from readiness.prescreen import imported_modules, mark_light
from readiness.registry import select_rules

if TYPE_CHECKING:
    from readiness.cache import ResultCache

LOG = logging.getLogger(__name__)

#: How far imports are followed from a changed file (a client built by a factory in another module: 2).
IMPORT_DEPTH = 2


class DiffError(ReadinessError):
    """The diff base cannot be used (not a git repo, unknown ref, no common history)."""


@dataclass(frozen=True, slots=True)
class Change:
    status: str  # A, M, D, R (T counts as M)
    old: str | None  # path at the base, relative to the scan root
    new: str | None  # path at the head


def _open(root: Path) -> tuple[Any, str]:
    try:
        import git
    except Exception as exc:  # noqa: BLE001 - gitpython raises ImportError subclasses without git
        raise DiffError(f"--diff-base needs git: {exc}") from None
    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise DiffError(f"--diff-base needs a git repository; {root} is not in one") from None
    if repo.bare or repo.working_tree_dir is None:
        raise DiffError(f"--diff-base needs a work tree; {root} is in a bare repository")
    top = Path(repo.working_tree_dir).resolve()
    rel = os.path.relpath(root.resolve(), top).replace(os.sep, "/")
    return repo, "" if rel == "." else rel + "/"


def resolve_base(repo: Any, ref: str) -> Any:
    """The merge base of `ref` (or `origin/<ref>`) and HEAD: where the change forked off."""
    import git

    commit = None
    for candidate in (ref, f"origin/{ref}", f"refs/remotes/origin/{ref}"):
        try:
            commit = repo.commit(candidate)
            break
        except (git.BadName, git.BadObject, ValueError, git.GitCommandError):
            continue
    if commit is None:
        raise DiffError(
            f"cannot find the base {ref!r} in this repository; fetch it first "
            "(on GitHub Actions: actions/checkout with `fetch-depth: 0`)"
        )
    try:
        bases = repo.merge_base(commit, "HEAD")
    except (git.GitCommandError, ValueError) as exc:
        raise DiffError(f"cannot compare HEAD with {ref!r}: {exc}") from None
    if not bases:
        raise DiffError(f"HEAD and {ref!r} share no history (is the clone shallow? use `fetch-depth: 0`)")
    return bases[0]


def changed_files(repo: Any, base: Any, prefix: str) -> list[Change]:
    """Files that differ between the base commit and the work tree, relative to the scan root."""
    import git

    try:
        # a mode change alone (a lost executable bit) is no change to analyse: git need not report it
        out = repo.git.execute(
            ["git", "-c", "core.fileMode=false", "diff", "--name-status", "-z", "-M", "--no-color", base.hexsha, "--", prefix or "."],
        )
    except git.GitCommandError as exc:
        detail = (exc.stderr or "").strip().removeprefix("stderr:").strip(" '")
        raise DiffError(f"git cannot list the changes since {base.hexsha[:12]}: {detail or exc}") from exc
    fields = out.split("\0")
    changes: list[Change] = []
    i = 0

    def rel(path: str) -> str | None:
        return path[len(prefix):] if path.startswith(prefix) else None

    while i < len(fields) and fields[i]:
        status = fields[i][0]
        if status in "RC":
            old, new = fields[i + 1], fields[i + 2]
            i += 3
            changes.append(Change("R" if status == "R" else "A", rel(old) if status == "R" else None, rel(new)))
            continue
        path = fields[i + 1]
        i += 2
        if status == "A":
            changes.append(Change("A", None, rel(path)))
        elif status == "D":
            changes.append(Change("D", rel(path), None))
        else:
            changes.append(Change("M", rel(path), rel(path)))
    return [c for c in changes if c.old is not None or c.new is not None]


def _module_index(paths: set[str]) -> dict[str, str]:
    index: dict[str, str] = {}
    for path in sorted(paths):
        if classify(path) in ("python", "notebook") and path.endswith((".py", ".ipynb")):
            index.setdefault(module_name(path)[0], path)
    return index


def _grep_importers(repo: Any, prefix: str, modules: set[str]) -> Any:
    """Start `git grep` for files of the work tree that name one of `modules` as a whole word;
    it runs while the caller goes on, and `_importers` reads its answer. Fixed words (in the C
    locale gitpython sets) are over ten times faster than the equivalent regular expression.
    gitpython starts git: on Windows it will not run a `git.exe` lying in the scanned folder."""
    words = sorted({m.rsplit(".", 1)[-1] for m in modules if m})
    if not words:
        return None
    argv = ["git", "grep", "-l", "-z", "-I", "--untracked", "-F", "-w"]
    for word in words:
        argv += ["-e", word]
    argv += ["--", f"{prefix}*.py", f"{prefix}*.ipynb"]
    try:
        return repo.git.execute(argv, as_process=True)  # kept: dropping gitpython's handle kills git
    except Exception as exc:  # noqa: BLE001 - git could not start: no importers known
        LOG.debug("git grep failed to start: %s", exc)
        return None


def _importers(grep: Any, repo: Any, prefix: str, modules: set[str]) -> set[str]:
    """Files of the work tree that import one of `modules`, among those `git grep` found."""
    if grep is None:
        return set()
    out, _ = grep.proc.communicate()
    if grep.proc.returncode != 0:
        return set()  # 1: no match; anything else: git could not search (no importers known)
    found: set[str] = set()
    top = Path(repo.working_tree_dir)
    for name in os.fsdecode(out).split("\0"):
        if not name.startswith(prefix):
            continue
        rel = name[len(prefix):]
        try:
            raw = (top / name).read_bytes()
        except OSError:
            continue
        if imported_modules(rel, raw) & modules:
            found.add(rel)
    return found


def _base_blob(base: Any, prefix: str, path: str, limit: int, diagnostics: list[Diagnostic]) -> bytes | None:
    """The file's bytes at the base commit; None when it is absent, not a regular file, too big,
    or its object cannot be read (a partial or damaged clone: then also a diagnostic)."""
    try:
        blob = base.tree / f"{prefix}{path}"
    except KeyError:
        return None
    if blob.type != "blob" or blob.mode == 0o120000:
        return None
    try:
        if blob.size > limit:
            return None
        data: bytes = blob.data_stream.read()
    except (ValueError, OSError) as exc:  # gitdb: "SHA ... could not be resolved"
        LOG.debug("cannot read %s at %s", path, base.hexsha, exc_info=True)
        diagnostics.append(Diagnostic(
            "unreadable", Location(path), f"cannot read this file at the diff base {base.hexsha[:12]}: {exc}"[:300]
        ))
        return None
    return data


SCOPES = ("change", "repo")


def diff_scan(
    root: Path, config: Config, ref: str, scope: str = "change", *, jobs: int = 1, cache: ResultCache | None = None,
    progress: Progress | None = None, file_timeout: float | None = None,
) -> RunResult:
    """Scan the change between the merge base of `ref` and the work tree; mark findings new or existing.

    `scope="change"` analyses the changed files and their neighbours (cost follows the change);
    scores over that part of the repo would mislead, so the result carries none. `scope="repo"`
    analyses every file at the head and only the changed ones again at the base, and scores both.
    `jobs`, `cache`, `progress` and `file_timeout` work as in a full scan: both sides share the
    per-file cache (entries are keyed by content) and the history read at each commit.
    """
    catalog = load_catalog()
    work = partial(analyse_file, catalog=catalog)
    # a worker starts now and loads the parser while git and the rule pack are read
    workers = Workers(work) if file_timeout is not None else None
    try:
        return _diff_scan(
            root, config, ref, scope, catalog, work, jobs=jobs, cache=cache, progress=progress, file_timeout=file_timeout,
            workers=workers,
        )
    finally:
        if workers is not None:
            workers.close()


def _diff_scan(
    root: Path, config: Config, ref: str, scope: str, catalog: Catalog, work: Any, *, jobs: int,
    cache: ResultCache | None, progress: Progress | None, file_timeout: float | None, workers: Workers | None,
) -> RunResult:
    repo, prefix = _open(root)
    base = resolve_base(repo, ref)
    if cache is not None and scope != "repo":
        cache.scanning_part()
    changes = changed_files(repo, base, prefix)
    sources, diagnostics = discover(root, config)
    head = {s.path: s for s in sources}
    tracked_changes = {c.new for c in changes if c.new}
    untracked = set(repo.untracked_files)
    added = {c.new for c in changes if c.status == "A" and c.new} | {
        p for p in head if f"{prefix}{p}" in untracked and p not in tracked_changes
    }
    renamed_from = {c.new: c.old for c in changes if c.status == "R" and c.new and c.old}
    deleted = {c.old for c in changes if c.status == "D" and c.old and not is_excluded(c.old, config.exclude)}
    changed_head = ({c.new for c in changes if c.new} | added) & set(head)
    base_paths = (set(head) - added) | deleted

    # Head bytes of every file we may analyse are read once; base bytes only for changed files.
    head_raw: dict[str, bytes] = {}

    def head_bytes(path: str) -> bytes | None:
        if path not in head_raw:
            raw = read_source(head[path])
            if isinstance(raw, Diagnostic):
                diagnostics.append(raw)
                return None
            head_raw[path] = raw
        return head_raw[path]

    base_raw: dict[str, bytes | None] = {}

    def base_bytes(path: str) -> bytes | None:
        if path in changed_head or path in deleted:
            if path not in base_raw:
                old = renamed_from.get(path, path)
                base_raw[path] = None if path in added else _base_blob(base, prefix, old, config.max_file_bytes, diagnostics)
            return base_raw[path]
        return head_bytes(path) if path in head else None

    if scope == "repo":
        wanted = set(head) | deleted
        rules = select_rules(config.select, config.ignore)
    else:
        index = _module_index(set(head) | deleted)
        wanted = set(changed_head) | deleted | {p for p in head if is_dependency_file(p)}
        changed_modules = {module_name(p)[0] for p in changed_head | deleted if classify(p) != "text"}
        grep = _grep_importers(repo, prefix, changed_modules)
        try:
            rules = select_rules(config.select, config.ignore)  # loads the rule pack while git searches
        except ReadinessError:
            if grep is not None:
                grep.proc.kill()
                grep.proc.communicate()
            raise
        importers = _importers(grep, repo, prefix, changed_modules) & set(head)
        # What resolution needs: the modules the changed files import, and what those import (a
        # client built by a factory elsewhere). Deeper links cannot turn an existing finding into a
        # new one: both sides are analysed with the same set of files.
        frontier = sorted(wanted)
        wanted |= importers
        for _depth in range(IMPORT_DEPTH):
            found: list[str] = []
            for path in frontier:
                imports: set[str] = set()
                for raw in (head_bytes(path) if path in head else None, base_bytes(path)):
                    if raw is not None:
                        imports |= imported_modules(path, raw)
                for module in sorted(imports):
                    target = index.get(module)
                    if target is not None and target not in wanted:
                        wanted.add(target)
                        found.append(target)
            frontier = found

    # Each side decides which files the light pass can take from its own imports.
    head_inputs = [(head[p], raw) for p in sorted(wanted & set(head)) if (raw := head_bytes(p)) is not None]
    base_inputs: list[tuple[SourceFile, bytes]] = []
    for path in sorted(wanted & base_paths):
        raw = base_bytes(path)
        if raw is not None:
            base_inputs.append((head.get(path) or SourceFile(path, "", classify(path), len(raw)), raw))
    head_inputs = mark_light(head_inputs, catalog, config)
    base_inputs = mark_light(base_inputs, catalog, config)
    # Secrets committed since the base are new SEC003 findings, and the churn logs feed both
    # project models: all are read while the files are analysed (on a CI runner, a first scan at
    # these commits would otherwise wait for git). Uncommitted work on the base reads each once.
    base_is_head = repo.head.is_valid() and repo.head.commit.hexsha == base.hexsha
    histories: tuple[Any, Any] = (None, None)  # PendingHistory, or None when SEC003 does not run
    if config.history_depth > 0 and any(r.code == "SEC003" for r in rules):
        from readiness.facts.secrets_history import PendingHistory

        head_secrets = PendingHistory(root, config.history_depth, config.exclude, cache)
        histories = (head_secrets, head_secrets if base_is_head else PendingHistory(
            root, config.history_depth, config.exclude, cache, rev=base.hexsha,
        ))
    logs: tuple[Pending[Any] | None, Pending[Any] | None] = (None, None)
    if config.history_depth > 0:
        head_log = Pending(read_log, root, config.history_depth, "HEAD", cache)
        logs = (head_log, head_log if base_is_head else Pending(read_log, root, config.history_depth, base.hexsha, cache))
    try:
        stage = partial(run_file_stage, work=work, jobs=jobs, cache=cache, file_timeout=file_timeout, workers=workers)
        head_results = dict(zip((s.path for s, _ in head_inputs), stage(head_inputs, progress=progress)))
        head_light = {s.path: s.light for s, _ in head_inputs}
        head_raw.clear()

        def unchanged(source: SourceFile) -> bool:
            path = source.path
            same_pass = head_light.get(path) == source.light
            return path not in changed_head and path not in deleted and same_pass and path in head_results

        fresh = [(s, raw) for s, raw in base_inputs if not unchanged(s)]
        analysed = dict(zip((s.path for s, _ in fresh), stage(fresh)))
        # unchanged files: the same facts at both ends
        base_results = [head_results[s.path] if unchanged(s) else analysed[s.path] for s, _ in base_inputs]

        LOG.debug("diff against %s: %d changed, %d analysed", base.hexsha, len(changed_head | deleted), len(wanted))
        name = root.resolve().name or "."
        head_history, base_history = (h.result() if h is not None else None for h in histories)
        if head_history is not None:
            diagnostics.extend(head_history.diagnostics)
        head_result = analyse_results(
            list(head_results.values()), config, name, diagnostics, rules, paths=sorted(head), repo_root=root, cache=cache,
            secret_history=head_history, history_log=logs[0],
        )
        base_result = analyse_results(
            base_results, config, name, rules=rules, paths=sorted(base_paths), repo_root=root, history_rev=base.hexsha,
            cache=cache, secret_history=base_history, history_log=logs[1],
        )
    finally:  # read by now, unless the scan failed or was interrupted: then stop the helpers
        for helper in {id(h): h for h in (*histories, *logs) if h is not None}.values():
            helper.close()
    if scope != "repo":
        head_result = dataclasses.replace(head_result, score=None)
        base_result = dataclasses.replace(base_result, score=None)
    return compare(
        head_result,
        list(base_result.findings),
        "diff",
        f"{ref} ({base.hexsha[:12]})",
        base_score=base_result.score,
        changed=tuple(sorted(changed_head | deleted)),
        analysed=tuple(sorted(wanted)),
    )
