"""The words the prompt and surface collectors recognise: names, APIs and keys, as data."""
from __future__ import annotations

import re

import libcst as cst

from readiness.facts.collector import string_literal
from readiness.facts.collector import dotted as _dotted


def dotted(node: cst.BaseExpression) -> str | None:
    """`a.b.c` for a Name/Attribute chain only: prompt flow keeps `d["key"]` a subscript of `d`."""
    return _dotted(node, subscripts=False)


def string_value(node: cst.BaseExpression) -> str | None:
    """The value of a string literal (implicit concatenation included), else None."""
    kind = node.__class__
    if kind is cst.SimpleString or kind is cst.ConcatenatedString:
        value = string_literal(node)  # type: ignore[arg-type]
        return value if value.__class__ is str else None  # FAILED (odd escapes) is no str
    return None


MAX_TEXT = 400
MAX_ELEMENTS = 64
ROLE_NAMES = {
    "system": "system", "developer": "system", "user": "user", "human": "user",
    "assistant": "assistant", "ai": "assistant", "model": "assistant", "tool": "tool", "function": "tool",
}
MESSAGE_CLASSES = {
    "SystemMessage": "system", "HumanMessage": "user", "AIMessage": "assistant",
    "SystemMessagePromptTemplate": "system", "HumanMessagePromptTemplate": "user",
    "AIMessagePromptTemplate": "assistant", "ChatMessage": "", "ToolMessage": "tool",
}
STREAMLIT_INPUTS = frozenset({
    "text_input", "chat_input", "text_area", "file_uploader", "camera_input", "audio_input",
})
#: Calls that read text from outside the code: the versioned-prompt pattern.
LOADERS = frozenset({
    "read", "read_text", "readlines", "read_bytes", "get_template", "safe_load", "load", "loads", "full_load",
    "pull", "load_prompt", "get_prompt", "from_file", "from_template_file", "getvalue",
})
LOADER_HEADS = frozenset({"yaml", "json", "tomllib", "tomli", "toml", "langchain", "langfuse", "promptlayer"})
TRUNCATORS = re.compile(r"truncat|clip|shorten|limit_|_limit|trim_to|max_len", re.I)
SOURCE_ATTRS = {
    "flask.request": frozenset({"json", "form", "args", "data", "values", "files", "get_json", "get_data", "stream"}),
    "django": frozenset({"POST", "GET", "body", "FILES", "data", "query_params"}),
}
FIELD = re.compile(r"\{\{?\s*([A-Za-z_]\w*)\s*\}?\}")
REQUEST_PROMPT_KEYS = frozenset({"messages", "prompt", "input", "contents", "query", "question"})
REQUEST_SYSTEM_KEYS = frozenset({"system", "instructions", "system_instruction"})
FILLERS = frozenset({"invoke", "ainvoke", "stream", "astream", "format", "format_messages", "format_prompt", "partial", "batch"})
VALIDATORS = frozenset({"model_validate", "model_validate_json", "parse_obj", "parse_raw", "validate_python", "validate_json"})
TEXT_METHODS = frozenset({
    "strip", "lstrip", "rstrip", "lower", "upper", "replace", "capitalize", "title", "casefold", "format_map",
    "removeprefix", "removesuffix", "expandtabs", "center", "ljust", "rjust", "dedent", "cleandoc", "get", "pop",
    "copy", "substitute", "safe_substitute", "partial", "format_messages", "format_prompt", "invoke",
    "decode", "encode", "split", "splitlines", "getlist", "to_dict", "dict", "model_dump", "items", "values",
})
PASS_THROUGH = frozenset({"str", "repr", "format", "dedent", "cleandoc"})
NO_FLOW_BUILTINS = frozenset({"len", "int", "float", "bool", "isinstance", "hash", "id", "type", "range", "enumerate"})
PROMPT_NAME = re.compile(r"prompt|instruction|template|persona|system_?(msg|message)|^system$|preamble|guideline", re.I)
STRONG_NAME = re.compile(r"system|instruction|persona|preamble|guideline", re.I)
MODEL_NAME = re.compile(
    r"^(gpt-[0-9][\w.\-]*|gpt-oss[\w.\-]*|chatgpt-[\w.\-]+|o[1-9](-[\w.\-]+)?|text-(davinci|embedding|curie|babbage|ada)[\w.\-]*|"
    r"claude-[\w.\-@]+|gemini-[\w.\-]+|(open-)?(mistral|mixtral|codestral|ministral|pixtral|magistral|devstral)[\w.\-]*|"
    r"command(-[\w.\-]+)?|llama[\w.\-:]*|meta-llama/[\w.\-]+|anthropic\.claude[\w.\-:]+|models/gemini-[\w.\-]+|"
    r"(openai|anthropic|gemini|mistral|groq|together_ai|bedrock|vertex_ai)/[\w.\-/:@]+)$",
    re.I,
)
MODEL_KEYWORDS = frozenset({"model", "model_name", "engine", "deployment_name", "deployment_id", "model_id", "llm_model"})
#: Keys of a model request that hold settings, not prompt content (`kwargs["tools"] = ...`).
REQUEST_SETTINGS = frozenset({
    "tools", "tool_choice", "functions", "function_call", "model", "max_tokens", "temperature", "top_p", "stop",
    "response_format", "metadata", "stream", "seed", "timeout", "max_completion_tokens", "n", "logprobs",
})
TYPED_SCALARS = frozenset({
    "int", "float", "bool", "Decimal", "date", "datetime", "time", "UUID", "Literal", "conint", "confloat",
    "PositiveInt", "NonNegativeInt", "PositiveFloat", "NonNegativeFloat", "StrictInt", "StrictFloat", "StrictBool",
})
#: Packages whose calls never lead to a repo's own prompt gateway (kept out of the facts).
EXTERNAL_HEADS = frozenset({
    "streamlit", "gradio", "click", "typer", "argparse", "logging", "os", "sys", "re", "json", "pathlib", "fastapi",
    "flask", "pydantic", "typing", "rich", "requests", "httpx", "print", "dict", "list", "set", "str", "isinstance",
    "getattr", "setattr", "hasattr", "datetime", "time", "uuid", "random", "subprocess", "shutil", "sqlite3",
})
CLICK_DECORATORS = frozenset({"click.command", "click.option", "click.argument", "typer.Option", "typer.Argument"})


def is_main_test(test: cst.BaseExpression) -> bool:
    """`__name__ == "__main__"` (either way round)."""
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    left, right = test.left, test.comparisons[0].comparator
    if not isinstance(test.comparisons[0].operator, cst.Equal):
        return False
    names = {dotted(left), dotted(right)}
    values = {string_value(left), string_value(right)}
    return "__name__" in names and "__main__" in values


def annotation_head(annotation: cst.BaseExpression) -> str:
    """`Optional[int]` -> `int`, `Annotated[float, Field(...)]` -> `float`, `app.Price` -> `Price`."""
    node = annotation
    while isinstance(node, cst.Subscript) and (dotted(node.value) or "").rsplit(".", 1)[-1] in ("Optional", "Annotated"):
        first = node.slice[0].slice
        if not isinstance(first, cst.Index):
            break
        node = first.value
    if isinstance(node, cst.Subscript):
        node = node.value
    if isinstance(node, cst.BinaryOperation):  # `int | None`
        node = node.left
    return (dotted(node) or "").rsplit(".", 1)[-1]

#: The web surface.
ROUTE_METHODS = frozenset({"get", "post", "put", "patch", "delete", "api_route", "route", "websocket", "options", "head"})
APP_CTORS = {
    "fastapi.FastAPI": "fastapi", "fastapi.APIRouter": "fastapi", "starlette.applications.Starlette": "fastapi",
    "flask.Flask": "flask", "flask.Blueprint": "flask", "quart.Quart": "flask",
}
RATE_LIMIT_PACKAGES = frozenset({
    "slowapi", "fastapi_limiter", "flask_limiter", "django_ratelimit", "ratelimit", "limits",
    "fastapi_ratelimit", "starlette_ratelimit", "asgi_ratelimit", "rest_framework.throttling",
})
PRIMITIVES = frozenset({"str", "int", "float", "bool", "bytes", "list", "List", "Optional", "Union", "Literal", "date", "datetime", "UUID"})
RAW = frozenset({"dict", "Dict", "Any", "typing.Any", "object", "Mapping", "JSONResponse"})
SCHEMA_VALIDATORS = frozenset({"model_validate", "model_validate_json", "parse_obj", "parse_raw", "validate", "load", "validate_json", "TypeAdapter"})
GRADIO_EVENTS = frozenset({"click", "submit", "change", "input", "upload", "select", "then", "success", "stream", "blur", "release"})

#: Model-call pre-screen tails that are also how a mapping is read (`data.get("persona")`): called on a
#: value that holds untrusted data, they read it (HTTP clients share the name, and never hold user text).
MAPPING_READS = frozenset({"get"})
