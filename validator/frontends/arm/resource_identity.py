"""Full type, full name, id and scope of a resource declaration.

Covers child resources nested in a parent, extension resources (``scope``:
a full id, a symbolic name, or the relative ``Namespace/type/name`` form),
the older ``Namespace/type/providers/Extension/type`` form, resources with
``resourceGroup``/``subscriptionId`` (cross-scope ``existing`` resources and
nested deployments) and resources of the deployment's own scope.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from validator.frontends.arm.json_evaluation import evaluate_leaf
from validator.frontends.arm.resource_ids import resource_id, split_names
from validator.frontends.arm.scopes import Target, nested_target
from validator.frontends.arm.syntax import ExpressionError
from validator.frontends.arm.values import get_member, short
from validator.model import Unknown

DEPLOYMENTS = "microsoft.resources/deployments"


@dataclass(frozen=True)
class Identity:
    type: str
    name: Any
    id: Any
    scope_id: Any
    target: Target  # the scope a nested deployment (or cross-scope resource) deploys into


def _value(declaration: dict, key: str, ctx, path: tuple, report) -> Any:
    value = declaration.get(key)
    if isinstance(value, str):
        return evaluate_leaf(value, ctx, path + (key,), report)
    return value


def _scope_name(declaration: dict, key: str, ctx, path: tuple, report) -> Any:
    """A ``subscriptionId``/``resourceGroup``/``scope`` value: a string, an Unknown or None (absent)."""
    value = _value(declaration, key, ctx, path, report)
    if value is None or isinstance(value, (str, Unknown)):
        return value
    report(f"{key} must be a string, not {short(value)}", path + (key,), "template-error")
    return Unknown(f"invalid {key} {short(value)}")


def _unknown_id(type_: str, reason: Any) -> Unknown:
    origin = reason.origin if isinstance(reason, Unknown) else str(reason)
    return Unknown(f"id of a {type_} ({origin})")


def _build(scope_prefix: Any, type_: str, name: Any, path: tuple, report) -> Any:
    if isinstance(scope_prefix, Unknown):
        return _unknown_id(type_, scope_prefix)
    if isinstance(name, Unknown):
        return _unknown_id(type_, name)
    try:
        return resource_id("" if scope_prefix == "/" else scope_prefix, type_, [name])
    except ExpressionError as error:
        report(str(error), path + ("name",), "template-error")
        return _unknown_id(type_, error)


def _extension_scope(scope: Any, target: Target, symbols: dict, path: tuple, report) -> Any:
    """The id an extension resource's ``scope`` names."""
    if isinstance(scope, Unknown):
        return scope
    if not isinstance(scope, str):
        report(f"scope must be a string, not {short(scope)}", path + ("scope",), "template-error")
        return Unknown("invalid scope")
    if scope.startswith("/"):
        return scope.rstrip("/") or "/"
    if "/" not in scope:
        found, value = get_member(symbols, scope)
        return value if found else Unknown(f"the resource named '{scope}'")
    segments = scope.split("/")
    if len(segments) < 3 or len(segments) % 2 == 0:
        report(f"scope '{scope}' is neither a resource id nor 'Namespace/type/name'", path + ("scope",),
               "template-error")
        return Unknown(f"scope '{scope}'")
    # Relative form: resolved within the deployment's own scope.
    type_ = "/".join([segments[0]] + segments[1::2])
    return _build(target.id_prefix, type_, "/".join(segments[2::2]), path, report)


def _join(parent: Any, child: Any) -> Any:
    if isinstance(parent, Unknown):
        return parent
    if isinstance(child, Unknown):
        return child
    return f"{parent}/{child}"


def identify(declaration: dict, ctx, parent: Identity | None, target: Target, path: tuple, report,
             symbols: dict) -> Identity | None:
    """Evaluate a declaration's type, name and scope into its identity (None: unusable type, reported)."""
    if "import" in declaration or "extension" in declaration:
        return _extensibility(declaration, ctx, target, path, report)
    type_ = _value(declaration, "type", ctx, path, report)
    if not isinstance(type_, str) or not type_:
        report(f"resource type must be a string, not {short(type_)}", path + ("type",), "template-error")
        return None
    name = _value(declaration, "name", ctx, path, report)
    if not isinstance(name, (str, Unknown)):
        report(f"resource name must be a string, not {short(name)}", path + ("name",), "template-error")
        name = Unknown(f"invalid name {short(name)}")
    if parent is not None:
        if "/" not in type_:
            type_, name = f"{parent.type}/{type_}", _join(parent.name, name)
            child_id = _join(parent.id, _join(type_.rsplit("/", 1)[1], name.rsplit("/", 1)[1]
                                              if isinstance(name, str) else name))
            return Identity(type_, name, child_id, parent.scope_id, parent.target)
        return _identify_top(declaration, ctx, type_, name, parent.target, path, report, symbols)
    return _identify_top(declaration, ctx, type_, name, target, path, report, symbols)


def _identify_top(declaration: dict, ctx, type_: str, name: Any, target: Target, path: tuple, report,
                  symbols: dict) -> Identity:
    if "/providers/" in type_.lower() and "scope" not in declaration:
        return _legacy_extension(type_, name, target, path, report)
    is_deployment = type_.lower() == DEPLOYMENTS
    if "scope" in declaration and not is_deployment:
        scope_id = _extension_scope(_value(declaration, "scope", ctx, path, report), target, symbols, path, report)
        return Identity(type_, name, _build(scope_id, type_, name, path, report), scope_id, target)
    if any(key in declaration for key in ("resourceGroup", "subscriptionId")) or \
            (is_deployment and "scope" in declaration):
        target = nested_target(target, *(_scope_name(declaration, key, ctx, path, report)
                                          for key in ("subscriptionId", "resourceGroup", "scope")))
    return Identity(type_, name, _build(target.id_prefix, type_, name, path, report), target.scope_id, target)


def _extensibility(declaration: dict, ctx, target: Target, path: tuple, report) -> Identity | None:
    """A Bicep extensibility resource (``import``/``extension``: Kubernetes, Graph...): no ARM id.

    Its name is ``name`` or, for Kubernetes objects, ``properties.metadata.name``.
    """
    type_ = _value(declaration, "type", ctx, path, report)
    if not isinstance(type_, str):
        report(f"resource type must be a string, not {short(type_)}", path + ("type",), "template-error")
        return None
    name = declaration.get("name")
    name_path = path
    if name is None:
        metadata = (declaration.get("properties") or {}).get("metadata") \
            if isinstance(declaration.get("properties"), dict) else None
        name = metadata.get("name") if isinstance(metadata, dict) else None
        name_path = path + ("properties", "metadata")
    if isinstance(name, str):
        name = evaluate_leaf(name, ctx, name_path + ("name",), report)
    if not isinstance(name, (str, Unknown)):
        name = Unknown("the name of an extensibility resource")
    extension = declaration.get("import", declaration.get("extension"))
    no_id = Unknown(f"a resource of the '{extension}' extension has no ARM id")
    return Identity(type_, name, no_id, no_id, target)


def _legacy_extension(type_: str, name: Any, target: Target, path: tuple, report) -> Identity:
    """``Microsoft.Network/virtualNetworks/providers/roleAssignments`` named ``vnet/Microsoft.Authorization/x``."""
    base_type, _, extension_types = type_.partition("/providers/")
    if isinstance(name, Unknown):
        return Identity(type_, name, _unknown_id(type_, name), Unknown("the scope of a resource with an unknown name"),
                        target)
    parts = split_names([name])
    base_count = len(base_type.split("/")) - 1
    if len(parts) < base_count + 2:
        report(f"name '{name}' does not fit the extension type '{type_}'", path + ("name",), "template-error")
        return Identity(type_, name, _unknown_id(type_, "malformed name"), target.scope_id, target)
    scope_id = _build(target.id_prefix, base_type, "/".join(parts[:base_count]), path, report)
    extension_type = f"{parts[base_count]}/{extension_types}"
    extension_name = "/".join(parts[base_count + 1:])
    return Identity(extension_type, extension_name, _build(scope_id, extension_type, extension_name, path, report),
                    scope_id, target)
