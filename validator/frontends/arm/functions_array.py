"""Array and object functions, including those that also accept strings
(https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-array,
https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-object).
"""
from __future__ import annotations

from validator.frontends.arm.functions_string import parse_json
from validator.frontends.arm.syntax import ExpressionError
from validator.frontends.arm.values import (
    arity, arm_equals, expect, expect_int, expect_str, get_member, has_unknown, is_int, to_text,
    type_name, unknown_from,
)
from validator.model import Unknown

MAX_RANGE = 10_000  # documented limit of range()'s count


def _array(ctx, args):
    arity("array", args, 1, 1)
    value = args[0]
    return value if isinstance(value, list) else [value]


def _concat(ctx, args):
    if not args:
        return ""
    if all(isinstance(a, list) for a in args):
        return [item for a in args for item in a]
    if any(isinstance(a, (list, dict)) for a in args):
        kinds = ", ".join(type_name(a) for a in args)
        raise ExpressionError(f"concat: arguments must be all arrays or all strings, got {kinds}")
    return "".join(to_text(a) for a in args)


def _contains(ctx, args):
    arity("contains", args, 2, 2)
    container, item = args
    if isinstance(container, Unknown):
        return unknown_from("contains", container)
    if isinstance(container, str):
        if isinstance(item, Unknown):
            return unknown_from("contains", item)
        # documented: the string comparison is case-sensitive
        return to_text(item) in container
    if isinstance(container, dict):
        if isinstance(item, Unknown):
            return unknown_from("contains", item)
        # documented: object keys are compared case-insensitively
        return get_member(container, expect_str("contains", 2, item))[0]
    if isinstance(container, list):
        if any(not has_unknown(v) and not has_unknown(item) and arm_equals(v, item) for v in container):
            return True
        if has_unknown(item) or any(has_unknown(v) for v in container):
            return unknown_from("contains", item, container)
        return False
    raise ExpressionError(f"contains: argument 1 must be string, object or array, not {type_name(container)}")


def _create_array(ctx, args):
    return list(args)


def _create_object(ctx, args):
    if len(args) % 2:
        raise ExpressionError("createObject: expects an even number of arguments (key, value pairs)")
    result = {}
    for i in range(0, len(args), 2):
        key = args[i]
        if isinstance(key, Unknown):
            return unknown_from("createObject", key)
        result[expect_str("createObject", i + 1, key)] = args[i + 1]
    return result


def _empty(ctx, args):
    arity("empty", args, 1, 1)
    value = args[0]
    if value is None:
        return True
    if isinstance(value, (str, list, dict)):
        return len(value) == 0
    raise ExpressionError(f"empty: argument 1 must be string, array or object, not {type_name(value)}")


def _sequence(name: str, value, position: int = 1):
    return expect(name, position, value, str, list)


def _first(ctx, args):
    arity("first", args, 1, 1)
    value = _sequence("first", args[0])
    # An empty array gives null, an empty string '' (what ARM returns today).
    if not value:
        return "" if isinstance(value, str) else None
    return value[0]


def _last(ctx, args):
    arity("last", args, 1, 1)
    value = _sequence("last", args[0])
    if not value:
        return "" if isinstance(value, str) else None
    return value[-1]


def _flatten(ctx, args):
    arity("flatten", args, 1, 1)
    result = []
    for i, item in enumerate(expect("flatten", 1, args[0], list)):
        if isinstance(item, Unknown):
            return unknown_from("flatten", item)
        if not isinstance(item, list):
            raise ExpressionError(f"flatten: element {i} must be an array, not {type_name(item)}")
        result.extend(item)
    return result


def _find(name: str, args, reverse: bool):
    arity(name, args, 2, 2)
    value, item = args
    if isinstance(value, str):
        needle = expect_str(name, 2, item)
        # documented: indexOf/lastIndexOf compare strings case-insensitively
        return value.lower().rfind(needle.lower()) if reverse else value.lower().find(needle.lower())
    value = expect(name, 1, value, list)
    indexes = range(len(value) - 1, -1, -1) if reverse else range(len(value))
    for i in indexes:
        if has_unknown(value[i]) or has_unknown(item):
            return unknown_from(name, value[i], item)
        if arm_equals(value[i], item):
            return i
    return -1


def _index_of(ctx, args):
    return _find("indexOf", args, reverse=False)


def _last_index_of(ctx, args):
    return _find("lastIndexOf", args, reverse=True)


def _intersection(ctx, args):
    arity("intersection", args, 2)
    first = args[0]
    if isinstance(first, dict):
        others = [expect("intersection", i + 2, a, dict) for i, a in enumerate(args[1:])]
        return {k: v for k, v in first.items()
                if all(k in o and arm_equals(o[k], v) for o in others)}
    first = expect("intersection", 1, first, list)
    others = [expect("intersection", i + 2, a, list) for i, a in enumerate(args[1:])]
    result = []
    for item in first:
        if all(any(arm_equals(item, x) for x in o) for o in others) \
                and not any(arm_equals(item, r) for r in result):
            result.append(item)
    return result


def _items(ctx, args):
    arity("items", args, 1, 1)
    value = expect("items", 1, args[0], dict)
    # The documented example returns the entries sorted by key (ordinal order).
    return [{"key": k, "value": value[k]} for k in sorted(value)]


def _join(ctx, args):
    arity("join", args, 2, 2)
    items = expect("join", 1, args[0], list)
    delimiter = expect_str("join", 2, args[1])
    for item in items:
        if isinstance(item, Unknown):
            return unknown_from("join", item)
        if isinstance(item, (list, dict)):
            raise ExpressionError(f"join: elements must be strings, not {type_name(item)}")
    return delimiter.join(to_text(i) for i in items)


def _json(ctx, args):
    arity("json", args, 1, 1)
    return parse_json("json", expect_str("json", 1, args[0]))


def _length(ctx, args):
    arity("length", args, 1, 1)
    return len(expect("length", 1, args[0], str, list, dict))


def _null(ctx, args):
    arity("null", args, 0, 0)
    return None


def _object_keys(ctx, args):
    arity("objectKeys", args, 1, 1)
    return list(expect("objectKeys", 1, args[0], dict))


def _range(ctx, args):
    arity("range", args, 2, 2)
    start, count = expect_int("range", 1, args[0]), expect_int("range", 2, args[1])
    if count < 0 or count > MAX_RANGE:
        raise ExpressionError(f"range: count must be between 0 and {MAX_RANGE}, got {count}")
    if start + count > 2_147_483_647:
        raise ExpressionError("range: startIndex + count must not exceed 2147483647")
    return list(range(start, start + count))


def _shallow_merge(ctx, args):
    arity("shallowMerge", args, 1, 1)
    result = {}
    for i, item in enumerate(expect("shallowMerge", 1, args[0], list)):
        if isinstance(item, Unknown):
            return unknown_from("shallowMerge", item)
        result.update(expect("shallowMerge", i + 1, item, dict))
    return result


def _skip(ctx, args):
    arity("skip", args, 2, 2)
    value = _sequence("skip", args[0])
    count = expect_int("skip", 2, args[1])
    return value[max(count, 0):]


def _take(ctx, args):
    arity("take", args, 2, 2)
    value = _sequence("take", args[0])
    count = expect_int("take", 2, args[1])
    return value[:max(count, 0)]


def _try_get(ctx, args):
    arity("tryGet", args, 2)
    value = args[0]
    for key in args[1:]:
        if isinstance(value, Unknown):
            return value.child(key)
        if isinstance(key, Unknown):
            return unknown_from("tryGet", key)
        if isinstance(value, dict) and isinstance(key, str):
            value = get_member(value, key)[1]
        elif isinstance(value, list) and is_int(key):
            value = value[key] if 0 <= key < len(value) else None
        else:
            return None
    return value


def _from_end(name: str, args, strict: bool):
    arity(name, args, 2, 2)
    items = expect(name, 1, args[0], list)
    index = expect_int(name, 2, args[1])
    if 1 <= index <= len(items):
        return items[len(items) - index]
    if strict:
        raise ExpressionError(f"{name}: index {index} is out of range for an array of length {len(items)}")
    return None


def _index_from_end(ctx, args):
    return _from_end("indexFromEnd", args, strict=True)


def _try_index_from_end(ctx, args):
    return _from_end("tryIndexFromEnd", args, strict=False)


def _merge_objects(left: dict, right: dict) -> dict:
    merged = dict(left)
    for key, value in right.items():
        if isinstance(merged.get(key), dict) and isinstance(value, dict):
            # documented: union merges nested objects recursively
            merged[key] = _merge_objects(merged[key], value)
        else:
            merged[key] = value
    return merged


def _union(ctx, args):
    arity("union", args, 2)
    if isinstance(args[0], dict):
        result = {}
        for i, item in enumerate(args):
            result = _merge_objects(result, expect("union", i + 1, item, dict))
        return result
    result = []
    for i, item in enumerate(args):
        for element in expect("union", i + 1, item, list):
            if not any(arm_equals(element, r) for r in result):
                result.append(element)
    return result


FUNCTIONS = {
    "array": _array,
    "concat": _concat,
    "contains": _contains,
    "createarray": _create_array,
    "createobject": _create_object,
    "empty": _empty,
    "first": _first,
    "flatten": _flatten,
    "indexfromend": _index_from_end,
    "indexof": _index_of,
    "intersection": _intersection,
    "items": _items,
    "join": _join,
    "json": _json,
    "last": _last,
    "lastindexof": _last_index_of,
    "length": _length,
    "null": _null,
    "objectkeys": _object_keys,
    "range": _range,
    "shallowmerge": _shallow_merge,
    "skip": _skip,
    "take": _take,
    "tryget": _try_get,
    "tryindexfromend": _try_index_from_end,
    "union": _union,
}
# These look inside their arguments themselves (an Unknown element need not
# make the whole answer Unknown).
UNKNOWN_AWARE = {"contains", "createarray", "createobject", "tryget"}
