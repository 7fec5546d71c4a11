"""The web and UI surface of a file: routes, UI handlers, app settings, rate limits, authentication.

FastAPI/Starlette and Flask routes (path, methods, parameters, pydantic bodies, dependencies, raw
body reads), Django view functions, Gradio interfaces and event handlers, and the app settings
that matter in production (debug, auto-reload, CORS).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from readiness.facts.collector import Collector

if TYPE_CHECKING:
    from readiness.facts.extract import FactsVisitor
from readiness.facts.flowmodel import Endpoint, EndpointParam, Handler, Launch, Setting, SurfaceFacts
from readiness.facts.names import AUTH_NAME
from readiness.facts.vocabulary import (
    APP_CTORS, GRADIO_EVENTS, PRIMITIVES, RATE_LIMIT_PACKAGES, RAW, ROUTE_METHODS, SCHEMA_VALIDATORS,
    dotted, string_value,
)


def route_of(core: FactsVisitor, decorator: cst.Decorator) -> tuple[str, tuple[str, ...], str, str] | None:
    """(framework, methods, path, router) when a decorator declares a web route."""
    expr = decorator.decorator
    if not isinstance(expr, cst.Call) or not isinstance(expr.func, cst.Attribute):
        return None
    method = expr.func.attr.value
    if method not in ROUTE_METHODS:
        return None
    router = dotted(expr.func.value) or ""
    framework = _framework_of(core, router)
    if framework is None:
        return None
    path = string_value(expr.args[0].value) if expr.args and expr.args[0].keyword is None else None
    methods: tuple[str, ...]
    if method in ("route", "api_route"):
        methods = ("GET",)
        for arg in expr.args:
            if arg.keyword is not None and arg.keyword.value == "methods" and isinstance(arg.value, (cst.List, cst.Tuple)):
                methods = tuple(sorted((string_value(e.value) or "?").upper() for e in arg.value.elements))
    else:
        methods = (method.upper(),)
    return framework, methods, path or "", router


def _framework_of(core: FactsVisitor, router: str) -> str | None:
    for binding in reversed(core.bindings):
        if binding.name == router and binding.kind == "call" and binding.target in APP_CTORS:
            return APP_CTORS[binding.target]
    modules = {v.split(".")[0] for v in core.imports.values()}
    if "fastapi" in modules or "starlette" in modules:
        return "fastapi"
    if "flask" in modules or "quart" in modules:
        return "flask"
    return None


def annotation_text(node: cst.BaseExpression | None) -> str:
    if node is None:
        return ""
    name = dotted(node)
    if name is not None:
        return name
    if isinstance(node, cst.Subscript):
        inner = [annotation_text(e.slice.value) for e in node.slice if isinstance(e.slice, cst.Index)]
        return f"{annotation_text(node.value)}[{', '.join(inner)}]"
    if isinstance(node, cst.BinaryOperation):
        return f"{annotation_text(node.left)} | {annotation_text(node.right)}"
    return "?"


@dataclass
class _EndpointBuilder:
    endpoint: Endpoint
    raw_reads: list[tuple[int, str]] = field(default_factory=list)
    validates: bool = False
    request_names: set[str] = field(default_factory=set)


class SurfaceCollector(Collector):
    """Collects `SurfaceFacts` for one file."""

    def __init__(self, core: FactsVisitor) -> None:
        super().__init__(core)
        self.endpoints: list[Endpoint] = []
        self.open: list[_EndpointBuilder | None] = []
        self.handlers: list[Handler] = []
        self.settings: list[Setting] = []
        self.launches: list[Launch] = []
        self.rate_limits: set[str] = set()
        self.auth: set[str] = set()
        self.scoped_auth: set[tuple[str, str]] = set()
        self.schemas: dict[str, bool] = {}
        self.classes: list[tuple[str, bool]] = []
        self.module_consts: dict[str, Any] = {}

    # -- schemas -------------------------------------------------------------------
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        bases = {self.core.qualify(dotted(b.value) or "") for b in node.bases}
        is_schema = any(b.endswith("BaseModel") or b.split(".")[-1] in self.schemas or "pydantic" in b or b.endswith("Schema") for b in bases)
        self.classes.append((node.name.value, is_schema))
        if is_schema:
            self.schemas[node.name.value] = True
        if any(b.endswith(("LoginRequiredMixin", "PermissionRequiredMixin")) for b in bases):
            self.auth.add("Django LoginRequiredMixin")

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.classes.pop()

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if not self.classes or not self.classes[-1][1]:
            return
        annotation = annotation_text(node.annotation.annotation)
        if "str" not in annotation or self.core.kinds[-1:] != ["class"]:
            return
        bounded = "constr" in annotation or "StringConstraints" in annotation or "max_length" in annotation
        if isinstance(node.value, cst.Call) and any(a.keyword is not None and a.keyword.value in ("max_length", "max_len") for a in node.value.args):
            bounded = True
        if isinstance(node.annotation.annotation, cst.Subscript):
            bounded = bounded or "max_length" in cst.Module([]).code_for_node(node.annotation.annotation)
        if not bounded:
            self.schemas[self.classes[-1][0]] = False

    # -- endpoints -----------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        builder: _EndpointBuilder | None = None
        decorators = tuple(self.core.qualify(dotted(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator) or "") for d in node.decorators)
        for decorator in node.decorators:
            route = route_of(self.core, decorator)
            if route is not None:
                framework, methods, path, router = route
                line, col, _ = self.core.line_of(decorator)
                builder = _EndpointBuilder(Endpoint(framework, line, col, self.core.scope, methods, path,
                                                    self._params(node, framework), self._dependencies(decorator), decorators, router=router))
                break
        if builder is None and self._django_view(node):
            line, col, _ = self.core.line_of(node)
            methods = ("POST",) if any("require_POST" in d or "require_http_methods" in d for d in decorators) else ("ANY",)
            builder = _EndpointBuilder(Endpoint("django", line, col, self.core.scope, methods, "", (), (), decorators))
            builder.request_names.add(node.params.params[0].name.value)
        if builder is not None:
            for param in builder.endpoint.params:
                if param.kind == "request":
                    builder.request_names.add(param.name)
        if any(d.rsplit(".", 1)[-1] in ("before_request", "middleware") for d in decorators) and AUTH_NAME.search(node.name.value):
            self.auth.add(f"`{node.name.value}` request hook")
        if any(d.rsplit(".", 1)[-1] == "limit" or "ratelimit" in d.lower() or "throttle" in d.lower() for d in decorators):
            self.rate_limits.add(f"@{decorators[0]}")
        self.open.append(builder)

    def _django_view(self, node: cst.FunctionDef) -> bool:
        path_ok = self.core.module_name.rsplit(".", 1)[-1] in ("views", "api", "viewsets")
        params = node.params.params
        return path_ok and not self.classes and bool(params) and params[0].name.value in ("request", "req")

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        builder = self.open.pop()
        if builder is None:
            return
        e = builder.endpoint
        self.endpoints.append(Endpoint(e.framework, e.line, e.col, e.function, e.methods, e.path, e.params, e.dependencies,
                                       e.decorators, tuple(builder.raw_reads), builder.validates, e.router))

    def _params(self, node: cst.FunctionDef, framework: str) -> tuple[EndpointParam, ...]:
        out: list[EndpointParam] = []
        for param in (*node.params.posonly_params, *node.params.params, *node.params.kwonly_params):
            name = param.name.value
            annotation = annotation_text(param.annotation.annotation) if param.annotation else ""
            kind, dependency, bounded = self._param_kind(param, annotation, framework)
            out.append(EndpointParam(name, annotation, kind, dependency, bounded))
        return tuple(out)

    def _param_kind(self, param: cst.Param, annotation: str, framework: str) -> tuple[str, str, bool]:
        default = param.default
        call_nodes: list[cst.Call] = []
        if isinstance(default, cst.Call):
            call_nodes.append(default)
        if param.annotation is not None and isinstance(param.annotation.annotation, cst.Subscript):
            for element in param.annotation.annotation.slice:
                if isinstance(element.slice, cst.Index) and isinstance(element.slice.value, cst.Call):
                    call_nodes.append(element.slice.value)
        for call in call_nodes:
            func = (dotted(call.func) or "").rsplit(".", 1)[-1]
            if func in ("Depends", "Security"):
                target = dotted(call.args[0].value) if call.args else None
                return ("security" if func == "Security" else "depends"), self.core.qualify(target or annotation), False
            if func in ("Query", "Body", "Form", "Path", "Header", "Field", "Cookie"):
                bounded = any(a.keyword is not None and a.keyword.value in ("max_length",) for a in call.args)
                base = annotation.split("[")[0]
                if func == "Body" and (base in RAW or not annotation):
                    return "raw", "", False
                return ("query" if func != "Body" else "body"), "", bounded
            if func == "File":
                return "upload", "", False
        base = annotation.split("[")[0].rsplit(".", 1)[-1]
        if base in ("Request", "WebSocket", "HTTPConnection"):
            return "request", "", False
        if base in ("UploadFile",):
            return "upload", "", False
        if base in ("HTTPAuthorizationCredentials", "HTTPBasicCredentials", "OAuth2PasswordRequestForm"):
            return "security", annotation, False
        if base in RAW or annotation.startswith(("dict", "Dict", "Any")):
            return "raw", "", False
        if not annotation or base in PRIMITIVES or annotation.startswith("Annotated[str"):
            return "query", "", False
        return "body", annotation, self.schemas.get(base.split("[")[0], True)

    def _dependencies(self, decorator: cst.Decorator) -> tuple[str, ...]:
        expr = decorator.decorator
        assert isinstance(expr, cst.Call)
        deps = []
        for arg in expr.args:
            if arg.keyword is not None and arg.keyword.value == "dependencies" and isinstance(arg.value, (cst.List, cst.Tuple)):
                for element in arg.value.elements:
                    if isinstance(element.value, cst.Call) and element.value.args:
                        deps.append(self.core.qualify(dotted(element.value.args[0].value) or "?"))
        return tuple(deps)

    def _endpoint(self) -> _EndpointBuilder | None:
        for builder in reversed(self.open):
            if builder is not None:
                return builder
        return None

    # -- reads, settings, handlers --------------------------------------------------------
    def visit_Attribute(self, node: cst.Attribute) -> None:
        builder = self._endpoint()
        if builder is None:
            return
        base = dotted(node.value)
        if base is None:
            return
        attr = node.attr.value
        qualified = self.core.qualify(base)
        if qualified == "flask.request" and attr in ("json", "form", "args", "data", "values", "get_json", "get_data"):
            builder.raw_reads.append((self.core.line_of(node)[0], f"request.{attr}"))
        elif base in builder.request_names and attr in ("json", "body", "form", "POST", "GET", "data", "query_params"):
            builder.raw_reads.append((self.core.line_of(node)[0], f"{base}.{attr}"))

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            self._import(dotted(alias.name) or "")

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.module is not None and not node.relative:
            module = dotted(node.module) or ""
            self._import(module)
            if module == "fastapi.security" or module.endswith(("auth", "security")) and "fastapi" in module:
                self.auth.add(f"imports {module}")

    def _import(self, module: str) -> None:
        if module in RATE_LIMIT_PACKAGES or module.split(".")[0] in RATE_LIMIT_PACKAGES:
            self.rate_limits.add(f"imports {module}")

    def visit_Assign(self, node: cst.Assign) -> None:
        if self.core.scope != "<module>" or len(node.targets) != 1:
            return
        target = dotted(node.targets[0].target)
        value = node.value
        is_true = isinstance(value, cst.Name) and value.value == "True"
        line, col, _ = self.core.line_of(node)
        if target is None:
            self._config_item(node.targets[0].target, value, line, col)
            return
        if target in ("DEBUG",) and is_true and self.core.module_name.rsplit(".", 1)[-1] == "settings":
            self.settings.append(Setting(line, col, "debug", "`DEBUG = True` in Django settings"))
        if target.endswith(".debug") and is_true:
            self.settings.append(Setting(line, col, "debug", f"`{target} = True`"))
        if target in ("CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL") and is_true:
            self.module_consts["cors_all"] = (line, col)
        if target == "CORS_ALLOW_CREDENTIALS" and is_true:
            self.module_consts["cors_credentials"] = True
        if target == "MIDDLEWARE" and "LoginRequiredMiddleware" in cst.Module([]).code_for_node(value):
            self.auth.add("Django LoginRequiredMiddleware")
        if target in ("RATELIMIT_ENABLE", "REST_FRAMEWORK"):
            if "THROTTLE" in cst.Module([]).code_for_node(value):
                self.rate_limits.add("REST framework throttling")

    def _config_item(self, target: cst.BaseExpression, value: cst.BaseExpression, line: int, col: int) -> None:
        if isinstance(target, cst.Subscript) and dotted(target.value or cst.Name("x")) is not None:
            key = string_value(target.slice[0].slice.value) if isinstance(target.slice[0].slice, cst.Index) else None
            if key == "DEBUG" and isinstance(value, cst.Name) and value.value == "True":
                self.settings.append(Setting(line, col, "debug", f"`{dotted(target.value)}['DEBUG'] = True`"))

    def visit_Call(self, node: cst.Call) -> None:
        name = dotted(node.func)
        if name is None and isinstance(node.func, cst.Attribute) and node.func.attr.value == "launch":
            name = "<app>.launch"
        if name is None:
            return
        qualified = self.core.qualify(name)
        tail = qualified.rsplit(".", 1)[-1]
        kwargs = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
        line, col, _ = self.core.line_of(node)

        def true(key: str) -> bool:
            value = kwargs.get(key)
            return isinstance(value, cst.Name) and value.value == "True"

        if tail == "run" and true("debug"):
            self.settings.append(Setting(line, col, "debug", f"`{name}(debug=True)`"))
        if qualified in ("uvicorn.run", "uvicorn.main.run") and true("reload"):
            self.settings.append(Setting(line, col, "reload", "`uvicorn.run(reload=True)` auto-reloads on file changes"))
        if qualified in APP_CTORS and true("debug"):
            self.settings.append(Setting(line, col, "debug", f"`{name}(debug=True)`"))
        if qualified in APP_CTORS and "dependencies" in kwargs:
            self._scoped_dependencies(node, kwargs["dependencies"])
        if tail == "include_router" and "dependencies" in kwargs and node.args:
            self._scoped_dependencies(node, kwargs["dependencies"], dotted(node.args[0].value) or "")
        if tail == "add_middleware" and node.args:
            self._middleware(node, kwargs, line, col)
        if qualified in ("flask_cors.CORS", "flask_cors.cross_origin") and true("supports_credentials"):
            origins = kwargs.get("origins") or kwargs.get("resources")
            if origins is None or "*" in cst.Module([]).code_for_node(origins):
                self.settings.append(Setting(line, col, "cors", "CORS allows every origin with credentials"))
        if qualified.startswith("gradio."):
            self._gradio(node, qualified, tail, kwargs, line)
        elif tail in GRADIO_EVENTS and self._uses_gradio():
            self._gradio_event(node, kwargs, line, tail)
        if tail == "launch" and self._uses_gradio():
            public = true("share") or string_value(kwargs.get("server_name", cst.Name("x"))) == "0.0.0.0"
            self.launches.append(Launch(line, col, "gradio", public, "auth" in kwargs or "auth_dependency" in kwargs))
        builder = self._endpoint()
        # `Model(**data)`: a class built from the payload (a schema here, or imported) checks it
        unpacks = any(a.star == "**" for a in node.args) and (name in self.schemas or tail[:1].isupper())
        if builder is not None and (tail in SCHEMA_VALIDATORS or unpacks):
            builder.validates = True
        if tail in ("Limiter", "RateLimiter", "SlowAPIMiddleware"):
            self.rate_limits.add(name)

    def _scoped_dependencies(self, node: cst.Call, value: cst.BaseExpression, router: str = "") -> None:
        if not isinstance(value, (cst.List, cst.Tuple)):
            return
        for element in value.elements:
            if isinstance(element.value, cst.Call) and element.value.args:
                dep = self.core.qualify(dotted(element.value.args[0].value) or "?")
                if AUTH_NAME.search(dep.rsplit(".", 1)[-1]):
                    if router:
                        self.scoped_auth.add((router, dep))
                    else:
                        self.auth.add(f"app dependency {dep}")

    def _middleware(self, node: cst.Call, kwargs: dict[str, cst.BaseExpression], line: int, col: int) -> None:
        middleware = self.core.qualify(dotted(node.args[0].value) or "")
        short = middleware.rsplit(".", 1)[-1]
        if short == "CORSMiddleware":
            origins = kwargs.get("allow_origins")
            credentials = kwargs.get("allow_credentials")
            if origins is not None and '"*"' in cst.Module([]).code_for_node(origins).replace("'", '"') and isinstance(credentials, cst.Name) and credentials.value == "True":
                self.settings.append(Setting(line, col, "cors", "CORS allows every origin with credentials"))
        elif AUTH_NAME.search(short) or short == "AuthenticationMiddleware":
            self.auth.add(f"middleware {short}")
        elif "limit" in short.lower() or "throttl" in short.lower():
            self.rate_limits.add(f"middleware {short}")

    def _uses_gradio(self) -> bool:
        return any(v.split(".")[0] == "gradio" for v in self.core.imports.values())

    def _gradio(self, node: cst.Call, qualified: str, tail: str, kwargs: dict[str, cst.BaseExpression], line: int) -> None:
        if tail in ("Interface", "ChatInterface", "TabbedInterface"):
            fn = kwargs.get("fn") or (node.args[0].value if node.args and node.args[0].keyword is None else None)
            target = dotted(fn) if fn is not None else None
            if target:
                self.handlers.append(Handler("gradio", line, self.core.qualify(target), f"gr.{tail}"))

    def _gradio_event(self, node: cst.Call, kwargs: dict[str, cst.BaseExpression], line: int, tail: str) -> None:
        fn = kwargs.get("fn") or (node.args[0].value if node.args and node.args[0].keyword is None else None)
        target = dotted(fn) if fn is not None else None
        if target:
            self.handlers.append(Handler("gradio", line, self.core.qualify(target), f".{tail}()"))

    def contribute(self) -> dict[str, Any]:
        if "cors_all" in self.module_consts and self.module_consts.get("cors_credentials"):
            line, col = self.module_consts["cors_all"]
            self.settings.append(Setting(line, col, "cors", "CORS allows every origin with credentials"))
        modules = {v.split(".")[0] for v in self.core.imports.values()}
        frameworks = tuple(sorted(modules & {"fastapi", "flask", "django", "streamlit", "gradio", "starlette", "quart", "chainlit"}))
        return {"surface": SurfaceFacts(
            endpoints=tuple(self.endpoints),
            handlers=tuple(self.handlers),
            settings=tuple(sorted(set(self.settings), key=lambda s: (s.line, s.col, s.kind))),
            launches=tuple(self.launches),
            rate_limits=tuple(sorted(self.rate_limits)),
            auth=tuple(sorted(self.auth)),
            frameworks=frameworks,
            scoped_auth=tuple(sorted(self.scoped_auth)),
        )}
