"""Resource functions
(https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-resource).

Ids are built statically from the deployment scope.  What only a deployed
resource knows (``reference()``, ``list*()``, ``pickZones()``, ``providers()``)
is Unknown; ``reference()`` keeps the resource id in ``Unknown.ref`` and the
property path from the resource root in ``Unknown.path``.
"""
from __future__ import annotations

from validator.frontends.arm.resource_ids import (
    management_group_scope, resource_group_scope, resource_id, subscription_scope,
)
from validator.frontends.arm.scopes import Target
from validator.frontends.arm.syntax import ExpressionError
from validator.frontends.arm.values import arity, expect_str, get_member, short, unknown_from
from validator.model import Unknown


def deployment_scope_id(ctx) -> object:
    """The id of the scope the current template deploys to ('' for the tenant; Unknown when unknown)."""
    return Target(ctx.scope, ctx.subscription_id, ctx.resource_group, ctx.management_group).id_prefix


def _split_type(name: str, args: list, leading_max: int) -> tuple[list, str, list]:
    """(leading scope arguments, type, names): the type is the first argument containing '/'."""
    strings = [expect_str(name, i + 1, a) for i, a in enumerate(args)]
    for i, text in enumerate(strings):
        if "/" in text:
            if i > leading_max:
                raise ExpressionError(f"{name}: too many arguments before the resource type '{text}'")
            if i + 1 == len(strings):
                raise ExpressionError(f"{name}: the resource type '{text}' needs a resource name")
            return strings[:i], text, strings[i + 1:]
    raise ExpressionError(f"{name}: no resource type (an argument such as 'Microsoft.Storage/storageAccounts')")


def _resource_id(ctx, args):
    arity("resourceId", args, 2)
    leading, resource_type, names = _split_type("resourceId", args, 2)
    if len(leading) == 2:
        scope = resource_group_scope(leading[0], leading[1])
    elif len(leading) == 1:
        scope = resource_group_scope(ctx.subscription_id, leading[0]) \
            if not isinstance(ctx.subscription_id, Unknown) else ctx.subscription_id
    elif ctx.scope in ("resourceGroup", "subscription"):
        # documented: in a subscription deployment resourceId() gives subscription-level ids
        scope = deployment_scope_id(ctx)
    else:
        scope = ""  # management group and tenant deployments: tenant-level form
    if isinstance(scope, Unknown):
        return unknown_from("resourceId", scope)
    return resource_id(scope, resource_type, names)


def _scoped_resource_id(name: str, args: list, default, scope_of) -> object:
    """``name([scope name], type, names...)``: an id below the scope ``scope_of(scope name)``."""
    arity(name, args, 2)
    leading, resource_type, names = _split_type(name, args, 1)
    scope_name = leading[0] if leading else default
    if isinstance(scope_name, Unknown):
        return unknown_from(name, scope_name)
    return resource_id(scope_of(scope_name), resource_type, names)


def _subscription_resource_id(ctx, args):
    return _scoped_resource_id("subscriptionResourceId", args, ctx.subscription_id, subscription_scope)


def _management_group_resource_id(ctx, args):
    return _scoped_resource_id("managementGroupResourceId", args, ctx.management_group, management_group_scope)


def _tenant_resource_id(ctx, args):
    arity("tenantResourceId", args, 2)
    _, resource_type, names = _split_type("tenantResourceId", args, 0)
    return resource_id("", resource_type, names)


def _extension_resource_id(ctx, args):
    arity("extensionResourceId", args, 3)
    base = expect_str("extensionResourceId", 1, args[0]).rstrip("/")
    _, resource_type, names = _split_type("extensionResourceId", args[1:], 0)
    return resource_id(base, resource_type, names)


def resolve_reference_target(ctx, target) -> object:
    """The id a ``reference()`` argument names: an id as is, a symbolic or resource name via ``ctx.symbols``."""
    if isinstance(target, Unknown) or not isinstance(target, str):
        return target
    if target.startswith("/"):
        return target
    found, value = get_member(ctx.symbols, target) if ctx.symbols else (False, None)
    if found:
        return value
    return Unknown(f"id of the resource named '{target}'")


def _reference(ctx, args):
    arity("reference", args, 1, 3)
    target = args[0]
    if not isinstance(target, (str, Unknown)):
        raise ExpressionError(f"reference: argument 1 must be a resource id or name, not {short(target)}")
    full = len(args) > 2 and isinstance(args[2], str) and args[2].lower() == "full"
    ref = resolve_reference_target(ctx, target)
    if ctx.reference_hook is not None and isinstance(ref, str):
        known = ctx.reference_hook(ref, full)
        if known is not None:
            return known
    shown = short(target, 120) if isinstance(target, Unknown) else f"'{target}'"
    origin = f"reference({shown}{', Full' if full else ''})"
    # Paths always start at the resource root: without 'Full' reference()
    # returns the properties object, so its members live under 'properties'.
    return Unknown(origin, ref=ref, path=() if full else ("properties",))


def _references(ctx, args):
    arity("references", args, 1, 2)
    return Unknown(f"references({short(args[0])})")


def _pick_zones(ctx, args):
    arity("pickZones", args, 3, 5)
    return Unknown("pickZones(...): the zones a region offers")


def _providers(ctx, args):
    arity("providers", args, 1, 2)
    return Unknown(f"providers({short(args[0])})")


FUNCTIONS = {
    "extensionresourceid": _extension_resource_id,
    "managementgroupresourceid": _management_group_resource_id,
    "pickzones": _pick_zones,
    "providers": _providers,
    "reference": _reference,
    "references": _references,
    "resourceid": _resource_id,
    "subscriptionresourceid": _subscription_resource_id,
    "tenantresourceid": _tenant_resource_id,
}
UNKNOWN_AWARE = {"reference", "references", "pickzones", "providers"}
