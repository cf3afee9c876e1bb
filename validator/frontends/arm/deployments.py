"""Nested and linked deployments: their template, parameters and outputs."""
from __future__ import annotations

import posixpath
from typing import Any, Callable

from validator.frontends.arm.declarations import provided_value
from validator.frontends.arm.values import short
from validator.model import Unknown


def nested_template(file: str, root: tuple, properties: dict, evaluated: dict, path: tuple,
                    read_linked: Callable, report: Callable) -> tuple | None:
    """(template, file, root path, linked?) of a nested deployment, or None (reported) when unreadable.

    An inline ``template`` lives in the same file; ``templateLink.relativePath``
    is read with ``read_linked`` relative to ``file``; a URI or template spec
    cannot be read offline.
    """
    inline = properties.get("template")
    if isinstance(inline, dict):
        return inline, file, root + path + ("properties", "template"), False
    link = evaluated.get("templateLink") if isinstance(evaluated, dict) else None
    link_path = path + ("properties", "templateLink")
    if not isinstance(link, dict):
        return None
    relative = link.get("relativePath")
    if isinstance(relative, str):
        target = posixpath.normpath(posixpath.join(posixpath.dirname(file), relative))
        template, error = read_linked(target)
        if not isinstance(template, dict):
            report(f"linked template '{relative}' could not be read: {error or 'not a JSON object'}",
                   link_path + ("relativePath",), "linked-template")
            return None
        return template, target, (), True
    where = link.get("uri", link.get("id", link.get("relativePath")))
    report(f"the linked template {short(where, 120)} cannot be read offline; its resources are not evaluated",
           link_path, "linked-template")
    return None


def inner_parameters(evaluated: dict, deployment_name: Any) -> dict:
    """Parameter values an inner-scope deployment passes (``{"value": v}``; Key Vault references are Unknown)."""
    values = {}
    parameters = evaluated.get("parameters") if isinstance(evaluated, dict) else None
    if not isinstance(parameters, dict):
        return values
    for name, entry in parameters.items():
        if isinstance(entry, dict) and "value" in entry:
            values[name] = entry["value"]
        elif isinstance(entry, dict) and "reference" in entry:
            values[name] = provided_value(name, {"reference": entry["reference"]})
        else:
            values[name] = Unknown(f"parameter '{name}' of deployment {deployment_name}")
    return values


def outputs_as_properties(template: dict, outputs: dict) -> dict:
    """Evaluated outputs in the shape ``reference(<deployment>).outputs`` has: ``{name: {type, value}}``."""
    declared = template.get("outputs")
    declared = declared if isinstance(declared, dict) else {}
    result = {}
    for name, value in outputs.items():
        declaration = declared.get(name)
        kind = declaration.get("type", "object") if isinstance(declaration, dict) else "object"
        result[name] = {"type": kind, "value": value}
    return result
