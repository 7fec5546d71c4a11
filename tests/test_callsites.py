"""Call-site resolution on real fixture files: every marked site found, nothing else."""
from __future__ import annotations

import json
import re

from readiness.config import load_config
from readiness.engine import scan
from readiness.testing import run_files

from conftest import FIXTURES, run_cli

SITE = re.compile(r"#.*\bsite:\s*(\S+)\s+(\S+)")


def _marked_sites(root) -> set[tuple[str, int, str, str]]:
    found = set()
    for file in sorted(root.rglob("*.py")):
        for number, line in enumerate(file.read_text("utf-8").splitlines(), start=1):
            match = SITE.search(line)
            if match:
                found.add((file.relative_to(root).as_posix(), number, match.group(1), match.group(2)))
    return found


def test_call_patterns_inventory_is_exact() -> None:
    root = FIXTURES / "call_patterns"
    result = scan(root, load_config(root))
    actual = {(s["location"]["path"], s["location"]["line"], s["provider"], s["api"]) for s in result.call_sites}
    expected = _marked_sites(root)
    assert len(expected) > 50
    assert actual == expected, f"missing: {sorted(expected - actual)}\nunexpected: {sorted(actual - expected)}"


def test_gateway_reach_is_counted_across_files() -> None:
    root = FIXTURES / "call_patterns"
    sites = {(s["location"]["path"], s["location"]["line"]): s for s in scan(root, load_config(root)).call_sites}
    assert sites[("app/p08_gateway.py", 12)]["gateway"] == {"function": "ask", "reached_from": 3}
    assert sites[("app/p08_gateway.py", 22)]["gateway"] == {"function": "Assistant.reply", "reached_from": 2}
    assert sites[("app/p08_gateway.py", 12)]["rules"] == ["REL002"]


def test_json_inventory_lists_effective_settings_and_rules() -> None:
    proc = run_cli("scan", "fixtures/call_patterns", "--format", "json", "--exit-zero")
    data = json.loads(proc.stdout)
    by_line = {(s["location"]["path"], s["location"]["line"]): s for s in data["call_sites"]}
    legacy = by_line[("app/p07_aliased.py", 12)]
    assert legacy["retries"]["source"] == "sdk-default" and legacy["retries"]["value"] == 0
    assert legacy["max_tokens"] == {"value": 100.0, "source": "explicit"}
    assert legacy["rules"] == ["REL001", "REL002"]
    assert by_line[("app/p04_with_options.py", 12)]["timeout"] == {"value": 5.0, "source": "with_options"}
    assert by_line[("app/p12_providers.py", 25)]["timeout"] == {"value": 30.0, "source": "client"}  # milliseconds
    assert by_line[("app/p10_retry_evidence.py", 65)]["retry_evidence"] == ".with_retry()"
    wrapper = by_line[("app/p09_wrappers.py", 15)]
    assert wrapper["provider"] == "wrapper" and wrapper["retries"]["source"] == "wrapper"


def test_text_inventory_has_gateway_and_rules_columns() -> None:
    out = run_cli("scan", "fixtures/call_patterns", "--inventory", "--no-color", "--exit-zero").stdout
    header = next(line for line in out.splitlines() if line.startswith("location"))
    assert header.split() == ["location", "provider", "api", "model", "retries", "timeout", "max", "tokens", "gateway", "rules"]
    assert re.search(r"app/p08_gateway.py:12 .* ask <- 3\s+REL002", out)


def test_model_wrappers_from_config_become_call_sites() -> None:
    code = "from corp_llm import chat\n\ndef label(text):\n    return chat(text)\n"
    assert run_files({"app.py": code}).call_sites == ()
    result = run_files({"app.py": code}, config={"model-wrappers": ["corp_llm.chat"]})
    assert [(s["provider"], s["location"]["line"]) for s in result.call_sites] == [("wrapper", 4)]


def test_pinned_version_selects_the_defaults_and_says_so() -> None:
    code = "import anthropic\n\nc = anthropic.Anthropic()\n\ndef f(p):\n    return c.messages.create(model='m', max_tokens=5, messages=[])\n"
    old = run_files({"app.py": code, "requirements.txt": "anthropic==0.3.5\n"}).call_sites[0]
    new = run_files({"app.py": code}).call_sites[0]
    assert old["timeout"]["value"] == 60 and "anthropic 0.3.5, pinned in requirements.txt" in old["timeout"]["note"]
    assert new["timeout"]["value"] == 600 and "no pin found" in new["timeout"]["note"]


def test_http_needs_a_model_endpoint() -> None:
    code = (
        "import requests\nURL = 'https://api.anthropic.com/v1/messages'\n\n"
        "def a():\n    return requests.post(URL, json={})\n\n"
        "def b():\n    return requests.post('https://example.com/v1/orders', json={})\n"
    )
    sites = run_files({"app.py": code}).call_sites
    assert [(s["provider"], s["location"]["line"]) for s in sites] == [("http-requests", 5)]


def test_dense_call_graph_is_walked_once() -> None:
    """Hundreds of mutually recursive functions: every graph walk is memoised (an unmemoised
    walk of this graph would not finish)."""
    import random

    rng = random.Random(5)
    lines = ["from openai import OpenAI", "client = OpenAI(timeout=5)", ""]
    for i in range(300):
        callees = rng.sample(range(300), 12)
        lines.append(f"def f{i}(x):")
        lines += [f"    for item in x:\n        f{c}(item)" for c in callees]
        if i % 50 == 0:
            lines.append("    return client.chat.completions.create(model='m', max_tokens=5, messages=[])")
        lines.append("")
    result = run_files({"app.py": "\n".join(lines)})
    assert len(result.call_sites) == 6
    assert {f.code for f in result.findings} >= {"CST002"}


def test_endpoint_paths_must_end_where_the_model_api_does() -> None:
    from readiness.catalog import load_catalog

    catalog = load_catalog()
    assert catalog.is_endpoint("http://localhost:11434/api/chat")
    assert catalog.is_endpoint("{}/api/generate")
    assert catalog.is_endpoint("https://api.openai.com/v1/chat/completions?x=1")
    assert catalog.is_endpoint("https://generativelanguage.googleapis.com/v1beta/models/{}:generateContent?key={}")
    assert not catalog.is_endpoint("https://slack.com/api/chat.postMessage")
    assert not catalog.is_endpoint("http://localhost:11434/api/tags")
    assert not catalog.is_endpoint("https://api.openai.com/v1/models")
