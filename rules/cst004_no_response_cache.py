"""Flags deterministic model calls in a repository that caches nothing.

## What it does
Finds calls whose answer is the same for the same input, and so could be served from a cache:
generation calls with `temperature=0`, and embedding calls made in a loop or straight from UI
or route code. Reports each one when the repo has no cache anywhere: no `functools.lru_cache`
or `cache`, no Streamlit `cache_data`/`cache_resource`, no LangChain `set_llm_cache`, LiteLLM
cache, GPTCache, diskcache, cachetools, Redis or other cache library in its code.

## Why it matters in production
The same question, document or product description is sent again on every page load, retry and
user: each time it costs tokens and seconds for an answer that was already known. A cache in
front of deterministic calls cuts both. *Latency and cost: caching.*

## Remediation
Cache deterministic calls by their full input (model, messages, parameters): `functools.lru_cache`
for a single process, or Redis / a provider-aware cache (LangChain `set_llm_cache`, LiteLLM
caching) across processes, with an expiry.
"""
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Rule, Severity, Valid
from readiness.facts.callsites import CallSite
from readiness.model import locate
from readiness.project import Project
from readiness.rules._match import call_label
from readiness.rules._project import whole_repo

_CLASSIFY = """\
from openai import OpenAI

client = OpenAI(timeout=20)

def classify(ticket):
    return client.chat.completions.create(model="gpt-4o-mini", temperature=0, messages=[{"role": "user", "content": ticket}])
"""


def _temperature(project: Project, site: CallSite) -> object:
    facts = project.files.get(site.location.path)
    if facts is None:
        return None
    for call in facts.calls:
        if call.col == site.location.col and locate(facts.cell_lines, facts.path, call.line, call.col) == site.location:
            return call.args.get("temperature")
    return None


class NoResponseCache(Rule):
    code = "CST004"
    name = "no-response-cache"
    control = "cost.caching"
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    effort = 60

    INVALID = [
        Invalid(_CLASSIFY, lines=(6,)),
        Invalid(
            "from openai import OpenAI\n\nclient = OpenAI(timeout=20)\n\ndef embed_all(texts):\n    out = []\n    for text in texts:\n"
            "        out.append(client.embeddings.create(model='text-embedding-3-small', input=text))\n    return out\n",
            lines=(8,),
        ),
    ]
    VALID = [
        Valid("from functools import lru_cache\n" + _CLASSIFY.replace("def classify", "@lru_cache(maxsize=1024)\ndef classify")),
        # A sampled answer differs on each call: nothing to cache.
        Valid(_CLASSIFY.replace("temperature=0", "temperature=0.7")),
        Valid({"llm.py": _CLASSIFY, "cache.py": "import redis\n\nstore = redis.Redis()\n"}),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        if not whole_repo(project):
            return
        if project.signals.has("cache"):
            return
        for site in project.call_sites:
            node = project.graph.node(site.location.path)
            if node is None or node.is_test:
                continue
            if site.embedding:
                if site.in_loop or node.roles & {"ui", "routes"}:
                    yield self.finding(site.location, f"{call_label(site)} embeds the same text again on every run and nothing caches it")
                continue
            temperature = _temperature(project, site)
            if isinstance(temperature, (int, float)) and not isinstance(temperature, bool) and temperature == 0:
                yield self.finding(site.location, f"{call_label(site)} is deterministic (temperature=0) and nothing caches its answers")
