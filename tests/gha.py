"""A small GitHub Actions runner for tests: runs a composite action's steps under bash.

It does what the real runner does for the parts our action uses: evaluates `${{ }}` expressions
and `if:` conditions over the inputs, github, steps, runner and env contexts, gives each `run:`
step its env, `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY` files, reads step outputs back, skips
later steps after a failure, and stands in for `uses:` steps with the outputs a test supplies.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>\d+(?:\.\d+)?)|(?P<op>==|!=|&&|\|\||<=|>=|[!()<>,])|(?P<name>[A-Za-z_][\w.\-]*))")
_EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.S)


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ValueError(f"cannot parse expression at {text[pos:]!r}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str, contexts: dict[str, Any], status: str) -> None:
        self.toks = _tokens(text)
        self.i = 0
        self.ctx = contexts
        self.status = status

    def peek(self) -> str | None:
        return self.toks[self.i][1] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, str]:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def parse(self) -> Any:
        value = self.or_()
        if self.i != len(self.toks):
            raise ValueError(f"trailing tokens in expression: {self.toks[self.i:]}")
        return value

    def or_(self) -> Any:
        left = self.and_()
        while self.peek() == "||":
            self.take()
            right = self.and_()
            left = left or right
        return left

    def and_(self) -> Any:
        left = self.cmp()
        while self.peek() == "&&":
            self.take()
            right = self.cmp()
            left = left and right
        return left

    def cmp(self) -> Any:
        left = self.unary()
        while self.peek() in ("==", "!="):
            op = self.take()[1]
            right = self.unary()
            equal = _loose(left) == _loose(right)
            left = equal if op == "==" else not equal
        return left

    def unary(self) -> Any:
        if self.peek() == "!":
            self.take()
            return not self.unary()
        return self.primary()

    def primary(self) -> Any:
        kind, value = self.take()
        if value == "(":
            inner = self.or_()
            self.take()
            return inner
        if kind == "str":
            return value[1:-1].replace("''", "'")
        if kind == "num":
            return float(value)
        if value in ("true", "false"):
            return value == "true"
        if value == "null":
            return None
        if self.peek() == "(":
            self.take()
            args = []
            while self.peek() != ")":
                args.append(self.or_())
                if self.peek() == ",":
                    self.take()
            self.take()
            return self.call(value, args)
        return self.lookup(value)

    def call(self, name: str, args: list[Any]) -> Any:
        if name == "success":
            return self.status == "success"
        if name == "failure":
            return self.status == "failure"
        if name in ("always", "cancelled"):
            return name == "always"
        if name == "contains":
            return str(args[1]).lower() in str(args[0]).lower() if not isinstance(args[0], list) else args[1] in args[0]
        if name == "fromJSON":
            return json.loads(args[0])
        raise ValueError(f"unsupported function {name}")

    def lookup(self, dotted: str) -> Any:
        value: Any = self.ctx
        for part in dotted.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value


def _loose(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def evaluate(text: str, contexts: dict[str, Any], status: str = "success") -> Any:
    return _Parser(text, contexts, status).parse()


def _as_string(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def substitute(text: Any, contexts: dict[str, Any]) -> str:
    return _EXPR.sub(lambda m: _as_string(evaluate(m.group(1), contexts)), _as_string(text))


def read_output_file(path: Path) -> dict[str, str]:
    """Parse a GITHUB_OUTPUT file (`name=value` and `name<<DELIM` blocks)."""
    out: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            block = []
            i += 1
            while lines[i] != delim:
                block.append(lines[i])
                i += 1
            out[name] = "\n".join(block)
        elif "=" in line:
            name, value = line.split("=", 1)
            out[name] = value
        i += 1
    return out


@dataclass
class StepRun:
    name: str
    ran: bool
    conclusion: str  # success | failure | skipped
    uses: str = ""
    with_: dict[str, str] = field(default_factory=dict)
    stdout: str = ""
    stderr: str = ""


@dataclass
class ActionRun:
    steps: list[StepRun]
    outputs: dict[str, str]
    conclusion: str

    def step(self, name: str) -> StepRun:
        return next(s for s in self.steps if s.name == name)


def run_action(
    action_dir: Path,
    workspace: Path,
    runner_temp: Path,
    inputs: dict[str, str],
    github: dict[str, Any],
    env: dict[str, str],
    stand_ins: dict[str, dict[str, str]],
) -> ActionRun:
    """Run the composite action in `action_dir` as a job step would, with `workspace` as cwd."""
    spec = YAML(typ="safe").load((action_dir / "action.yml").read_text(encoding="utf-8"))
    values = {name: _as_string(meta.get("default", "")) for name, meta in (spec.get("inputs") or {}).items()}
    values.update(inputs)
    contexts: dict[str, Any] = {
        "inputs": values,
        "github": {**github, "action_path": str(action_dir), "workspace": str(workspace)},
        "runner": {"temp": str(runner_temp), "os": "Linux"},
        "steps": {},
        "env": env,
    }
    summary = Path(env["GITHUB_STEP_SUMMARY"])
    status = "success"
    records: list[StepRun] = []
    for number, step in enumerate(spec["runs"]["steps"]):
        name = step.get("name") or step.get("uses") or f"step {number}"
        condition = step.get("if", "success()")
        if isinstance(condition, str) and condition.strip().startswith("${{"):
            condition = condition.strip()[3:-2]
        should = evaluate(str(condition), contexts, status)
        if "success()" not in str(condition) and "always()" not in str(condition) and "failure()" not in str(condition):
            should = status == "success" and should
        if not should:
            records.append(StepRun(name, False, "skipped", step.get("uses", "")))
            continue
        outputs: dict[str, str] = {}
        if "uses" in step:
            with_ = {k: substitute(v, contexts) for k, v in (step.get("with") or {}).items()}
            action = step["uses"].split("@", 1)[0]
            outputs = dict(stand_ins.get(action, {}))
            records.append(StepRun(name, True, "success", step["uses"], with_))
        else:
            step_env = {k: substitute(v, contexts) for k, v in (step.get("env") or {}).items()}
            output_file = runner_temp / f"_output_{number}"
            output_file.write_text("")
            script = runner_temp / f"_step_{number}.sh"
            script.write_text(step["run"])
            full_env = {
                **os.environ, **env, **step_env,
                "GITHUB_OUTPUT": str(output_file), "GITHUB_STEP_SUMMARY": str(summary),
                "GITHUB_ACTION_PATH": str(action_dir), "RUNNER_TEMP": str(runner_temp),
                "GITHUB_WORKSPACE": str(workspace),
            }
            proc = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                cwd=workspace, env=full_env, capture_output=True, text=True, timeout=600,
            )
            conclusion = "success" if proc.returncode == 0 else "failure"
            if conclusion == "failure":
                status = "failure"
            outputs = read_output_file(output_file)
            records.append(StepRun(name, True, conclusion, "", {}, proc.stdout, proc.stderr))
        if step.get("id"):
            contexts["steps"][step["id"]] = {"outputs": outputs, "outcome": records[-1].conclusion, "conclusion": records[-1].conclusion}
    action_outputs = {name: substitute(meta.get("value", ""), contexts) for name, meta in (spec.get("outputs") or {}).items()}
    return ActionRun(records, action_outputs, status)
