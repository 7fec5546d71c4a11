"""Link prompt facts across a project: what reaches each model call, and in which role.

A function whose model call (or whose role message) takes one of its parameters is a gateway for
that parameter; callers passing untrusted or literal values into it are linked to the role the
parameter ends up in, through any number of wrappers. Parameters of UI handlers (Gradio `fn=`)
are untrusted sources. Functions that reach a model call, directly or through repo functions,
are *model-backed*.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from readiness.facts.callsites import CallSite, remembered
from readiness.facts.flowmodel import Arg, CallFlow, Flow, RolePart, Text, merge
from readiness.facts.model import FileFacts
from readiness.model import Location

SYSTEM_KEYS = frozenset({"system", "instructions", "system_instruction", "system_prompt", "system_message", "preamble"})
PROMPT_KEYS = frozenset({"prompt", "input", "message", "query", "question", "text", "inputs", "contents", "0"})
MESSAGE_KEYS = frozenset({"messages", "history", "chat_history", "**"})
MAX_ROUNDS = 8

FunctionKey = tuple[str, str]  # (path, function qualname)


@dataclass(frozen=True, slots=True)
class Reach:
    """Content that reaches a prompt: a model call's argument, a role message, or a gateway parameter."""

    location: Location
    path: str
    scope: str
    role: str  # system | user | assistant | tool | prompt | messages | unknown
    flow: Flow
    kind: str  # call | role | gateway
    model: bool  # reaches a known model call (directly or through gateways)
    via: str = ""
    via_path: str = ""  # the file of the `via` gateway
    message_line: int = 0  # set when the content sits in a role message built elsewhere (its own `role` reach)
    argument: Location | None = None  # where the argument carrying it is written, for model-call reaches


@dataclass(frozen=True, slots=True)
class TextUse:
    """Literal text used as a prompt, with the evidence that it is one."""

    path: str
    scope: str
    text: Text
    context: str
    strong: bool
    at_call: bool


@dataclass(frozen=True, slots=True)
class PromptModel:
    reaches: tuple[Reach, ...] = ()
    texts: tuple[TextUse, ...] = ()
    model_backed: frozenset[FunctionKey] = frozenset()
    gateways: dict[FunctionKey, dict[str, frozenset[str]]] = field(default_factory=dict)
    handler_params: dict[FunctionKey, dict[str, str]] = field(default_factory=dict)
    param_sources: dict[FunctionKey, dict[str, frozenset[str]]] = field(default_factory=dict)

    def resolve_deep(self, path: str, scope: str, flow: Flow) -> tuple[str, ...]:
        """Like `resolve`, plus what callers anywhere in the project pass into the parameters."""
        extra = self.param_sources.get((path, scope), {})
        return tuple(sorted({*self.resolve(path, scope, flow), *(s for p in flow.params for s in extra.get(p, ()))}))

    def resolve(self, path: str, scope: str, flow: Flow) -> tuple[str, ...]:
        """The untrusted sources a flow carries in `scope`, handler parameters included."""
        extra = self.handler_params.get((path, scope), {})
        return tuple(sorted({*flow.sources, *(extra[p] for p in flow.params if p in extra)}))


def location(facts: FileFacts, line: int, col: int) -> Location:
    if facts.cell_lines and 0 < line <= len(facts.cell_lines):
        cell, cell_line = facts.cell_lines[line - 1]
        return Location(facts.path, cell_line, col, cell)
    return Location(facts.path, line, col)


class Linker:
    def __init__(self, files: dict[str, FileFacts], sites: tuple[CallSite, ...]) -> None:
        self.files = {p: f for p, f in files.items() if f.kind in ("python", "notebook")}
        self.by_module = {f.module: f for f in self.files.values()}
        self.sites = {(s.location.path, s.location.cell, s.location.line, s.location.col): s for s in sites}
        self.signatures = {(f.path, s.qualname): s.params for f in self.files.values() for s in f.prompts.signatures}
        self.model_backed: set[FunctionKey] = {(s.location.path, s.scope) for s in sites}
        self.handler_params: dict[FunctionKey, dict[str, str]] = {}
        self.param_roles: dict[FunctionKey, dict[str, set[str]]] = {}
        self._functions: dict[tuple[str, str], FunctionKey | None] = {}

    def function(self, facts: FileFacts, target: str) -> FunctionKey | None:
        """The repo function a call target names, if any."""
        if not target:
            return None
        return remembered(self._functions, (facts.path, target), self._function, facts, target)

    def _function(self, facts: FileFacts, target: str) -> FunctionKey | None:
        found = self._known(facts.path, target)
        if found is not None:
            return found
        prefix = facts.module + "."
        if facts.module and target.startswith(prefix):
            found = self._known(facts.path, target[len(prefix):])
            if found is not None:
                return found
        parts = target.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            other = self.by_module.get(".".join(parts[:cut]))
            if other is not None:
                return self._known(other.path, ".".join(parts[cut:]))
        return None

    def _known(self, path: str, name: str) -> FunctionKey | None:
        """A function of `path`, or the `__init__` of a class (constructing it calls that)."""
        if (path, name) in self.signatures:
            return path, name
        if (path, f"{name}.__init__") in self.signatures:
            return path, f"{name}.__init__"
        return None

    @cached_property
    def linked_calls(self) -> list[tuple[FileFacts, CallFlow, FunctionKey]]:
        """Every call of the prompt facts that names a repo function, with it (the passes below
        go over these calls up to `MAX_ROUNDS` times)."""
        linked = []
        for facts in self.files.values():
            for call in facts.prompts.calls:
                callee = self.function(facts, call.target)
                if callee is not None:
                    linked.append((facts, call, callee))
        return linked

    def site_of(self, facts: FileFacts, call: CallFlow) -> CallSite | None:
        line = call.line  # what `location` gives, without building it
        if facts.cell_lines and 0 < line <= len(facts.cell_lines):
            cell, cell_line = facts.cell_lines[line - 1]
            return self.sites.get((facts.path, cell, cell_line, call.col))
        return self.sites.get((facts.path, None, line, call.col))

    def param_of(self, key: FunctionKey, arg: str) -> str | None:
        params = self.signatures.get(key, ())
        if arg.isdigit():
            index = int(arg)
            return params[index] if index < len(params) else None
        return arg if arg in params else None

    # -- passes ------------------------------------------------------------------------
    def link_handlers(self) -> None:
        for facts in self.files.values():
            for handler in facts.surface.handlers:
                key = self.function(facts, handler.target)
                if key is None:
                    continue
                for param in self.signatures.get(key, ()):
                    self.handler_params.setdefault(key, {})[param] = f"{handler.framework} input `{param}` of `{key[1]}`"

    def link_param_sources(self) -> dict[FunctionKey, dict[str, frozenset[str]]]:
        """Untrusted sources that callers pass into each function parameter (to a fixed point)."""
        found: dict[FunctionKey, dict[str, set[str]]] = {
            k: {p: {label} for p, label in v.items()} for k, v in self.handler_params.items()
        }
        for _ in range(MAX_ROUNDS):
            changed = False
            for facts, call, callee in self.linked_calls:
                mine = found.get((facts.path, call.scope), {})
                for arg in call.args:
                    sources = set(arg.flow.sources) | {s for p in arg.flow.params for s in mine.get(p, ())}
                    param = self.param_of(callee, arg.key)
                    if not sources or param is None:
                        continue
                    theirs = found.setdefault(callee, {}).setdefault(param, set())
                    if not sources <= theirs:
                        theirs |= sources
                        changed = True
            if not changed:
                break
        return {k: {p: frozenset(s) for p, s in v.items()} for k, v in found.items()}

    def link_model_backed(self) -> None:
        edges: list[tuple[FunctionKey, FunctionKey]] = []
        for facts in self.files.values():
            for fn in facts.functions:
                for callee in fn.calls:
                    key = self.function(facts, callee)
                    if key is not None:
                        edges.append(((facts.path, fn.qualname), key))
        edges += [((facts.path, call.scope), key) for facts, call, key in self.linked_calls]
        for _ in range(MAX_ROUNDS):
            added = {caller for caller, callee in edges if callee in self.model_backed and caller not in self.model_backed}
            if not added:
                break
            self.model_backed |= added

    def call_parts(self, facts: FileFacts, call: CallFlow) -> list[tuple[str, Flow, RolePart | None, Arg]]:
        """(role, content, message, argument) for each prompt-carrying argument of a model call."""
        parts: list[tuple[str, Flow, RolePart | None, Arg]] = []
        for arg in call.args:
            key = arg.key
            if key in SYSTEM_KEYS:
                role = "system"
            elif key in MESSAGE_KEYS:
                role = "messages"
            elif key in PROMPT_KEYS:
                role = "prompt"
            else:
                continue
            parts.extend((r, f, p, arg) for r, f, p in split_roles(arg.flow, role))
        return parts

    def link_gateways(self) -> None:
        roles = self.param_roles
        for facts in self.files.values():
            for site in facts.prompts.roles:
                key = (facts.path, site.scope)
                if site.part.flow.derived:
                    continue  # only something computed from the parameter reaches the prompt
                for name in site.part.flow.params:
                    roles.setdefault(key, {}).setdefault(name, set()).add(site.part.role)
            for call in facts.prompts.calls:
                call_site = self.site_of(facts, call) if call.candidate else None
                if call_site is not None and not call_site.embedding:
                    for role, flow, _, _ in self.call_parts(facts, call):
                        for name in () if flow.derived else flow.params:
                            roles.setdefault((facts.path, call.scope), {}).setdefault(name, set()).add(role)
        for _ in range(MAX_ROUNDS):
            changed = self._link_init_attrs()
            for facts, call, callee in self.linked_calls:
                if callee not in roles:
                    continue
                for arg in call.args:
                    param = self.param_of(callee, arg.key)
                    reached = roles[callee].get(param or "", set())
                    if not reached or arg.flow.derived:
                        continue
                    for own in arg.flow.params:
                        mine = roles.setdefault((facts.path, call.scope), {}).setdefault(own, set())
                        if not reached <= mine:
                            mine |= reached
                            changed = True
            if not changed:
                break

    def _link_init_attrs(self) -> bool:
        """`__init__` parameters stored on `self` reach the roles its methods put the attribute in."""
        changed = False
        for facts in self.files.values():
            for cls, attr, params in facts.prompts.init_attrs:
                reached: set[str] = set()
                for (path, fn), by_param in list(self.param_roles.items()):
                    if path == facts.path and fn.startswith(cls + ".") and fn != f"{cls}.__init__":
                        reached |= by_param.get(attr, set())
                if not reached:
                    continue
                init = self.param_roles.setdefault((facts.path, f"{cls}.__init__"), {})
                for param in params:
                    mine = init.setdefault(param, set())
                    if not reached <= mine:
                        mine |= reached
                        changed = True
        return changed

    def reaches(self) -> tuple[list[Reach], list[TextUse]]:
        reaches: list[Reach] = []
        texts: list[TextUse] = []
        model = PromptModel(handler_params=self.handler_params)
        for path in sorted(self.files):
            facts = self.files[path]
            for site in facts.prompts.roles:
                part = site.part
                backed = (path, site.scope) in self.model_backed
                flow = _with_sources(part.flow, model.resolve(path, site.scope, part.flow))
                reaches.append(Reach(location(facts, part.line, part.col), path, site.scope, part.role, flow, "role", backed))
                for text in part.flow.texts:
                    texts.append(TextUse(path, site.scope, text, f"{part.role} message", part.role == "system", backed))
            for call in facts.prompts.calls:
                texts.extend(self._call_reaches(facts, call, model, reaches))
            for prompt in facts.prompts.texts:
                texts.append(TextUse(path, prompt.scope, prompt.text, prompt.context, prompt.strong, False))
        return reaches, texts

    def _call_reaches(self, facts: FileFacts, call: CallFlow, model: PromptModel, reaches: list[Reach]) -> list[TextUse]:
        texts: list[TextUse] = []
        path = facts.path
        site = self.site_of(facts, call) if call.candidate else None
        if site is not None:
            if site.embedding:
                return texts
            for role, flow, part, arg in self.call_parts(facts, call):
                resolved = _with_sources(flow, model.resolve(path, call.scope, flow))
                at = location(facts, arg.line, arg.col) if arg.line else site.location
                reaches.append(Reach(site.location, path, call.scope, role, resolved, "call", True, "", "", part.line if part else 0, at))
                for text in flow.texts:
                    texts.append(TextUse(path, call.scope, text, f"{role} argument of a model call", role == "system", True))
            return texts
        callee = self.function(facts, call.target)
        if callee is None or callee not in self.param_roles:
            return texts
        backed = callee in self.model_backed
        for arg in call.args:
            param = self.param_of(callee, arg.key)
            reached = self.param_roles[callee].get(param or "", set())
            for role in sorted(reached):
                for part_role, flow, part in split_roles(arg.flow, role):
                    resolved = _with_sources(flow, model.resolve(path, call.scope, flow))
                    reaches.append(Reach(location(facts, call.line, call.col), path, call.scope, part_role, resolved, "gateway",
                                         backed, callee[1], callee[0], part.line if part else 0))
                    for text in flow.texts:
                        texts.append(TextUse(path, call.scope, text, f"`{param}` of `{callee[1]}`, which reaches the {part_role} prompt",
                                             part_role == "system", backed))
        return texts


def split_roles(flow: Flow, role: str) -> list[tuple[str, Flow, RolePart | None]]:
    """A value's role messages, each with its role, plus what is left outside them in `role`."""
    if not flow.roles:
        return [(role, flow, None)]
    out: list[tuple[str, Flow, RolePart | None]] = [(p.role, p.flow, p) for p in flow.roles]
    covered = {s for p in flow.roles for s in p.flow.sources}
    covered_params = {s for p in flow.roles for s in p.flow.params}
    rest = Flow(
        tuple(s for s in flow.sources if s not in covered), tuple(p for p in flow.params if p not in covered_params),
        flow.texts, flow.names, flow.loaded, flow.bounded, (), flow.derived,
    )
    if not rest.empty:
        out.append((role if role != "messages" else "unknown", rest, None))
    return out


def _with_sources(flow: Flow, sources: tuple[str, ...]) -> Flow:
    if sources == flow.sources:
        return flow
    tainted = bool(flow.sources or flow.params)
    return merge(flow, Flow(sources=sources, bounded=flow.bounded if tainted else False, derived=flow.derived if tainted else False))


def build_prompt_model(files: dict[str, FileFacts], sites: tuple[CallSite, ...]) -> PromptModel:
    """Link the prompt facts of every file of a project."""
    linker = Linker(files, sites)
    linker.link_handlers()
    linker.link_model_backed()
    linker.link_gateways()
    reaches, texts = linker.reaches()
    param_sources = linker.link_param_sources()
    best: dict[tuple[str, int, int], TextUse] = {}
    for use in texts:
        key = (use.path, use.text.line, use.text.col)
        old = best.get(key)
        if old is None or (use.strong, use.at_call) > (old.strong, old.at_call):
            best[key] = use
    return PromptModel(
        reaches=tuple(reaches),
        texts=tuple(best[k] for k in sorted(best)),
        model_backed=frozenset(linker.model_backed),
        gateways={k: {p: frozenset(r) for p, r in v.items()} for k, v in linker.param_roles.items()},
        handler_params=linker.handler_params,
        param_sources=param_sources,
    )
