"""Locations of Bicep declarations: the line and column of the property at a body path."""
from __future__ import annotations

from typing import Callable

from validator.frontends.bicep import ast as A
from validator.model import Location


def _walk(obj: A.Node, path: tuple, fallback: A.Node) -> A.Node:
    """The node of the property at ``path`` below ``obj`` (or of its nearest existing parent)."""
    best, node = fallback, obj
    for key in path:
        while isinstance(node, (A.ForExpr, A.IfExpr)):
            node = node.body
        if isinstance(node, A.ObjectLit) and isinstance(key, str):
            lowered, found = key.lower(), None
            for entry in node.properties:
                if isinstance(entry, A.ObjectProperty):
                    text = entry.key_text
                    if text is not None and text.lower() == lowered:
                        found = entry
            if found is None:
                break
            best, node = found, found.value
        elif isinstance(node, A.ArrayLit) and isinstance(key, int) and 0 <= key < len(node.items) \
                and not any(isinstance(i, A.Spread) for i in node.items):
            best = node = node.items[key]
        else:
            break
    return best


def resource_locator(file: str, declaration: A.Node, obj: A.ObjectLit,
                     under_properties: bool = False) -> Callable[[tuple], Location]:
    """``under_properties``: the body nests what the declaration writes at its top under ``properties``."""
    def locate(path: tuple) -> Location:
        if under_properties and path[:1] == ("properties",):
            path = tuple(path[1:])
        node = _walk(obj, path, declaration)
        return Location(file, node.line, node.column)
    return locate


def module_locator(file: str, declaration: A.Node, obj: A.ObjectLit) -> Callable[[tuple], Location]:
    def locate(path: tuple) -> Location:
        if path[:2] == ("properties", "parameters") and len(path) >= 3:
            # properties.parameters.<name>.value.<rest> is written params.<name>.<rest>
            path = ("params", path[2]) + tuple(path[4:])
        elif path[:1] == ("properties",):
            path = ()
        node = _walk(obj, path, declaration)
        return Location(file, node.line, node.column)
    return locate
