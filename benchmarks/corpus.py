"""Generate a synthetic, prototype-like Python repository of any size, deterministically.

    python benchmarks/corpus.py OUT_DIR --files 500 [--seed 1]

The tree looks like the AI prototypes readiness audits: model clients at module level and on
`self`, wrapper functions, prompts inline and in constants, a FastAPI service, a Streamlit page,
plain helpers and data code with no model call at all (most files of a real repo), tests,
notebooks and dependency pins. The same arguments always give the same bytes.
"""
from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

CLIENT_MODULE = '''\
"""Model clients for the {pkg} package."""
import os

from openai import OpenAI
from anthropic import Anthropic

client = OpenAI(api_key=os.environ.get("OPENAI_API_KEY"), max_retries={retries})
claude = Anthropic(timeout={timeout})
'''

GATEWAY_MODULE = '''\
"""Talks to the model on behalf of the {pkg} features."""
import logging

from {pkg}.clients import client, claude

log = logging.getLogger(__name__)
SYSTEM_PROMPT_{n} = "You are a helpful assistant for {topic}. Answer briefly and cite sources."


def ask_{n}(question: str, history: list[dict] | None = None) -> str:
    messages = [{{"role": "system", "content": SYSTEM_PROMPT_{n}}}]
    messages += history or []
    messages.append({{"role": "user", "content": question}})
    response = client.chat.completions.create(model="gpt-4o-mini", messages=messages{timeout_arg})
    return response.choices[0].message.content


def summarise_{n}(text: str) -> str:
    log.info("summarising %d characters", len(text))
    reply = claude.messages.create(
        model="claude-3-5-sonnet-latest",
        max_tokens=512,
        messages=[{{"role": "user", "content": f"Summarise this about {topic}: {{text}}"}}],
    )
    return reply.content[0].text


class Agent{n}:
    def __init__(self, temperature: float = 0.2) -> None:
        self.client = client
        self.temperature = temperature
        self.memory: list[str] = []

    def step(self, observation: str) -> str:
        for attempt in range(3):
            try:
                answer = self.client.chat.completions.create(
                    model="gpt-4o", temperature=self.temperature,
                    messages=[{{"role": "user", "content": observation}}],
                )
                self.memory.append(answer.choices[0].message.content)
                return self.memory[-1]
            except Exception:
                log.warning("attempt %d failed", attempt)
        return ""
'''

HELPER_MODULE = '''\
"""Helpers for {topic}: parsing, formatting and small data transforms."""
from __future__ import annotations

import dataclasses
import json
import re
from typing import Iterable

PATTERN_{n} = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclasses.dataclass
class Record{n}:
    name: str
    score: float = 0.0
    tags: tuple[str, ...] = ()

    def label(self) -> str:
        return f"{{self.name}} ({{self.score:.2f}})"


def tokens_{n}(text: str) -> list[str]:
    return PATTERN_{n}.findall(text)


def load_{n}(path: str) -> list[Record{n}]:
    with open(path, encoding="utf-8") as fh:
        rows = json.load(fh)
    return [Record{n}(row["name"], float(row.get("score", 0)), tuple(row.get("tags", ()))) for row in rows]


def top_{n}(records: Iterable[Record{n}], k: int = 5) -> list[Record{n}]:
    ranked = sorted(records, key=lambda r: (-r.score, r.name))
    return ranked[:k]


def window_{n}(values: list[float], size: int) -> list[float]:
    out = []
    total = 0.0
    for index, value in enumerate(values):
        total += value
        if index >= size:
            total -= values[index - size]
        if index + 1 >= size:
            out.append(total / size)
    return out
'''

API_MODULE = '''\
"""HTTP API of the {pkg} service."""
from fastapi import FastAPI
from pydantic import BaseModel

from {pkg}.gateway_{n} import ask_{n}

app = FastAPI()


class Question(BaseModel):
    text: str


@app.post("/ask")
def ask(question: Question) -> dict:
    return {{"answer": ask_{n}(question.text)}}
'''

UI_MODULE = '''\
import streamlit as st

from {pkg}.gateway_{n} import ask_{n}, summarise_{n}

st.title("{topic} assistant")
question = st.text_input("Ask about {topic}")
if question:
    st.write(ask_{n}(question))
doc = st.text_area("Paste a document")
if doc:
    st.write(summarise_{n}(doc))
'''

TEST_MODULE = '''\
from {pkg}.helpers_{n} import Record{n}, top_{n}, window_{n}


def test_top_{n}():
    records = [Record{n}("a", 1.0), Record{n}("b", 2.0)]
    assert [r.name for r in top_{n}(records, 1)] == ["b"]


def test_window_{n}():
    assert window_{n}([1.0, 2.0, 3.0], 2) == [1.5, 2.5]
'''

TOPICS = ("billing", "support", "search", "travel", "recipes", "legal", "health", "sales", "hiring", "finance")


def _notebook(pkg: str, n: int) -> str:
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": [f"# Experiment {n}"]},
        {"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [],
         "source": ["from openai import OpenAI\n", "client = OpenAI()\n"]},
        {"cell_type": "code", "metadata": {}, "execution_count": 2, "outputs": [],
         "source": ["%pip install openai\n", f"reply = client.chat.completions.create(model='gpt-4o', messages=[{{'role': 'user', 'content': 'hi {n}'}}])\n"]},
    ]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)


def generate(out: Path, files: int, seed: int = 1) -> dict[str, int]:
    """Write about `files` files under `out`; returns counts by kind."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    (out / "requirements.txt").write_text("openai==1.40.0\nanthropic==0.34.0\nfastapi==0.112.0\nstreamlit==1.37.0\n")
    counts = {"python": 0, "notebook": 0, "text": 1}
    written = 1
    n = 0
    while written < files:
        pkg = f"app{n // 10}"
        base = out / "src" / pkg
        if not (base / "__init__.py").exists():
            base.mkdir(parents=True, exist_ok=True)
            (base / "__init__.py").write_text("")
            (base / "clients.py").write_text(CLIENT_MODULE.format(pkg=pkg, retries=rng.choice([0, 2, 5]), timeout=rng.choice([10, 30, 120])))
            written += 2
            counts["python"] += 2
        topic = TOPICS[rng.randrange(len(TOPICS))]
        fmt = {"pkg": pkg, "n": n, "topic": topic}
        roll = rng.random()
        if roll < 0.15:
            timeout_arg = rng.choice(["", ", timeout=20"])
            (base / f"gateway_{n}.py").write_text(GATEWAY_MODULE.format(timeout_arg=timeout_arg, **fmt))
            (base / f"api_{n}.py").write_text(API_MODULE.format(**fmt))
            (base / f"page_{n}.py").write_text(UI_MODULE.format(**fmt))
            written += 3
            counts["python"] += 3
        elif roll < 0.2:
            (out / "notebooks").mkdir(exist_ok=True)
            (out / "notebooks" / f"explore_{n}.ipynb").write_text(_notebook(pkg, n))
            written += 1
            counts["notebook"] += 1
        else:
            (base / f"helpers_{n}.py").write_text(HELPER_MODULE.format(**fmt))
            (out / "tests").mkdir(exist_ok=True)
            (out / "tests" / f"test_helpers_{n}.py").write_text(TEST_MODULE.format(**fmt))
            written += 2
            counts["python"] += 2
        n += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--files", type=int, default=500, help="about how many files to write")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    counts = generate(args.out, args.files, args.seed)
    print(f"wrote {sum(counts.values())} files to {args.out}: {counts}")


if __name__ == "__main__":
    main()
