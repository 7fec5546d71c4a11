"""Generic JSON round-trip for the frozen dataclasses of the per-file stage.

`encode` turns a dataclass tree into JSON-compatible data; `decode(cls, data)` rebuilds it from
the class's type hints, so a field added to `FileFacts`, `FileResult` or any record they hold is
cached without touching this module. Supported hints: dataclasses, `tuple[X, ...]`,
`tuple[X, Y]`, `list[X]`, `dict[K, V]`, `X | None` and other unions of those, `enum.Enum`
subclasses, `str`/`int`/`float`/`bool`, and `Any` (kept as the JSON value it is).

A dataclass is stored as a JSON array of its field values in field order (no keys: a warm scan
rebuilds about a million records, and positions are cheaper to store, parse and check than names),
without the trailing fields that hold their (immutable) default: an empty `Flow` is `[]`.

Each type gets a decoder (and each dataclass an encoder) compiled once from its type hints, the
way `dataclasses` builds `__init__`: straight-line code that checks every value's type and builds
the record positionally. The generated source depends only on the classes, never on the data.
A value that does not fit its hint raises `SerialError`; the cache treats that as a corrupt entry.
"""
from __future__ import annotations

import dataclasses
import enum
import json
import sys
import types
import typing
from typing import Any, Callable, Union

Decoder = Callable[[Any], Any]

_PLAIN = (str, int, bool)


class SerialError(ValueError):
    """Data does not match the type it is decoded as."""


# -- encoding --------------------------------------------------------------------------------
def encode(value: Any) -> Any:
    """A JSON-compatible copy of `value` (dataclasses become arrays of their field values)."""
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    encoder = _ENCODERS.get(kind)
    if encoder is None and dataclasses.is_dataclass(kind):
        encoder = _compile_encoder(kind)
    if encoder is not None:
        return encoder(value)
    if isinstance(value, enum.Enum):
        return encode(value.value)
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((encode(v) for v in value), key=repr)
    if isinstance(value, dict):
        return {(k if isinstance(k, str) else _key(k)): encode(v) for k, v in value.items()}
    return value


def _key(key: Any) -> str:
    if isinstance(key, enum.Enum):
        key = key.value
    if isinstance(key, (int, float, bool)) or key is None:
        return json.dumps(key)
    return str(key)


_ENCODERS: dict[type, Callable[[Any], list[Any]]] = {}


def _hints(cls: type) -> dict[str, Any]:
    module = sys.modules.get(cls.__module__)
    return typing.get_type_hints(cls, vars(module) if module else None)


_IMMUTABLE_DEFAULTS = (str, int, float, bool, type(None), tuple, frozenset)


def _stored_defaults(cls: type) -> tuple[int, list[Any]]:
    """How many leading fields are always stored, and the stored form of each field's default.

    Only defaults that decode to an immutable value (or a fresh dict or list) may be left out.
    """
    fields = dataclasses.fields(cls)
    hints = _hints(cls)
    stored: list[Any] = []
    for f in fields:
        if f.default is not dataclasses.MISSING and type(f.default) in _IMMUTABLE_DEFAULTS:
            stored.append(encode(f.default))
        elif f.default_factory in (tuple, frozenset):  # type: ignore[comparison-overlap]
            stored.append([])
        elif f.default_factory in (dict, list) and hints[f.name] not in (Any, object):  # type: ignore[comparison-overlap]
            stored.append({} if f.default_factory is dict else [])  # decoders of typed containers copy
        else:
            stored.append(dataclasses.MISSING)
    kept = len(fields)
    while kept and stored[kept - 1] is not dataclasses.MISSING:
        kept -= 1
    return kept, stored


def _compile_encoder(cls: type) -> Callable[[Any], list[Any]]:
    """`[o.a, encode(o.b), ...]` without the trailing defaults; plain scalars are copied as they are."""
    hints = _hints(cls)
    parts = []
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        plain = hint in _PLAIN or (typing.get_origin(hint) in (Union, types.UnionType)
                                   and all(a in (*_PLAIN, type(None)) for a in typing.get_args(hint)))
        parts.append(f"o.{f.name}" if plain else f"_encode(o.{f.name})")
    kept, stored = _stored_defaults(cls)
    lines = [f"r = [{', '.join(parts)}]"]
    if kept < len(stored):
        lines += [
            f"n = {len(stored)}",
            f"while n > {kept}:",
            "    v = r[n - 1]",
            "    w = _stored[n - 1]",
            "    if type(v) is not type(w) or v != w: break",
            "    n -= 1",
            f"if n < {len(stored)}: del r[n:]",
        ]
    source = f"def encode_{cls.__name__}(o):\n" + "".join(f"    {line}\n" for line in [*lines, "return r"])
    namespace: dict[str, Any] = {"_encode": encode, "_stored": stored}
    exec(source, namespace)  # noqa: S102 - source built from the class, never from data
    encoder: Callable[[Any], list[Any]] = namespace[f"encode_{cls.__name__}"]
    _ENCODERS[cls] = encoder
    return encoder


# -- decoding --------------------------------------------------------------------------------
def decode(cls: Any, data: Any) -> Any:
    """Rebuild a value of type `cls` from `encode`'s output."""
    decoder = _DECODERS.get(cls)
    if decoder is None:
        decoder = _NS[_compile(cls)]
        _DECODERS[cls] = decoder
    return decoder(data)


_DECODERS: dict[Any, Decoder] = {}


def _fail(what: str, data: Any) -> SerialError:
    return SerialError(f"expected {what}, got {type(data).__name__}")


def _float(data: Any) -> float:
    if type(data) is int:
        return float(data)
    raise _fail("float", data)


def _any(data: Any) -> Any:
    return data


#: Globals of the generated decoders: helpers, then one `_d<N>` per compiled type.
_NS: dict[str, Any] = {"_fail": _fail, "_float": _float, "SerialError": SerialError, "_new": object.__new__,
                       "_set": object.__setattr__, "json": json}
_NAMES: dict[Any, str] = {}


def _compile(cls: Any) -> str:
    """The name (in `_NS`) of the decoder of `cls`, generating it and its parts on first use."""
    name = _NAMES.get(cls)
    if name is not None:
        return name
    name = f"_d{len(_NAMES)}"
    _NAMES[cls] = name  # before the parts: a type may contain itself (`Flow` -> `RolePart` -> `Flow`)
    try:
        body = _body(cls)
    except BaseException:
        del _NAMES[cls]
        raise
    source = f"def {name}(d):\n" + "".join(f"    {line}\n" for line in body)
    exec(compile(source, f"<serial decoder of {cls!r}>", "exec"), _NS)  # noqa: S102 - source built from type hints
    return name


def _const(value: Any) -> str:
    """A global of the generated code holding `value`."""
    name = f"_c{len(_NS)}"
    _NS[name] = value
    return name


def _check(hint: Any, var: str, what: str) -> list[str]:
    """Statements that check `var` against `hint` and replace it by its decoded value."""
    if hint is Any or hint is object:
        return []
    if hint is type(None) or hint is None:
        return [f"if {var} is not None: raise _fail('null', {var})"]
    if hint in _PLAIN:
        return [f"if type({var}) is not {hint.__name__}: raise _fail({what!r}, {var})"]
    if hint is float:
        return [f"if type({var}) is not float: {var} = _float({var})"]
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        if type(None) in args and len(options) == 1:
            inner = _check(options[0], var, what)
            return [f"if {var} is not None:", *(f"    {line}" for line in inner)] if inner else []
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        # most such fields are empty: no call for those, and none for a tuple of plain values
        head = f"if type({var}) is not list: raise _fail('array', {var})"
        if args[0] in _PLAIN:
            return [head, "if " + var + ":", f"    for x in {var}:",
                    f"        if type(x) is not {args[0].__name__}: raise _fail({args[0].__name__!r}, x)",
                    f"    {var} = tuple({var})", "else:", f"    {var} = ()"]
        return [head, f"{var} = {_compile(hint)}({var}) if {var} else ()"]
    return [f"{var} = {_compile(hint)}({var})"]


def _body(cls: Any) -> list[str]:
    if cls is Any or cls is object:
        return ["return d"]
    if cls in _PLAIN or cls is float or cls is type(None) or cls is None:
        return [*_check(cls, "d", getattr(cls, "__name__", "null")), "return d"]
    if isinstance(cls, type) and issubclass(cls, enum.Enum):
        return [
            "try:",
            f"    return {_const(cls)}(d)",
            "except (ValueError, TypeError):",
            f"    raise _fail({cls.__name__!r}, d) from None",
        ]
    if isinstance(cls, type) and dataclasses.is_dataclass(cls):
        return _dataclass_body(cls)
    origin = typing.get_origin(cls)
    args = typing.get_args(cls)
    if origin in (Union, types.UnionType):
        options = [_compile(a) for a in args if a is not type(None)]
        lines = ["if d is None:", "    return None"] if type(None) in args else []
        for option in options:
            lines += ["try:", f"    return {option}(d)", "except (SerialError, TypeError, ValueError):", "    pass"]
        label = " | ".join(getattr(a, "__name__", str(a)) for a in args)
        return [*lines, f"raise _fail({label!r}, d)"]
    if origin is tuple or origin in (list, typing.List, set, frozenset) or cls in (tuple, list):
        build = {tuple: "tuple", list: "list", set: "set", frozenset: "frozenset"}.get(origin or cls, "list")
        head = ["if type(d) is not list: raise _fail('array', d)"]
        if origin is tuple and args and not (len(args) == 2 and args[1] is Ellipsis) and args != ((),):
            names = [f"v{i}" for i in range(len(args))]
            lines = [
                *head, f"if len(d) != {len(args)}: raise SerialError('expected {len(args)} items, got %d' % len(d))",
                f"{', '.join(names)}{',' if len(names) == 1 else ''} = d",
            ]
            for n, a in zip(names, args):
                lines += _check(a, n, getattr(a, "__name__", str(a)))
            return [*lines, f"return ({', '.join(names)}{',' if len(names) == 1 else ''})"]
        item = args[0] if args and args != ((),) else Any
        if item is Any or item is object:
            return [*head, f"return {build}(d)"]
        if item in _PLAIN:
            return [*head, "for v in d:", f"    if type(v) is not {item.__name__}: raise _fail({item.__name__!r}, v)",
                    f"return {build}(d)"]
        if item is float:
            return [*head, f"return {build}([v if type(v) is float else _float(v) for v in d])"]
        return [*head, f"return {build}([{_compile(item)}(v) for v in d])"]
    if origin is dict or cls is dict:
        key, value = args if args else (Any, Any)
        lines = ["if type(d) is not dict: raise _fail('object', d)"]
        key_code = "k"
        if key is not str and key is not Any:
            key_code = f"{_compile(key)}(json.loads(k))"
        if value is Any or value is object:
            return [*lines, "return dict(d)" if key_code == "k" else f"return {{{key_code}: v for k, v in d.items()}}"]
        if value in _PLAIN and key_code == "k":
            return [*lines, "for v in d.values():",
                    f"    if type(v) is not {value.__name__}: raise _fail({value.__name__!r}, v)", "return dict(d)"]
        return [*lines, f"return {{{key_code}: {_compile(value)}(v) for k, v in d.items()}}"]
    raise TypeError(f"cannot decode values of type {cls!r}")


def _dataclass_body(cls: type) -> list[str]:
    hints = _hints(cls)
    fields = dataclasses.fields(cls)
    if any(not f.init for f in fields):
        raise TypeError(f"cannot decode {cls.__name__}: it has fields outside __init__")
    names = [f"v{i}" for i in range(len(fields))]
    label = cls.__name__
    kept, stored = _stored_defaults(cls)
    lines = [f"if type(d) is not list: raise _fail({label + ' array'!r}, d)"]
    if kept == len(fields):
        lines.append(f"if len(d) != {len(fields)}: raise SerialError('{label}: expected {len(fields)} fields, got %d' % len(d))")
    else:
        lines += [
            f"if len(d) != {len(fields)}:",
            f"    if not {kept} <= len(d) < {len(fields)}: raise SerialError('{label}: expected {kept} to {len(fields)} fields, got %d' % len(d))",
            f"    d = d + {_const(stored)}[len(d):]",
        ]
    if names:
        lines.append(f"{', '.join(names)}{',' if len(names) == 1 else ''} = d")
    for n, f in zip(names, fields):
        lines += _check(hints[f.name], n, f"{label}.{f.name}")
    ctor = _const(cls)
    if hasattr(cls, "__post_init__"):
        return [*lines, f"return {ctor}({', '.join(names)})"]
    # Every field is given, so `__init__` (which sets frozen fields one by one through
    # `object.__setattr__`) has nothing to add: set them directly, through the slots if any.
    lines.append(f"o = _new({ctor})")
    for n, f in zip(names, fields):
        slot = cls.__dict__.get(f.name)
        if slot is not None and type(slot).__name__ == "member_descriptor":
            lines.append(f"{_const(slot.__set__)}(o, {n})")
        else:
            lines.append(f"_set(o, {f.name!r}, {n})")
    return [*lines, "return o"]
