"""What an expression is made of, within one function: the `Flow` algebra of the prompts collector.

The evaluation is intra-procedural and flow-insensitive inside an expression: names are looked up
in the environments the collector keeps (function, enclosing functions, class attributes, module).
It never raises on odd code; anything it does not understand carries the names it reads and
whatever its parts carry.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Callable

import libcst as cst

from readiness.facts.flowmemo import RememberingEvaluator
from readiness.facts.flowmodel import Flow, RolePart, Text, merge
from readiness.facts.vocabulary import (
    FIELD, FILLERS, LOADERS, LOADER_HEADS, MAX_ELEMENTS, MAX_TEXT, MESSAGE_CLASSES, NO_FLOW_BUILTINS,
    PASS_THROUGH, REQUEST_PROMPT_KEYS, REQUEST_SYSTEM_KEYS, ROLE_NAMES, SOURCE_ATTRS, STREAMLIT_INPUTS,
    MAPPING_READS, TEXT_METHODS, TRUNCATORS, VALIDATORS, dotted, string_value,
)

if TYPE_CHECKING:
    from readiness.facts.extract import FactsVisitor


def named(flow: Flow, name: str) -> Flow:
    """The same flow with its unnamed texts attributed to the variable `name`."""
    if not flow.texts or all(t.name for t in flow.texts):
        return flow
    texts = tuple(t if t.name else replace(t, name=name) for t in flow.texts)
    return replace(flow, texts=texts)


def with_bound(flow: Flow) -> Flow:
    return Flow(flow.sources, flow.params, flow.texts, flow.names, flow.loaded, True, flow.roles, flow.derived)


def result_of(flow: Flow, derived: bool = True) -> Flow:
    """What a call's result carries: its inputs' origin, not their text or messages.

    A method of another object (`store.get_session(id)`, `agent.run(q)`) returns something
    *derived* from its inputs; a plain helper (`clean(text)`) usually returns the text itself.
    """
    return Flow(flow.sources, flow.params, (), flow.names, flow.loaded, flow.bounded, (), derived and bool(flow.sources or flow.params))


class Evaluator(RememberingEvaluator):
    """Computes `Flow`s for expressions; `lookup` resolves a name in the collector's environments."""

    def __init__(self, core: FactsVisitor, lookup: Callable[[str], Flow | None], on_role: Callable[[RolePart], None],
                 is_candidate: Callable[[cst.Call, str | None, str], bool], request_names: Callable[[], frozenset[str]],
                 typed: Callable[[str], bool] = lambda name: False) -> None:
        super().__init__(lookup, on_role)
        self.core = core
        self.is_candidate = is_candidate
        self.request_names = request_names
        self.typed = typed

    def text(self, node: cst.CSTNode, value: str, kind: str) -> Flow:
        stripped = value.strip()
        if not stripped:
            return Flow()
        line, col, _ = self.core.line_of(node)
        fields = tuple(dict.fromkeys(FIELD.findall(stripped))) if kind == "literal" else ()
        return Flow(texts=(Text(line, col, stripped[:MAX_TEXT], len(stripped), kind, "", fields),))

    # -- literals --------------------------------------------------------------
    def _SimpleString(self, node: cst.SimpleString) -> Flow:
        value = string_value(node)
        return self.text(node, value, "literal") if value is not None else Flow()

    def _ConcatenatedString(self, node: cst.ConcatenatedString) -> Flow:
        value = string_value(node)
        if value is not None:
            return self.text(node, value, "literal")
        parts = merge(self.of(node.left), self.of(node.right))
        return self._retext(node, parts, "fstring")

    def _retext(self, node: cst.CSTNode, flow: Flow, kind: str) -> Flow:
        """Fold the texts of an expression into one Text at its start (the prompt as written)."""
        line, col, end = self.core.line_of(node)
        # Text defined elsewhere (a constant) keeps its own place; text written here is folded.
        inside = [t for t in flow.texts if line <= t.line <= end]
        if not inside:
            return flow
        outside = tuple(t for t in flow.texts if not line <= t.line <= end)
        static = " ".join(t.text for t in inside)
        fields = tuple(dict.fromkeys(f for t in inside for f in t.fields))
        text = Text(line, col, static[:MAX_TEXT], sum(t.length for t in inside), kind, inside[0].name, fields)
        return replace(flow, texts=(text, *outside))

    def _FormattedString(self, node: cst.FormattedString) -> Flow:
        static = "".join(p.value for p in node.parts if isinstance(p, cst.FormattedStringText))
        inner = merge(*(self.of(p.expression) for p in node.parts if isinstance(p, cst.FormattedStringExpression)))
        return self._retext(node, merge(self.text(node, static, "fstring"), inner), "fstring")

    # -- names -----------------------------------------------------------------
    def _Name(self, node: cst.Name) -> Flow:
        found = self.lookup(node.value)
        if found is not None:
            return merge(found, Flow(names=(node.value,)))
        return Flow(names=(node.value,))

    def _Attribute(self, node: cst.Attribute) -> Flow:
        name = dotted(node)
        if name is not None:
            if self.typed(name):
                return Flow(names=(name,))
            found = self.lookup(name)
            if found is not None:
                return merge(found, Flow(names=(name,)))
            source = self._source_attr(name)
            if source is not None:
                return source
        base = self.of(node.value)
        return merge(base, Flow(names=(node.attr.value,)))

    def _source_attr(self, name: str) -> Flow | None:
        qualified = self.core.qualify(name)
        head, _, attr = qualified.rpartition(".")
        if head == "flask.request" and attr in SOURCE_ATTRS["flask.request"]:
            return Flow(sources=(f"Flask `request.{attr}`",), names=(name,))
        if head in self.request_names() and attr in SOURCE_ATTRS["django"]:
            return Flow(sources=(f"request `{head}.{attr}`",), names=(name,))
        if qualified == "sys.argv":
            return Flow(sources=("command-line `sys.argv`",), names=(name,))
        return None

    def _Subscript(self, node: cst.Subscript) -> Flow:
        base = self.of(node.value)
        for element in node.slice:
            inner = element.slice
            if isinstance(inner, cst.Slice) and inner.upper is not None:
                return with_bound(base)
        return base

    # -- operators ---------------------------------------------------------------
    def _BinaryOperation(self, node: cst.BinaryOperation) -> Flow:
        left, right = self.of(node.left), self.of(node.right)
        if isinstance(node.operator, cst.Add):
            return self._retext(node, merge(left, right), "concat")
        if isinstance(node.operator, cst.Modulo) and left.texts:
            return self._retext(node, merge(left, right), "percent")
        return merge(left, right)

    def _BooleanOperation(self, node: cst.BooleanOperation) -> Flow:
        return merge(self.of(node.left), self.of(node.right))

    def _IfExp(self, node: cst.IfExp) -> Flow:
        return merge(self.of(node.body), self.of(node.orelse))

    def _Await(self, node: cst.Await) -> Flow:
        return self.of(node.expression)

    def _NamedExpr(self, node: cst.NamedExpr) -> Flow:
        return self.of(node.value)

    def _Starred(self, node: cst.StarredElement) -> Flow:
        return self.of(node.value)

    _StarredElement = _Starred

    def _Element(self, node: cst.Element) -> Flow:
        return self.of(node.value)

    # -- containers ----------------------------------------------------------------
    def _List(self, node: cst.List) -> Flow:
        # a long literal list is data, not a prompt: its head tells what it carries
        return merge(*(self.of(e.value) for e in node.elements[:MAX_ELEMENTS]))

    _Set = _List

    def _Tuple(self, node: cst.Tuple) -> Flow:
        elements = [e.value for e in node.elements]
        if len(elements) == 2:
            role = string_value(elements[0])
            if role is not None and role.lower() in ROLE_NAMES:
                return self._role(node, ROLE_NAMES[role.lower()], self.of(elements[1]))
        return merge(*(self.of(e) for e in elements[:MAX_ELEMENTS]))

    def _Dict(self, node: cst.Dict) -> Flow:
        role: str | None = None
        content = Flow()
        values: list[Flow] = []
        for element in node.elements[:MAX_ELEMENTS]:
            if isinstance(element, cst.StarredDictElement):
                values.append(self.of(element.value))
                continue
            assert isinstance(element, cst.DictElement)
            key = string_value(element.key)
            if key == "role":
                literal = string_value(element.value)
                role = ROLE_NAMES.get(literal.lower(), "unknown") if literal is not None else "unknown"
            elif key in ("content", "parts", "text"):
                content = merge(content, self.of(element.value))
            elif key in REQUEST_SYSTEM_KEYS and _is_request(node):
                # the keyword arguments of a model call, built as a dict and passed as `**kwargs`
                values.append(self._role(element.value, "system", self.of(element.value)))
            elif key not in REQUEST_PROMPT_KEYS and _is_request(node):
                continue  # tools, model, limits: not prompt content
            else:
                values.append(self.of(element.value))
        if role is not None:
            return self._role(node, role, content)
        return merge(content, *values)

    def _role(self, node: cst.CSTNode, role: str, content: Flow) -> Flow:
        line, col, _ = self.core.line_of(node)
        flat = replace(content, roles=())
        part = RolePart(line, col, role, flat)
        self.on_role(part)
        return replace(content, texts=(), loaded="", roles=(part,))

    def _comprehension(self, node: cst.ListComp | cst.GeneratorExp | cst.SetComp) -> Flow:
        return merge(self.of(node.elt), self.of(node.for_in.iter))

    _ListComp = _comprehension
    _GeneratorExp = _comprehension
    _SetComp = _comprehension

    # -- calls -----------------------------------------------------------------------
    def _Call(self, node: cst.Call) -> Flow:
        func = node.func
        name = dotted(func)
        qualified = self.core.qualify(name) if name else ""
        tail = (name or "").rsplit(".", 1)[-1] if name else (func.attr.value if isinstance(func, cst.Attribute) else "")
        # untrusted sources first: the model-call pre-screen is a superset (HTTP verbs such as `get`)
        source = self._source_call(node, qualified, tail)
        if source is not None:
            return source
        if self.is_candidate(node, name, qualified) and not self._reads_data(node, tail):
            if isinstance(func, cst.Attribute) and tail in FILLERS:
                receiver = self.of(func.value)
                if receiver.roles:  # `(prompt | llm).invoke({"topic": x})`: x still fills the prompt's messages
                    self._fill(node, receiver, list(node.args))
            return Flow()  # a model's answer is not the user's text
        args = [a for a in node.args]
        if tail in MESSAGE_CLASSES and (name is None or "." not in name or qualified.startswith(("langchain", "llama_index"))):
            role = MESSAGE_CLASSES[tail] or self._kw_role(node) or "unknown"
            content = merge(*(self.of(a.value) for a in args if a.keyword is None or a.keyword.value in ("content", "prompt", "template")))
            if tail.endswith("PromptTemplate"):
                content = self._retext(node, content, "template")
            return self._role(node, role, content)
        if tail in LOADERS and self._is_loader(qualified, tail, func):
            receiver = self.of(func.value) if isinstance(func, cst.Attribute) else Flow()
            if tail in ("load", "loads", "read", "getvalue") and (receiver.sources or receiver.params):
                return receiver  # reading an uploaded file: still untrusted
            return Flow(loaded=f"{name or tail}()")
        if tail == "render" and isinstance(func, cst.Attribute):
            receiver = self.of(func.value)
            rendered = merge(receiver, *(self.of(a.value) for a in args))
            return self._retext(node, rendered, "template")
        if isinstance(func, cst.Attribute):
            receiver = self.of(func.value)
            arg_flows = [self.of(a.value) for a in args]
            if receiver.roles and tail in FILLERS:
                return self._fill(node, receiver, args)
            if tail == "format":
                return self._retext(node, merge(receiver, *arg_flows), "format")
            if tail == "join":
                inner = merge(*arg_flows)
                return self._retext(node, inner, "join") if inner.texts else inner
            if tail in ("from_template", "from_messages", "from_strings"):
                return self._retext(node, merge(*arg_flows), "template") if tail == "from_template" else merge(*arg_flows)
            if TRUNCATORS.search(tail):
                return with_bound(merge(*arg_flows))
            if tail in VALIDATORS:
                # a schema model checks the payload (its field limits are the surface's concern)
                return with_bound(merge(*arg_flows))
            flow = merge(receiver, *arg_flows)
            if tail in TEXT_METHODS:
                return flow
            return result_of(flow)  # a widget, client or helper
        if name in NO_FLOW_BUILTINS:
            return Flow()
        arg_flows = [self.of(a.value) for a in args]
        flow = merge(*arg_flows)
        if tail in ("PromptTemplate", "Template", "ChatPromptTemplate"):
            return self._retext(node, flow, "template")
        if name in PASS_THROUGH:
            return flow
        if TRUNCATORS.search(tail or ""):
            return with_bound(flow)
        if tail[:1].isupper() and any(a.star == "**" for a in args):
            return with_bound(result_of(flow))  # `Model(**payload)`: a schema checks it, like `model_validate`
        # an unknown helper: given a short id it looks something up; given free text it transforms it
        return result_of(flow, derived=flow.bounded)

    def _reads_data(self, node: cst.Call, tail: str) -> bool:
        """`data.get("persona")` on a value holding untrusted data reads it; it is no model call."""
        if tail not in MAPPING_READS or not isinstance(node.func, cst.Attribute):
            return False
        receiver = self.of(node.func.value)
        return bool(receiver.sources or receiver.params) and not receiver.derived

    def _fill(self, node: cst.Call, template: Flow, args: list[cst.Arg]) -> Flow:
        """`prompt.invoke({"topic": x})`, `.format_messages(topic=x)`: values fill the template's messages."""
        values: dict[str, Flow] = {}
        for arg in args:
            if arg.keyword is not None:
                values[arg.keyword.value] = self.of(arg.value)
            elif isinstance(arg.value, cst.Dict):
                for element in arg.value.elements:
                    key = string_value(element.key) if isinstance(element, cst.DictElement) else None
                    if key is not None:
                        values[key] = self.of(element.value)
        line, col, _ = self.core.line_of(node)
        parts: list[RolePart] = []
        for part in template.roles:
            filled = [values[f] for t in part.flow.texts for f in t.fields if f in values]
            if filled:
                part = RolePart(line, col, part.role, merge(part.flow, *filled))
                self.on_role(part)
            parts.append(part)
        rest = merge(*values.values())
        return replace(merge(replace(template, roles=()), rest), roles=tuple(parts))

    def _kw_role(self, node: cst.Call) -> str:
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value == "role":
                value = string_value(arg.value)
                return ROLE_NAMES.get((value or "").lower(), "unknown")
        return ""

    def _is_loader(self, qualified: str, tail: str, func: cst.BaseExpression) -> bool:
        head = qualified.split(".")[0]
        if tail in ("load", "loads", "safe_load", "full_load"):
            return head in LOADER_HEADS
        if tail == "pull":
            return "hub" in qualified or head in LOADER_HEADS
        return True

    def _source_call(self, node: cst.Call, qualified: str, tail: str) -> Flow | None:
        if qualified.startswith("streamlit.") and tail in STREAMLIT_INPUTS:
            line = self.core.line_of(node)[0]
            bounded = any(a.keyword is not None and a.keyword.value in ("max_chars", "max_length") for a in node.args)
            return Flow(sources=(f"`st.{tail}` (line {line})",), bounded=bounded)
        if qualified == "input" or qualified == "builtins.input":
            return Flow(sources=(f"`input()` (line {self.core.line_of(node)[0]})",))
        if tail == "parse_args" and isinstance(node.func, cst.Attribute):
            return Flow(sources=(f"command-line arguments (line {self.core.line_of(node)[0]})",))
        if tail in ("json", "body", "form") and isinstance(node.func, cst.Attribute):
            receiver = dotted(node.func.value)
            if receiver is not None and receiver in self.request_names():
                return Flow(sources=(f"raw request body `{receiver}.{tail}()` (line {self.core.line_of(node)[0]})",))
        if isinstance(node.func, cst.Attribute) and tail in _RECEIVER_READS:
            receiver_name = dotted(node.func.value)
            if receiver_name is not None:
                attr = self._source_attr(receiver_name)
                if attr is not None and tail in ("get", "getlist", "get_json", "to_dict", "read"):
                    return attr
                if self.core.qualify(receiver_name) == "flask.request" and tail in ("get_json", "get_data"):
                    return Flow(sources=(f"Flask `request.{tail}()`",))
        return None


#: The methods `_source_call` reads a source from (`request.args.get`, `request.get_json()`).
_RECEIVER_READS = frozenset({"get", "getlist", "get_json", "to_dict", "read", "get_data"})


def _is_request(node: cst.Dict) -> bool:
    """A dict that holds a model request's arguments (`model` and `messages`)."""
    keys = {string_value(e.key) for e in node.elements if isinstance(e, cst.DictElement)}
    return "messages" in keys or ("model" in keys and "max_tokens" in keys)
