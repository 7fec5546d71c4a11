"""Secrets in one file's text, as facts that are already redacted.

A `SecretFact` carries the kind of credential, where it is, a short public prefix, its length and a
stable fingerprint (a truncated SHA-256 of the value) for de-duplication and baselines. The value
itself never leaves this module: the only function that sees raw values outside it is
`scan_secrets`, whose caller uses them to scrub other facts of the same file (`scrub`).

Detection (patterns in `rules/secrets.toml`):
- provider patterns find credentials by their own format in any text file;
- keyed patterns find format-less keys (Cohere, Mistral, Azure, AWS secret) by the key they are
  assigned to;
- the generic detector flags high-entropy values assigned to secret-named keys in Python, `.env`,
  YAML, JSON, TOML, INI, shell and Dockerfiles.
Placeholders (`sk-...`, `your-api-key`, `<OPENAI_API_KEY>`, `xxxx`, `changeme`, `${VAR}`), values
in templates (`.env.example`) and test files' dummies never fire. Lock files and binaries are skipped.
"""
from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from itertools import accumulate
from typing import Any, Iterator

from readiness.errors import RuleLoadError

from readiness._toml import tomllib
from readiness.facts.secretmodel import (  # SecretFact, SecretScan, fingerprint, redact: also read from here
    BINARY_SUFFIXES, LOCK_FILES, NO_SECRETS, TEMPLATE_SUFFIXES, EnvFile, SecretFact, SecretScan, fingerprint, preview, redact,
)
from readiness.facts.signals import is_test_path as is_test_code

MAX_LINE = 20_000  # longer lines (minified bundles, data blobs) are not scanned by the generic detector


# --- patterns --------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ProviderPattern:
    id: str
    label: str
    severity: str
    regex: re.Pattern[str]
    group: int
    public: int
    requires: str
    anchors: tuple[str, ...]
    min_entropy: float = 0.0
    #: `regex` without its leading `_BEFORE` lookbehind (see `_matches`)
    core: re.Pattern[str] | None = None


@dataclass(frozen=True, slots=True)
class KeyedPattern:
    id: str
    label: str
    severity: str
    key: re.Pattern[str]
    value: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class GenericPolicy:
    id: str
    label: str
    severity: str
    formats: frozenset[str]
    min_length: int
    min_entropy: float
    password_min_length: int
    password_min_entropy: float


@dataclass(frozen=True, slots=True)
class Patterns:
    providers: tuple[ProviderPattern, ...]
    keyed: tuple[KeyedPattern, ...]
    generic: GenericPolicy


# A credential is a whole token: not preceded or followed by characters that would continue it.
_BEFORE = r"(?<![A-Za-z0-9_+/-])"
_BEFORE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+/-")  # `_BEFORE`'s class
_AFTER = r"(?![A-Za-z0-9_+/=])"


def _matches(pattern: ProviderPattern, text: str) -> list[re.Match[str]]:
    """`pattern.regex.finditer(text)`, found with `pattern.core` and `_BEFORE` checked by hand.

    A pattern that opens with a lookbehind gives the regex engine no literal prefix or first-character
    set, so it tries every position of the text; without it the engine skips to where a match can
    start (`sk-`, `AIza`). A match whose preceding character continues a token is dropped and the
    search resumes one character later, so the matches (leftmost, non-overlapping) are the same.
    """
    core = pattern.core
    if core is None:
        return list(pattern.regex.finditer(text))
    found: list[re.Match[str]] = []
    pos = 0
    search = core.search
    while (m := search(text, pos)) is not None:
        start = m.start()
        if start and text[start - 1] in _BEFORE_CHARS:
            pos = start + 1
            continue
        if m.end() == start:  # an empty match: finditer's rules for those differ, use it
            return list(pattern.regex.finditer(text))
        found.append(m)
        pos = m.end()
    return found


@lru_cache(maxsize=1)
def load_patterns() -> Patterns:
    """The patterns of `rules/secrets.toml` (shipped in the `readiness.rules` package)."""
    try:
        text = resources.files("readiness.rules").joinpath("secrets.toml").read_text("utf-8")
        data = tomllib.loads(text)
        providers = tuple(
            ProviderPattern(
                p["id"], p["label"], p["severity"],
                re.compile(_BEFORE + "(?:" + p["regex"] + ")" + _AFTER),
                int(p.get("group", 0)), int(p.get("public", 0)), p.get("requires", ""), tuple(p["anchors"]),
                float(p.get("min_entropy", 0.0)), re.compile("(?:" + p["regex"] + ")" + _AFTER),
            )
            for p in data.get("provider", [])
        )
        keyed = tuple(
            KeyedPattern(k["id"], k["label"], k["severity"], re.compile(k["key"]), re.compile(k["value"]))
            for k in data.get("keyed", [])
        )
        g = data["generic"]
        generic = GenericPolicy(
            g["id"], g["label"], g["severity"], frozenset(g["formats"]), int(g["min_length"]),
            float(g["min_entropy"]), int(g["password_min_length"]), float(g["password_min_entropy"]),
        )
    except (OSError, KeyError, TypeError, ValueError, re.error, tomllib.TOMLDecodeError) as exc:
        raise RuleLoadError(f"rules/secrets.toml is invalid: {type(exc).__name__}: {exc}") from exc
    return Patterns(providers, keyed, generic)


# --- file classification -------------------------------------------------------------------------

def basename(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def is_env_template(path: str) -> bool:
    name = basename(path).lower()
    return name.endswith(TEMPLATE_SUFFIXES) or any(f".{w}." in name + "." for w in ("example", "sample", "template"))


def is_env_file(path: str) -> bool:
    """A dotenv file: `.env`, `.env.local`, `.env.prod`, `prod.env` (templates are also env files)."""
    name = basename(path).lower()
    return name == ".env" or name.startswith(".env.") or (name.endswith(".env") and not name.startswith("."))


def is_test_path(path: str) -> bool:
    """Test code by layout, case-insensitively, plus JS/TS test layouts a repo may carry next to it."""
    lowered = path.lower()
    if is_test_code(lowered):
        return True
    parts = lowered.split("/")
    name = parts[-1]
    return (
        any(p in ("__tests__", "spec") for p in parts[:-1])
        or name.startswith("test_") or name.endswith(("_tests.py", ".spec.ts", ".test.ts", ".test.js"))
    )


def skipped(path: str, raw: bytes) -> bool:
    """Lock files and binaries are not scanned for secrets."""
    name = basename(path)
    if name in LOCK_FILES or name.lower().endswith(BINARY_SUFFIXES) or name.endswith(".min.js"):
        return True
    return b"\0" in raw[:8192]


def text_format(path: str) -> str:
    """Which assignment syntax a file uses: python, env, yaml, json, toml, ini, shell, docker or text."""
    name = basename(path).lower()
    if name.endswith((".py", ".pyi")):
        return "python"
    if is_env_file(path) or name == ".envrc":
        return "env"
    if name.endswith((".yml", ".yaml")):
        return "yaml"
    if name.endswith(".json"):
        return "json"
    if name.endswith(".toml"):
        return "toml"
    if name.endswith((".ini", ".cfg", ".conf", ".properties")):
        return "ini"
    if name.endswith((".sh", ".bash", ".zsh", ".ksh")):
        return "shell"
    if name.endswith((".tf", ".tfvars", ".hcl")):
        return "hcl"
    if name.endswith((".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts")) and not name.endswith(".d.ts"):
        return "js"
    if name == "dockerfile" or name.startswith("dockerfile.") or name.endswith(".dockerfile") or name == "containerfile":
        return "docker"
    return "text"


# --- placeholders and entropy --------------------------------------------------------------------

_PLACEHOLDER_WORDS = re.compile(
    r"your|my|the|api|key|keys|token|secret|secrets|password|passwd|pass|pwd|here|placeholder|change|me|"
    r"replace|redacted|insert|put|example|examples|sample|dummy|fake|mock|test|testing|tests|foo|bar|baz|qux|"
    r"demo|none|null|nil|todo|fixme|value|default|dev|local|admin|root|user|username|super|for|goes|"
    r"with|actual|real|real_|xxx+|abc|qwerty|letmein|hunter|welcome|sk|pk|access|private|public|postgres|"
    r"mysql|redis|guest|string|str|env|config|settings|setme|set|not|missing|required|todo|tbd|invalid|"
    r"secretkey|apikey|changeit|changeme|dont|do|use|in|prod|production|staging|openai|anthropic|db|"
    r"database|app|application|service|client|id|auth|bearer|hf|gh|ghp|org|project|proj"
)
_HARD_PLACEHOLDER = re.compile(
    r"^\$[A-Za-z_{(]|\$\{|\{\{|\}\}|\$\(|%\(|%[sd]\b|<[^<>]*>|\.\.\.|…|\*\*\*|(?i:x{4,})|^(?i:null|none|true|false|undefined)$"
)
_REFERENCE = re.compile(r"^(?:arn:|vault:|ref\+|secretsmanager:|ssm:|projects/[^/]+/secrets/|@Microsoft\.KeyVault|op://|gcp:|env:|file:)", re.I)


def shannon(value: str) -> float:
    if not value:
        return 0.0
    counts = Counter(value)
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def _sequential(core: str) -> bool:
    """`1234567890abcdef...`, `abcdefgh...`: keyboard-made dummies."""
    if len(core) < 8:
        return False
    steps = sum(1 for a, b in zip(core, core[1:]) if ord(b) - ord(a) == 1)
    return steps >= (len(core) - 1) * 0.5


def is_placeholder(value: str, public: int = 0) -> bool:
    """True for values that stand in for a secret rather than being one."""
    if _HARD_PLACEHOLDER.search(value) or _REFERENCE.search(value):
        return True
    core = value[public:] if public < len(value) else value
    letters = re.sub(r"[^A-Za-z0-9]", "", core)
    if len(letters) < 6:
        return True
    if len(set(letters.lower())) <= 4 or Counter(letters.lower()).most_common(1)[0][1] > len(letters) * 0.5:
        return True
    if _sequential(letters.lower()):
        return True
    # A value made of placeholder words (`your-api-key-here`, `test_secret_123`) with little else.
    rest = _PLACEHOLDER_WORDS.sub("", core.lower())
    rest = re.sub(r"[^a-z0-9]", "", rest)
    return len(rest) < 6 or (rest.isdigit() and len(rest) < 9)


# --- secret-named keys -----------------------------------------------------------------------------

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|PASSPHRASE|(?:^|_)PWD$|(?:^|_)PASS$|TOKEN|CREDENTIAL|API_?KEY|(?:^|_)KEY$|(?:^|_)AUTH$")
_PASSWORD_NAME = re.compile(r"PASSWORD|PASSWD|PASSPHRASE|(?:^|_)PWD$|(?:^|_)PASS$")
_NOT_SECRET_SUFFIX = re.compile(
    r"_(?:IDS?|NAMES?|PATH|FILE|FILES|DIR|URL|URI|ENDPOINT|HOST|PORT|TYPE|HEADER|PARAM|FIELD|ENV|VAR|LENGTH|LEN|"
    r"SIZE|COUNT|LIMIT|TTL|EXPIRY|EXPIRES|EXPIRES_IN|EXPIRATION|TIMEOUT|HASH|HASHED|DIGEST|SHA|SHA256|CHECKSUM|"
    r"PREFIX|SUFFIX|FORMAT|PATTERN|REGEX|LOCATION|ARN|REF|VERSION|ALGORITHM|ALG|MODE|ENABLED|REQUIRED|SCOPES?|"
    r"PROVIDER|LABEL|HINT|PROMPT|MESSAGE|FIELD_NAME|KEY_NAME|SOURCE|STORE|CLASS|METHOD|POLICY|RULES?|TEMPLATE)$"
)
_NOT_SECRET_PART = re.compile(
    r"PUBLIC|PUBLISHABLE|TOKENIZER|TOKENS|MAX_TOKEN|MIN_TOKEN|NUM_TOKEN|TOKEN_COUNT|PRIMARY_KEY|FOREIGN_KEY|"
    r"SORT_KEY|PARTITION_KEY|CACHE_KEY|ROUTING_KEY|IDEMPOTENCY_KEY|DEDUP|HOTKEY|KEYBOARD|KEYWORD|OBJECT_KEY|"
    r"S3_KEY|SITE_KEY|ANON_KEY|LOOKUP_KEY|DICT_KEY|SESSION_KEY_PREFIX|STATE_KEY|QUERY_KEY|CSRF_HEADER|"
    r"KEY_FUNC|SECRET_NAME|SECRETS_DIR|IS_|HAS_|USE_|ENABLE|DISABLE|REQUIRE|CSRF_TOKEN_NAME|PASSWORD_FIELD|"
    r"PASSWORD_RESET|PASSWORD_MIN|PASSWORD_MAX|PASSWORD_HASHERS|PASSWORD_VALIDATORS|FORGOT|RESET_PASSWORD"
)


def normalise_key(key: str) -> str:
    key = key.strip("\"'`[]$")
    key = key.rsplit(".", 1)[-1]
    return re.sub(r"[^A-Za-z0-9]+", "_", _CAMEL.sub("_", key)).upper().strip("_")


def is_secret_name(key: str) -> bool:
    name = normalise_key(key)
    if not name or _NOT_SECRET_SUFFIX.search(name) or _NOT_SECRET_PART.search(name):
        return False
    return bool(_SECRET_NAME.search(name))


# --- assignments -----------------------------------------------------------------------------------

_KEY = r"""(?P<key>[A-Za-z_][A-Za-z0-9_.-]*)"""
_STRING = r"""(?P<q>["'])(?P<qval>(?:\\.|(?!(?P=q))[^\\\n])*)(?P=q)"""
# What follows a key for `KEY = "value"`, `"key": "value"`, `key: str = "value"`, `environ["KEY"] = "value"`.
_AFTER_KEY = re.compile(
    r"""["']?\]?\s*(?::\s*[A-Za-z_][\w\[\]., |]*?\s*)?(?:=|:=|:|=>)\s*(?:!!\w+\s+)?[rRbBuU]{0,2}""" + _STRING
)
# `getenv("KEY", "default")`, `environ.setdefault("KEY", "value")`.
_BEFORE_CALL_KEY = re.compile(r"""(?:setdefault|getenv|get|putenv|setenv|set)\(\s*["']$""")
_AFTER_CALL_KEY = re.compile(r"""["']\s*,\s*""" + _STRING)
_IDENT_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
_BARE_ASSIGN = re.compile(
    r"""^\s*(?:-\s+)?(?:export\s+|ENV\s+|ARG\s+|set\s+|readonly\s+|declare\s+(?:-\w+\s+)?)?""" + _KEY
    + r"""\s*(?:=|:)\s*(?!["'])(?P<val>[^\s"'#;,]+)"""
)
_DOCKER_ENV_SPACE = re.compile(r"^\s*ENV\s+" + _KEY + r"\s+(?![=\"'])(?P<val>[^\s\"'#]+)\s*$")
_YAML_NAME = re.compile(r"""^\s*-?\s*name\s*:\s*["']?(?P<key>[A-Za-z_][A-Za-z0-9_]*)["']?\s*$""")
_YAML_VALUE = re.compile(r"""^\s*value\s*:\s*(?:["'](?P<qval>[^"']*)["']|(?P<val>[^\s#"']+))""")
# `pragma: allowlist secret` (detect-secrets' marker) works everywhere. Our own `readiness: ignore[SEC001]`
# is applied here only where no Python facts carry suppressions (YAML, .env, ...); in Python and notebook
# code the normal suppression step applies it, so it is counted and never reported as unused.
_ALLOW_ANY = re.compile(r"pragma:\s*allowlist\s+secret")
_ALLOW_TEXT = re.compile(r"pragma:\s*allowlist\s+secret|readiness:\s*ignore\[[^\]]*\bSEC(?:001)?\b")


@dataclass(frozen=True, slots=True)
class _Assignment:
    key: str
    value: str
    line: int
    col: int


#: Every secret-named or keyed key contains one of these; other lines cannot hold an assignment we read.
_KEY_HINT = re.compile(r"key|secret|token|pass|pwd|credential|auth", re.I)
_KEY_HINT_LOWER = re.compile(r"key|secret|token|pass|pwd|credential|auth")  # on lower-cased text: much faster


def _candidate_lines(lines: list[str], fmt: str, text: str | None = None) -> list[int]:
    """Indexes of the lines that hold a key hint; `text` is `"\n".join(lines)` when the caller has it."""
    text = ("\n".join(lines) if text is None else text).lower()
    wanted: list[int] = []
    pos, line_no = 0, 0
    search = _KEY_HINT_LOWER.search
    while (m := search(text, pos)) is not None:
        line_no += text.count("\n", pos, m.start())
        wanted.append(line_no)
        nl = text.find("\n", m.end())
        if nl < 0:
            break
        pos = nl + 1
        line_no += 1
    if fmt == "yaml":  # `- name: API_KEY` then `value: ...` on the next line
        wanted = sorted(set(wanted) | {i + 1 for i in wanted if i + 1 < len(lines)})
    return wanted


def _assignments(lines: list[str], fmt: str, text: str | None = None) -> Iterator[_Assignment]:
    for index in _candidate_lines(lines, fmt, text):
        line = lines[index]
        number = index + 1
        if len(line) > MAX_LINE:
            continue
        stripped = line.lstrip()
        if fmt not in ("python", "json", "js") and stripped.startswith(("#", ";", "//")):
            continue
        seen: set[int] = set()
        for key, start, m in _keyed_strings(line):
            if m.start("qval") not in seen:
                seen.add(m.start("qval"))
                yield _Assignment(key, _unescape(m.group("qval")), number, m.start("qval"))
        if fmt in ("env", "yaml", "toml", "ini", "shell", "docker", "text"):
            bare = _BARE_ASSIGN.match(line) or (_DOCKER_ENV_SPACE.match(line) if fmt == "docker" else None)
            if bare and bare.start("val") not in seen:
                yield _Assignment(bare.group("key"), bare.group("val"), number, bare.start("val"))
        if fmt == "yaml" and index + 1 < len(lines):
            name = _YAML_NAME.match(line)
            value = _YAML_VALUE.match(lines[index + 1]) if name else None
            if name and value:
                group = "qval" if value.group("qval") is not None else "val"
                yield _Assignment(name.group("key"), value.group(group), number + 1, value.start(group))


def _keyed_strings(line: str) -> Iterator[tuple[str, int, re.Match[str]]]:
    """(key, key start, match of the string value) for each hinted key followed by a string value.

    Starts from the key hints and grows each to its identifier, instead of trying a key pattern at
    every position of the line (which is quadratic on long lines).
    """
    done: set[int] = set()
    for hint in _KEY_HINT.finditer(line):
        start, end = hint.start(), hint.end()
        while start > 0 and line[start - 1] in _IDENT_CHARS:
            start -= 1
        while end < len(line) and line[end] in _IDENT_CHARS:
            end += 1
        while start < end and not (line[start].isalpha() or line[start] == "_"):
            start += 1
        if start in done or start >= end:
            continue
        done.add(start)
        key = line[start:end]
        m = _AFTER_KEY.match(line, end)
        if m is None and start > 0 and _BEFORE_CALL_KEY.search(line, max(0, start - 16), start):
            m = _AFTER_CALL_KEY.match(line, end)
        if m is not None:
            yield key, start, m


def _unescape(value: str) -> str:
    return value.replace("\\'", "'").replace('\\"', '"')


# --- scanning --------------------------------------------------------------------------------------

@dataclass
class _Hit:
    kind: str
    label: str
    severity: str
    value: str
    public: int
    line: int
    col: int
    span: tuple[int, int]  # absolute offsets in the scanned text, for overlap checks
    key: str = ""
    generic: bool = False


@dataclass
class _Region:
    """A piece of text scanned on its own: a file, or one notebook cell's source or output."""

    text: str
    fmt: str
    cell: int | None = None
    origin: str = "code"
    line_offset: int = 0
    hits: list[_Hit] = field(default_factory=list)


def _line_starts(lines: list[str]) -> list[int]:
    """The offset of each line of `"\n".join(lines)`."""
    return list(accumulate((len(line) + 1 for line in lines[:-1]), initial=0))


def _position(starts: list[int], offset: int) -> tuple[int, int]:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo + 1, offset - starts[lo]


def _scan_region(region: _Region, path: str, template: bool, test_file: bool) -> list[_Hit]:
    patterns = load_patterns()
    text = region.text
    lines = text.split("\n")
    starts = _line_starts(lines)
    hits: list[_Hit] = []
    taken: list[tuple[int, int]] = []

    def overlaps(span: tuple[int, int]) -> bool:
        return any(span[0] < end and start < span[1] for start, end in taken)

    for pattern in patterns.providers:
        if (pattern.requires and pattern.requires not in text) or not any(a in text for a in pattern.anchors):
            continue
        for m in _matches(pattern, text):
            span = m.span(pattern.group)
            value = m.group(pattern.group)
            if overlaps(span) or is_placeholder(value, pattern.public) or _password_is_user(pattern.id, m.group(0), value):
                continue
            if pattern.min_entropy and (shannon(value) < pattern.min_entropy or not re.search(r"\d", value)):
                continue
            line, col = _position(starts, span[0])
            taken.append(span)
            hits.append(_Hit(pattern.id, pattern.label, pattern.severity, value, pattern.public, line, col, span))

    generic = patterns.generic
    run_generic = region.fmt in generic.formats and not template and not test_file
    for a in _assignments(lines, region.fmt, text):
        value = a.value.strip()
        if region.fmt in ("env", "shell", "docker", "ini", "yaml", "toml", "text"):
            value = re.split(r"\s+#", value, maxsplit=1)[0].strip()
        start = starts[a.line - 1] + a.col
        span = (start, start + len(value))
        if not value or overlaps(span):
            continue
        name = normalise_key(a.key)
        for keyed in patterns.keyed:
            if keyed.key.search(name) and keyed.value.fullmatch(value) and not is_placeholder(value):
                taken.append(span)
                hits.append(_Hit(keyed.id, keyed.label, keyed.severity, value, 0, a.line, a.col, span, key=a.key))
                break
        else:
            if run_generic and is_secret_name(a.key) and _generic_secret(name, value, generic):
                taken.append(span)
                hits.append(_Hit(generic.id, generic.label, generic.severity, value, 0, a.line, a.col, span, key=a.key, generic=True))
    if not hits:
        return hits
    allow = _ALLOW_ANY if region.fmt == "python" else _ALLOW_TEXT
    allowed = {i + 1 for i, line in enumerate(lines) if allow.search(line)} if ("allowlist" in text or "readiness:" in text) else set()
    return [h for h in hits if h.line not in allowed]


def _word(segment: str) -> bool:
    """`gpt`, `Turbo`, `CLAUDE`: a word, not a run of random mixed-case letters."""
    return segment.isalpha() and len(segment) >= 2 and (segment.islower() or segment.istitle() or (segment.isupper() and len(segment) <= 12))


def _identifier_like(value: str) -> bool:
    """Names rather than secrets: mostly alphabetic words and short numbers between separators."""
    if re.fullmatch(r"[A-Za-z][a-z]+(?:[A-Z][a-z]+)+", value):
        return True
    segments = [seg for seg in re.split(r"[_\-.:/]+", value) if seg]
    if len(segments) < 2 and not re.fullmatch(r"[a-z]+", value):
        return False
    wordy = sum(len(seg) for seg in segments if _word(seg) or (seg.isdigit() and len(seg) <= 4))
    return wordy >= 0.8 * sum(len(seg) for seg in segments)


_VERSION = re.compile(r"[~^<>=!v]*\d+\.\d+(?:\.\d+)?(?:[-+.][0-9A-Za-z.+-]*)?")
_PUBLIC_OR_TEST_PREFIXES = ("pk_live_", "pk_test_", "sk_test_", "rk_test_", "pk-lf-", "whsec_test_")


def _password_is_user(kind: str, url: str, password: str) -> bool:
    """`postgres://app:app@localhost`: local defaults where the password repeats the user name."""
    if kind != "database-url-password":
        return False
    user = re.search(r"//([^:/@\s]+):", url)
    return user is not None and user.group(1).lower() == password.lower()


def _generic_secret(name: str, value: str, policy: GenericPolicy) -> bool:
    if any(c.isspace() for c in value) or "://" in value or value.startswith(("/", "./", "../", "~")):
        return False
    if re.fullmatch(r"[\w.-]+\.(?:json|pem|key|txt|yaml|yml|toml|env|p12|crt|cer)", value):
        return False  # a file name, not its content
    if re.fullmatch(r"(?:sha\d+|md5|sha)[:-].*", value, re.I) or re.fullmatch(r"\d+(?:\.\d+)*", value):
        return False
    if _VERSION.fullmatch(value):
        return False  # `"next-auth": "0.0.0-manual.4cd21ea5"`: a version pin, not a credential
    if value.startswith(_PUBLIC_OR_TEST_PREFIXES):
        return False  # publishable keys are public by design; test-mode keys reach no real money or data
    if is_placeholder(value):
        return False
    if _PASSWORD_NAME.search(name):
        return len(value) >= policy.password_min_length and shannon(value) >= policy.password_min_entropy
    if len(value) < policy.min_length or shannon(value) < policy.min_entropy:
        return False
    if _identifier_like(value):
        return False  # identifiers and words: `default_model`, `openai_gpt_4o_mini`, `MyServiceName`
    return bool(re.search(r"\d", value) or (re.search(r"[a-z]", value) and re.search(r"[A-Z]", value)))


def _notebook_regions(raw: bytes) -> list[_Region] | None:
    try:
        doc = json.loads(raw.decode("utf-8", errors="replace"))
    except ValueError:
        return None
    cells = doc.get("cells") if isinstance(doc, dict) else None
    if not isinstance(cells, list):
        return None
    regions: list[_Region] = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            continue
        kind = cell.get("cell_type")
        regions.append(_Region(_joined(cell.get("source", "")), "python" if kind == "code" else "text", number, "code" if kind == "code" else "markdown"))
        for output in cell.get("outputs", []) or []:
            if not isinstance(output, dict):
                continue
            parts = [_joined(output.get("text", ""))]
            data = output.get("data")
            if isinstance(data, dict):
                for mime, value in sorted(data.items()):
                    if mime.startswith("text/") or mime.endswith("json"):
                        parts.append(_joined(value) if not isinstance(value, dict) else json.dumps(value))
            parts.append("\n".join(str(t) for t in output.get("traceback", []) or []))
            regions.append(_Region("\n".join(p for p in parts if p), "text", number, "output"))
    return regions


def _joined(value: Any) -> str:
    if isinstance(value, list):
        return "".join(str(v) for v in value)
    return value if isinstance(value, str) else ""


def scan_secrets(path: str, kind: str, raw: bytes) -> tuple[SecretScan, tuple[str, ...]]:
    """Secrets of one file as redacted facts, plus the raw values (only to scrub this file's other facts).

    Never raises on odd input: undecodable bytes are replaced, broken notebooks are read as text.
    """
    if skipped(path, raw):
        return NO_SECRETS, ()
    text = raw.decode("utf-8", errors="replace")
    template = is_env_template(path)
    test_file = is_test_path(path)
    regions = _notebook_regions(raw) if kind == "notebook" else None
    if regions is None:
        regions = [_Region(text, text_format(path))]
    facts: list[SecretFact] = []
    values: set[str] = set()
    for region in regions:
        seen: set[tuple[int, str]] = set()
        for hit in _scan_region(region, path, template, test_file):
            fp = fingerprint(hit.value)
            line = 1 if region.origin == "output" else hit.line
            if (line, fp) in seen:
                continue
            seen.add((line, fp))
            values.add(hit.value)
            facts.append(
                SecretFact(
                    kind=hit.kind, label=hit.label, severity=hit.severity, line=line,
                    col=0 if region.origin == "output" else hit.col,
                    preview=preview(hit.value, hit.public), length=len(hit.value), fingerprint=fp,
                    cell=region.cell, key=hit.key, origin=region.origin, generic=hit.generic,
                )
            )
    env = _env_file(path, text, facts) if is_env_file(path) and not template else None
    facts.sort(key=lambda s: (s.cell or 0, s.line, s.col, s.kind))
    return SecretScan(tuple(facts), env), tuple(sorted(values, key=len, reverse=True))


_DOTENV_LINE = re.compile(r"^\s*(?:export\s+)?(?P<key>[A-Za-z_][A-Za-z0-9_.-]*)\s*=(?P<value>.*)$")


def _env_file(path: str, text: str, facts: list[SecretFact]) -> EnvFile:
    count = 0
    secret_keys: list[str] = []
    for line in text.split("\n"):
        m = _DOTENV_LINE.match(line)
        if m is None:
            continue
        value = m.group("value").strip()
        if value[:1] in ("'", '"'):
            value = value[1:].split(value[0], 1)[0]
        else:
            value = re.split(r"\s+#", value, maxsplit=1)[0].strip()
        if not value:
            continue
        count += 1
        if is_secret_name(m.group("key")) and not is_placeholder(value):
            secret_keys.append(normalise_key(m.group("key")))
    secret_keys.extend(normalise_key(s.key) for s in facts if s.key)
    return EnvFile(count, tuple(sorted(set(secret_keys))))


def scan_history_text(path: str, text: str) -> list[tuple[int, SecretFact]]:
    """Secrets in a piece of text from history (the added lines of a diff), as (line, fact)."""
    if skipped(path, text.encode("utf-8", errors="replace")[:8192]):
        return []
    region = _Region(text, text_format(path))
    out = []
    for hit in _scan_region(region, path, is_env_template(path), is_test_path(path)):
        fact = SecretFact(
            kind=hit.kind, label=hit.label, severity=hit.severity, line=hit.line, col=hit.col,
            preview=preview(hit.value, hit.public), length=len(hit.value), fingerprint=fingerprint(hit.value),
            key=hit.key, generic=hit.generic,
        )
        out.append((hit.line, fact))
    return out


# --- scrubbing ---------------------------------------------------------------------------------------

def scrub(obj: Any, values: tuple[str, ...]) -> Any:
    """`obj` (JSON-like data) with every occurrence of a secret value replaced by its redaction."""
    if not values:
        return obj
    if isinstance(obj, str):
        for value in values:
            if value in obj:
                obj = obj.replace(value, redact(value))
        return obj
    if isinstance(obj, dict):
        return {scrub(k, values): scrub(v, values) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(scrub(v, values) for v in obj)
    return obj
