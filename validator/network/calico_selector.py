"""The Calico label selector language.

Grammar and precedence from
https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#selectors:
match operators (``k == 'v'``, ``k != 'v'``, ``k in {...}``, ``k not in {...}``,
``has(k)``, ``all()``, ``global()``, ``contains``, ``starts with``,
``ends with``) bind tightest, then parentheses, ``!``, ``&&`` and lowest
``||``.  Values are single- or double-quoted strings (no escapes); an empty
selector means ``all()``.  A selector is parsed once into a closure and
cached, because the same few selectors are checked against many endpoints.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Callable

from validator.model import Unknown

# A compiled selector: labels -> True/False, or None when a label it reads is Unknown.
Matcher = Callable[[Any, bool], "bool | None"]

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<op>&&|\|\||==|!=|!|\(|\)|\{|\}|,)
    | (?P<str>"[^"]*"|'[^']*')
    | (?P<word>[A-Za-z0-9_./\-]+)
    )""", re.VERBOSE)


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ValueError(f"unexpected character {text[pos:].strip()[:1]!r} at offset {pos} in selector {text!r}")
        pos = match.end()
        kind = match.lastgroup
        value = match.group(kind)
        tokens.append((kind, value[1:-1] if kind == "str" else value))
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokenize(text)
        self.pos = 0

    def fail(self, expected: str):
        got = self.tokens[self.pos][1] if self.pos < len(self.tokens) else "end of selector"
        raise ValueError(f"expected {expected}, found {got!r} in selector {self.text!r}")

    def peek(self, kind: str | None = None, value: str | None = None) -> bool:
        if self.pos >= len(self.tokens):
            return False
        k, v = self.tokens[self.pos]
        return (kind is None or k == kind) and (value is None or v == value)

    def take(self, kind: str, value: str | None = None, expected: str = "") -> str:
        if not self.peek(kind, value):
            self.fail(expected or value or kind)
        self.pos += 1
        return self.tokens[self.pos - 1][1]

    def parse(self) -> Matcher:
        if not self.tokens:
            return _all
        matcher = self.disjunction()
        if self.pos != len(self.tokens):
            self.fail("'&&', '||' or end of selector")
        return matcher

    def disjunction(self) -> Matcher:
        return self.chain("||", self.conjunction, True)

    def conjunction(self) -> Matcher:
        return self.chain("&&", self.negation, False)

    def chain(self, operator: str, operand: Callable[[], Matcher], dominant: bool) -> Matcher:
        """``a op b op c``: operands of the next precedence level joined by ``operator``."""
        parts = [operand()]
        while self.peek("op", operator):
            self.pos += 1
            parts.append(operand())
        return parts[0] if len(parts) == 1 else _combine(parts, dominant)

    def negation(self) -> Matcher:
        if self.peek("op", "!"):
            self.pos += 1
            return _negate(self.negation())
        return self.primary()

    def primary(self) -> Matcher:
        if self.peek("op", "("):
            self.pos += 1
            inner = self.disjunction()
            self.take("op", ")")
            return inner
        word = self.take("word", expected="a label, has(), all() or global()")
        if word in ("all", "global", "has") and self.peek("op", "("):
            self.pos += 1
            if word == "has":
                label = self.take("word", expected="a label name")
                self.take("op", ")")
                return _has(label)
            self.take("op", ")")
            return _all if word == "all" else _global
        return self.comparison(word)

    def comparison(self, label: str) -> Matcher:
        if self.peek("op", "==") or self.peek("op", "!="):
            negate = self.take("op") == "!="
            value = self.take("str", expected="a quoted value")
            matcher = _test(label, lambda have: have == value)
            # != and not in also match resources without the label (Calico docs)
            return _negate(matcher) if negate else matcher
        if self.peek("word", "in"):
            self.pos += 1
            values = self.value_set()
            return _test(label, lambda have: have in values)
        if self.peek("word", "not"):
            self.pos += 1
            self.take("word", "in", expected="'in' after 'not'")
            values = self.value_set()
            return _negate(_test(label, lambda have: have in values))
        if self.peek("word", "contains"):
            self.pos += 1
            value = self.take("str", expected="a quoted value")
            return _test(label, lambda have: value in have)
        for word, method in (("starts", str.startswith), ("ends", str.endswith)):
            if self.peek("word", word):
                self.pos += 1
                self.take("word", "with", expected=f"'with' after '{word}'")
                value = self.take("str", expected="a quoted value")
                return _test(label, lambda have, m=method, v=value: m(have, v))
        self.fail(f"an operator after label {label!r}")

    def value_set(self) -> frozenset:
        self.take("op", "{")
        values = []
        if not self.peek("op", "}"):
            values.append(self.take("str", expected="a quoted value"))
            while self.peek("op", ","):
                self.pos += 1
                values.append(self.take("str", expected="a quoted value"))
        self.take("op", "}")
        return frozenset(values)


# --- the closures a selector compiles to -----------------------------------------

def _all(labels: Any, global_scope: bool = False) -> bool | None:
    return True


def _global(labels: Any, global_scope: bool = False) -> bool | None:
    return global_scope  # only non-namespaced resources are "global"


def _has(label: str) -> Matcher:
    def has(labels: Any, global_scope: bool = False) -> bool | None:
        if isinstance(labels, Unknown):
            return None
        if label in labels:
            return True
        # labels known only in part answer Unknown for a key they do not list
        return None if isinstance(labels.get(label), Unknown) else False
    return has


def _test(label: str, predicate: Callable[[str], bool]) -> Matcher:
    """Label present and its value passes ``predicate``."""
    def test(labels: Any, global_scope: bool = False) -> bool | None:
        if isinstance(labels, Unknown):
            return None
        have = labels.get(label)
        if have is None:
            return False
        if isinstance(have, Unknown):
            return None
        return predicate(str(have))
    return test


def _negate(inner: Matcher) -> Matcher:
    def negate(labels: Any, global_scope: bool = False) -> bool | None:
        value = inner(labels, global_scope)
        return None if value is None else not value
    return negate


def _combine(parts: list[Matcher], dominant: bool) -> Matcher:
    """``&&`` (dominant False) or ``||`` (dominant True), three-valued and short-circuiting."""
    def combined(labels: Any, global_scope: bool = False) -> bool | None:
        unknown = False
        for part in parts:
            value = part(labels, global_scope)
            if value is dominant:
                return dominant
            unknown = unknown or value is None
        return None if unknown else not dominant
    return combined


@lru_cache(maxsize=8192)
def compile_selector(selector: str) -> Matcher:
    """Parse a Calico selector into a matcher ``(labels, global_scope=False) -> bool | None``.

    Raises ``ValueError`` (with the offending token) on a malformed selector.
    The matcher answers None when a label it needs has an Unknown value.
    """
    if not isinstance(selector, str):
        raise ValueError(f"a selector must be a string, not {type(selector).__name__}")
    try:
        return _Parser(selector).parse()
    except RecursionError:
        raise ValueError(f"selector nested too deeply: {selector[:60]!r}...") from None


def calico_selector_matches(selector: str, labels: dict, global_scope: bool = False) -> bool:
    """True when ``labels`` satisfy the Calico ``selector``; an empty selector matches all.

    Raises ``ValueError`` on a malformed selector.  ``global_scope`` says the
    labels belong to a non-namespaced resource (what ``global()`` matches).
    Returns None (not a bool) only when a label value it needs is Unknown.
    """
    return compile_selector(selector)(labels or {}, global_scope)
