"""Parameters, variables and user-defined functions of one template.

Parameters and variables are evaluated lazily, on first use, because they may
refer to each other in any order; a cycle is an ``ExpressionError``.
"""
from __future__ import annotations

from typing import Any, Callable

from validator.frontends.arm.syntax import ExpressionError
from validator.model import Unknown

_PENDING = object()
MAX_CHAIN = 50  # values defined through values... deeper than this is an error, not a RecursionError


class LazyScope:
    """Named values computed on first ``lookup`` (case-insensitive names, cycle detection)."""

    def __init__(self, kind: str):
        self.kind = kind
        self._makers: dict[str, tuple[str, Callable[[], Any]]] = {}
        self._values: dict[str, Any] = {}
        self._depth = 0

    def define(self, name: str, maker: Callable[[], Any]) -> None:
        self._makers[name.lower()] = (name, maker)

    def define_value(self, name: str, value: Any) -> None:
        self._makers[name.lower()] = (name, lambda: value)

    def lookup(self, name: str) -> Any:
        key = name.lower()
        value = self._values.get(key)
        if value is _PENDING:
            raise ExpressionError(f"the {self.kind} '{name}' refers to itself (circular reference)")
        if key in self._values:
            return value
        if key not in self._makers:
            raise ExpressionError(f"the template has no {self.kind} named '{name}'")
        if self._depth >= MAX_CHAIN:
            raise ExpressionError(f"{self.kind}s refer to one another more than {MAX_CHAIN} levels deep (at '{name}')")
        self._values[key] = _PENDING
        self._depth += 1
        try:
            value = self._makers[key][1]()
        except BaseException:
            del self._values[key]
            raise
        finally:
            self._depth -= 1
        self._values[key] = value
        return value

    def names(self) -> list[str]:
        return [name for name, _ in self._makers.values()]

    def evaluate_all(self) -> dict:
        """Every value, by declared name; failures were already reported by the makers."""
        result = {}
        for name in self.names():
            try:
                result[name] = self.lookup(name)
            except ExpressionError:
                result[name] = Unknown(f"{self.kind} '{name}' could not be evaluated")
        return result

    # Mapping-style access so that ``get_member``/``in`` work on a scope too.
    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._makers

    def __iter__(self):
        return iter(self.names())

    def __getitem__(self, name: str) -> Any:
        return self.lookup(name)

    def items(self):
        return [(name, self.lookup(name)) for name in self.names()]


def provided_value(name: str, value: Any) -> Any:
    """A parameter value as given by a parameter file or a nested deployment.

    A Key Vault reference (``{"reference": {"keyVault": ..., "secretName": ...}}``)
    is a secret only deploy time can read: Unknown.
    """
    if isinstance(value, dict) and set(value) == {"reference"} and isinstance(value["reference"], dict):
        secret = value["reference"].get("secretName", "?")
        return Unknown(f"Key Vault secret '{secret}' for parameter '{name}'")
    return value


def user_functions(template: dict) -> dict:
    """``{'namespace.member' (lower case): definition}`` from the template's ``functions``."""
    found = {}
    namespaces = template.get("functions")
    if not isinstance(namespaces, list):
        return found
    for namespace in namespaces:
        if not isinstance(namespace, dict) or not isinstance(namespace.get("namespace"), str):
            continue
        members = namespace.get("members")
        if isinstance(members, dict):
            for member, definition in members.items():
                if isinstance(definition, dict):
                    found[f"{namespace['namespace']}.{member}".lower()] = definition
    return found
