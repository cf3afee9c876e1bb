"""Scope functions
(https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-scope).

The configured deployment target, or the ``PLACEHOLDER_*`` strings, name the
scopes; their locations and display names are Unknown unless configured.
"""
from __future__ import annotations

from validator.frontends.arm.resource_ids import (
    management_group_scope, resource_group_scope, subscription_scope,
)
from validator.frontends.arm.syntax import ExpressionError
from validator.frontends.arm.values import arity, expect_str
from validator.model import Unknown

LOCATION_ORIGIN = "the deployment's resource group location"


def resource_group_object(subscription_id: str, name: str, location) -> dict:
    """What ``resourceGroup()`` returns (tags empty: a scan cannot know them)."""
    return {
        "id": resource_group_scope(subscription_id, name),
        "name": name,
        "type": "Microsoft.Resources/resourceGroups",
        "location": location,
        "tags": {},
        "properties": {"provisioningState": "Succeeded"},
    }


def _unknown_part(name: str, *parts) -> Unknown | None:
    for part in parts:
        if isinstance(part, Unknown):
            return Unknown(f"{name}() of a deployment into {part.origin}")
    return None


def _resource_group(ctx, args):
    arity("resourceGroup", args, 0, 2)
    unknown = _unknown_part("resourceGroup", ctx.subscription_id, *([] if args else [ctx.resource_group]))
    if unknown is not None:
        return unknown
    if not args:
        if ctx.scope != "resourceGroup":
            raise ExpressionError(f"resourceGroup() is not available in a {ctx.scope}-scope deployment")
        location = ctx.location if ctx.location is not None else Unknown(LOCATION_ORIGIN)
        return resource_group_object(ctx.subscription_id, ctx.resource_group, location)
    names = [expect_str("resourceGroup", i + 1, a) for i, a in enumerate(args)]
    subscription_id = names[0] if len(names) == 2 else ctx.subscription_id
    return resource_group_object(subscription_id, names[-1],
                                 Unknown(f"location of resource group '{names[-1]}'"))


def _subscription(ctx, args):
    arity("subscription", args, 0, 1)
    subscription_id = expect_str("subscription", 1, args[0]) if args else ctx.subscription_id
    unknown = _unknown_part("subscription", subscription_id)
    if unknown is not None:
        return unknown
    display = ctx.subscription_display_name if ctx.subscription_display_name is not None and not args \
        else Unknown("the subscription's display name")
    return {
        "id": subscription_scope(subscription_id),
        "subscriptionId": subscription_id,
        "tenantId": ctx.tenant_id,
        "displayName": display,
    }


def _tenant(ctx, args):
    arity("tenant", args, 0, 0)
    return {
        "tenantId": ctx.tenant_id,
        "countryCode": Unknown("the tenant's country code"),
        "displayName": Unknown("the tenant's display name"),
    }


def _management_group(ctx, args):
    arity("managementGroup", args, 0, 1)
    name = expect_str("managementGroup", 1, args[0]) if args else ctx.management_group
    unknown = _unknown_part("managementGroup", name)
    if unknown is not None:
        return unknown
    return {
        "id": management_group_scope(name),
        "name": name,
        "type": "Microsoft.Management/managementGroups",
        "properties": {"tenantId": ctx.tenant_id,
                       "displayName": Unknown(f"display name of management group '{name}'")},
    }


FUNCTIONS = {
    "managementgroup": _management_group,
    "resourcegroup": _resource_group,
    "subscription": _subscription,
    "tenant": _tenant,
}
