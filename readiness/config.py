"""`[tool.readiness]` in `pyproject.toml` or `readiness.toml` -> a frozen `Config`."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from readiness.errors import ConfigError
from readiness.model import Severity

from readiness._toml import tomllib

CODE_OR_PREFIX = "a rule id (REL001) or a prefix (REL)"


@dataclass(frozen=True, slots=True)
class Config:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    timeout_budget: float = 60.0
    fail_on: Severity = Severity.LOW
    model_wrappers: tuple[str, ...] = ()
    retry_decorators: tuple[str, ...] = ()
    tracing_decorators: tuple[str, ...] = ()
    max_file_bytes: int = 2 * 1024 * 1024
    risk: str = ""
    answers: tuple[tuple[str, str], ...] = ()
    effort: tuple[tuple[str, float], ...] = ()
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    #: How many commits SEC003 reads for secrets that left the tree (0 turns history scanning off).
    history_depth: int = 1000
    min_score: float | None = None
    baseline: str = ""

    def with_overrides(self, **changes: Any) -> Config:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _str_list(path: str, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(path, key, "expected a list of strings")
    return tuple(value)


def _codes(path: str, key: str, value: Any) -> tuple[str, ...]:
    codes = _str_list(path, key, value)
    for code in codes:
        if not code.isalnum() or not code[:3].isalpha() or not code.isupper():
            raise ConfigError(path, key, f"{code!r} is not {CODE_OR_PREFIX}")
    return codes


def _number(path: str, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(path, key, "expected a positive number of seconds")
    return float(value)


def _severity(path: str, key: str, value: Any) -> Severity:
    try:
        return Severity.parse(value if isinstance(value, str) else repr(value))
    except ValueError as exc:
        raise ConfigError(path, key, str(exc)) from None


def _per_file(path: str, key: str, value: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise ConfigError(path, key, 'expected a table of glob = ["CODE", ...]')
    return tuple((glob, _codes(path, f"{key}.{glob}", codes)) for glob, codes in sorted(value.items()))


def _size(path: str, key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(path, key, "expected a positive number of bytes")
    return value


RISKS = ("low", "medium", "high")
QUESTIONS = ("failure", "visibility", "outcome", "ownership")
EFFORT_KEYS = ("rebuild-lines-per-day", "rebuild-overhead-days", "hours-per-day")


def _risk(path: str, key: str, value: Any) -> str:
    if value not in RISKS:
        raise ConfigError(path, key, f"expected one of {', '.join(RISKS)}, got {value!r}")
    return str(value)


def _answers(path: str, key: str, value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        raise ConfigError(path, key, f"expected a table with any of {', '.join(QUESTIONS)}")
    for name, text in value.items():
        if name not in QUESTIONS:
            raise ConfigError(path, f"{key}.{name}", f"unknown question (known: {', '.join(QUESTIONS)})")
        if not isinstance(text, str) or not text.strip():
            raise ConfigError(path, f"{key}.{name}", "expected a non-empty string")
    return tuple((name, value[name].strip()) for name in QUESTIONS if name in value)


def _effort(path: str, key: str, value: Any) -> tuple[tuple[str, float], ...]:
    if not isinstance(value, dict):
        raise ConfigError(path, key, f"expected a table with any of {', '.join(EFFORT_KEYS)}")
    for name, number in value.items():
        if name not in EFFORT_KEYS:
            raise ConfigError(path, f"{key}.{name}", f"unknown key (known: {', '.join(EFFORT_KEYS)})")
        if isinstance(number, bool) or not isinstance(number, (int, float)) or number <= 0:
            raise ConfigError(path, f"{key}.{name}", "expected a positive number")
    return tuple((name, float(value[name])) for name in EFFORT_KEYS if name in value)
def _depth(path: str, key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(path, key, "expected a number of commits (0 or more; 0 turns history scanning off)")
    return value


def _score(path: str, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
        raise ConfigError(path, key, "expected a score from 0 to 100")
    return float(value)


def _file(path: str, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(path, key, "expected a file path")
    return value


_KEYS: dict[str, tuple[str, Callable[[str, str, Any], Any]]] = {
    "select": ("select", _codes),
    "ignore": ("ignore", _codes),
    "exclude": ("exclude", _str_list),
    "per-file-ignores": ("per_file_ignores", _per_file),
    "timeout-budget": ("timeout_budget", _number),
    "fail-on": ("fail_on", _severity),
    "model-wrappers": ("model_wrappers", _str_list),
    "retry-decorators": ("retry_decorators", _str_list),
    "tracing-decorators": ("tracing_decorators", _str_list),
    "max-file-bytes": ("max_file_bytes", _size),
    "risk": ("risk", _risk),
    "answers": ("answers", _answers),
    "effort": ("effort", _effort),
    "history-depth": ("history_depth", _depth),
    "min-score": ("min_score", _score),
    "baseline": ("baseline", _file),
}


def parse_table(table: dict[str, Any], path: str) -> Config:
    """Validate a `[tool.readiness]` table; every bad key is a `ConfigError` naming it."""
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in _KEYS:
            known = ", ".join(sorted(_KEYS))
            raise ConfigError(path, key, f"unknown key (known keys: {known})")
        attr, convert = _KEYS[key]
        values[attr] = convert(path, key, value)
    return Config(source=path, **values)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), "", f"not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(str(path), "", f"cannot read: {exc.strerror}") from None


def _table_of(path: Path, data: dict[str, Any]) -> dict[str, Any] | None:
    tool = data.get("tool")
    if isinstance(tool, dict) and "readiness" in tool:
        table = tool["readiness"]
        if not isinstance(table, dict):
            raise ConfigError(str(path), "tool.readiness", "expected a table")
        return table
    if path.name == "pyproject.toml":
        return None
    return data


def load_config(root: Path, explicit: Path | None = None) -> Config:
    """Find and load the configuration for a scan of `root`.

    An explicit file must exist; otherwise `readiness.toml`, then `pyproject.toml` with a
    `[tool.readiness]` table, are looked up in `root`. No file means the defaults.
    """
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(str(explicit), "", "config file not found")
        table = _table_of(explicit, _read_toml(explicit))
        return parse_table(table or {}, str(explicit))
    for name in ("readiness.toml", "pyproject.toml"):
        candidate = root / name
        if candidate.is_file():
            try:
                table = _table_of(candidate, _read_toml(candidate))
            except ConfigError:
                if name == "pyproject.toml":
                    # A scanned repo's broken pyproject is its problem, not a usage error.
                    return Config()
                raise
            if table is not None:
                return parse_table(table, name)
    return Config()
