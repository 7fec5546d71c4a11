'''Flags user-controlled input placed in the system prompt.

## What it does
Follows values from where users reach the app (FastAPI/Flask/Django request data, Streamlit
inputs, Gradio handler arguments, `input()`, `sys.argv`, argparse and click options) through
assignments, f-strings, `.format`, `%`, concatenation and `join`, within a function and through
the parameters of wrappers (and of constructors that keep them on `self`), and reports where one lands in the system role: a `{"role": "system"}`
message, `SystemMessage`, a `("system", ...)` template entry whose placeholder is filled with it
(`prompt.invoke({"topic": ...})`, `.format_messages(...)`), or a `system=`/`instructions=` argument.

## Why it matters in production
The system prompt is where the app states its rules. Text a user controls placed there is read
with the same authority, so "ignore the previous instructions" becomes the app's own instruction:
prompt injection with the highest privilege. *Inputs and boundaries: untrusted input kept out of
system prompts.*

## Remediation
Keep the system prompt constant (loaded from a versioned file) and send user text in the user
role, delimited and length-bounded. If user preferences must steer the model, map them to a
fixed set of vetted options instead of interpolating free text.
'''
from __future__ import annotations

from typing import Iterator

from readiness import Confidence, Finding, Invalid, Rule, Severity, Valid
from readiness.project import Project
from readiness.rules._prompts import is_test_path


class UntrustedInputInSystemPrompt(Rule):
    code = "PRM002"
    name = "untrusted-input-in-system-prompt"
    control = "inputs.system-prompt-isolation"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    effort = 30

    INVALID = [
        Invalid(
            """\
import streamlit as st
from openai import OpenAI

client = OpenAI()
persona = st.text_input("Who should the assistant be?")
question = st.chat_input("Ask")
if question:
    reply = client.chat.completions.create(
        model="gpt-4o-mini-2024-07-18",
        messages=[
            {"role": "system", "content": f"You are {persona}. Stay in character."},
            {"role": "user", "content": question[:2000]},
        ],
    )
""",
            lines=(11,),
        ),
        Invalid(
            {
                "gateway.py": """\
import anthropic

client = anthropic.Anthropic()

def complete(instructions, text):
    return client.messages.create(model="claude-3-5-haiku-20241022", max_tokens=300, system=instructions,
                                  messages=[{"role": "user", "content": text}])
""",
                "api.py": """\
from flask import Flask, request
from gateway import complete

app = Flask(__name__)

@app.post("/rewrite")
def rewrite():
    style = request.json["style"]
    return {"text": complete("Rewrite the text in this style: " + style, request.json["text"])}
""",
            },
            lines=(("api.py", 9),),
        ),
        Invalid(
            """\
import streamlit as st
from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI

prompt = ChatPromptTemplate.from_messages([
    ("system", "You are the support bot of {company}. Follow its policy strictly."),
    ("human", "{question}"),
])
chain = prompt | ChatOpenAI(model="gpt-4o-mini-2024-07-18")
company = st.text_input("Company")
question = st.chat_input("Ask")
if question:
    st.write(chain.invoke({"company": company, "question": question[:2000]}).content)
""",
            lines=(13,),
        ),
        Invalid(
            {
                "agent.py": """\
from anthropic import Anthropic

class Agent:
    def __init__(self, system_prompt):
        self.client = Anthropic(timeout=30)
        self.system_prompt = system_prompt

    def run(self, prompt):
        return self.client.messages.create(model="claude-3-5-haiku-20241022", max_tokens=300,
                                           system=self.system_prompt, messages=[{"role": "user", "content": prompt}])
""",
                "app.py": """\
import streamlit as st
from agent import Agent

persona = st.text_input("Persona")
agent = Agent(system_prompt=f"You are {persona}.")
st.write(agent.run("Introduce yourself."))
""",
            },
            lines=(("app.py", 5),),
        ),
        Invalid(
            """\
import streamlit as st
from anthropic import Anthropic

client = Anthropic(timeout=30)
persona = st.text_input("Persona")
request = {
    "model": "claude-3-5-haiku-20241022",
    "max_tokens": 300,
    "system": f"You are {persona}. Be brief.",
    "messages": [{"role": "user", "content": "Say hello."}],
}
reply = client.messages.create(**request)
""",
            lines=(9,),
        ),
        Invalid(
            """\
import anthropic
from flask import Flask, request

app = Flask(__name__)
client = anthropic.Anthropic(timeout=30)

@app.post("/ask")
def ask():
    language = request.args.get("lang", "English")
    body = request.get_json()
    tone = body.get("tone", "friendly")
    reply = client.messages.create(model="claude-3-5-haiku-20241022", max_tokens=300,
                                   system=f"Answer in {language}, in a {tone} tone.",
                                   messages=[{"role": "user", "content": body["question"][:2000]}])
    return {"answer": reply.content[0].text}
""",
            lines=(13,),
        ),
    ]
    VALID = [
        Valid(
            """\
import streamlit as st
from openai import OpenAI

client = OpenAI()
SYSTEM = open("prompts/assistant.md").read()
question = st.chat_input("Ask")
if question:
    reply = client.chat.completions.create(
        model="gpt-4o-mini-2024-07-18",
        messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": question[:2000]}],
    )
"""
        ),
        Valid(
            """\
import streamlit as st
from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI

prompt = ChatPromptTemplate.from_messages([
    ("system", "You are the support bot of {company}. Follow its policy strictly."),
    ("human", "{question}"),
])
chain = prompt | ChatOpenAI(model="gpt-4o-mini-2024-07-18")
question = st.chat_input("Ask")
if question:
    st.write(chain.invoke({"company": "Acme", "question": question[:2000]}).content)
"""
        ),
        Valid(
            """\
from langchain_core.messages import HumanMessage, SystemMessage

def build(user_text):
    return [SystemMessage(content="Answer questions about our product only."), HumanMessage(content=user_text)]
"""
        ),
    ]

    def check(self, project: Project) -> Iterator[Finding]:
        seen: set[tuple[str, int]] = set()
        for reach in project.prompts.reaches:
            if reach.role != "system" or reach.message_line or is_test_path(reach.path):
                continue
            sources = reach.flow.sources
            if not sources or (reach.flow.derived and reach.flow.bounded):
                continue  # a record looked up by a short id is not the user's text
            where = reach.argument or reach.location
            key = (where.path, where.line)
            if key in seen:
                continue
            seen.add(key)
            via = f" through `{reach.via}`" if reach.via else ""
            more = f" (and {len(sources) - 1} more)" if len(sources) > 1 else ""
            yield self.finding(where, f"untrusted {sources[0]}{more} reaches the system prompt{via}; keep user text in the user role")
