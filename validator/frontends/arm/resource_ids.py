"""Building Azure resource ids from scopes, types and names
(https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-resource#resourceid).
"""
from __future__ import annotations

from validator.frontends.arm.syntax import ExpressionError

RESOURCE_GROUP_TYPE = "microsoft.resources/resourcegroups"


def subscription_scope(subscription_id: str) -> str:
    """``/subscriptions/{id}``."""
    return f"/subscriptions/{subscription_id}"


def resource_group_scope(subscription_id: str, resource_group: str) -> str:
    """``/subscriptions/{id}/resourceGroups/{name}``."""
    return f"/subscriptions/{subscription_id}/resourceGroups/{resource_group}"


def management_group_scope(management_group: str) -> str:
    """``/providers/Microsoft.Management/managementGroups/{name}``."""
    return f"/providers/Microsoft.Management/managementGroups/{management_group}"


def type_segments(resource_type: str) -> list[str]:
    """``Microsoft.Storage/storageAccounts/blobServices`` -> namespace + type names."""
    parts = [p for p in resource_type.split("/")]
    if len(parts) < 2 or not all(parts):
        raise ExpressionError(f"'{resource_type}' is not a resource type (expected 'Namespace/type[/child...]')")
    return parts


def split_names(names: list[str]) -> list[str]:
    """Names may be passed one per segment or joined with '/' ('vnet/subnet')."""
    return [piece for name in names for piece in str(name).split("/")]


def resource_id(scope_id: str, resource_type: str, names: list[str]) -> str:
    """The id of the resource of ``resource_type`` named ``names`` below ``scope_id``.

    ``scope_id`` is '' for the tenant.  A resource group's id is the canonical
    ``/subscriptions/S/resourceGroups/N`` (what ARM returns for it), not a
    ``providers/Microsoft.Resources`` form.
    """
    parts = type_segments(resource_type)
    names = split_names(names)
    if len(names) != len(parts) - 1:
        raise ExpressionError(
            f"resource type '{resource_type}' needs {len(parts) - 1} name segment(s), got {len(names)} ({'/'.join(names)})")
    if resource_type.lower() == RESOURCE_GROUP_TYPE and scope_id.lower().startswith("/subscriptions/") \
            and scope_id.count("/") == 2:
        return f"{scope_id}/resourceGroups/{names[0]}"
    path = parts[0] + "".join(f"/{t}/{n}" for t, n in zip(parts[1:], names))
    return f"{scope_id}/providers/{path}"
