"""ARM value semantics shared by the function modules: types, argument checks,
equality, string conversion and Unknown propagation.

ARM values are JSON values (Python ``dict``/``list``/``str``/``int``/``float``/
``bool``/``None``) plus ``validator.model.Unknown`` for what only deploy time knows.
"""
from __future__ import annotations

import json
from typing import Any

from validator.frontends.arm.syntax import ExpressionError
from validator.model import Unknown, contains_unknown

MAX_ORIGIN = 200


class UnknownInside(Exception):
    """Raised when text is to be made of a value holding an Unknown; the call's result is Unknown."""


_KIND_NAMES = {bool: "bool", int: "int", float: "float", str: "string", list: "array", dict: "object"}


def type_name(value: Any) -> str:
    """The ARM type name of a value, used in error messages."""
    if value is None:
        return "null"
    if isinstance(value, Unknown):
        return "unknown"
    for kind, name in _KIND_NAMES.items():  # bool first: Python counts it as an int
        if isinstance(value, kind):
            return name
    return type(value).__name__


def unknown_from(function: str, *values: Any) -> Unknown:
    """An Unknown for ``function`` applied to values of which at least one is (or holds) Unknown."""
    for value in values:
        found = first_unknown(value)
        if found is not None:
            origin = f"{function}({found.origin})"
            if len(origin) > MAX_ORIGIN:
                origin = origin[: MAX_ORIGIN - 4] + "...)"
            return Unknown(origin)
    return Unknown(f"{function}(...)")


def first_unknown(value: Any) -> Unknown | None:
    """The first Unknown inside a JSON-like value, or None."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            found = first_unknown(item)
            if found is not None:
                return found
    return None


def is_int(value: Any) -> bool:
    """True for ints, not bools (JSON true is no number)."""
    return isinstance(value, int) and not isinstance(value, bool)


def expect(function: str, position: int, value: Any, *kinds: type) -> Any:
    """Return ``value`` when it is one of ``kinds``, else raise an ARM-style type error.

    A bool is only accepted where ``bool`` is asked for, although Python
    counts it as an int.
    """
    accepted = value if isinstance(value, bool) and bool in kinds else None
    if accepted is None and not isinstance(value, bool) and isinstance(value, kinds):
        accepted = value
    if accepted is not None or (value is None and type(None) in kinds):
        return value
    wanted = " or ".join(_KIND_NAMES.get(k, "null") for k in kinds)
    raise ExpressionError(
        f"{function}: argument {position} must be {wanted}, not {type_name(value)} ({short(value)})")


def expect_int(function: str, position: int, value: Any) -> int:
    """``value`` when it is an int, else an ARM-style type error."""
    return expect(function, position, value, int)


def expect_str(function: str, position: int, value: Any) -> str:
    """``value`` when it is a string, else an ARM-style type error."""
    return expect(function, position, value, str)


def arity(function: str, args: list, minimum: int, maximum: int | None = None) -> None:
    """Raise unless ``minimum <= len(args) <= maximum`` (``maximum`` None: no upper bound)."""
    count = len(args)
    if count < minimum or (maximum is not None and count > maximum):
        if maximum == minimum:
            want = f"{minimum}"
        elif maximum is None:
            want = f"at least {minimum}"
        else:
            want = f"{minimum} to {maximum}"
        raise ExpressionError(f"{function}: expects {want} argument(s), got {count}")


def short(value: Any, limit: int = 60) -> str:
    """A short printable form of a value for messages."""
    text = str(value) if isinstance(value, Unknown) else json.dumps(
        value, separators=(",", ":"), ensure_ascii=False, default=str)  # messages may show Unknowns inside
    return text if len(text) <= limit else text[: limit - 3] + "..."


def to_json(value: Any) -> str:
    """Compact JSON the way ARM's ``string()`` writes objects and arrays (``UnknownInside`` if one is inside)."""
    if contains_unknown(value):
        raise UnknownInside()
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


def to_text(value: Any) -> str:
    """The string form ARM uses when a value is inserted into text (``string()``, ``format()``).

    Booleans print as .NET does (``True``/``False``); null is empty; objects
    and arrays are compact JSON.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "True" if value else "False"
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return to_json(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def arm_equals(left: Any, right: Any) -> bool:
    """Deep equality: strings case-sensitive, int 1 equals float 1.0, bool never equals int."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return left == right
    if type(left) is not type(right):
        return False
    if isinstance(left, list):
        return len(left) == len(right) and all(arm_equals(a, b) for a, b in zip(left, right))
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(arm_equals(v, right[k]) for k, v in left.items())
    return left == right


def has_unknown(*values: Any) -> bool:
    """True when any of the values is, or holds, an Unknown."""
    return any(contains_unknown(v) for v in values)


def get_member(value: Any, key: str) -> tuple[bool, Any]:
    """Look up an object property the way ARM does: exact match first, then case-insensitive."""
    if key in value:
        return True, value[key]
    folded = key.lower()
    for name, item in value.items():
        if isinstance(name, str) and name.lower() == folded:
            return True, item
    return False, None
