"""dependsOn: resolving entries to resource ids, and the evaluation order it implies."""
from __future__ import annotations

from typing import Any

from validator.frontends.arm.values import short
from validator.model import Unknown

DEPLOYMENTS = "microsoft.resources/deployments"
RESOURCE_GROUPS = "microsoft.resources/resourcegroups"


def resolve_depends(entries: list) -> None:
    """Set ``depends_on`` of each entry's resource from its dependsOn values.

    Entries have ``resource``, ``depends`` (evaluated dependsOn values),
    ``parent_id`` (a nested child depends on its parent) and ``loop``.  A value
    may be an id, a symbolic name (languageVersion 2.0), a copy loop name
    (every instance), ``Namespace/type/name`` or a plain resource name.
    """
    ids, tables = {}, ({}, {}, {}, {})  # symbol, loop, type/name, name
    for entry in entries:
        resource = entry.resource
        keys = (resource.symbolic_name, entry.loop,
                f"{resource.type}/{resource.name}" if isinstance(resource.name, str) else None,
                resource.name if isinstance(resource.name, str) else None)
        for table, key in zip(tables, keys):
            if isinstance(key, str):
                table.setdefault(key.lower(), []).append(resource.id)
        if isinstance(resource.id, str):
            ids[resource.id.lower()] = resource.id
    for entry in entries:
        resolved = [entry.parent_id] if entry.parent_id is not None else []
        for value in entry.depends:
            resolved.extend(_resolve_dependency(value, ids, tables))
        unique = []
        for item in resolved:
            if not any(item is u or (isinstance(item, str) and item == u) for u in unique):
                unique.append(item)
        entry.resource.depends_on = tuple(unique)


def _resolve_dependency(value: Any, ids: dict, tables: tuple) -> list:
    if isinstance(value, Unknown):
        return [value]
    if not isinstance(value, str):
        return [Unknown(f"dependsOn entry {short(value)} is not a string")]
    key = value.lower()
    if key in ids:
        return [ids[key]]
    if value.startswith("/"):
        return [value]  # a resource outside this template: ARM ignores it, keep the id
    for table in tables:
        if key in table:
            return table[key]
    return [Unknown(f"dependsOn '{value}' names no resource of this template")]


def _of_type(declarations: list, type_: str) -> list:
    return [d for d in declarations if isinstance(d[1], dict) and str(d[1].get("type", "")).lower() == type_]


def deployments_first(declarations: list) -> list:
    """Resource groups, then nested deployments (those a deployment depends on first), then the rest.

    A nested deployment then knows the location of a group created beside it,
    and reference(<deployment>).outputs can be answered from deployments
    already evaluated; dependencies are read from the dependsOn text, which
    mentions a deployment's symbolic name or name expression.
    """
    groups = _of_type(declarations, RESOURCE_GROUPS)
    deployments = _of_type(declarations, DEPLOYMENTS)
    others = [d for d in declarations if not any(d is x for x in groups + deployments)]

    def mentions(item, other) -> bool:
        texts = [str(t).lower() for t in (item[1].get("dependsOn") or []) if isinstance(t, str)]
        keys = [other[0]] if other[0] is not None else []
        name = other[1].get("name")
        if isinstance(name, str):
            keys.append(name[1:-1] if name.startswith("[") and name.endswith("]") else f"'{name}'")
            keys.append(name)
        keys = [k.lower() for k in keys if k]
        return any(k == t or (len(k) > 2 and k in t) for k in keys for t in texts)

    ordered, remaining = [], list(deployments)
    while remaining:
        ready = [d for d in remaining if not any(mentions(d, o) for o in remaining if o is not d)]
        if not ready:
            ready = remaining[:1]  # a cycle (or a false match): keep file order
        ordered.extend(ready)
        remaining = [d for d in remaining if not any(d is r for r in ready)]
    return groups + ordered + others
