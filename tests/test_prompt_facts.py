"""Facts about the web surface and prompt flow, and how the project links them across files."""
from __future__ import annotations

import json

import pytest

from readiness.catalog import load_catalog
from readiness.discover import SourceFile
from readiness.facts.extract import extract_facts
from readiness.facts.model import FileFacts
from readiness.parse import ParsedModule, parse_file
from readiness.testing import run_files


def facts_of(code: str, path: str = "app.py") -> FileFacts:
    raw = code.encode()
    parsed = parse_file(SourceFile(path, "", "python", len(raw)), raw)
    assert isinstance(parsed, ParsedModule)
    facts = extract_facts(parsed, load_catalog())
    assert FileFacts.from_json(json.loads(json.dumps(facts.to_json()))) == facts
    return facts


def test_fastapi_route_parameters_dependencies_and_raw_reads() -> None:
    facts = facts_of('''\
from typing import Annotated
from fastapi import APIRouter, Depends, FastAPI, Request, Security
from pydantic import BaseModel, Field

app = FastAPI(dependencies=[Depends(verify_token)])
router = APIRouter()

class Ask(BaseModel):
    question: str = Field(max_length=100)

@router.api_route("/ask/{item}", methods=["POST", "PUT"], dependencies=[Depends(audit)])
async def ask(item: int, body: Ask, request: Request, db=Depends(get_db), key: Annotated[str, Security(api_key)] = "", raw: dict = None):
    data = await request.json()
    return data
''')
    (endpoint,) = facts.surface.endpoints
    assert (endpoint.framework, endpoint.methods, endpoint.path, endpoint.router) == ("fastapi", ("POST", "PUT"), "/ask/{item}", "router")
    kinds = {p.name: (p.kind, p.dependency, p.bounded) for p in endpoint.params}
    assert kinds == {
        "item": ("query", "", False), "body": ("body", "Ask", True), "request": ("request", "", False),
        "db": ("depends", "get_db", False), "key": ("security", "api_key", False), "raw": ("raw", "", False),
    }
    assert endpoint.dependencies == ("audit",)
    assert endpoint.raw_reads == ((13, "request.json"),)
    assert facts.surface.auth == ("app dependency verify_token",)


def test_flask_reads_settings_and_django_views() -> None:
    facts = facts_of('''\
from flask import Flask, request
from flask_cors import CORS

app = Flask(__name__)
CORS(app, supports_credentials=True)
app.config["DEBUG"] = True

@app.route("/q")
def q():
    return request.args.get("q")

app.run(debug=True)
''')
    (endpoint,) = facts.surface.endpoints
    assert (endpoint.framework, endpoint.methods, endpoint.raw_reads) == ("flask", ("GET",), ((10, "request.args"),))
    assert [(s.line, s.kind) for s in facts.surface.settings] == [(5, "cors"), (6, "debug"), (12, "debug")]
    views = facts_of("from django.contrib.auth.decorators import login_required\n\n@login_required\ndef chat(request):\n    return request.POST['q']\n", "shop/views.py")
    (view,) = views.surface.endpoints
    assert view.framework == "django" and view.raw_reads == ((5, "request.POST"),)
    assert view.decorators == ("django.contrib.auth.decorators.login_required",)


def test_gradio_handlers_launches_and_rate_limit_evidence() -> None:
    facts = facts_of('''\
import gradio as gr
from slowapi import Limiter

def respond(message, history):
    return message

with gr.Blocks() as demo:
    box = gr.Textbox()
    box.submit(fn=respond, inputs=[box])
gr.Interface(respond, "text", "text").launch(server_name="0.0.0.0", auth=("a", "b"))
demo.launch(share=True)
''')
    assert {(h.target, h.api) for h in facts.surface.handlers} == {("respond", ".submit()"), ("respond", "gr.Interface")}
    assert [(l.public, l.auth) for l in facts.surface.launches] == [(True, True), (True, False)]
    assert facts.surface.rate_limits == ("imports slowapi",)


def test_prompt_flow_sources_roles_and_loaded_text() -> None:
    facts = facts_of('''\
import streamlit as st
from pathlib import Path

SYSTEM = Path("prompts/system.md").read_text()
GREETING = "You are a pirate. Answer like one."
topic = st.text_input("Topic", max_chars=50)
question = st.chat_input("Ask")
messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": f"{GREETING} {question}"}]
messages.append({"role": "assistant", "content": topic.strip()})
''')
    roles = {site.part.role: site.part.flow for site in facts.prompts.roles}
    assert roles["system"].loaded == "read_text()" and not roles["system"].sources
    assert roles["user"].sources == ("`st.chat_input` (line 7)",) and not roles["user"].bounded
    assert [t.line for t in roles["user"].texts] == [5]  # the constant keeps its own place
    assert roles["assistant"].bounded and roles["assistant"].sources == ("`st.text_input` (line 6)",)
    assert [(p.context, p.strong) for p in facts.prompts.texts] == []  # nothing here names itself a prompt


def test_prompt_named_texts_and_model_names() -> None:
    facts = facts_of('''\
import os

SYSTEM_PROMPT = "You are terse."
MODEL = os.getenv("MODEL", "gpt-4o-mini")

def build_prompt(x):
    return f"Summarise {x}"

def ask(client, model="claude-3-5-sonnet-latest"):
    return client.create(model="gpt-4o", system_prompt="Reply in French.", options={"instructions": "Be kind."})
''')
    contexts = {(t.text.line, t.context, t.strong) for t in facts.prompts.texts}
    assert contexts == {
        (3, "variable `SYSTEM_PROMPT`", True), (7, "returned by `build_prompt()`", False),
        (10, "keyword `system_prompt=`", True), (10, "key `instructions`", True),
    }
    assert [(m.value, m.context) for m in facts.prompts.models] == [
        ("gpt-4o-mini", "config default"), ("claude-3-5-sonnet-latest", "default of `model`"), ("gpt-4o", "`model=`"),
    ]


def test_untrusted_input_follows_two_wrappers_into_the_system_role() -> None:
    files = {
        "llm.py": '''\
from openai import OpenAI

client = OpenAI()

def complete(system, user):
    return client.chat.completions.create(model="gpt-4o-mini-2024-07-18", messages=[
        {"role": "system", "content": system}, {"role": "user", "content": user}])
''',
        "service.py": '''\
from llm import complete

def answer(style, question):
    return complete("You write in the style given. " + style, question)
''',
        "cli.py": '''\
import sys
from service import answer

print(answer(sys.argv[1], input("? ")[:500]))
''',
    }
    result = run_files(files)
    found = {(f.code, f.location.path, f.location.line) for f in result.findings if f.code in ("PRM002", "INP003", "PRM001")}
    # two wrappers deep, the unbounded input is reported where it enters them
    assert found == {("PRM002", "cli.py", 4), ("INP003", "cli.py", 4), ("PRM001", "service.py", 4)}


def test_handler_parameters_are_sources_and_derived_values_are_not_logged_content() -> None:
    files = {
        "app.py": '''\
import logging
import gradio as gr
from openai import OpenAI

log = logging.getLogger(__name__)
client = OpenAI()

def respond(message, history):
    reply = client.chat.completions.create(model="gpt-4o-mini-2024-07-18", messages=[{"role": "user", "content": message}])
    answer = summarise(reply)
    log.info("answer has %d words", count_words(answer))
    log.info("asked: %s", message)
    return answer

gr.ChatInterface(respond).launch()
''',
    }
    result = run_files(files)
    assert sorted((f.code, f.location.line) for f in result.findings if f.code in ("INP003", "OBS005")) == [("INP003", 9), ("OBS005", 12)]


@pytest.mark.parametrize("code", [
    "f(*args, **kw)\n",
    "x = [y := 1, (lambda q=st.text_input('a'): q)()]\n",
    "async def g():\n    async with a as (b, c):\n        yield f'{b!r:>{c}}'\n",
    "class A:\n    def m(self):\n        self.x[0].y = self.z = input()\n        return {**self.x, 'role': 'system', 'content': self.z}\n",
    "@app.route\ndef h(): ...\n@(lambda f: f)\ndef k(request): return request.json()\n",
    "import gradio as gr\ngr.ChatInterface(lambda m, h: m).launch(share=True)\n(messages := []).append({'role': 1})\n",
    "def f(a, /, b, *, c): return ('system', a + b % c)\n",
])
def test_odd_code_gives_facts_not_errors(code: str) -> None:
    facts = facts_of(code, "views.py")
    assert facts.path == "views.py"


def test_typed_body_fields_request_settings_and_id_lookups_are_not_prompt_text() -> None:
    files = {
        "app.py": '''\
from typing import Optional
from fastapi import Depends, FastAPI
from openai import OpenAI
from pydantic import BaseModel, Field

app = FastAPI()
client = OpenAI()

class Budget(BaseModel):
    amount: Optional[float] = None

class Ask(BaseModel):
    question: str = Field(max_length=500)
    budget: Budget

@app.post("/ask/{doc_id}")
def ask(doc_id: str, body: Ask, user=Depends(get_current_user)):
    doc = load_document(doc_id)
    request = {"model": "gpt-4o-mini-2024-07-18", "messages": [
        {"role": "system", "content": f"Budget is {body.budget.amount}. Context: {doc.summary}"},
        {"role": "user", "content": body.question},
    ]}
    request["tools"] = [{"type": "function", "function": {"name": "x", "description": "You are a tool that does x."}}]
    return client.chat.completions.create(**request)
''',
    }
    result = run_files(files)
    assert sorted(f.code for f in result.findings if f.code in ("PRM002", "INP003", "PRM001")) == []


def test_cli_options_and_arguments_are_sources() -> None:
    files = {
        "cli.py": '''\
import argparse
import click
from anthropic import Anthropic

client = Anthropic(timeout=30)

@click.command()
@click.option("--persona")
def main(persona):
    client.messages.create(model="claude-3-5-haiku-20241022", max_tokens=200, system=f"You are {persona}.",
                           messages=[{"role": "user", "content": "Say hi."}])

def other():
    args = argparse.ArgumentParser().parse_args()
    client.messages.create(model="claude-3-5-haiku-20241022", max_tokens=200, system="Be brief.",
                           messages=[{"role": "user", "content": args.question}])
''',
    }
    result = run_files(files)
    found = sorted((f.code, f.location.line) for f in result.findings if f.code in ("PRM002", "INP003"))
    assert found == [("INP003", 10), ("INP003", 15), ("PRM002", 10)]


def test_a_class_defined_in_a_try_or_loop_body_keeps_its_attribute_flows() -> None:
    import textwrap

    body = textwrap.dedent("""\
        class Bot:
            def __init__(self, persona):
                self.system = persona
                self.client = OpenAI()

            def ask(self, question):
                messages = [{"role": "system", "content": self.system}, {"role": "user", "content": question}]
                return self.client.chat.completions.create(model="gpt-4o", messages=messages)
        """)

    def calls(code: str) -> list[tuple[str, list[tuple[str, tuple[str, ...], list[str]]]]]:
        facts = facts_of("from openai import OpenAI\n\n" + code)
        return [(c.target, [(a.key, a.flow.params, [r.role for r in a.flow.roles]) for a in c.args]) for c in facts.prompts.calls]

    expected = calls(body)
    assert ("messages", ("question", "self.system"), ["system", "user"]) in expected[-1][1]
    assert calls("try:\n" + textwrap.indent(body, "    ") + "except ImportError:\n    pass\n") == expected
    assert calls("for _ in range(1):\n" + textwrap.indent(body, "    "))[-1] == expected[-1]
