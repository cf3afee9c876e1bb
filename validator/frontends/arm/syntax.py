"""Lexer and recursive-descent parser for ARM template expressions.

The grammar follows the documented syntax
(https://learn.microsoft.com/azure/azure-resource-manager/templates/template-expressions):

    expression := primary postfix*
    primary    := STRING | INTEGER | call
    call       := NAME ('.' NAME)? '(' [expression (',' expression)*] ')'
    postfix    := ('.' | '?.') NAME | ('[' | '?[') expression ']'

``NAME.NAME(...)`` is a call of a user-defined function (``namespace.member``).
Parsing never recurses without bound: nesting deeper than ``MAX_DEPTH`` and
expressions longer than ``MAX_EXPRESSION_LENGTH`` raise ``ExpressionError``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_DEPTH = 100
MAX_EXPRESSION_LENGTH = 100_000


class ExpressionError(Exception):
    """An expression that cannot be parsed or evaluated (syntax, type or argument error)."""

    kind = "expression-error"


class UnknownFunctionError(ExpressionError):
    """A call of a function that ARM does not define (or the template does not declare)."""

    kind = "unknown-function"


@dataclass(frozen=True, slots=True)
class Literal:
    value: Any


@dataclass(frozen=True, slots=True)
class Call:
    name: str  # as written; ``namespace.member`` for user-defined functions
    args: tuple


@dataclass(frozen=True, slots=True)
class Member:
    target: Any
    key: Any  # a property name (str) or an index expression node
    safe: bool  # ``?.`` / ``?[``: a missing member yields null instead of an error
    computed: bool  # ``[expr]`` rather than ``.name``


_PUNCT = set("(),.[]")


def _tokenize(text: str) -> list[tuple[str, Any, int]]:
    """Split ``text`` into (kind, value, position) tokens; kinds: str int name punct end."""
    tokens: list[tuple[str, Any, int]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == "'":
            j, parts = i + 1, []
            while True:
                k = text.find("'", j)
                if k < 0:
                    raise ExpressionError(f"unterminated string literal at position {i}")
                parts.append(text[j:k])
                if k + 1 < n and text[k + 1] == "'":  # '' is an escaped quote
                    parts.append("'")
                    j = k + 2
                    continue
                i = k + 1
                break
            tokens.append(("str", "".join(parts), i))
        elif ch.isdigit() or (ch == "-" and i + 1 < n and text[i + 1].isdigit()):
            j = i + 1
            while j < n and text[j].isdigit():
                j += 1
            if j + 1 < n and text[j] == "." and text[j + 1].isdigit():
                raise ExpressionError(f"floating-point literals are not supported (position {i}); use json('{text[i:j]}...')")
            tokens.append(("int", int(text[i:j]), i))
            i = j
        elif ch.isalpha() or ch in "_$":
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] in "_$"):
                j += 1
            tokens.append(("name", text[i:j], i))
            i = j
        elif ch == "?" and i + 1 < n and text[i + 1] in ".[":
            tokens.append(("punct", "?" + text[i + 1], i))
            i += 2
        elif ch in _PUNCT:
            tokens.append(("punct", ch, i))
            i += 1
        else:
            raise ExpressionError(f"unexpected character {ch!r} at position {i}")
    tokens.append(("end", None, n))
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokenize(text)
        self.pos = 0

    def peek(self, offset: int = 0) -> tuple[str, Any, int]:
        return self.tokens[min(self.pos + offset, len(self.tokens) - 1)]

    def take(self, kind: str, value: Any = None) -> tuple[str, Any, int]:
        tok = self.peek()
        if tok[0] != kind or (value is not None and tok[1] != value):
            want = repr(value) if value is not None else kind
            got = "end of expression" if tok[0] == "end" else repr(tok[1])
            raise ExpressionError(f"expected {want} at position {tok[2]}, found {got}")
        self.pos += 1
        return tok

    def expression(self, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise ExpressionError(f"expression nested deeper than {MAX_DEPTH} levels")
        node = self.primary(depth)
        chain = 0
        while True:
            kind, value, _ = self.peek()
            if kind != "punct" or value not in (".", "?.", "[", "?["):
                return node
            chain += 1
            if depth + chain > MAX_DEPTH:  # long a.b.c... chains nest the tree as deeply as calls do
                raise ExpressionError(f"expression nested deeper than {MAX_DEPTH} levels")
            self.pos += 1
            safe = value.startswith("?")
            if value.endswith("."):
                name = self.take("name")[1]
                node = Member(node, name, safe, False)
            else:
                index = self.expression(depth + chain + 1)
                self.take("punct", "]")
                node = Member(node, index, safe, True)

    def primary(self, depth: int) -> Any:
        kind, value, position = self.peek()
        if kind in ("str", "int"):
            self.pos += 1
            return Literal(value)
        if kind != "name":
            got = "end of expression" if kind == "end" else repr(value)
            raise ExpressionError(f"expected a function call or literal at position {position}, found {got}")
        self.pos += 1
        name = value
        if self.peek()[:2] == ("punct", ".") and self.peek(1)[0] == "name" \
                and self.peek(2)[:2] == ("punct", "("):
            self.pos += 1
            name = f"{name}.{self.take('name')[1]}"
        self.take("punct", "(")
        args = []
        if self.peek()[:2] != ("punct", ")"):
            while True:
                args.append(self.expression(depth + 1))
                if self.peek()[:2] == ("punct", ","):
                    self.pos += 1
                    continue
                break
        self.take("punct", ")")
        return Call(name, tuple(args))


def parse_expression(text: str) -> Any:
    """Parse the inside of ``[...]`` into a syntax tree; raise ``ExpressionError`` when malformed."""
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_EXPRESSION_LENGTH} characters")
    parser = _Parser(text)
    node = parser.expression(0)
    kind, value, position = parser.peek()
    if kind != "end":
        raise ExpressionError(f"unexpected {value!r} at position {position} after a complete expression")
    return node


def split_template_string(text: str) -> tuple[bool, str]:
    """Classify a JSON string of a template: (True, inner expression) or (False, literal value).

    A string is an expression when it starts with ``[`` and ends with ``]``;
    a leading ``[[`` escapes the bracket and the string is the literal without
    its first ``[``.
    """
    if len(text) >= 2 and text[0] == "[" and text[-1] == "]":
        if text[1] == "[":
            return False, text[1:]
        return True, text[1:-1]
    return False, text
