"""Text patterns the full (libcst) and light (ast) passes share: suppression comments, TODO
markers, machine-specific paths, environment names, tracing calls and statement hashes.

Plain data and `re` only, so the light pass and the pre-screen load without libcst.
"""
from __future__ import annotations

import hashlib
import re

from readiness.facts.model import Suppression

SPAN_CALLS = frozenset({"start_as_current_span", "start_span", "start_as_current_observation", "span", "trace", "observe", "start_trace", "trace_as_chain_group"})

_SUPPRESS = re.compile(r"#\s*readiness:\s*(ignore|file-ignore)\[([A-Za-z0-9_,\s]+)\]")

SYS_PATH_CALLS = frozenset({"sys.path.append", "sys.path.insert", "sys.path.extend", "site.addsitedir"})
ENV_GETTERS = frozenset({"os.getenv", "os.environ.get"})  # setdefault() supplies its own value
USAGE_ATTRS = frozenset({"usage", "usage_metadata", "token_usage", "prompt_tokens", "completion_tokens", "total_tokens", "input_tokens", "output_tokens", "prompt_eval_count", "eval_count"})
MARKER = re.compile(r"\b(TODO|FIXME|HACK|XXX|WORKAROUND|KLUDGE)\b")
# A home folder of one machine: /Users/<name>/, /home/<name>/, C:\Users\<name>\ (placeholders excepted).
LOCAL_PATH = re.compile(r"(?:^|[\s'\"=(:,]|file://)((?:/Users|/home)/([^/\s'\"]+)/|[A-Za-z]:[\\/]+Users[\\/]+([^\\/\s'\"]+)[\\/])")
PLACEHOLDER_USERS = frozenset({
    "you", "your", "yourname", "your_name", "your-name", "username", "user", "me", "name", "example", "someone", "foo",
    # service accounts of containers, CI runners and hosted notebooks, not a developer's laptop
    "runner", "ubuntu", "jovyan", "app", "appuser", "agent", "node", "python", "worker", "nonroot", "vscode",
    "codespace", "gitpod", "coder", "sandbox", "ec2-user", "circleci", "travis", "docker", "www-data", "admin", "runneradmin",
})
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def local_path_in(text: str) -> str | None:
    """The machine-specific absolute path a string holds, if any (placeholders are not)."""
    if "Users" not in text and "/home/" not in text:
        return None
    for match in LOCAL_PATH.finditer(text):
        user = match.group(2) or match.group(3) or ""
        if user.lower() in PLACEHOLDER_USERS or not user or user[0] in "<{$%" or user.startswith("your"):
            continue
        return match.group(1)
    return None


_TRAILING_COMMA = re.compile(r",(?=[)\]}])")


def code_hash(code: str) -> str:
    """A short, stable hash of code without whitespace or trailing commas (what formatters change)."""
    text = "".join(code.split())
    if "," in text:
        text = _TRAILING_COMMA.sub("", text)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=6).hexdigest()


def read_suppressions(text: str, cell_lines: tuple[tuple[int, int], ...]) -> tuple[tuple[Suppression, ...], tuple[str, ...]]:
    """Inline `# readiness: ignore[CODE]` directives, by (cell, line), and file-wide ones."""
    found: list[Suppression] = []
    file_wide: list[str] = []
    if "readiness:" not in text:
        return (), ()
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _SUPPRESS.finditer(line):
            codes = tuple(c.strip().upper() for c in match.group(2).split(",") if c.strip())
            if match.group(1) == "file-ignore":
                file_wide.extend(codes)
                continue
            cell, cell_line = cell_lines[number - 1] if number <= len(cell_lines) else (0, number)
            found.append(Suppression(cell, cell_line, codes))
    return tuple(found), tuple(sorted(set(file_wide)))
