"""Errors the CLI turns into exit code 2; raised deep, caught only in `cli.py`."""
from __future__ import annotations


class ReadinessError(Exception):
    """Base of every error readiness reports to the user instead of a finding."""


class ConfigError(ReadinessError):
    """A configuration file or option is malformed; names the file and the key."""

    def __init__(self, path: str, key: str, message: str) -> None:
        self.path, self.key = path, key
        where = f"{path}: " if path else ""
        super().__init__(f"{where}`{key}`: {message}" if key else f"{where}{message}")


class RuleLoadError(ReadinessError):
    """A rule pack could not be loaded or declares an invalid rule."""


class UnknownRuleError(ReadinessError):
    """`select` or `ignore` names a code or prefix that matches no rule."""
