"""A cache of per-file results, keyed by everything that can change them.

The key of one file's entry hashes: its content, its path and kind (facts carry the module name),
the tool version, a fingerprint of the code that computes per-file results (the `readiness`
package and the `readiness.rules` pack, TOML catalogs included), the libcst and Python versions,
and the configuration except the keys that only later stages read (`STAGE_NEUTRAL_CONFIG`).

Entries are JSON files written to a temporary name and renamed into place, so two scans sharing a
cache never see half an entry; an entry that does not decode is ignored and rewritten.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import tempfile
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from readiness import __version__
from readiness.serial import SerialError, decode, encode

if TYPE_CHECKING:
    from readiness.config import Config
    from readiness.discover import SourceFile
    from readiness.engine import FileResult

LOG = logging.getLogger(__name__)

#: Bumped when the layout of entries changes.
FORMAT = 1
#: Config fields that only the project, rule, suppression or report stages read.
STAGE_NEUTRAL_CONFIG = frozenset({"select", "ignore", "fail_on", "per_file_ignores", "exclude", "max_file_bytes", "source"})
ENV_DIR = "READINESS_CACHE_DIR"
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# This directory is a cache of readiness; it can be deleted at any time.\n"


def default_cache_dir() -> Path:
    """`$READINESS_CACHE_DIR`, else the platform's user cache folder + `readiness`."""
    explicit = os.environ.get(ENV_DIR)
    if explicit:
        return Path(explicit)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "readiness" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "readiness"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return Path(xdg if xdg and os.path.isabs(xdg) else Path.home() / ".cache") / "readiness"


def _package_files(package: str) -> list[Path]:
    module = sys.modules.get(package)
    if module is None:
        import importlib

        module = importlib.import_module(package)
    found: list[Path] = []
    for base in getattr(module, "__path__", []):
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            found.extend(Path(dirpath) / f for f in sorted(filenames) if f.endswith((".py", ".toml")))
    return found


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Hash of the code and data that compute per-file results: `readiness` and its rule pack."""
    digest = hashlib.sha256()
    for package in ("readiness", "readiness.rules"):
        for path in _package_files(package):
            try:
                digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
            except OSError:
                continue
    try:
        from importlib.metadata import version

        libcst_version = version("libcst")
    except Exception:  # noqa: BLE001 - a missing distribution record only weakens the key
        libcst_version = "?"
    digest.update(f"{__version__}|{libcst_version}|{sys.version_info[:2]}|{FORMAT}".encode())
    return digest.hexdigest()


def config_fingerprint(config: Config) -> str:
    """Hash of the configuration values that can change per-file results."""
    relevant = {f.name: getattr(config, f.name) for f in fields(config) if f.name not in STAGE_NEUTRAL_CONFIG}
    text = json.dumps(encode(relevant), sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class ResultCache:
    """Per-file results on disk under `root/<salt prefix>/`; picklable, so workers can write."""

    root: str
    salt: str

    @classmethod
    def open(cls, root: Path, config: Config) -> ResultCache:
        salt = hashlib.sha256(f"{code_fingerprint()}|{config_fingerprint(config)}".encode()).hexdigest()
        return cls(str(root), salt)

    @property
    def folder(self) -> str:
        return os.path.join(self.root, f"v{FORMAT}", self.salt[:16])

    def key(self, source: SourceFile, raw: bytes) -> str:
        digest = hashlib.sha256(raw)
        digest.update(f"\0{source.kind}\0{source.path}\0{self.salt}".encode("utf-8", "surrogateescape"))
        return digest.hexdigest()

    def _path(self, key: str) -> str:
        return os.path.join(self.folder, key[:2], key[2:] + ".json")

    def get(self, key: str) -> FileResult | None:
        """The stored result, or None when absent, unreadable or corrupt."""
        from readiness.engine import FileResult

        try:
            with open(self._path(key), "rb") as fh:
                data = json.loads(fh.read())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            LOG.debug("ignoring unreadable cache entry %s: %s", key, exc)
            return None
        try:
            if not isinstance(data, dict) or data.get("key") != key:
                raise SerialError("entry belongs to another key")
            return decode(FileResult, data["result"])
        except (SerialError, TypeError, ValueError, KeyError) as exc:
            LOG.debug("ignoring corrupt cache entry %s: %s", key, exc)
            return None

    def put(self, key: str, result: FileResult) -> None:
        """Store a result atomically; a cache that cannot be written is silently skipped."""
        target = self._path(key)
        try:
            folder = os.path.dirname(target)
            os.makedirs(folder, exist_ok=True)
            self._tag()
            payload = json.dumps({"key": key, "result": encode(result)}, separators=(",", ":"), allow_nan=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(payload)
                os.replace(tmp, target)
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
        except (OSError, TypeError, ValueError) as exc:
            LOG.debug("cannot write cache entry %s: %s", key, exc)

    def _tag(self) -> None:
        tag = os.path.join(self.root, "CACHEDIR.TAG")
        if not os.path.exists(tag):
            try:
                with open(tag, "w", encoding="utf-8") as fh:
                    fh.write(_TAG)
            except OSError:
                pass
