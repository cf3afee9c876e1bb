"""``format()``: .NET composite formatting
(https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#format,
https://learn.microsoft.com/dotnet/standard/base-types/composite-formatting).

Supported: ``{index[,alignment][:format]}``, ``{{``/``}}`` escapes, the standard
numeric formats N, F, D, X, P, E, G, C with precision, and custom numeric
patterns made of ``0 # , .``.  Numbers print as with the invariant culture.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from validator.frontends.arm.syntax import ExpressionError
from validator.frontends.arm.values import arity, expect_str, is_int, to_text


def _grouped(digits: str) -> str:
    return f"{int(digits):,}" if digits else "0"


def _fixed(value, decimals: int, grouping: bool) -> str:
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    quantum = Decimal(1).scaleb(-decimals)
    rounded = number.quantize(quantum, rounding=ROUND_HALF_UP)  # .NET rounds half away from zero
    sign = "-" if rounded < 0 else ""
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    whole = _grouped(whole) if grouping else whole
    return sign + whole + ("." + fraction if decimals else "")


def _custom(value, pattern: str) -> str:
    integer_part, _, fraction_part = pattern.partition(".")
    decimals = sum(1 for c in fraction_part if c in "0#")
    minimum_decimals = fraction_part.count("0")
    minimum_integer = integer_part.count("0")
    text = _fixed(value, decimals, "," in integer_part)
    sign = "-" if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    fraction = fraction.rstrip("0").ljust(minimum_decimals, "0")
    digits = whole.replace(",", "")
    if digits == "0" and minimum_integer == 0:
        whole = ""
    elif len(digits) < minimum_integer:
        padded = digits.rjust(minimum_integer, "0")
        whole = f"{int(padded):,}".rjust(len(padded), "0") if "," in integer_part else padded
    return sign + whole + ("." + fraction if fraction else "")


def _number(value, spec: str) -> str:
    letter, precision_text = spec[:1], spec[1:]
    if precision_text and not precision_text.isdigit():
        if set(spec) <= set("0#,."):
            return _custom(value, spec)
        return spec  # .NET prints unknown custom patterns' literal characters; keep it simple
    precision = int(precision_text) if precision_text else None
    upper = letter.upper()
    if upper == "N":
        return _fixed(value, 2 if precision is None else precision, True)
    if upper == "F":
        return _fixed(value, 2 if precision is None else precision, False)
    if upper == "D":
        if not is_int(value):
            raise ExpressionError("format: the D format needs an integer")
        text = str(abs(value)).rjust(precision or 0, "0")
        return ("-" if value < 0 else "") + text
    if upper == "X":
        if not is_int(value):
            raise ExpressionError("format: the X format needs an integer")
        text = format(value & 0xFFFFFFFFFFFFFFFF if value < 0 else value, "X" if letter == "X" else "x")
        return text.rjust(precision or 0, "0")
    if upper == "P":
        return _fixed(value * 100, 2 if precision is None else precision, True) + " %"
    if upper == "E":
        digits = 6 if precision is None else precision
        mantissa, _, exponent = f"{value:.{digits}E}".partition("E")
        exponent_value = int(exponent)
        return f"{mantissa}{letter}{'-' if exponent_value < 0 else '+'}{abs(exponent_value):03d}"
    if upper == "C":
        return "¤" + _fixed(value, 2 if precision is None else precision, True)
    if upper in ("G", "R"):
        return to_text(value)
    if set(spec) <= set("0#,."):
        return _custom(value, spec)
    raise ExpressionError(f"format: unsupported numeric format '{spec}'")


def _apply(value, spec: str) -> str:
    if spec and isinstance(value, (int, float)) and not isinstance(value, bool):
        return _number(value, spec)
    return to_text(value)


def format_composite(template: str, args: list) -> str:
    """Format ``template`` with ``args`` the way .NET's ``string.Format`` does."""
    out, i, n = [], 0, len(template)
    while i < n:
        ch = template[i]
        if ch == "{":
            if template.startswith("{{", i):
                out.append("{")
                i += 2
                continue
            end = template.find("}", i)
            if end < 0:
                raise ExpressionError(f"format: unclosed '{{' at position {i}")
            body = template[i + 1:end]
            head, _, spec = body.partition(":")
            index_text, _, align_text = head.partition(",")
            try:
                index = int(index_text.strip())
                alignment = int(align_text.strip()) if align_text.strip() else 0
            except ValueError:
                raise ExpressionError(f"format: invalid format item '{{{body}}}'") from None
            if not 0 <= index < len(args):
                raise ExpressionError(f"format: index {index} is out of range ({len(args)} argument(s))")
            text = _apply(args[index], spec)
            out.append(text.rjust(alignment) if alignment >= 0 else text.ljust(-alignment))
            i = end + 1
        elif ch == "}":
            if not template.startswith("}}", i):
                raise ExpressionError(f"format: unmatched '}}' at position {i}")
            out.append("}")
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _format(ctx, args):
    arity("format", args, 1)
    return format_composite(expect_str("format", 1, args[0]), args[1:])


FUNCTIONS = {"format": _format}
