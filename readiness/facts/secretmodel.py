"""Secret facts as the scan stores them, already redacted, and the file classes the scans skip.

Plain data and `hashlib` only: the engine, the cache and the project model read these without
loading the scanner's patterns (`facts/secrets.py`).
"""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Any

#: Shown after the prefix in place of the rest of a value.
ELLIPSIS = "..."

LOCK_FILES = frozenset(
    {
        "poetry.lock", "uv.lock", "Pipfile.lock", "pdm.lock", "package-lock.json", "yarn.lock",
        "pnpm-lock.yaml", "Cargo.lock", "composer.lock", "Gemfile.lock", "go.sum", "bun.lockb",
        "npm-shrinkwrap.json", "conda-lock.yml",
    }
)
BINARY_SUFFIXES = (
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico", ".bmp", ".tiff", ".pdf", ".zip", ".gz", ".tgz",
    ".bz2", ".xz", ".7z", ".tar", ".whl", ".egg", ".jar", ".pyc", ".pyo", ".so", ".dylib", ".dll",
    ".exe", ".bin", ".woff", ".woff2", ".ttf", ".otf", ".eot", ".mp3", ".mp4", ".wav", ".mov",
    ".parquet", ".feather", ".npy", ".npz", ".pkl", ".pickle", ".pt", ".pth", ".onnx", ".safetensors",
    ".h5", ".sqlite", ".db", ".map",
)
TEMPLATE_SUFFIXES = (".example", ".sample", ".template", ".tmpl", ".dist", ".defaults", ".tpl")


# --- redaction -----------------------------------------------------------------------------------

def redact(value: str, public: int = 0) -> str:
    """A value as reports may show it: its public prefix, a few characters more, and its length.

    At most a sixth of the non-public part (and never more than four characters) is shown, so a
    short password shows one or two characters and a long key its format prefix and four more.
    """
    return f"{preview(value, public)}{ELLIPSIS} ({len(value)} chars)"


def preview(value: str, public: int = 0) -> str:
    public = max(0, min(public, len(value) // 2))
    extra = min(4, (len(value) - public) // 6)
    return value[: public + extra]


def fingerprint(value: str) -> str:
    """A stable, non-reversible identity for a secret value (de-duplication, baselines)."""
    return hashlib.sha256(value.encode("utf-8", errors="replace")).hexdigest()[:16]


# --- facts -----------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SecretFact:
    """One secret found in a file, redacted: the value is never stored."""

    kind: str
    label: str
    severity: str
    line: int
    col: int
    preview: str
    length: int
    fingerprint: str
    cell: int | None = None
    key: str = ""
    origin: str = "code"  # "code" | "output" (notebook output) | "markdown" (notebook text cell)
    generic: bool = False

    @property
    def redacted(self) -> str:
        return f"{self.preview}{ELLIPSIS} ({self.length} chars)"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SecretFact:
        return cls(**data)


@dataclass(frozen=True, slots=True)
class EnvFile:
    """A dotenv file that is not a template: how many values it sets and which keys are secret-named."""

    assignments: int
    secret_keys: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"assignments": self.assignments, "secret_keys": list(self.secret_keys)}


@dataclass(frozen=True, slots=True)
class SecretScan:
    """What the secret scan learned about one file."""

    secrets: tuple[SecretFact, ...] = ()
    env: EnvFile | None = None

    def to_json(self) -> dict[str, Any]:
        return {"secrets": [s.to_json() for s in self.secrets], "env": self.env.to_json() if self.env else None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SecretScan:
        env = data.get("env")
        return cls(
            secrets=tuple(SecretFact.from_json(s) for s in data.get("secrets", [])),
            env=EnvFile(env["assignments"], tuple(env["secret_keys"])) if env else None,
        )


NO_SECRETS = SecretScan()
