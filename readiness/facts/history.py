"""Git history signals (gitpython): churn, authors and bus factor, co-change, age and recency.

Everything is measured relative to the newest commit, not the clock, so the same history gives
the same numbers on every machine. A folder outside git, a repo with no commits and a shallow
clone give `History.unavailable(reason)`: the signals are unknown, never zero.
"""
from __future__ import annotations

import hashlib
import itertools
import logging
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from readiness.facts.signals import is_test_path

LOG = logging.getLogger(__name__)

MAX_COMMITS = 2000
WINDOW_DAYS = 90
MAX_FILES_PER_COMMIT = 30  # sweeping commits (reformatting, renames) say nothing about coupling
MIN_CO_CHANGES = 3
MIN_CO_CHANGE_RATIO = 0.5
SOURCE_SUFFIXES = (".py", ".ipynb")
DAY = 86400


@dataclass(frozen=True, slots=True)
class FileHistory:
    path: str
    commits: int
    recent_commits: int
    lines_changed: int
    authors: tuple[str, ...]
    first_commit: int  # unix time
    last_commit: int


@dataclass(frozen=True, slots=True)
class CoChange:
    """Two source files in different top-level modules (tests aside) that keep changing together."""

    a: str
    b: str
    together: int
    ratio: float  # together / commits of the less-changed file


@dataclass(frozen=True)
class History:
    available: bool
    reason: str = ""
    commits: int = 0
    truncated: bool = False
    head_time: int = 0
    window_days: int = WINDOW_DAYS
    authors: tuple[tuple[str, int], ...] = ()  # (author, commits), most commits first
    files: dict[str, FileHistory] = field(default_factory=dict)
    co_changes: tuple[CoChange, ...] = ()
    line_counts: bool = True  # False when the clone lacks the blobs to count changed lines

    @classmethod
    def unavailable(cls, reason: str) -> History:
        return cls(False, reason)

    @property
    def bus_factor(self) -> int | None:
        """The fewest authors who made more than half of the commits (None when unknown)."""
        if not self.available or not self.authors:
            return None
        total, running = sum(n for _, n in self.authors), 0
        for count, (_, n) in enumerate(self.authors, start=1):
            running += n
            if running * 2 > total:
                return count
        return len(self.authors)

    @property
    def churn(self) -> dict[str, int]:
        """Commits per file in the window before the newest commit; empty when history is unknown."""
        return {path: entry.recent_commits for path, entry in self.files.items()} if self.available else {}

    def churn_of(self, path: str) -> int | None:
        """Commits touching `path` in the window (0 if none), or None when history is unknown."""
        if not self.available:
            return None
        entry = self.files.get(path)
        return entry.recent_commits if entry else 0

    def age_days(self, path: str) -> int | None:
        entry = self.files.get(path) if self.available else None
        return (self.head_time - entry.first_commit) // DAY if entry else None

    def recency_days(self, path: str) -> int | None:
        entry = self.files.get(path) if self.available else None
        return (self.head_time - entry.last_commit) // DAY if entry else None

    def to_json(self) -> dict[str, Any]:
        if not self.available:
            return {"available": False, "reason": self.reason}
        return {
            "available": True,
            "commits": self.commits,
            "truncated": self.truncated,
            "window_days": self.window_days,
            "authors": len(self.authors),
            "bus_factor": self.bus_factor,
            "co_changes": [[c.a, c.b, c.together] for c in self.co_changes],
        }


@dataclass
class _Commit:
    author: str
    time: int
    files: dict[str, int]  # path -> lines added + deleted


def _boundary(path: str) -> str:
    parts = path.split("/")
    if parts[0] == "src" and len(parts) > 1:
        parts = parts[1:]
    return parts[0]


def _parse_log(text: str, prefix: str, name_only: bool = False) -> list[_Commit]:
    commits: list[_Commit] = []
    for record in text.split("\x1e"):
        lines = record.strip("\n").split("\n")
        if not lines or "\x1f" not in lines[0]:
            continue
        _sha, name, email, stamp = (lines[0].split("\x1f") + ["", "", "", "0"])[:4]
        files: dict[str, int] = {}
        for line in lines[1:]:
            cols = ["0", "0", line] if name_only and line else line.split("\t")
            if len(cols) != 3 or not cols[2].startswith(prefix):
                continue
            added, deleted = (int(c) if c.isdigit() else 0 for c in cols[:2])
            files[cols[2][len(prefix):]] = added + deleted
        commits.append(_Commit(email.lower() or name, int(stamp) if stamp.isdigit() else 0, files))
    return commits


@dataclass(frozen=True)
class _Log:
    """What `read_log` read at one commit, as kept in the cache."""

    commits: tuple[_Commit, ...]
    truncated: bool
    line_counts: bool = True


def _objects_state(git_dir: Path) -> bytes:
    """Changes whenever objects are added or repacked (a partial clone that fetches what it
    lacked may then read a log it could not read before)."""
    objects = git_dir / "objects"
    parts = []
    try:
        parts.append((objects / "info" / "alternates").read_bytes())
    except OSError:
        pass
    for folder in (objects, objects / "pack"):
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    stat = entry.stat(follow_symlinks=False)
                    parts.append(f"{entry.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        except OSError:
            parts.append(b"-")
    return b"\0".join(sorted(parts))


def missing_head(repo: Any) -> str | None:
    """Why HEAD cannot be read although it names a commit (None when it can, or when the branch
    has no commits yet): a damaged clone whose object store lost that commit."""
    if repo.head.is_valid():
        return None
    try:
        named = repo.git.rev_parse("--quiet", "--verify", "HEAD").strip()
    except Exception:  # noqa: BLE001 - an unborn branch: rev-parse fails, nothing is missing
        return None
    return f"HEAD's commit {named[:12]} is missing from the object store (a damaged clone)" if named else None


def commit_key(repo: Any, rev: str) -> str | None:
    """Names everything a log of `rev` depends on: the commit (its history cannot change), the
    objects at hand, and what changes how git shows them (config, mailmap, replace refs, grafts,
    shallow boundary, GIT_* variables). None when `rev` is not a commit or git fails."""
    try:
        commit = repo.git.rev_parse("--verify", "--quiet", f"{rev}^{{commit}}").strip()
        digest = hashlib.sha256()
        for part in (
            repo.git.config("--list", with_exceptions=False),
            repo.git.for_each_ref("refs/replace/", with_exceptions=False),
            repr(sorted((k, v) for k, v in os.environ.items() if k.startswith("GIT_"))),
        ):
            digest.update(str(part).encode("utf-8", "surrogateescape") + b"\0")
        git_dir = Path(getattr(repo, "common_dir", None) or repo.git_dir)
        for extra in (Path(repo.working_tree_dir) / ".mailmap", git_dir / "info" / "grafts", git_dir / "shallow"):
            try:
                digest.update(extra.read_bytes() + b"\0")
            except OSError:
                digest.update(b"-\0")
        digest.update(_objects_state(git_dir))
    except Exception as exc:  # noqa: BLE001 - no key: the log is read, not cached
        LOG.debug("no cache key for the history of %s: %s", rev, exc)
        return None
    return f"{commit}|{digest.hexdigest()}" if commit else None


def read_log(root: Path, max_commits: int, rev: str, cache: Any = None) -> tuple[list[_Commit], bool, bool] | str:
    try:
        import git
    except Exception:  # noqa: BLE001 - gitpython raises ImportError subclasses when git is absent
        return "git is not available"
    repo = None
    try:
        repo = git.Repo(root, search_parent_directories=True)
        if repo.bare or repo.working_tree_dir is None:
            return "not a git work tree"
        if repo.git.rev_parse("--is-shallow-repository").strip() == "true":
            return "shallow clone: history is incomplete"
        if not repo.head.is_valid():
            return missing_head(repo) or "no commits yet"
        top = Path(repo.working_tree_dir).resolve()
        rel = os.path.relpath(root.resolve(), top).replace(os.sep, "/")
        args = ["--no-merges", "--no-renames", f"--max-count={max_commits + 1}", "--format=%x1e%H%x1f%aN%x1f%aE%x1f%ct"]
        name_only = False
        at = commit_key(repo, rev) if cache is not None else None
        key = f"history-log|{at}|{rel}|{max_commits}" if at is not None else None
        stored = cache.load(key, _Log) if key is not None else None
        if stored is not None:
            return list(stored.commits), stored.truncated, stored.line_counts
        try:
            text = repo.git.log(*args, "--numstat", rev, "--", rel)
        except git.GitCommandError:
            # A partial clone may lack old blobs: file names need only trees; line counts are lost.
            name_only = True
            text = repo.git.log(*args, "--name-only", rev, "--", rel)
    except Exception as exc:  # noqa: BLE001 - a broken or hostile repo: history is unknown
        LOG.debug("git history unavailable for %s: %s", root, exc)
        if type(exc).__name__ in ("InvalidGitRepositoryError", "NoSuchPathError"):
            return "not a git repository"
        detail = str(getattr(exc, "stderr", "") or "").strip().splitlines()
        return f"git log failed: {detail[-1][:160] if detail else type(exc).__name__}"
    finally:
        if repo is not None:
            repo.close()
    commits = _parse_log(text, "" if rel == "." else rel + "/", name_only)
    if key is not None:
        cache.store(key, _Log(tuple(commits[:max_commits]), len(commits) > max_commits, not name_only))
    return commits[:max_commits], len(commits) > max_commits, not name_only


def _co_changes(commits: list[_Commit], counts: Counter[str], wanted: set[str]) -> tuple[CoChange, ...]:
    pairs: Counter[tuple[str, str]] = Counter()
    for commit in commits:
        files = sorted(p for p in commit.files if p in wanted and p.endswith(SOURCE_SUFFIXES) and not is_test_path(p))
        if len(files) > MAX_FILES_PER_COMMIT:
            continue
        for a, b in itertools.combinations(files, 2):
            if _boundary(a) != _boundary(b):
                pairs[(a, b)] += 1
    found = []
    for (a, b), together in pairs.items():
        ratio = together / min(counts[a], counts[b])
        if together >= MIN_CO_CHANGES and ratio >= MIN_CO_CHANGE_RATIO:
            found.append(CoChange(a, b, together, round(ratio, 3)))
    return tuple(sorted(found, key=lambda c: (-c.together, c.a, c.b)))


def build_history(
    root: Path | None, paths: Iterable[str], window_days: int = WINDOW_DAYS, max_commits: int = MAX_COMMITS,
    rev: str = "HEAD", cache: Any = None, log: Any = None,
) -> History:
    """History signals for the files of the scan (`paths`, relative to `root`), up to commit `rev`.

    With `cache` (a `ResultCache`), the log read at a commit is kept for the next scan. `log`, a
    `pending.Pending` of `read_log(root, max_commits, rev, cache)` started earlier, saves reading it now.
    """
    if root is None:
        return History.unavailable("no repository on disk")
    if max_commits <= 0:
        return History.unavailable("history is turned off (history-depth = 0)")
    read = log.result() if log is not None else read_log(root, max_commits, rev, cache)
    if isinstance(read, str):
        return History.unavailable(read)
    commits, truncated, line_counts = read
    if not commits:
        return History.unavailable("no commits touch the scanned folder")
    head = max(c.time for c in commits)
    since = head - window_days * DAY
    wanted = set(paths)
    counts: Counter[str] = Counter()
    recent: Counter[str] = Counter()
    changed: Counter[str] = Counter()
    authors_of: dict[str, set[str]] = defaultdict(set)
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    for commit in commits:
        for path, lines in commit.files.items():
            if path not in wanted:
                continue
            counts[path] += 1
            recent[path] += commit.time >= since
            changed[path] += lines
            authors_of[path].add(commit.author)
            first[path] = min(first.get(path, commit.time), commit.time)
            last[path] = max(last.get(path, commit.time), commit.time)
    files = {
        p: FileHistory(p, counts[p], recent[p], changed[p], tuple(sorted(authors_of[p])), first[p], last[p])
        for p in sorted(counts)
    }
    by_author = Counter(c.author for c in commits)
    authors = tuple(sorted(by_author.items(), key=lambda item: (-item[1], item[0])))
    return History(
        True, "", len(commits), truncated, head, window_days, authors, files, _co_changes(commits, counts, wanted), line_counts
    )
