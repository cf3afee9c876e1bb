"""The Bicep syntax tree: one dataclass per construct, each with a 1-based line and column.

The tree keeps what the source says, not what it means: an :class:`Identifier`
is a name to resolve, a :class:`StringLiteral` is text, and an
:class:`InterpolatedString` alternates text and expressions.  Nothing here is
evaluated; the Bicep front-end maps this tree onto ``validator.model``.

Positions: a declaration starts at its keyword (``resource``, ``param``...),
its decorators carry their own; an expression starts where the Bicep
compiler's syntax node starts (``(a + b) * c`` at the ``(``), which the
benchmark checks against the compiler's own syntax baselines.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Union


@dataclass(eq=False)
class Node:
    """Base of every syntax node: where it starts in the source (1-based line and column)."""

    line: int
    column: int

    def children(self) -> Iterator["Node"]:
        """Direct child nodes, in source order (lists and tuples are flattened)."""
        for name in self.__dataclass_fields__:
            if name in ("line", "column"):
                continue
            yield from _nodes_in(getattr(self, name))

    def walk(self) -> Iterator["Node"]:
        """This node and every node below it, parents before children."""
        stack: list[Node] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(list(node.children())))


def _nodes_in(value: object) -> Iterator[Node]:
    if isinstance(value, Node):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _nodes_in(item)


# ---------------------------------------------------------------- expressions


@dataclass(eq=False)
class Identifier(Node):
    """A symbolic name (parameter, variable, resource, loop variable, function, namespace)."""

    name: str


@dataclass(eq=False)
class StringLiteral(Node):
    """A string without interpolation, escapes already decoded; ``multiline`` for ``'''`` strings."""

    value: str
    multiline: bool = False


@dataclass(eq=False)
class InterpolatedString(Node):
    """``'a${x}b'``: ``parts`` alternates ``str`` text and expression nodes, starting and ending with text."""

    parts: list
    multiline: bool = False


@dataclass(eq=False)
class IntLiteral(Node):
    value: int


@dataclass(eq=False)
class BoolLiteral(Node):
    value: bool


@dataclass(eq=False)
class NullLiteral(Node):
    pass


@dataclass(eq=False)
class ObjectProperty(Node):
    """``key: value``; ``key`` is an Identifier or a (possibly interpolated) string."""

    key: Node
    value: Node

    @property
    def key_text(self) -> str | None:
        """The key as text, or None when it is interpolated."""
        if isinstance(self.key, Identifier):
            return self.key.name
        if isinstance(self.key, StringLiteral):
            return self.key.value
        return None


@dataclass(eq=False)
class Spread(Node):
    """``...expr`` inside an object or an array."""

    value: Node


@dataclass(eq=False)
class ObjectLit(Node):
    """``{ ... }``: ObjectProperty and Spread entries, plus nested ResourceDecl in a resource body."""

    properties: list

    def get(self, key: str) -> Node | None:
        """The value of the last plain property named ``key`` (Bicep keys are case-insensitive)."""
        found = None
        lowered = key.lower()
        for entry in self.properties:
            if isinstance(entry, ObjectProperty):
                text = entry.key_text
                if text is not None and text.lower() == lowered:
                    found = entry.value
        return found


@dataclass(eq=False)
class ArrayLit(Node):
    """``[ ... ]``: expression and Spread items."""

    items: list


@dataclass(eq=False)
class ForExpr(Node):
    """``[for item in iterable: body]``, ``[for (item, index) in ...]``, with ``if (cond)`` filter."""

    item: Identifier | None
    index: Identifier | None
    iterable: Node
    condition: Node | None
    body: Node


@dataclass(eq=False)
class IfExpr(Node):
    """``if (condition) { ... }``: the conditional body of a resource or module."""

    condition: Node
    body: Node


@dataclass(eq=False)
class Ternary(Node):
    condition: Node
    if_true: Node
    if_false: Node


@dataclass(eq=False)
class Binary(Node):
    """``left op right``; ``op`` is the operator text (``&&``, ``??``, ``=~``, ...)."""

    op: str
    left: Node
    right: Node


@dataclass(eq=False)
class Unary(Node):
    """Prefix ``!``, ``-`` or ``+``."""

    op: str
    operand: Node


@dataclass(eq=False)
class NonNull(Node):
    """Postfix ``expr!``: the author asserts the value is not null."""

    value: Node


@dataclass(eq=False)
class Call(Node):
    """``name(args)``, ``ns.name(args)`` or ``expr.method(args)``; ``namespace`` is the node before the dot."""

    namespace: Node | None
    name: str
    args: list


@dataclass(eq=False)
class PropertyAccess(Node):
    """``obj.name``; ``safe`` for ``obj.?name``."""

    obj: Node
    name: str
    safe: bool = False


@dataclass(eq=False)
class IndexAccess(Node):
    """``obj[index]``; ``safe`` for ``[?...]``, ``from_end`` for ``[^...]``."""

    obj: Node
    index: Node
    safe: bool = False
    from_end: bool = False


@dataclass(eq=False)
class ResourceAccess(Node):
    """``parent::child``: a nested resource reached through its parent's symbol."""

    obj: Node
    name: str


@dataclass(eq=False)
class Lambda(Node):
    """``x => body`` or ``(a, b) => body``."""

    params: list
    body: Node


# ---------------------------------------------------------------------- types


@dataclass(eq=False)
class TypeRef(Node):
    """A named type: ``string``, ``sys.int``, a user type, or an imported ``ns.type``."""

    name: str


@dataclass(eq=False)
class TypeAccess(Node):
    """``T.prop``, ``T[0]``, ``T[*]`` or ``T.*`` into another type; ``member`` is str, int or ``'*'``."""

    base: Node
    member: object
    kind: str  # "property" | "index" | "additional" (.*) | "items" ([*])


@dataclass(eq=False)
class ResourceTypeRef(Node):
    """``resource 'T@v'``, ``resourceInput<'T@v'>`` or ``resourceOutput<'T@v'>``."""

    kind: str
    type_string: str


@dataclass(eq=False)
class UnionType(Node):
    members: list


@dataclass(eq=False)
class ArrayType(Node):
    """``T[]``."""

    item: Node


@dataclass(eq=False)
class NullableType(Node):
    """``T?``."""

    inner: Node


@dataclass(eq=False)
class NonNullType(Node):
    """``T!``: ``T`` without null."""

    inner: Node


@dataclass(eq=False)
class TypeProperty(Node):
    """``name: T`` in an object type; ``name`` is ``'*'`` for the additional-properties matcher."""

    name: str
    type: Node
    decorators: list = field(default_factory=list)


@dataclass(eq=False)
class ObjectType(Node):
    properties: list


@dataclass(eq=False)
class TupleItem(Node):
    type: Node
    decorators: list = field(default_factory=list)


@dataclass(eq=False)
class TupleType(Node):
    items: list


@dataclass(eq=False)
class LiteralType(Node):
    """A literal used as a type (``'Standard'``, ``1``, ``-1``, ``true``, ``null``)."""

    value: Node


# ----------------------------------------------------------------- statements


@dataclass(eq=False)
class Decorator(Node):
    """``@name(args)`` or ``@ns.name(args)``: ``call`` is the Call (bare ``@name`` has no args)."""

    call: Call

    @property
    def name(self) -> str:
        return self.call.name


@dataclass(eq=False)
class ParamDecl(Node):
    name: str
    type: Node
    default: Node | None
    decorators: list = field(default_factory=list)


@dataclass(eq=False)
class ParamAssign(Node):
    """``param name = value`` in a ``.bicepparam`` file."""

    name: str
    value: Node
    decorators: list = field(default_factory=list)


@dataclass(eq=False)
class VarDecl(Node):
    name: str
    type: Node | None
    value: Node
    decorators: list = field(default_factory=list)


@dataclass(eq=False)
class TypeDecl(Node):
    name: str
    type: Node
    decorators: list = field(default_factory=list)


@dataclass(eq=False)
class ResourceDecl(Node):
    """``resource name 'Type@api' [existing] = body``; body is ObjectLit, IfExpr or ForExpr."""

    name: str
    type_string: str
    existing: bool
    body: Node
    decorators: list = field(default_factory=list)
    type_node: Node | None = None

    @property
    def resource_type(self) -> str:
        """``Microsoft.X/y`` without the API version (a nested resource may give only ``y``)."""
        return self.type_string.split("@", 1)[0]

    @property
    def api_version(self) -> str:
        return self.type_string.split("@", 1)[1] if "@" in self.type_string else ""


@dataclass(eq=False)
class ModuleDecl(Node):
    """``module name 'path' = body``; ``path`` is a relative path or a ``br:``/``ts:`` reference."""

    name: str
    path: str
    body: Node
    decorators: list = field(default_factory=list)
    path_node: Node | None = None


@dataclass(eq=False)
class TestDecl(Node):
    name: str
    path: str
    body: Node
    decorators: list = field(default_factory=list)
    path_node: Node | None = None


@dataclass(eq=False)
class OutputDecl(Node):
    name: str
    type: Node
    value: Node
    decorators: list = field(default_factory=list)


@dataclass(eq=False)
class FuncParam(Node):
    name: str
    type: Node


@dataclass(eq=False)
class FuncDecl(Node):
    name: str
    params: list
    return_type: Node
    body: Node
    decorators: list = field(default_factory=list)


@dataclass(eq=False)
class ImportedSymbol(Node):
    name: str
    alias: str | None = None


@dataclass(eq=False)
class ImportDecl(Node):
    """``import {a, b as c} from 'file'`` or ``import * as ns from 'file'`` (``wildcard_alias``)."""

    symbols: list
    wildcard_alias: str | None
    source: str
    decorators: list = field(default_factory=list)
    source_node: Node | None = None


@dataclass(eq=False)
class ExtensionDecl(Node):
    """``extension spec [with {...}] [as alias]`` (also the older ``provider`` and ``import 'x@v'`` forms).

    ``spec`` is the string (``'br:...@1.0'``) or the bicepconfig alias name.
    """

    keyword: str
    spec: str
    config: Node | None
    alias: str | None
    decorators: list = field(default_factory=list)
    spec_node: Node | None = None  # None when spec is an alias name


@dataclass(eq=False)
class UsingDecl(Node):
    """``using 'main.bicep'`` (``path`` None for ``using none``), optionally ``with {...}``."""

    path: str | None
    config: Node | None = None
    path_node: Node | None = None


@dataclass(eq=False)
class ExtendsDecl(Node):
    """``extends 'base.bicepparam'``."""

    path: str
    path_node: Node | None = None


@dataclass(eq=False)
class ExtensionConfig(Node):
    """``extensionConfig alias with {...}`` in a ``.bicepparam`` file."""

    name: str
    config: Node


@dataclass(eq=False)
class TargetScope(Node):
    value: Node


@dataclass(eq=False)
class Metadata(Node):
    name: str
    value: Node


@dataclass(eq=False)
class AssertDecl(Node):
    name: str
    value: Node


@dataclass(eq=False)
class Comment(Node):
    """A ``//`` or ``/* */`` comment or a ``#disable-next-line`` directive, kept for suppressions."""

    text: str


@dataclass(eq=False)
class BicepFile(Node):
    """A parsed ``.bicep`` or ``.bicepparam`` file."""

    path: str
    statements: list
    comments: list = field(default_factory=list)

    def children(self) -> Iterator[Node]:
        yield from self.statements

    @property
    def is_params(self) -> bool:
        """True for a parameters file (``.bicepparam``, or any file with a ``using`` statement)."""
        return self.path.endswith(".bicepparam") or any(
            isinstance(statement, UsingDecl) for statement in self.statements)


# fields that repeat another field's text as a node, left out of dump()
_REPEATS = frozenset({"line", "column", "type_node", "path_node", "source_node", "spec_node"})


def dump(node: object) -> str:
    """A compact, position-free rendering of a tree, for tests and debugging.

    Identifiers print bare, strings quoted, literals as Bicep writes them; fields
    that are None, False or empty are left out, and True flags print as their name.
    """
    if isinstance(node, list):
        return "[" + ", ".join(dump(item) for item in node) + "]"
    if not isinstance(node, Node):
        return repr(node)
    if isinstance(node, Identifier):
        return node.name
    if isinstance(node, StringLiteral):
        return repr(node.value)
    if isinstance(node, (IntLiteral, BoolLiteral)):
        return str(node.value).lower()
    if isinstance(node, NullLiteral):
        return "null"
    shown = []
    for name in node.__dataclass_fields__:
        value = getattr(node, name)
        # type_node/path_node repeat type_string/path as nodes
        if name in _REPEATS or value is None or value is False or value == []:
            continue
        shown.append(name if value is True else f"{name}={dump(value)}")
    return f"{type(node).__name__}({', '.join(shown)})"


Statement = Union[ParamDecl, ParamAssign, VarDecl, TypeDecl, ResourceDecl, ModuleDecl, TestDecl,
                  OutputDecl, FuncDecl, ImportDecl, ExtensionDecl, UsingDecl, ExtendsDecl,
                  ExtensionConfig, TargetScope, Metadata, AssertDecl]
