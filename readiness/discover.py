"""Find the files of a repo to scan: git-aware, deterministic, never leaving the root."""
from __future__ import annotations

import fnmatch
import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from readiness.config import Config
from readiness.model import Diagnostic, Location

LOG = logging.getLogger(__name__)

DEFAULT_EXCLUDED_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".venv", "venv", ".env.d", "env", "node_modules", "site-packages",
        "__pycache__", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", "build",
        "dist", ".eggs", ".ipynb_checkpoints", ".readiness_cache",
    }
)
PYTHON_SUFFIXES = (".py", ".pyi")
NOTEBOOK_SUFFIX = ".ipynb"


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One file to scan; `path` is relative to the scan root, in POSIX form."""

    path: str
    abs_path: str
    kind: str  # "python" | "notebook" | "text"
    size: int
    #: Not connected to model or web code (see `readiness.prescreen`): facts from the light pass.
    light: bool = False


def classify(path: str) -> str:
    if path.endswith(PYTHON_SUFFIXES):
        return "python"
    if path.endswith(NOTEBOOK_SUFFIX):
        return "notebook"
    return "text"


def _glob_match(path: str, pattern: str) -> bool:
    pattern = pattern.rstrip("/")
    if fnmatch.fnmatchcase(path, pattern):
        return True
    if pattern.endswith("/**"):
        base = pattern[:-3]
        return path == base or path.startswith(base + "/") or fnmatch.fnmatchcase(path, base + "/*")
    # A bare directory name or path excludes everything below it.
    return path.startswith(pattern + "/")


def is_excluded(path: str, patterns: tuple[str, ...]) -> bool:
    parts = path.split("/")
    if any(part in DEFAULT_EXCLUDED_DIRS for part in parts[:-1]):
        return True
    if any(part.endswith(".egg-info") for part in parts[:-1]):
        return True
    return any(_glob_match(path, p) for p in patterns)


def _git_listing(root: Path) -> list[str] | None:
    """Tracked plus untracked-not-ignored files under `root`, or None if not in a git work tree."""
    try:
        import git  # gitpython; imported lazily so a missing git binary is just "no git"
    except Exception:  # noqa: BLE001 - gitpython raises ImportError subclasses when git is absent
        return None
    try:
        repo = git.Repo(root, search_parent_directories=True)
        if repo.bare or repo.working_tree_dir is None:
            return None
        # gitpython runs git from the work tree's top, so ask for root's subtree and strip it.
        top = Path(repo.working_tree_dir).resolve()
        rel_root = os.path.relpath(root.resolve(), top).replace(os.sep, "/")
        out = repo.git.ls_files("--cached", "--others", "--exclude-standard", "-z", "--", rel_root)
    except Exception as exc:  # noqa: BLE001 - any git failure means: fall back to a walk
        LOG.debug("git listing failed for %s: %s", root, exc)
        return None
    prefix = "" if rel_root == "." else rel_root + "/"
    names = []
    for name in out.split("\0"):
        if not name:
            continue
        if prefix and not name.startswith(prefix):
            continue
        names.append(name[len(prefix):])
    return sorted(set(names))


def _walk_listing(root: Path) -> list[str]:
    names: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in DEFAULT_EXCLUDED_DIRS)
        rel = os.path.relpath(dirpath, root)
        for filename in filenames:
            path = filename if rel == "." else os.path.join(rel, filename)
            names.append(path.replace(os.sep, "/"))
    return sorted(names)


def discover(root: Path, config: Config) -> tuple[list[SourceFile], list[Diagnostic]]:
    """List the files to scan under `root`, sorted, with diagnostics for those skipped."""
    root = root.resolve()
    names = _git_listing(root)
    if names is None:
        names = _walk_listing(root)
    files: list[SourceFile] = []
    diagnostics: list[Diagnostic] = []
    for name in names:
        if is_excluded(name, config.exclude):
            continue
        full = root / name
        try:
            info = full.lstat()
        except OSError:
            continue  # listed by git but deleted from the work tree
        if stat.S_ISLNK(info.st_mode):
            try:
                target = full.resolve(strict=True)
                target.relative_to(root)
                info = target.stat()
            except (OSError, RuntimeError, ValueError):
                diagnostics.append(
                    Diagnostic("skipped", Location(name), "symlink leads outside the repository or nowhere; not followed")
                )
                continue
        if not stat.S_ISREG(info.st_mode):
            continue
        if info.st_size > config.max_file_bytes:
            if classify(name) != "text":
                diagnostics.append(
                    Diagnostic("skipped", Location(name), f"file is {info.st_size} bytes, over the {config.max_file_bytes}-byte cap")
                )
            continue
        files.append(SourceFile(name, str(full), classify(name), info.st_size))
    return files, diagnostics


def module_name(path: str) -> tuple[str, bool]:
    """Dotted module name of a repo-relative path (a `src/` prefix is dropped) and is-package."""
    stem = path.rsplit(".", 1)[0]
    parts = stem.split("/")
    if parts and parts[0] == "src" and len(parts) > 1:
        parts = parts[1:]
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return ".".join(parts), is_package
