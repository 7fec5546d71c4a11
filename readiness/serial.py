"""Generic JSON round-trip for the frozen dataclasses of the per-file stage.

`encode` turns a dataclass tree into JSON-compatible data; `decode(cls, data)` rebuilds it from
the class's type hints, so a field added to `FileFacts`, `FileResult` or any record they hold is
cached without touching this module. Supported hints: dataclasses, `tuple[X, ...]`,
`tuple[X, Y]`, `list[X]`, `dict[K, V]`, `X | None` and other unions of those, `enum.Enum`
subclasses, `str`/`int`/`float`/`bool`, and `Any` (kept as the JSON value it is).

A value that does not fit its hint raises `SerialError`; the cache treats that as a corrupt entry.
"""
from __future__ import annotations

import dataclasses
import enum
import sys
import types
import typing
from functools import lru_cache
from typing import Any, Callable, Union

Decoder = Callable[[Any], Any]


class SerialError(ValueError):
    """Data does not match the type it is decoded as."""


def encode(value: Any) -> Any:
    """A JSON-compatible copy of `value` (dataclasses become dicts keyed by field name)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return encode(value.value)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [encode(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, dict):
        return {(k if isinstance(k, str) else _key(k)): encode(v) for k, v in value.items()}
    return value


def _key(key: Any) -> str:
    if isinstance(key, enum.Enum):
        key = key.value
    if isinstance(key, (int, float, bool)) or key is None:
        import json

        return json.dumps(key)
    return str(key)


def decode(cls: Any, data: Any) -> Any:
    """Rebuild a value of type `cls` from `encode`'s output."""
    return _decoder(cls)(data)


def _fail(what: str, data: Any) -> SerialError:
    return SerialError(f"expected {what}, got {type(data).__name__}")


def _plain(kind: type) -> Decoder:
    def run(data: Any) -> Any:
        if kind is float and isinstance(data, int) and not isinstance(data, bool):
            return float(data)
        if not isinstance(data, kind) or (kind is int and isinstance(data, bool)):
            raise _fail(kind.__name__, data)
        return data

    return run


def _any(data: Any) -> Any:
    return data


@lru_cache(maxsize=None)
def _decoder(cls: Any) -> Decoder:
    if cls is Any or cls is object:
        return _any
    if cls is type(None) or cls is None:
        def none(data: Any) -> None:
            if data is not None:
                raise _fail("null", data)
        return none
    if cls in (str, int, float, bool):
        return _plain(cls)
    if isinstance(cls, type) and issubclass(cls, enum.Enum):
        def member(data: Any) -> Any:
            try:
                return cls(data)
            except ValueError:
                raise _fail(cls.__name__, data) from None
        return member
    if isinstance(cls, type) and dataclasses.is_dataclass(cls):
        return _dataclass_decoder(cls)
    origin = typing.get_origin(cls)
    args = typing.get_args(cls)
    if origin in (Union, types.UnionType):
        return _union_decoder(args)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])
            return lambda data: tuple([item(v) for v in _seq(data)])
        if args == ((),) or not args:
            return lambda data: tuple(_seq(data))
        items = [_decoder(a) for a in args]

        def fixed(data: Any) -> tuple[Any, ...]:
            seq = _seq(data)
            if len(seq) != len(items):
                raise SerialError(f"expected {len(items)} items, got {len(seq)}")
            return tuple(d(v) for d, v in zip(items, seq))
        return fixed
    if origin in (list, typing.List):
        item = _decoder(args[0]) if args else _any
        return lambda data: [item(v) for v in _seq(data)]
    if origin in (set, frozenset):
        item = _decoder(args[0]) if args else _any
        return lambda data: origin(item(v) for v in _seq(data))
    if origin is dict:
        key = _key_decoder(args[0]) if args else _any
        value = _decoder(args[1]) if args else _any

        def mapping(data: Any) -> dict[Any, Any]:
            if not isinstance(data, dict):
                raise _fail("object", data)
            return {key(k): value(v) for k, v in data.items()}
        return mapping
    if cls is tuple:
        return lambda data: tuple(_seq(data))
    if cls is dict:
        return _plain(dict)
    if cls is list:
        return _plain(list)
    raise TypeError(f"cannot decode values of type {cls!r}")


def _key_decoder(cls: Any) -> Decoder:
    if cls is str or cls is Any:
        return _plain(str) if cls is str else _any
    import json

    inner = _decoder(cls)
    return lambda data: inner(json.loads(data))


def _seq(data: Any) -> list[Any]:
    if not isinstance(data, list):
        raise _fail("array", data)
    return data


def _union_decoder(args: tuple[Any, ...]) -> Decoder:
    options = [_decoder(a) for a in args if a is not type(None)]
    nullable = type(None) in args

    def run(data: Any) -> Any:
        if data is None and nullable:
            return None
        for option in options:
            try:
                return option(data)
            except (SerialError, TypeError, ValueError):
                continue
        raise _fail(" | ".join(getattr(a, "__name__", str(a)) for a in args), data)
    return run


def _dataclass_decoder(cls: type) -> Decoder:
    module = sys.modules.get(cls.__module__)
    hints = typing.get_type_hints(cls, vars(module) if module else None)
    names = frozenset(f.name for f in dataclasses.fields(cls))
    required = frozenset(
        f.name for f in dataclasses.fields(cls)
        if f.init and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    )
    plan: list[tuple[str, Decoder]] = []  # filled on first use: field types may refer to this class

    def run(data: Any) -> Any:
        if not isinstance(data, dict):
            raise _fail(f"{cls.__name__} object", data)
        if not plan:
            plan.extend((f.name, _decoder(hints[f.name])) for f in dataclasses.fields(cls) if f.init)
        kwargs = {name: decoder(data[name]) for name, decoder in plan if name in data}
        if len(kwargs) != len(data):
            raise SerialError(f"{cls.__name__}: unknown {', '.join(sorted(data.keys() - names))}")
        if len(kwargs) < len(required) or not required <= kwargs.keys():
            raise SerialError(f"{cls.__name__}: missing {', '.join(sorted(required - kwargs.keys()))}")
        return cls(**kwargs)
    return run
