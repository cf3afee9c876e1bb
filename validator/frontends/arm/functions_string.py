"""String functions that take text only
(https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string).

Functions that accept a string or an array (``concat``, ``contains``,
``length``...) are in ``functions_array``; ``format`` in ``functions_format``.
"""
from __future__ import annotations

import base64
import binascii
import json
from urllib.parse import quote, unquote, urljoin

from validator.frontends.arm.hashes import deterministic_guid, unique_string
from validator.frontends.arm.syntax import ExpressionError
from validator.frontends.arm.values import arity, expect_int, expect_str, to_json, to_text, type_name
from validator.model import Unknown

MAX_PAD = 16_384  # padLeft's documented maximum total length


def _one_string(name: str, args: list) -> str:
    arity(name, args, 1, 1)
    return expect_str(name, 1, args[0])


def _base64(ctx, args):
    return base64.b64encode(_one_string("base64", args).encode("utf-8")).decode("ascii")


def _decode_base64(name: str, text: str) -> str:
    try:
        return base64.b64decode(text, validate=True).decode("utf-8")
    except (binascii.Error, ValueError) as error:
        raise ExpressionError(f"{name}: '{text[:40]}' is not valid base64 text ({error})") from None


def _base64_to_string(ctx, args):
    return _decode_base64("base64ToString", _one_string("base64ToString", args))


def _base64_to_json(ctx, args):
    return parse_json("base64ToJson", _decode_base64("base64ToJson", _one_string("base64ToJson", args)))


def parse_json(name: str, text: str):
    """Parse JSON text as ARM's ``json()`` does; ``'null'`` gives null."""
    try:
        return json.loads(text)
    except ValueError as error:
        raise ExpressionError(f"{name}: invalid JSON ({error})") from None


def _data_uri(ctx, args):
    arity("dataUri", args, 1, 1)
    value = args[0]
    text = value if isinstance(value, str) else to_json(value)
    encoded = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return f"data:text/plain;charset=utf8;base64,{encoded}"


def _data_uri_to_string(ctx, args):
    text = _one_string("dataUriToString", args)
    if not text.startswith("data:") or "," not in text:
        raise ExpressionError(f"dataUriToString: '{text[:40]}' is not a data URI")
    header, _, payload = text[5:].partition(",")
    if header.endswith(";base64"):
        return _decode_base64("dataUriToString", payload)
    return unquote(payload)


def _ends_with(ctx, args):
    arity("endsWith", args, 2, 2)
    # documented: the comparison is case-insensitive
    return expect_str("endsWith", 1, args[0]).lower().endswith(expect_str("endsWith", 2, args[1]).lower())


def _starts_with(ctx, args):
    arity("startsWith", args, 2, 2)
    return expect_str("startsWith", 1, args[0]).lower().startswith(expect_str("startsWith", 2, args[1]).lower())


def _guid(ctx, args):
    arity("guid", args, 1)
    return deterministic_guid(*(expect_str("guid", i + 1, a) for i, a in enumerate(args)))


def _unique_string(ctx, args):
    arity("uniqueString", args, 1)
    return unique_string(*(expect_str("uniqueString", i + 1, a) for i, a in enumerate(args)))


def _new_guid(ctx, args):
    arity("newGuid", args, 0, 0)
    return Unknown("newGuid()")


def _pad_left(ctx, args):
    arity("padLeft", args, 2, 3)
    value = args[0]
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise ExpressionError(f"padLeft: argument 1 must be string or int, not {type_name(value)}")
    text = str(value)
    total = expect_int("padLeft", 2, args[1])
    if total > MAX_PAD:
        raise ExpressionError(f"padLeft: total length {total} exceeds the maximum of {MAX_PAD}")
    pad = " " if len(args) < 3 else expect_str("padLeft", 3, args[2])
    if len(pad) != 1:
        raise ExpressionError("padLeft: the padding character must be a single character")
    return text.rjust(total, pad)


def _replace(ctx, args):
    arity("replace", args, 3, 3)
    text, old, new = (expect_str("replace", i + 1, a) for i, a in enumerate(args))
    if old == "":
        raise ExpressionError("replace: the string to replace must not be empty")
    return text.replace(old, new)


def _split(ctx, args):
    arity("split", args, 2, 2)
    text = expect_str("split", 1, args[0])
    delimiters = args[1]
    if isinstance(delimiters, str):
        delimiters = [delimiters]
    if not isinstance(delimiters, list) or not all(isinstance(d, str) for d in delimiters):
        raise ExpressionError("split: the delimiter must be a string or an array of strings")
    parts = [text]
    for delimiter in delimiters:
        if delimiter:
            parts = [piece for part in parts for piece in part.split(delimiter)]
    return parts


def _string(ctx, args):
    arity("string", args, 1, 1)
    return to_text(args[0])


def _substring(ctx, args):
    arity("substring", args, 1, 3)
    text = expect_str("substring", 1, args[0])
    start = expect_int("substring", 2, args[1]) if len(args) > 1 else 0
    if start < 0 or start > len(text):
        raise ExpressionError(f"substring: start index {start} is outside the string of length {len(text)}")
    length = expect_int("substring", 3, args[2]) if len(args) > 2 else len(text) - start
    if length < 0 or start + length > len(text):
        raise ExpressionError(f"substring: length {length} from index {start} is outside the string of length {len(text)}")
    return text[start:start + length]


def _to_lower(ctx, args):
    return _one_string("toLower", args).lower()


def _to_upper(ctx, args):
    return _one_string("toUpper", args).upper()


def _trim(ctx, args):
    return _one_string("trim", args).strip()


def _uri(ctx, args):
    arity("uri", args, 2, 2)
    base = expect_str("uri", 1, args[0])
    relative = expect_str("uri", 2, args[1])
    # Documented: only the base path of baseUri is kept (a trailing file name is
    # dropped), which is what RFC 3986 reference resolution does.
    return urljoin(base, relative)


def _uri_component(ctx, args):
    # .NET Uri.EscapeDataString keeps only the RFC 3986 unreserved characters.
    return quote(_one_string("uriComponent", args), safe="-_.~")


def _uri_component_to_string(ctx, args):
    return unquote(_one_string("uriComponentToString", args))


FUNCTIONS = {
    "base64": _base64,
    "base64tojson": _base64_to_json,
    "base64tostring": _base64_to_string,
    "datauri": _data_uri,
    "datauritostring": _data_uri_to_string,
    "endswith": _ends_with,
    "guid": _guid,
    "newguid": _new_guid,
    "padleft": _pad_left,
    "replace": _replace,
    "split": _split,
    "startswith": _starts_with,
    "string": _string,
    "substring": _substring,
    "tolower": _to_lower,
    "toupper": _to_upper,
    "trim": _trim,
    "uniquestring": _unique_string,
    "uri": _uri,
    "uricomponent": _uri_component,
    "uricomponenttostring": _uri_component_to_string,
}
