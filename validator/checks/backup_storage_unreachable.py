"""The backup extension's storage account closes its public endpoint without a path for the cluster (or the vault, in the vault tier)."""
from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from typing import Any

from validator.checks.backup_extension_settings import cluster_of, storage_account_of
from validator.checks.snapshot_limit_exceeded import vault_tier_path
from validator.graph import InfraGraph
from validator.graph import resource_ids as ids
from validator.graph.network_view import node_subnet_refs
from validator.model import Finding, Related, Resource, Unknown

PRIVATE_ENDPOINT = "microsoft.network/privateendpoints"
ACLS = ("properties", "networkAcls")


def _is(value: Any, text: str) -> bool:
    return isinstance(value, str) and not isinstance(value, Unknown) and value.strip().lower() == text


def _blob_endpoints(graph: InfraGraph, account_id: str, unit: str) -> tuple[list[Resource], list[Resource]]:
    """(private endpoints with a blob connection to the account, endpoints whose target is not known statically)."""
    found, unknown = [], []
    for endpoint in graph.linked(PRIVATE_ENDPOINT, unit):
        for key in ("privateLinkServiceConnections", "manualPrivateLinkServiceConnections"):
            connections = endpoint.get("properties", key)
            for connection in connections if isinstance(connections, list) else ():
                props = connection.get("properties") if isinstance(connection, dict) else None
                if not isinstance(props, dict):
                    continue
                target, groups = props.get("privateLinkServiceId"), props.get("groupIds")
                if isinstance(target, Unknown) or isinstance(groups, Unknown):
                    unknown.append(endpoint)
                elif ids.normalize(target) == account_id and isinstance(groups, list) and any(_is(g, "blob") for g in groups):
                    found.append(endpoint)
    return found, unknown


def _vault_tier_vaults(graph: InfraGraph, cluster_id: str, unit: str) -> list[tuple[str, Resource, Resource]]:
    """(vault id, backup instance, policy) of each instance of the cluster whose policy uses the vault tier."""
    found = []
    for instance in graph.backup_instances():
        value, _ = graph.datasource_cluster(instance)
        if ids.normalize(value) != cluster_id or not graph.links(unit, instance.unit):
            continue
        policy, _, _ = graph.policy_of(instance)
        vault_id = graph.vault_id_of(instance)
        if policy is not None and vault_id and vault_tier_path(policy) is not None:
            found.append((vault_id, instance, policy))
    return found


def _trusts(account: Resource, vault_id: str) -> bool | None:
    """Whether the account's firewall lets the vault in: AzureServices in bypass or a resource instance rule.

    An unwritten bypass is the Storage API's default, AzureServices (NetworkRuleSet.bypass)."""
    bypass = account.get(*ACLS, "bypass")
    if bypass is None:
        return True
    rules = account.get(*ACLS, "resourceAccessRules")
    if isinstance(bypass, str) and not isinstance(bypass, Unknown) and "azureservices" in [p.strip().lower() for p in bypass.split(",")]:
        return True
    verdict: bool | None = False
    if isinstance(bypass, Unknown) or isinstance(rules, Unknown):
        verdict = None
    for rule in rules if isinstance(rules, list) else ():
        resource = rule.get("resourceId") if isinstance(rule, dict) else None
        if isinstance(resource, Unknown):
            verdict = None
        elif isinstance(resource, str) and fnmatch.fnmatchcase(vault_id, resource.strip().lower()):
            return True  # resourceId may carry wildcards (storage-network-security-resource-instances)
    return verdict


def backup_storage_unreachable(graph: InfraGraph) -> Iterator[Finding]:
    """Yield a finding per backup extension whose firewalled account has no private endpoint or network rule for the cluster, and per vault-tier vault it does not trust."""
    for ext in graph.backup_extensions():
        account_id, where, account = storage_account_of(graph, ext)
        if account is None or not isinstance(account_id, str):
            continue  # the account is declared elsewhere: its network settings are not visible
        name = ids.short(account_id)
        uses = Related(ext.location_of(*where), f"backup extension '{ext.display_name}' names the account")
        public = account.get("properties", "publicNetworkAccess")
        default = account.get(*ACLS, "defaultAction")
        closed, denied = _is(public, "disabled"), _is(default, "deny")
        if not (closed or denied):
            hidden = public if isinstance(public, Unknown) else default if isinstance(default, Unknown) else None
            if hidden is not None:
                yield Finding(
                    message=f"network access of storage account '{name}' of backup extension '{ext.display_name}' is not known statically ({hidden.origin}); cannot tell whether the cluster reaches it",
                    location=account.location_of("properties"), severity="info", subject=account, related=(uses,),
                    fix=f"If storage account '{name}' denies public access, add a blob private endpoint reachable from the cluster.")
            continue
        setting = ("properties", "publicNetworkAccess") if closed else ACLS + ("defaultAction",)
        how = "disables public network access" if closed else "denies by default (networkAcls.defaultAction Deny)"
        cluster = cluster_of(graph, ext)
        cluster_name = cluster.display_name if cluster is not None else ids.short(ext.scope)
        endpoints, unsure = _blob_endpoints(graph, account_id, ext.unit)
        path, undecided = bool(endpoints), bool(unsure)
        if not path and not closed:  # virtual network rules open the public endpoint only, not a disabled one
            rules = account.get(*ACLS, "virtualNetworkRules")
            rule_ids = {ids.normalize(r.get("id")) for r in rules if isinstance(r, dict)} if isinstance(rules, list) else set()
            refs = node_subnet_refs(graph, cluster) if cluster is not None else []
            subnets = {ids.normalize(value) for value, _ in refs}
            path = bool(rule_ids & subnets - {None})
            undecided = undecided or isinstance(rules, Unknown) or (bool(rule_ids) and (cluster is None or None in subnets or None in rule_ids))
        if not path:
            if undecided:
                yield Finding(
                    message=f"storage account '{name}' of backup extension '{ext.display_name}' {how}; whether a private endpoint or network rule lets cluster '{cluster_name}' reach it is not known statically",
                    location=account.location_of(*setting), severity="info", subject=account, related=(uses,),
                    fix=f"Add a Microsoft.Network/privateEndpoints with groupIds ['blob'] to storage account '{name}' in the VNet of cluster '{cluster_name}'.")
            else:
                yield Finding(
                    message=f"storage account '{name}' of backup extension '{ext.display_name}' {how}, and no blob private endpoint"
                            + (f" or virtual network rule for the node subnet of cluster '{cluster_name}'" if not closed
                               else " (its virtual network rules filter only the public endpoint)" if account.get(*ACLS, "virtualNetworkRules") else "")
                            + " lets the cluster reach it",
                    location=account.location_of(*setting), subject=account, related=(uses,),
                    fix=f"Add a Microsoft.Network/privateEndpoints with privateLinkServiceId of storage account '{name}' and groupIds ['blob'] in the VNet of cluster '{cluster_name}' (with the privatelink.blob.core.windows.net DNS zone linked)"
                        + ("" if closed else ", or add the cluster's node subnet to networkAcls.virtualNetworkRules") + ".")
        cluster_id = ids.normalize(ext.scope)
        for vault_id, instance, policy in _vault_tier_vaults(graph, cluster_id, ext.unit) if cluster_id else ():
            trusted = _trusts(account, vault_id)
            if trusted is True:
                continue
            vault = ids.short(vault_id)
            yield Finding(
                message=f"storage account '{name}' of backup extension '{ext.display_name}' {how}"
                        + (f" and neither lets trusted Azure services in (bypass AzureServices) nor has a resource access rule for backup vault '{vault}'" if trusted is False
                           else f"; whether it trusts backup vault '{vault}' is not known statically")
                        + f", which reads it for the vault tier of policy '{policy.display_name}'",
                location=account.location_of(*(ACLS if account.get(*ACLS) is not None else setting)),
                severity="warning" if trusted is False else "info", subject=account,
                related=(uses, Related(instance.location, f"backup instance '{instance.display_name}' uses the vault tier")),
                fix=f"Add AzureServices to networkAcls.bypass of storage account '{name}', or a networkAcls.resourceAccessRules entry with resourceId of backup vault '{vault}'.")
