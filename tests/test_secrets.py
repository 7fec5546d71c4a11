"""Secrets: detection, placeholders, redaction in every output format, and git history (SEC001-SEC003)."""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from readiness.catalog import load_catalog
from readiness.config import load_config, parse_table
from readiness.discover import SourceFile, classify, discover
from readiness.engine import analyse_file, read_source, scan
from readiness.facts.secrets import (
    SecretScan, fingerprint, is_placeholder, is_secret_name, redact, scan_secrets,
)
from readiness.report import RENDERERS
from readiness.testing import run_files

from conftest import FIXTURES, make_git_repo, run_cli

CORPUS = FIXTURES / "secrets_corpus"
GIT = ["git", "-c", "user.name=Dev", "-c", "user.email=dev@example.com", "-c", "commit.gpgsign=false"]
OPENAI_KEY = "sk-proj-Zq4Lm8Tx2Vb6Wn1EXAMPLEKc9Rd3Hf7Jp0Sg5Ua2Ye8Io4Nt1Bv6Cx3Mz9Lq7Wr5Ks2Dh8Fj4Gp0Ta6"
GITHUB_TOKEN = "ghp_Lq8Wz3FAKEr6Tx1Vb9Nm4Kc7Hd2Jf5Sp0Ya3"


def _kinds(path: str, text: str, kind: str | None = None) -> list[tuple[int, str]]:
    scan_result, _ = scan_secrets(path, kind or classify(path), text.encode())
    return [(s.line, s.kind) for s in scan_result.secrets]


# --- detection ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("path", "text", "kind"),
    [
        ("a.py", 'k = "sk-ant-api03-Zq4Lm8Tx2Vb6Wn1EXAMPLEKc9Rd3Hf7Jp0Sg5Ua2Ye8Io4Nt1Bv6Cx3Mz9Lq7Wr5AA"\n', "anthropic-api-key"),
        ("a.py", 'k = "AIzaSyB3FAKEq9Lm4Xz7Vr1Bn5Wc8Hd3Jf6Pa0S"\n', "google-api-key"),
        ("a.sh", f"export GH={GITHUB_TOKEN}\n", "github-token"),
        ("a.yaml", "hf: hf_Lq8Wz3FAKErTxVbNmKcHdJfSpYaUeQwErT\n", "huggingface-token"),
        ("a.toml", 'groq = "gsk_Lq8Wz3FAKEr6Tx1Vb9Nm4Kc7Hd2Jf5Sp0Ya3UeQw8Er2Ty6Ui1Op"\n', "groq-api-key"),
        ("a.env", "REPLICATE=r8_Lq8Wz3FAKEr6Tx1Vb9Nm4Kc7Hd2Jf5Sp0Ya3U\n", "replicate-token"),
        ("a.json", '{"k": "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"}\n', "langsmith-api-key"),
        (".env", "COHERE_API_KEY=Lq8Wz3FAKEr6Tx1Vb9Nm4Kc7Hd2Jf5Sp0Ya3UeQw\n", "cohere-api-key"),
        ("a.py", 'MISTRAL_API_KEY = "Lq8Wz3FAKEr6Tx1Vb9Nm4Kc7Hd2Jf5Sp"\n', "mistral-api-key"),
        ("a.ini", "[aws]\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n", "aws-secret-access-key"),
        ("a.py", 'url = "mysql+pymysql://svc:Tq8vK2pL9xRz@10.0.0.12/shop"\n', "database-url-password"),
        ("Dockerfile", "ENV API_TOKEN=9f2c7A1xQ8rLm4Tz6Kb3Wv0Ye5Nh\n", "generic-secret"),
        ("a.py", 'headers = {"X-Api-Key": "9f2c7A1xQ8rLm4Tz6Kb3Wv0Ye5Nh"}\n', "generic-secret"),
        ("a.json", '{"clientSecret": "9f2c7A1xQ8rLm4Tz6Kb3Wv0Ye5Nh"}\n', "generic-secret"),
        ("a.py", 'os.environ["HF_API_TOKEN"] = "hf_QmXrLkVtWbEXAMPLEJcNpHsDfGzAyUeRiOk"\n', "generic-secret"),
        ("a.py", 'requests.get(u, headers={"Authorization": "Bearer 4fTq9ZcW2nLr7yXb1EXAMPLEvKd8Hs3Jm6Pg"})\n', "bearer-token"),
        ("main.tf", 'resource "aws_db_instance" "db" {\n  password = "Tq8vK2pL9xRzWm4N"\n}\n', "generic-secret"),
        ("web/api.ts", 'const SUPABASE_SERVICE_ROLE_KEY = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZSJ9.Xk2FAKEq9Lm4Xz7Vr1Bn5Wc8"\n', "generic-secret"),
        ("credentials", "[default]\naws_secret_access_key = Qm7Xr2Lk9Vt4Wb1EXAMPLEJc8Np3Hs6Df0Gz5Ay2\n", "aws-secret-access-key"),
    ],
)
def test_detects_each_kind(path: str, text: str, kind: str) -> None:
    found = _kinds(path, text)
    assert [k for _, k in found] == [kind], found


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("a.py", 'client = OpenAI(api_key="sk-...")\n'),
        ("a.py", 'OPENAI_API_KEY = "your-api-key"\n'),
        ("a.py", 'ANTHROPIC_API_KEY = "<ANTHROPIC_API_KEY>"\n'),
        ("a.py", 'API_TOKEN = "xxxxxxxxxxxxxxxxxxxxxxxx"\n'),
        ("a.py", 'PASSWORD = "changeme"\n'),
        ("a.py", 'api_key = os.environ["OPENAI_API_KEY"]\n'),
        ("a.py", 'key = os.getenv("OPENAI_API_KEY", "")\n'),
        ("a.py", 'SECRET_KEY = "sk-1234567890abcdef1234567890abcdef12345678"\n'),
        ("a.py", 'token = f"Bearer {settings.token}"\n'),
        ("a.py", 'EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"\n'),
        ("a.py", 'REQUEST_ID = "4bf92f35-77b3-4da6-a3ce-929d0e0e4736"\n'),
        ("a.py", 'max_tokens = 4096\nTOKENIZER = "cl100k_base"\nPRIMARY_KEY = "user_id"\n'),
        ("a.py", 'LANGFUSE_PUBLIC_KEY = "pk-lf-1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"\n'),
        ("a.py", 'STRIPE_KEY = "sk_test_51HxQ8Lq8Wz3r6Tx1Vb9Nm4Kc7Hd2Jf5Sp0Ya3Ue"\n'),
        (".env.example", "OPENAI_API_KEY=\nJWT_SECRET=9f2c7A1xQ8rLm4Tz6Kb3Wv0Ye5Nh\n"),
        (".env.template", "DB_PASSWORD=Tq8vK2pL9xRz\n"),
        ("tests/test_api.py", 'client = make(api_key="9f2c7A1xQ8rLm4Tz6Kb3Wv0Ye5Nh", password="hunter2hunter2")\n'),
        ("a.yaml", "password: ${DB_PASSWORD}\ntoken: '{{ vault_token }}'\n"),
        ("a.sh", 'export OPENAI_API_KEY="$(pass show openai)"\n'),
        ("a.py", 'LOGO = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="\n'),
        ("a.py", 'DB = "postgresql://user:password@localhost:5432/app"\n'),
        ("a.py", 'MONGO = "mongodb://langchain:langchain@localhost:6022/"\n'),
        ("a.py", 'OPENAI_MODEL_KEY = "openai_gpt_3_5_turbo"\nCLAUDE_MODEL_KEY = "anthropic_claude_3_5_sonnet"\n'),
        ("a.py", 'groq_api_key=os.environ.get("GROQ_API_KEY", "not_provided")\n'),
        ("a.py", 'token_type = "Bearer"\nAPI_KEY_HEADER = "X-API-Key"\nSECRET_KEY_DEV = "insecure-dev-key-change-in-production"\n'),
        ("a.py", 'password_hash = "$2b$12$KIXQ8Fq9Lm4Xz7Vr1Bn5WeXAMPLEhashvaluexyzABCDEFGhij"\nKEY_VAULT_URL = "https://acme.vault.azure.net/"\n'),
        ("package.json", '{"dependencies": {"next-auth": "0.0.0-manual.4cd21ea5", "auth0": "^4.1.0-beta.2"}}\n'),
        ("web/app.ts", 'const apiKey = import.meta.env.VITE_OPENAI_KEY;\nconst headers = { Authorization: `Bearer ${apiKey}` };\n'),
        ("litellm.yaml", "api_key: os.environ/OPENAI_API_KEY\npassword: \"{{ .Values.db.password }}\"\n"),
        ("a.py", 'k = "sk-proj-Zq4Lm8Tx2Vb6Wn1EXAMPLEKc9Rd3Hf7Jp0Sg5Ua2Ye8Io4Nt1Bv6Cx3"  # pragma: allowlist secret\n'),
        ("a.yaml", "k: sk-proj-Zq4Lm8Tx2Vb6Wn1EXAMPLEKc9Rd3Hf7Jp0Sg5Ua2Ye8Io4Nt1Bv6Cx3  # readiness: ignore[SEC001]\n"),
    ],
)
def test_placeholders_and_near_misses_never_fire(path: str, text: str) -> None:
    assert _kinds(path, text) == []


def test_lock_files_and_binaries_are_skipped() -> None:
    assert _kinds("poetry.lock", f'token = "{OPENAI_KEY}"\n') == []
    assert _kinds("package-lock.json", f'"x": "{OPENAI_KEY}"\n') == []
    raw = b"\x89PNG\0\0" + OPENAI_KEY.encode()
    assert scan_secrets("logo.bin.txt", "text", raw)[0] == SecretScan()


def test_secret_names() -> None:
    for name in ("OPENAI_API_KEY", "apiKey", "client_secret", "DB_PASSWORD", "authToken", "settings.SECRET_KEY", "key"):
        assert is_secret_name(name), name
    for name in ("max_tokens", "TOKENIZER", "PRIMARY_KEY", "LANGFUSE_PUBLIC_KEY", "SECRET_NAME", "TOKEN_URL", "AWS_ACCESS_KEY_ID", "password_min_length"):
        assert not is_secret_name(name), name


def test_placeholder_words() -> None:
    assert is_placeholder("your-api-key-here") and is_placeholder("test_secret_123") and is_placeholder("${TOKEN}")
    assert not is_placeholder("AKIAIOSFODNN7EXAMPLE", 4)
    assert not is_placeholder("9f2c7A1xQ8rLm4Tz6Kb3Wv0Ye5Nh")


def test_notebook_code_markdown_and_outputs() -> None:
    nb = {
        "cells": [
            {"cell_type": "markdown", "source": ["Set `OPENAI_API_KEY=sk-...` first\n"]},
            {"cell_type": "code", "source": ["x = 1\n", f'openai.api_key = "{OPENAI_KEY}"\n'], "outputs": []},
            {"cell_type": "code", "source": ["print(token)\n"], "outputs": [{"output_type": "stream", "text": [f"{GITHUB_TOKEN}\n"]}]},
        ]
    }
    result, values = scan_secrets("nb.ipynb", "notebook", json.dumps(nb).encode())
    got = [(s.cell, s.line, s.origin, s.kind) for s in result.secrets]
    assert got == [(2, 2, "code", "openai-api-key"), (3, 1, "output", "github-token")]
    assert set(values) == {OPENAI_KEY, GITHUB_TOKEN}


def test_broken_notebook_is_read_as_text() -> None:
    result, _ = scan_secrets("nb.ipynb", "notebook", f'{{"cells": [ "{OPENAI_KEY}"'.encode())
    assert [s.kind for s in result.secrets] == ["openai-api-key"]


def test_facts_are_redacted_and_fingerprints_stable() -> None:
    result, _ = scan_secrets("a.py", "python", f'KEY = "{OPENAI_KEY}"\n'.encode())
    (fact,) = result.secrets
    assert fact.fingerprint == fingerprint(OPENAI_KEY) and len(fact.fingerprint) == 16
    assert fact.length == len(OPENAI_KEY) and OPENAI_KEY.startswith(fact.preview) and len(fact.preview) <= 8
    assert OPENAI_KEY not in json.dumps(result.to_json())
    assert SecretScan.from_json(json.loads(json.dumps(result.to_json()))) == result


def test_redact_shows_prefix_and_length_only() -> None:
    assert redact("AKIAIOSFODNN7EXAMPLE", public=4) == "AKIAIO... (20 chars)"
    assert redact("hunter2hunter2") == "hu... (14 chars)"
    assert redact("abc") == "... (3 chars)"


# --- redaction everywhere ------------------------------------------------------------------------

def _planted_values() -> set[str]:
    """Every planted value of the corpus: what the scanner extracts plus every EXAMPLE/FAKE token."""
    values: set[str] = set()
    sources, _ = discover(CORPUS, load_config(CORPUS))
    for source in sources:
        raw = read_source(source)
        assert isinstance(raw, bytes)
        values |= set(scan_secrets(source.path, source.kind, raw)[1])
        for token in re.findall(r"[A-Za-z0-9_/+.-]*(?:EXAMPLE|FAKE)[A-Za-z0-9_/+.-]*", raw.decode("utf-8", "replace")):
            if len(token) >= 16:
                values.add(token)
    return values


def test_no_output_format_ever_contains_a_planted_secret() -> None:
    planted = _planted_values()
    assert len(planted) >= 40
    result = scan(CORPUS, load_config(CORPUS))
    assert len([f for f in result.findings if f.code == "SEC001"]) >= 40
    assert RENDERERS, "no renderers registered"
    for name, render in sorted(RENDERERS.items()):
        output = render(result, colour=False, inventory=True)
        leaked = [v[:6] for v in planted if v in output]
        assert not leaked, f"format {name!r} leaks {len(leaked)} secrets (prefixes {leaked[:5]})"


def test_facts_and_per_file_results_hold_no_secret() -> None:
    planted = _planted_values()
    catalog = load_catalog()
    sources, _ = discover(CORPUS, load_config(CORPUS))
    for source in sources:
        raw = read_source(source)
        assert isinstance(raw, bytes)
        result = analyse_file(source, raw, catalog)
        blob = json.dumps(
            {
                "facts": result.facts.to_json() if result.facts else None,
                "secrets": result.secrets.to_json(),
                "diagnostics": [d.to_json() for d in result.diagnostics],
            }
        )
        assert not [v for v in planted if v in blob], source.path


def test_model_call_arguments_and_parse_errors_are_scrubbed() -> None:
    code = f'from openai import OpenAI\n\nclient = OpenAI(api_key="{OPENAI_KEY}", timeout=20)\n'
    raw = code.encode()
    result = analyse_file(SourceFile("app.py", "", "python", len(raw)), raw, load_catalog())
    assert result.facts is not None and OPENAI_KEY not in json.dumps(result.facts.to_json())
    assert any(b.args.get("timeout") == 20 for b in result.facts.bindings)
    broken = f'x = ("{OPENAI_KEY}" +\n'.encode()
    result = analyse_file(SourceFile("bad.py", "", "python", len(broken)), broken, load_catalog())
    assert result.diagnostics and all(OPENAI_KEY not in d.message for d in result.diagnostics)


def test_cli_output_files_hold_no_secret(tmp_path: Path) -> None:
    planted = _planted_values()
    for fmt in sorted(RENDERERS):
        out = tmp_path / f"report.{fmt}"
        proc = run_cli("scan", str(CORPUS), "--format", fmt, "--output", str(out), "--history-depth", "0")
        assert proc.returncode == 1, proc.stderr
        text = out.read_text("utf-8") + proc.stdout + proc.stderr
        assert "SEC001" in text
        assert not [v for v in planted if v in text], fmt


# --- SEC002 ---------------------------------------------------------------------------------------

def test_env_file_rule_examples_by_severity() -> None:
    result = run_files({".env": "OPENAI_API_KEY=sk-...\nPORT=8000\n", "api/.env.local": f"TOKEN={GITHUB_TOKEN}\n", ".env.sample": "A=1\n"})
    by_path = {f.location.path: f for f in result.findings if f.code == "SEC002"}
    assert set(by_path) == {".env", "api/.env.local"}
    assert by_path[".env"].severity.value == "low" and by_path["api/.env.local"].severity.value == "high"
    assert GITHUB_TOKEN not in by_path["api/.env.local"].message


def test_env_committed_before_it_was_ignored_is_reported(tmp_path: Path, git_available: None) -> None:
    make_git_repo(tmp_path, {".env": f"OPENAI_API_KEY={OPENAI_KEY}\n", "app.py": "import os\n"})
    _commit(tmp_path, {".gitignore": ".env\n"}, "ignore .env (too late: it is tracked)")
    codes = sorted((f.code, f.location.path) for f in scan(tmp_path, load_config(tmp_path)).findings)
    assert codes == [("SEC001", ".env"), ("SEC002", ".env")]


def test_git_ignored_env_is_not_reported(tmp_path: Path, git_available: None) -> None:
    make_git_repo(tmp_path, {".gitignore": ".env\n", "app.py": "import os\n", ".env.example": "OPENAI_API_KEY=\n"})
    (tmp_path / ".env").write_text(f"OPENAI_API_KEY={OPENAI_KEY}\n")
    result = scan(tmp_path, load_config(tmp_path))
    assert not [f for f in result.findings if f.code.startswith("SEC")]


# --- SEC003: history --------------------------------------------------------------------------------

def _commit(repo: Path, files: dict[str, str | None], message: str, date: str = "2024-03-05T10:00:00+00:00") -> str:
    for name, text in files.items():
        target = repo / name
        if text is None:
            target.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
    env = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "PATH": "/usr/bin:/bin:/usr/local/bin"}
    subprocess.run([*GIT, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*GIT, "commit", "-q", "-m", message], cwd=repo, check=True, env=env)
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


def _history_repo(tmp_path: Path) -> tuple[Path, str]:
    repo = tmp_path / "repo"
    make_git_repo(repo, {"README.md": "# bot\n"})
    leak = _commit(repo, {"bot.py": f'import openai\n\nopenai.api_key = "{OPENAI_KEY}"\n', "ci.sh": f"export GH={GITHUB_TOKEN}\n"}, "first try", "2024-03-05T10:00:00+00:00")
    _commit(repo, {"bot.py": 'import os\nimport openai\n\nopenai.api_key = os.environ["OPENAI_API_KEY"]\n', "ci.sh": None}, "read the key from the env", "2024-03-06T10:00:00+00:00")
    _commit(repo, {"notes.py": f'OLD = "{OPENAI_KEY}"\n'}, "copy it around", "2024-03-07T10:00:00+00:00")
    _commit(repo, {"notes.py": None}, "remove it again", "2024-03-08T10:00:00+00:00")
    return repo, leak


def test_history_finds_a_secret_planted_then_deleted(tmp_path: Path, git_available: None) -> None:
    repo, leak = _history_repo(tmp_path)
    result = scan(repo, load_config(repo))
    found = sorted((f.location.path, f.location.line, f.message) for f in result.findings if f.code == "SEC003")
    # Once per secret, at the commit that first added it; the second copy is not reported again.
    assert [(p, line) for p, line, _ in found] == [("bot.py", 3), ("ci.sh", 1)]
    assert all(leak[:12] in m and "2024-03-05" in m for _, _, m in found)
    assert not [f for f in result.findings if f.code == "SEC001"]
    assert not [d for d in result.diagnostics if d.kind == "history"]
    text = RENDERERS["text"](result)
    assert OPENAI_KEY not in text and GITHUB_TOKEN not in text


def test_secret_still_in_tree_is_sec001_not_sec003(tmp_path: Path, git_available: None) -> None:
    repo = tmp_path / "repo"
    make_git_repo(repo, {"bot.py": f'KEY = "{OPENAI_KEY}"\n'})
    _commit(repo, {"bot.py": f'# moved\nKEY = "{OPENAI_KEY}"\n'}, "move it")
    codes = sorted(f.code for f in scan(repo, load_config(repo)).findings)
    assert codes == ["SEC001"]


def test_history_depth_bounds_the_scan_and_says_so(tmp_path: Path, git_available: None) -> None:
    repo, _ = _history_repo(tmp_path)
    shallow_read = scan(repo, load_config(repo).with_overrides(history_depth=2))
    # Only the last two commits are read: the copy in notes.py, not the original leak.
    assert [f.location.path for f in shallow_read.findings if f.code == "SEC003"] == ["notes.py"]
    (note,) = [d for d in shallow_read.diagnostics if d.kind == "history"]
    assert "5 commits" in note.message and "latest 2" in note.message
    off = scan(repo, load_config(repo).with_overrides(history_depth=0))
    assert not [f for f in off.findings if f.code == "SEC003"] and not off.diagnostics
    proc = run_cli("scan", str(repo), "--format", "json", "--history-depth", "3")
    data = json.loads(proc.stdout)
    assert [f["location"]["path"] for f in data["findings"] if f["code"] == "SEC003"] == ["notes.py"]
    proc = run_cli("scan", str(repo), "--format", "json", "--history-depth", "10")
    assert {f["location"]["path"] for f in json.loads(proc.stdout)["findings"] if f["code"] == "SEC003"} == {"bot.py", "ci.sh"}
    assert run_cli("scan", str(repo), "--history-depth", "-1").returncode == 2


def test_history_depth_config_key(tmp_path: Path, git_available: None) -> None:
    repo, _ = _history_repo(tmp_path)
    (repo / "readiness.toml").write_text("history-depth = 1\n")
    assert not [f for f in scan(repo, load_config(repo)).findings if f.code == "SEC003"]
    (repo / "readiness.toml").write_text('history-depth = "all"\n')
    proc = run_cli("scan", str(repo))
    assert proc.returncode == 2 and "`history-depth`" in proc.stderr
    assert parse_table({"history-depth": 0}, "x").history_depth == 0


def test_shallow_clone_gives_a_diagnostic(tmp_path: Path, git_available: None) -> None:
    repo, _ = _history_repo(tmp_path)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(clone)], check=True)
    result = scan(clone, load_config(clone))
    (note,) = [d for d in result.diagnostics if d.kind == "history"]
    assert "shallow clone" in note.message
    proc = run_cli("scan", str(clone), "--format", "text", "--no-color")
    assert "shallow clone" in proc.stdout and "Traceback" not in proc.stderr


def test_non_git_folder_gives_a_diagnostic_not_an_error(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("print('hi')\n")
    proc = run_cli("scan", str(tmp_path), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    diags = json.loads(proc.stdout)["diagnostics"]
    assert [d["kind"] for d in diags] == ["history"] and "not a git repository" in diags[0]["message"]
    assert "not a git repository" not in run_cli("scan", str(tmp_path), "--ignore", "SEC003").stdout


def test_history_ignores_repo_config_that_would_run_commands_or_change_the_diff(tmp_path: Path, git_available: None) -> None:
    repo, _ = _history_repo(tmp_path)
    marker = tmp_path / "pwned"
    subprocess.run(["git", "config", "diff.external", f"touch {marker}; true"], cwd=repo, check=True)
    (repo / ".gitattributes").write_text("*.py diff=evil\n")
    subprocess.run(["git", "config", "diff.evil.textconv", f"touch {marker}; cat"], cwd=repo, check=True)
    _commit(repo, {".gitattributes": "*.py diff=evil\n", "more.py": "x = 1\n"}, "attributes")
    for key, value in (("diff.noprefix", "true"), ("diff.mnemonicPrefix", "true"), ("log.follow", "true"), ("color.ui", "always")):
        subprocess.run(["git", "config", key, value], cwd=repo, check=True)
    result = scan(repo, load_config(repo))
    assert not marker.exists()
    assert {f.location.path for f in result.findings if f.code == "SEC003"} == {"bot.py", "ci.sh"}


def test_history_is_scoped_to_the_scanned_folder_and_excludes(tmp_path: Path, git_available: None) -> None:
    repo = tmp_path / "mono"
    make_git_repo(repo, {"svc/app.py": "x = 1\n", "other/app.py": "y = 1\n"})
    _commit(repo, {"other/leak.sh": f"export T={GITHUB_TOKEN}\n", "svc/vendor/leak.sh": "export T=ghp_Vn5Kq1FAKEw8Zr4Lt7Xb2Mc6Hj9Dp3Sf0Ga5\n"}, "leak")
    _commit(repo, {"other/leak.sh": None, "svc/vendor/leak.sh": None}, "unleak")
    svc = repo / "svc"
    # Paths are relative to the scanned folder; other/ is outside it.
    found = [(f.location.path, f.location.line) for f in scan(svc, load_config(svc)).findings if f.code == "SEC003"]
    assert found == [("vendor/leak.sh", 1)]
    (svc / "readiness.toml").write_text('exclude = ["vendor/**"]\n')
    assert not [f for f in scan(svc, load_config(svc)).findings if f.code == "SEC003"]


def test_inline_suppression_in_python_and_text_files() -> None:
    files = {
        "app.py": f'KEY = "{OPENAI_KEY}"  # readiness: ignore[SEC001] rotated, kept for the demo\n',
        "deploy.yaml": f"token: {GITHUB_TOKEN}  # readiness: ignore[SEC001]\n",
        "ci.sh": f"export GH={GITHUB_TOKEN}  # pragma: allowlist secret\n",
        "other.py": f'KEY = "{OPENAI_KEY}"\n',
    }
    result = run_files(files)
    assert [(f.code, f.location.path) for f in result.findings] == [("SEC001", "other.py")]
    assert result.suppressed == 1  # the Python one goes through the normal suppression step


def test_result_cache_files_hold_no_secret(tmp_path: Path) -> None:
    help_text = run_cli("scan", "--help").stdout
    if "--cache-dir" not in help_text:
        pytest.skip("this build has no per-file result cache (--cache-dir)")
    cache = tmp_path / "cache"
    for _ in range(2):  # the first run writes the cache, the second reads it back
        proc = run_cli("scan", str(CORPUS), "--format", "json", "--cache-dir", str(cache), "--history-depth", "0")
        assert proc.returncode == 1, proc.stderr
        assert len([f for f in json.loads(proc.stdout)["findings"] if f["code"] == "SEC001"]) >= 40
    stored = [p for p in cache.rglob("*") if p.is_file()]
    assert stored, "the cache wrote nothing"
    planted = _planted_values()
    blob = "\n".join(p.read_text("utf-8", errors="replace") for p in stored)
    assert not [v[:6] for v in planted if v in blob]


def test_diff_mode_reports_a_secret_committed_since_the_base_as_new(tmp_path: Path, git_available: None) -> None:
    repo, _leak = _history_repo(tmp_path)  # bot.py and ci.sh leaked on the base branch, long ago
    subprocess.run([*GIT, "branch", "-M", "main"], cwd=repo, check=True)
    subprocess.run([*GIT, "checkout", "-q", "-b", "feature"], cwd=repo, check=True)
    _commit(repo, {"deploy.sh": f"export GH={GITHUB_TOKEN.replace('FAKE', 'FAKF')}\n"}, "deploy script", "2024-04-01T10:00:00+00:00")
    _commit(repo, {"deploy.sh": "export GH=$GITHUB_TOKEN\n"}, "use the env", "2024-04-02T10:00:00+00:00")
    done = run_cli("scan", str(repo), "--diff-base", "main", "--format", "json", "--exit-zero", "--no-cache")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    new = set(report["comparison"]["new"])
    states = sorted((f["location"]["path"], f["fingerprint"] in new) for f in report["findings"] if f["code"] == "SEC003")
    assert states == [("bot.py", False), ("ci.sh", False), ("deploy.sh", True)]
    assert GITHUB_TOKEN.replace("FAKE", "FAKF") not in done.stdout
