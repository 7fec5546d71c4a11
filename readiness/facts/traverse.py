"""`visit_batched`, as libcst's, with the dispatch looked up once per node type and no node rebuilt.

libcst's batched visitor formats a method name (`f"visit_{type}_{attribute}"`) and looks it up
on every node and on every attribute of every node, twice (visit and leave): millions of string
builds per large file, almost all for attributes no collector handles. This one resolves each
node type's methods the first time it meets the type and keeps them by class. The methods run
in the same order as libcst runs them (by visitor, in the order visitors are given).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import libcst as cst
from libcst import MaybeSentinel

_Methods = tuple[Callable[[cst.CSTNode], None], ...]
_NONE: _Methods = ()
_DEFAULT = MaybeSentinel.DEFAULT


class _Dispatch:
    __slots__ = ("visit", "leave", "visit_attr", "leave_attr")

    def __init__(self, name: str, methods: dict[str, list[Callable[[cst.CSTNode], None]]],
                 attrs: dict[tuple[str, str], dict[str, _Methods]] | None = None) -> None:
        self.visit: _Methods = tuple(methods.get(f"visit_{name}", ()))
        self.leave: _Methods = tuple(methods.get(f"leave_{name}", ()))
        if attrs is None:
            attrs = _attribute_methods(methods)
        # None when the type has no attribute methods at all (the common case)
        self.visit_attr: dict[str, _Methods] | None = attrs.get(("visit", name))
        self.leave_attr: dict[str, _Methods] | None = attrs.get(("leave", name))


def _attribute_methods(methods: dict[str, list[Callable[[cst.CSTNode], None]]]) -> dict[tuple[str, str], dict[str, _Methods]]:
    """`visit_<Type>_<attribute>` / `leave_<Type>_<attribute>` methods by (`visit`|`leave`, type name):
    node type names have no underscore, attribute names may."""
    found: dict[tuple[str, str], dict[str, _Methods]] = {}
    for key, fns in methods.items():
        kind, _, rest = key.partition("_")
        name, sep, attribute = rest.partition("_")
        if sep:
            found.setdefault((kind, name), {})[attribute] = tuple(fns)
    return found


#: A regular node type's attribute order (the same for every node of the type), probed once.
_FIELDS: dict[type, tuple[str, ...]] = {}


#: Node types whose `_visit_and_replace_children` is not one fixed sequence of attributes
#: (it branches on the node's values); they are traversed through libcst itself.
IRREGULAR = frozenset({"FormattedStringExpression", "ImportFrom", "LazyImportFrom", "TemplatedStringExpression"})


class _Probe(cst.CSTVisitor):
    """Records the attributes a node's own traversal visits, in order, without descending."""

    def __init__(self, target: cst.CSTNode) -> None:
        super().__init__()
        self.target = target
        self.fields: list[str] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        return False

    def on_leave(self, original_node: cst.CSTNode) -> None:
        return None

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        if node is self.target:
            self.fields.append(attribute)


class _Bridge(cst.CSTVisitor):
    """Lets libcst traverse an irregular node's attributes while its children go through `_walk`."""

    def __init__(self, walker: _Walker) -> None:
        super().__init__()
        self.walker = walker

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.walker.walk(node)
        return False

    def on_leave(self, original_node: cst.CSTNode) -> None:
        return None

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        table = self.walker.plans[node.__class__][0].visit_attr
        if table is not None:
            for fn in table.get(attribute, _NONE):
                fn(node)

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        table = self.walker.plans[original_node.__class__][0].leave_attr
        if table is not None:
            for fn in table.get(attribute, _NONE):
                fn(original_node)


class _Walker:
    """The traversal libcst's `CSTNode.visit` does for a visitor, without rebuilding every node.

    libcst's `visit` reconstructs (and re-validates) each node from its visited children even
    for a read-only visitor. Here each node type's attribute order is read once from libcst's
    own traversal of the first node of that type (`_Probe`), then followed directly.
    """

    def __init__(self, methods: dict[str, list[Callable[[cst.CSTNode], None]]]) -> None:
        self.methods = methods
        self.attrs = _attribute_methods(methods)
        self.plans: dict[type, tuple[_Dispatch, tuple[str, ...] | None]] = {}
        #: Types whose walk does nothing: no method of any visitor and no child (whitespace,
        #: mostly: about half of all nodes). The walk skips the call.
        self.inert: set[type] = set()
        self.bridge = _Bridge(self)

    def _plan(self, node: cst.CSTNode) -> tuple[_Dispatch, tuple[str, ...] | None]:
        cls = node.__class__
        dispatch = _Dispatch(cls.__name__, self.methods, self.attrs)
        fields: tuple[str, ...] | None = None
        if cls.__name__ not in IRREGULAR:
            fields = _FIELDS.get(cls)
            if fields is None:
                probe = _Probe(node)
                node._visit_and_replace_children(probe)
                fields = _FIELDS[cls] = tuple(probe.fields)
        plan = self.plans[cls] = (dispatch, fields)
        if fields == () and not (dispatch.visit or dispatch.leave or dispatch.visit_attr or dispatch.leave_attr):
            self.inert.add(cls)
        return plan

    def walk(self, node: cst.CSTNode) -> None:
        plans = self.plans
        inert = self.inert
        walk = self.walk
        dispatch, fields = plans.get(node.__class__) or self._plan(node)
        for fn in dispatch.visit:
            fn(node)
        if fields is None:
            node._visit_and_replace_children(self.bridge)
        else:
            visit_attr = dispatch.visit_attr
            leave_attr = dispatch.leave_attr
            for name in fields:
                if visit_attr is not None:
                    for fn in visit_attr.get(name, _NONE):
                        fn(node)
                value = getattr(node, name)
                kind = value.__class__
                if kind is tuple or kind is list:
                    for child in value:
                        if child.__class__ not in inert:
                            walk(child)
                elif value is None or value is _DEFAULT or kind in inert:
                    pass
                elif kind in plans or isinstance(value, cst.CSTNode):
                    walk(value)
                else:  # another sequence type
                    for child in value:
                        walk(child)
                if leave_attr is not None:
                    for fn in leave_attr.get(name, _NONE):
                        fn(node)
        for fn in dispatch.leave:
            fn(node)


_NAMES: dict[type, tuple[str, ...]] = {}


def _visitor_methods(visitors: Sequence[cst.BatchableCSTVisitor]) -> dict[str, list[Callable[[cst.CSTNode], None]]]:
    """libcst's `BatchableCSTVisitor.get_visitors` for each visitor, gathered by name in visitor
    order, with the `inspect.getmembers` scan done once per visitor class (it is per instance there)."""
    methods: dict[str, list[Callable[[cst.CSTNode], None]]] = {}
    for visitor in visitors:
        cls = type(visitor)
        names = _NAMES.get(cls)
        if names is None:
            names = _NAMES[cls] = tuple(visitor.get_visitors())
        for name in names:
            methods.setdefault(name, []).append(getattr(visitor, name))
    return methods


def visit_batched(node: cst.CSTNode, visitors: Iterable[cst.BatchableCSTVisitor]) -> None:
    """Traverse `node` once, calling every visitor's `visit_*`/`leave_*` methods exactly as
    libcst's `visit_batched` calls them (same methods, same order)."""
    _Walker(_visitor_methods(list(visitors))).walk(node)
