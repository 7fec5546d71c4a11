"""The prompts collector remembers each expression's flow until its state changes (facts/flowmemo.py
`RememberingEvaluator.of`): its facts must be exactly those of evaluating every expression afresh."""
from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURES

from readiness.catalog import load_catalog
from readiness.discover import SourceFile
from readiness.facts import prompts
from readiness.facts.extract import extract_facts
from readiness.parse import ParsedModule, parse_file

pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning", "ignore::DeprecationWarning")
ROOT = Path(__file__).resolve().parent.parent

#: Bindings inside the expression being evaluated, nested calls and role parts announced at the
#: same place by a dict and by the value it holds (the last announcement wins).
TRICKY = '''\
import openai
from langchain_core.prompts import ChatPromptTemplate
from fastapi import FastAPI, Request

app = FastAPI()
client = openai.OpenAI()

@app.post("/chat")
async def chat(request: Request, q: str, style: str):
    msgs = []
    log(msgs.append({"role": "user", "content": q}), msgs)
    client.chat.completions.create(model="gpt-4o", messages=msgs + [x := {"role": "system", "content": style}], extra=x)
    x = wrap(wrap(wrap(x, q), x), inner(x := "You are a helpful assistant that answers questions", x))
    req = {"model": "gpt-4o", "messages": [{"role": "user", "content": q}], "system": {"role": "system", "content": q}}
    client.chat.completions.create(**req)
    client.chat.completions.create(**{"messages": m, "system": {"role": "system", "content": "Be terse. " + style}})
    prompt = ChatPromptTemplate.from_messages([("system", "Be terse about {topic}"), ("user", "{question}")])
    chain = prompt | client
    out = prompt.invoke({"topic": style, "question": q}), prompt.invoke({"topic": q})
    history.extend([("user", q), ("assistant", out)])
    client.responses.create(input=[("user", q), ("assistant", out)], instructions=history)
    for item in items(q, f(g(h(q)))):
        client.responses.create(input=item, system_prompt=items)
    if len(q) < 100:
        client.responses.create(input=q)
    with open(path) as q:
        client.responses.create(input=q.read())
    return client.responses.create(input=[(x := "user", q), ("system", x)])

class Bot:
    def __init__(self, system_prompt: str):
        self.system_prompt = system_prompt
        self.llm = openai.OpenAI()

    def ask(self, q):
        self.history = self.history + [{"role": "user", "content": q}]
        return self.llm.chat.completions.create(model="m", messages=[{"role": "system", "content": self.system_prompt}, *self.history])
'''


class _Forgetful(dict):  # type: ignore[type-arg]
    """A memo that remembers nothing: every expression is evaluated afresh."""

    def __setitem__(self, key: Any, value: Any) -> None:
        pass


def _facts(path: Path | str, code: bytes, fresh: bool, monkeypatch: pytest.MonkeyPatch) -> str:
    parsed = parse_file(SourceFile(str(path), "", "python", len(code)), code)
    if not isinstance(parsed, ParsedModule):
        return "unparsable"
    with monkeypatch.context() as patch:
        if fresh:
            init = prompts.PromptCollector.__init__

            def forgetful(self: prompts.PromptCollector, core: Any) -> None:
                init(self, core)
                self.values._memo = _Forgetful()

            patch.setattr(prompts.PromptCollector, "__init__", forgetful)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return json.dumps(extract_facts(parsed, load_catalog()).to_json(), sort_keys=True)


def test_tricky_code_gives_the_same_facts_with_and_without_the_memo(monkeypatch: pytest.MonkeyPatch) -> None:
    code = TRICKY.encode()
    remembered = _facts("app.py", code, False, monkeypatch)
    assert remembered == _facts("app.py", code, True, monkeypatch)
    facts = json.loads(remembered)["prompts"]
    assert facts["roles"] and facts["calls"]


@pytest.mark.parametrize("folder", ["fixtures", "readiness", "rules"])
def test_repo_files_give_the_same_facts_with_and_without_the_memo(folder: str, monkeypatch: pytest.MonkeyPatch) -> None:
    root = FIXTURES if folder == "fixtures" else ROOT / folder
    for path in sorted(root.rglob("*.py")):
        code = path.read_bytes()
        assert _facts(path, code, False, monkeypatch) == _facts(path, code, True, monkeypatch), path
