"""The backup extension's storage account is in another region than the cluster, or is not a Standard general-purpose v2 account."""
from __future__ import annotations

from collections.abc import Iterator

from validator.checks.backup_extension_settings import cluster_of, storage_account_of
from validator.graph import InfraGraph, region_of
from validator.model import Finding, Related, Unknown


def backup_storage_account_unsupported(graph: InfraGraph) -> Iterator[Finding]:
    """Yield a finding per backup extension whose declared storage account has another region, kind or a Premium SKU."""
    for ext in graph.backup_extensions():
        _, where, account = storage_account_of(graph, ext)
        if account is None:
            continue  # not declared here: its region and SKU are not visible
        name = account.display_name
        uses = Related(ext.location_of(*where), f"backup extension '{ext.display_name}' names the account")
        cluster = cluster_of(graph, ext)
        if cluster is not None:
            theirs, ours = region_of(account), region_of(cluster)
            if account.get("location") == cluster.get("location"):
                pass  # the same value or the same expression: the same region
            elif theirs and ours and theirs != ours:
                yield Finding(
                    message=f"storage account '{name}' ({account.get('location')}) of backup extension '{ext.display_name}' is not in the region of cluster '{cluster.display_name}' ({cluster.get('location')})",
                    location=account.location_of("location"), subject=account,
                    related=(uses, Related(cluster.location_of("location"), f"cluster '{cluster.display_name}' location")),
                    fix=f"Use a storage account in {cluster.get('location')} for extension '{ext.display_name}', or deploy '{name}' there.")
            elif (theirs is None) != (ours is None):
                hidden, value = (account, account.get("location")) if theirs is None else (cluster, cluster.get("location"))
                yield Finding(
                    message=f"region of {'storage account' if hidden is account else 'cluster'} '{hidden.display_name}' is not known statically ({value.origin if isinstance(value, Unknown) else value}); cannot tell whether storage account '{name}' is in the cluster's region",
                    location=hidden.location_of("location"), severity="info", subject=account, related=(uses,),
                    fix=f"Deploy storage account '{name}' in the region of cluster '{cluster.display_name}'.")
        kind = account.get("kind")
        if isinstance(kind, str) and kind.strip().lower() != "storagev2":
            yield Finding(
                message=f"storage account '{name}' of backup extension '{ext.display_name}' has kind '{kind}'; AKS backup needs a general-purpose v2 account (StorageV2)",
                location=account.location_of("kind"), subject=account, related=(uses,),
                fix=f"Use kind 'StorageV2' with a Standard_* SKU for storage account '{name}'.")
        sku = account.get("sku", "name")
        if isinstance(sku, str) and sku.strip().lower().startswith("premium_"):
            yield Finding(
                message=f"storage account '{name}' of backup extension '{ext.display_name}' has SKU '{sku}'; Premium accounts are not supported for AKS backup",
                location=account.location_of("sku", "name"), subject=account, related=(uses,),
                fix=f"Use a Standard_* SKU (e.g. Standard_LRS or Standard_ZRS) for storage account '{name}'.")
