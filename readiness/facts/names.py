"""Name lists the facts collectors and the rules share; plain data, so rules load without libcst."""
from __future__ import annotations

import re

#: Calls that check a value against a schema (a model output parsed into a typed object).
VALIDATING_CALLS = frozenset({
    "model_validate", "model_validate_json", "parse_obj", "parse_raw", "validate_python", "validate_json",
    "validate", "from_json", "from_dict",
})

#: Names and decorators that say a route checks who is calling.
AUTH_NAME = re.compile(
    r"auth|login|token|jwt|bearer|api_?key|verify|current_|_user$|^user$|require_user|get_user|user_from|principal|"
    r"permission|credential|secur|identity|signed_in|is_admin|session_user|oauth|firebase_user|clerk", re.I,
)
AUTH_DECORATOR = re.compile(r"login_required|auth|jwt_required|token_required|requires|permission|protected|api_key", re.I)

#: Logging methods (`logging`, a `logger`, structlog, loguru).
LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "msg", "success", "trace"})

#: Packages that put code in front of users: web frameworks, UI toolkits, chat-platform bots.
WEB_FRAMEWORKS = frozenset({
    "fastapi", "flask", "django", "streamlit", "gradio", "chainlit", "starlette", "sanic", "litestar", "quart",
    "tornado", "fasthtml", "panel", "dash", "slack_bolt", "discord", "telegram", "aiohttp.web", "mesop", "nicegui",
})
