"""Deployment scopes: which scope a template or a nested deployment targets."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from validator.frontends.arm.resource_ids import (
    management_group_scope, resource_group_scope, subscription_scope,
)
from validator.model import Unknown

_SCHEMA_SCOPES = (
    ("subscriptiondeploymenttemplate", "subscription"),
    ("managementgroupdeploymenttemplate", "managementGroup"),
    ("tenantdeploymenttemplate", "tenant"),
)


@dataclass(frozen=True)
class Target:
    """Where a template's resources go: kind plus the names that apply to it (str or Unknown)."""

    kind: str  # resourceGroup | subscription | managementGroup | tenant
    subscription_id: Any
    resource_group: Any
    management_group: Any

    @property
    def scope_id(self) -> Any:
        """The scope's id ('/' for the tenant), or an Unknown when a part of it is unknown."""
        parts = {"resourceGroup": (self.subscription_id, self.resource_group),
                 "subscription": (self.subscription_id,),
                 "managementGroup": (self.management_group,)}.get(self.kind, ())
        for part in parts:
            if isinstance(part, Unknown):
                return Unknown(f"a {self.kind} scope named by {part.origin}")
        if self.kind == "resourceGroup":
            return resource_group_scope(self.subscription_id, self.resource_group)
        if self.kind == "subscription":
            return subscription_scope(self.subscription_id)
        if self.kind == "managementGroup":
            return management_group_scope(self.management_group)
        return "/"

    @property
    def id_prefix(self) -> Any:
        """The scope id as resource ids start with it ('' for the tenant)."""
        scope = self.scope_id
        return "" if scope == "/" else scope


def scope_from_schema(schema: Any) -> str:
    """The deployment scope a ``$schema`` URL declares (resource group when unrecognised)."""
    text = schema.lower() if isinstance(schema, str) else ""
    for marker, kind in _SCHEMA_SCOPES:
        if marker in text:
            return kind
    return "resourceGroup"


_MG = re.compile(r"(?:^|/)providers/Microsoft\.Management/managementGroups/([^/]+)$", re.I)
_MG_RELATIVE = re.compile(r"^Microsoft\.Management/managementGroups/([^/]+)$", re.I)
_RG = re.compile(r"^/subscriptions/([^/]+)/resourceGroups/([^/]+)$", re.I)
_SUB = re.compile(r"^/subscriptions/([^/]+)$", re.I)


def target_from_scope_string(parent: Target, scope: Any) -> Target | None:
    """The target named by a deployment's ``scope`` property (None when it names no scope)."""
    if isinstance(scope, Unknown):
        return replace(parent, kind="managementGroup", management_group=scope)
    if not isinstance(scope, str):
        return None
    text = scope.strip()
    if text in ("", "/"):
        return replace(parent, kind="tenant")
    match = _MG.search(text) or _MG_RELATIVE.match(text)
    if match:
        return replace(parent, kind="managementGroup", management_group=match[1])
    match = _RG.match(text.rstrip("/"))
    if match:
        return replace(parent, kind="resourceGroup", subscription_id=match[1], resource_group=match[2])
    match = _SUB.match(text.rstrip("/"))
    if match:
        return replace(parent, kind="subscription", subscription_id=match[1])
    return None


def nested_target(parent: Target, subscription_id: Any, resource_group: Any, scope: Any) -> Target:
    """The target of a nested deployment (or cross-scope resource) from its scope properties."""
    if resource_group is not None:
        return replace(parent, kind="resourceGroup", resource_group=resource_group,
                       subscription_id=subscription_id if subscription_id is not None else parent.subscription_id)
    if subscription_id is not None:
        if parent.kind == "resourceGroup":
            # From a resource group, a subscription id alone keeps the group name.
            return replace(parent, subscription_id=subscription_id)
        return replace(parent, kind="subscription", subscription_id=subscription_id)
    if scope is not None:
        found = target_from_scope_string(parent, scope)
        if found is not None:
            return found
    return parent
