"""A cache of per-file results, keyed by everything that can change them.

The key of one file's entry hashes: its content, its path and kind (facts carry the module name),
the tool version, a fingerprint of the code that computes per-file results (the `readiness`
package and the `readiness.rules` pack, TOML catalogs included), the libcst and Python versions,
and the configuration except the keys that only later stages read (`STAGE_NEUTRAL_CONFIG`).

Entries live in pack files written to a temporary name and renamed into place, so two scans
sharing a cache never see half a pack; an entry that does not decode is ignored and rewritten
(see `ResultCache`). One pack per scan, not one file per source file: creating thousands of small
files cost more than the analysis of the small files they held.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import tempfile
import time
from dataclasses import fields
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from readiness import __version__
from readiness.heap import keep
from readiness.serial import SerialError, decode, encode

if TYPE_CHECKING:
    from readiness.config import Config
    from readiness.discover import SourceFile
    from readiness.engine import FileResult

LOG = logging.getLogger(__name__)

#: Bumped when the layout of entries changes.
FORMAT = 2
#: Config fields that only the project, rule, suppression or report stages read.
STAGE_NEUTRAL_CONFIG = frozenset({
    "select", "ignore", "fail_on", "per_file_ignores", "exclude", "max_file_bytes", "source",
    "risk", "answers", "effort", "history_depth", "min_score", "baseline",
})
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


def encode_result(result: FileResult) -> str:
    """One result as a cache entry: JSON of its `serial.encode` form. Workers send results to
    the scan in this form too: cheaper to make and to read back than a pickle of the dataclasses."""
    return json.dumps(encode(result), separators=(",", ":"), allow_nan=True)


def decode_result(payload: str | bytes) -> FileResult:
    """The result an `encode_result` payload holds (kept out of the cyclic collector, see `heap`)."""
    from readiness.engine import FileResult

    with keep():
        result: FileResult = decode(FileResult, json.loads(payload))
    return result


class ResultCache:
    """Per-file results on disk, in pack files under `root/v<FORMAT>/<salt>/<scope>/`.

    `scope` (the scanned folder) keeps each repo's packs apart, so folding old packs never drops
    another repo's entries. A pack is a text file of `<key>\t<result JSON>` lines; a scan reads
    the packs once, decodes only the entries it asks for, and writes everything it computed as
    one new pack (temp file + rename: readers never see half a pack). Later packs win. When a
    scope holds `MAX_PACKS` packs, the next write folds the entries this scan used into the new
    pack and deletes the packs it read, dropping stale versions (a scan of part of the repo keeps
    them all: `scanning_part`). A line that does not decode is
    ignored; its file is analysed again and the fresh entry written.
    """

    MAX_PACKS = 4

    def __init__(self, root: str, salt: str, scope: str = "") -> None:
        self.root, self.salt = root, salt
        self.scope = hashlib.sha256(scope.encode("utf-8", "surrogateescape")).hexdigest()[:16]
        self._index: dict[str, bytes] | None = None
        self._packs: list[str] = []
        self._used: set[str] = set()
        self._new: dict[str, str] = {}
        self._keep_unused = False

    @classmethod
    def open(cls, root: Path, config: Config, scope: str = "") -> ResultCache:
        salt = hashlib.sha256(f"{code_fingerprint()}|{config_fingerprint(config)}".encode()).hexdigest()
        return cls(str(root), salt, scope)

    @property
    def folder(self) -> str:
        return os.path.join(self.root, f"v{FORMAT}", self.salt[:16], self.scope)

    def key(self, source: SourceFile, raw: bytes) -> str:
        digest = hashlib.sha256(raw)
        kind = f"{source.kind}/light" if source.light else source.kind
        digest.update(f"\0{kind}\0{source.path}\0{self.salt}".encode("utf-8", "surrogateescape"))
        return digest.hexdigest()

    def _load(self) -> dict[str, bytes]:
        index: dict[str, bytes] = {}
        try:
            names = sorted(n for n in os.listdir(self.folder) if n.startswith("pack-") and n.endswith(".jsonl"))
        except OSError:
            names = []
        for name in names:
            path = os.path.join(self.folder, name)
            try:
                with open(path, "rb") as fh:
                    data = fh.read()
            except OSError:
                continue  # folded away by a concurrent scan
            self._packs.append(path)
            for line in data.split(b"\n"):
                key, tab, payload = line.partition(b"\t")
                if tab and len(key) == 64:
                    index[key.decode("ascii", "replace")] = payload
        self._index = index
        return index

    def get(self, key: str) -> FileResult | None:
        """The stored result, or None when absent or corrupt."""
        index = self._index if self._index is not None else self._load()
        payload = index.get(key)
        if payload is None:
            return None
        try:
            result = decode_result(payload)
        except (SerialError, TypeError, ValueError, KeyError, RecursionError) as exc:
            LOG.debug("ignoring corrupt cache entry %s: %s", key, exc)
            return None
        self._used.add(key)
        return result

    def put(self, key: str, result: FileResult, payload: str | None = None) -> None:
        """Remember a result (`payload`: its `encode_result`, when already made); `flush` writes what was put."""
        try:
            self._new[key] = payload if payload is not None else encode_result(result)
        except (TypeError, ValueError) as exc:
            LOG.debug("cannot cache %s: %s", key, exc)

    def scanning_part(self) -> None:
        """This scan reads only part of the repo (`--diff-base`): an entry it did not use is not
        stale, so folding keeps every entry (the next full scan drops the stale ones)."""
        self._keep_unused = True

    def flush(self) -> None:
        """Write the new entries as one pack; a cache that cannot be written is skipped."""
        if not self._new:
            return
        index = self._index if self._index is not None else self._load()
        fold = len(self._packs) >= self.MAX_PACKS
        kept = index.keys() if self._keep_unused else self._used
        lines = {key: index[key].decode("utf-8", "replace") for key in kept if key in index} if fold else {}
        lines.update(self._new)
        try:
            written = os.path.join(self.folder, f"pack-{time.time_ns():020d}-{os.getpid()}.jsonl")
            self._write(written, (f"{key}\t{payload}\n" for key, payload in lines.items()))
        except OSError as exc:
            LOG.debug("cannot write cache entry pack in %s: %s", self.folder, exc)
            return
        index.update((key, payload.encode("utf-8")) for key, payload in self._new.items())
        self._new.clear()
        if fold:
            for path in self._packs:
                try:
                    os.unlink(path)
                except OSError:
                    pass
            self._packs = []
        self._packs.append(written)

    #: Values kept by `store` (one file each; the oldest beyond this many are deleted).
    MAX_VALUES = 8

    def _value_path(self, name: str) -> str:
        digest = hashlib.sha256(f"{name}\0{self.salt}".encode("utf-8", "surrogateescape")).hexdigest()
        return os.path.join(self.folder, f"value-{digest[:32]}.json")

    def load(self, name: str, cls: Any) -> Any:
        """A value kept by `store` under `name` (a string naming everything it depends on), or None."""
        try:
            with open(self._value_path(name), "rb") as fh:
                payload = fh.read()
            with keep():
                return decode(cls, json.loads(payload))
        except (OSError, SerialError, TypeError, ValueError, KeyError, RecursionError) as exc:
            LOG.debug("no stored value %s: %s", name, exc)
            return None

    def store(self, name: str, value: Any) -> None:
        """Keep a project-level value (git history read at one commit) for later scans."""
        try:
            payload = json.dumps(encode(value), separators=(",", ":"), allow_nan=True)
            self._write(self._value_path(name), (payload,))
            kept = sorted(
                (entry for entry in os.scandir(self.folder) if entry.name.startswith("value-")),
                key=lambda entry: entry.stat().st_mtime_ns, reverse=True,
            )
            for entry in kept[self.MAX_VALUES:]:
                os.unlink(entry.path)
        except (OSError, TypeError, ValueError) as exc:
            LOG.debug("cannot store %s in %s: %s", name, self.folder, exc)

    def _write(self, path: str, chunks: Iterable[str]) -> None:
        """Write a file of this scope whole or not at all (temp file + rename: readers never see half)."""
        os.makedirs(self.folder, exist_ok=True)
        self._tag()
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=self.folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.writelines(chunks)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

    def _tag(self) -> None:
        tag = os.path.join(self.root, "CACHEDIR.TAG")
        if not os.path.exists(tag):
            try:
                with open(tag, "w", encoding="utf-8") as fh:
                    fh.write(_TAG)
            except OSError:
                pass
