"""Secrets in past commits: the added lines of the last N commits' diffs, scanned like files.

One `git log -p` process streams the diffs (gitpython runs it); external diff drivers and textconv
filters are switched off, so a hostile repository cannot make the scan run its commands. Each
secret is kept once, at the oldest commit (within the depth) that added it. Whether it is still in
the tree is for the rule to decide, from the current files' fingerprints.

A folder that is not a git work tree, a shallow clone, or a history longer than the depth gives a
diagnostic, never an error.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from readiness.discover import is_excluded
from readiness.facts.secretmodel import BINARY_SUFFIXES, LOCK_FILES, SecretFact
from readiness.facts.secrets import basename, scan_history_text, skipped
from readiness.model import Diagnostic, Location

LOG = logging.getLogger(__name__)
HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")
COMMIT_MARK = "\x00commit "
MAX_ADDED_CHARS = 2 * 1024 * 1024  # per file and commit: beyond this an added blob is data, not code


@dataclass(frozen=True, slots=True)
class HistorySecret:
    """A secret added by `commit` (short hash) on `date` (YYYY-MM-DD) at `path`:`fact.line`."""

    fact: SecretFact
    path: str
    commit: str
    date: str

    def to_json(self) -> dict[str, Any]:
        return {"fact": self.fact.to_json(), "path": self.path, "commit": self.commit, "date": self.date}


@dataclass(frozen=True, slots=True)
class SecretHistory:
    secrets: tuple[HistorySecret, ...] = ()
    commits: int = 0
    diagnostics: tuple[Diagnostic, ...] = ()


#: Never prompt for credentials and never fetch missing objects from a promisor remote.
QUIET_GIT = {"GIT_TERMINAL_PROMPT": "0", "GIT_NO_LAZY_FETCH": "1", "GIT_ASKPASS": "true", "LC_ALL": "C"}


def _git_error(exc: Exception) -> str:
    """The first line git printed on stderr, or the exception's name."""
    stderr = getattr(exc, "stderr", "") or ""
    if isinstance(stderr, bytes):
        stderr = stderr.decode("utf-8", errors="replace")
    for line in str(stderr).splitlines():
        line = line.strip().strip("'").removeprefix("stderr:").strip().strip("'")
        if line:
            return line[:160]
    return type(exc).__name__


def _note(message: str) -> SecretHistory:
    return SecretHistory(diagnostics=(Diagnostic("history", Location(""), message),))


class _Collector:
    """Turns the stream of `git log -p` lines into secrets, oldest occurrence first."""

    def __init__(self, exclude: tuple[str, ...], max_chars: int) -> None:
        self.exclude = exclude
        self.max_chars = max_chars
        self.found: dict[str, HistorySecret] = {}
        self.commits = 0
        self.commit = ""
        self.date = ""
        self.path: str | None = None
        self.in_header = False
        self.next_line = 0
        self.lines: list[tuple[int, str]] = []
        self.chars = 0

    def feed(self, line: str) -> None:
        if line.startswith(COMMIT_MARK):
            self.flush()
            parts = line[len(COMMIT_MARK):].split()
            self.commit, self.date = (parts[0][:12], parts[1][:10]) if len(parts) >= 2 else ("", "")
            self.commits += 1
            self.path, self.in_header = None, False
        elif line.startswith("diff --git "):
            self.flush()
            self.path, self.in_header = None, True
        elif self.in_header and line.startswith("+++ "):
            target = line[4:].rstrip("\t")
            path = target[2:] if target.startswith("b/") else None
            self.path = path if path is not None and self._wanted(path) else None
        elif line.startswith("@@"):
            self.in_header = False
            match = HUNK.match(line)
            self.next_line = int(match.group(1)) if match else 0
        elif line.startswith("+") and not self.in_header and self.path is not None:
            if self.chars < self.max_chars:
                self.lines.append((self.next_line, line[1:]))
                self.chars += len(line)
            self.next_line += 1
        elif line.startswith(" ") and not self.in_header:
            self.next_line += 1

    def _wanted(self, path: str) -> bool:
        return not is_excluded(path, self.exclude) and basename(path) not in LOCK_FILES and not skipped(path, b"")

    def flush(self) -> None:
        if self.path is not None and self.lines:
            text = "\n".join(t for _, t in self.lines)
            for index, fact in scan_history_text(self.path, text):
                real_line = self.lines[index - 1][0]
                # Newest commits come first: a later (older) sighting replaces an earlier one.
                self.found[fact.fingerprint] = HistorySecret(
                    SecretFact(**{**fact.to_json(), "line": real_line}), self.path, self.commit, self.date
                )
        self.lines, self.chars = [], 0

    def result(self, diagnostics: Iterable[Diagnostic]) -> SecretHistory:
        self.flush()
        secrets = sorted(self.found.values(), key=lambda s: (s.path, s.fact.line, s.commit))
        return SecretHistory(tuple(secrets), self.commits, tuple(diagnostics))


def scan_secret_history(
    root: Path, depth: int, exclude: tuple[str, ...] = (), max_chars: int = MAX_ADDED_CHARS, rev: str = "HEAD",
) -> SecretHistory:
    """Secrets added in the last `depth` commits up to `rev` that touched `root` (paths relative to `root`)."""
    try:
        import git  # gitpython
    except Exception:  # noqa: BLE001 - gitpython raises ImportError subclasses when git is absent
        return _note("git is not available: history was not scanned for secrets (SEC003)")
    try:
        repo = git.Repo(root, search_parent_directories=True)
        if repo.bare or repo.working_tree_dir is None:
            return _note("not a git work tree: history was not scanned for secrets (SEC003)")
        if not repo.head.is_valid():
            from readiness.facts.history import missing_head

            missing = missing_head(repo)
            if missing:
                return _note(f"git history could not be read: {missing}; history was not scanned for secrets (SEC003)")
            return SecretHistory()  # a repository without commits has no history
        runner = git.Git(str(root.resolve()))
        partial = runner.execute(["git", "config", "--get-regexp", r"^(extensions\.partialclone|remote\..*\.promisor)$"], with_exceptions=False)
        if str(partial).strip():
            return _note("partial clone (objects are fetched on demand): history was not scanned for secrets (SEC003), "
                         "since reading it would need the network")
        shallow = runner.execute(["git", "rev-parse", "--is-shallow-repository"]).strip() == "true"
        total = int(runner.execute(["git", "rev-list", "--count", rev, "--", "."]).strip() or 0)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return _note("not a git repository: history was not scanned for secrets (SEC003)")
    except Exception as exc:  # noqa: BLE001 - any git failure is a diagnostic, not a crash
        LOG.debug("git history unavailable for %s", root, exc_info=True)
        return _note(f"git history could not be read: {type(exc).__name__}: {str(exc).strip()[:200]}")
    argv = [
        # The user's and the repo's config must not change what the parser reads.
        "git", "-c", "core.quotePath=false", "-c", "diff.noprefix=false", "-c", "log.follow=false",
        "-c", "log.showSignature=false", "log", "-p", "-M", "--no-color", "--no-ext-diff", "--no-textconv",
        "--src-prefix=a/", "--dst-prefix=b/",
        "--unified=0", f"--max-count={depth}", "--format=%x00commit %H %aI", "--relative", rev, "--", ".",
        # Binaries and lock files are never scanned: git need not even read their blobs.
        *(f":(exclude,icase)*{suffix}" for suffix in BINARY_SUFFIXES),
        *(f":(exclude)*{name}" for name in sorted(LOCK_FILES)),
    ]
    collector = _Collector(exclude, max_chars)
    notes: list[Diagnostic] = []
    try:
        process = runner.execute(argv, as_process=True, env=QUIET_GIT)
        stdout = process.proc.stdout if process.proc is not None else None
        if stdout is None:
            raise OSError("git produced no output stream")
        for raw in stdout:
            collector.feed(raw.decode("utf-8", errors="replace").rstrip("\r\n"))
        process.wait()
    except Exception as exc:  # noqa: BLE001 - keep what was read, say where it stopped
        LOG.debug("git log failed for %s", root, exc_info=True)
        notes.append(Diagnostic(
            "history", Location(""),
            f"git history could only be read for {max(collector.commits - 1, 0)} commits ({_git_error(exc)}); "
            "older commits were not scanned for secrets",
        ))
        return collector.result(notes)
    if shallow:
        notes.append(Diagnostic(
            "history", Location(""),
            f"shallow clone: only {total} commits are present, older commits were not scanned for secrets "
            "(fetch the full history, e.g. `fetch-depth: 0` in actions/checkout)",
        ))
    elif total > depth:
        notes.append(Diagnostic(
            "history", Location(""),
            f"history has {total} commits; the latest {depth} were scanned for secrets (raise --history-depth to read more)",
        ))
    return collector.result(notes)


class PendingHistory:
    """The history scan, read by a helper process while the scan goes on (see `pending`), or
    taken from the cache; `result()` waits for it."""

    def __init__(self, root: Path, depth: int, exclude: tuple[str, ...] = (), cache: Any = None, rev: str = "HEAD") -> None:
        from readiness.pending import Pending

        self._cache = cache
        self._key = _key(root, depth, exclude, rev) if cache is not None else None
        stored = cache.load(self._key, SecretHistory) if self._key is not None else None
        self.stored = stored is not None  # read from the cache: no helper was started
        self._pending: Any = stored if stored is not None else Pending(
            scan_secret_history, root, depth, exclude, MAX_ADDED_CHARS, rev, check=SecretHistory,
        )

    def close(self) -> None:
        """Stop the helper if the history is no longer wanted."""
        if not isinstance(self._pending, SecretHistory):
            self._pending.close()

    def result(self) -> SecretHistory:
        if isinstance(self._pending, SecretHistory):
            return self._pending
        history: SecretHistory = self._pending.result()
        self._pending = history
        if self._key is not None:
            self._cache.store(self._key, history)
        return history


def _key(root: Path, depth: int, exclude: tuple[str, ...], rev: str = "HEAD") -> str | None:
    """What the history scan at `rev` depends on (see `history.commit_key`), or None outside git."""
    try:
        import git  # gitpython

        from readiness.facts.history import commit_key

        repo = git.Repo(root, search_parent_directories=True)
        try:
            if repo.bare or repo.working_tree_dir is None:
                return None
            at = commit_key(repo, rev)
        finally:
            repo.close()
    except Exception as exc:  # noqa: BLE001 - not a repository, or git is missing: nothing is cached
        LOG.debug("no cache key for the secret history of %s: %s", root, exc)
        return None
    return f"secret-history|{at}|{root.resolve()}|{depth}|{sorted(exclude)}|{MAX_ADDED_CHARS}" if at else None
