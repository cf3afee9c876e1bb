"""A backup of Azure Files (SMB) volumes misses what the 01/2026 support matrix requires (RULES.md P-26)."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from validator.graph import CLUSTER, STORAGE_ACCOUNT, InfraGraph, Principal
from validator.graph import resource_ids as ids
from validator.graph.kubernetes_view import DATASOURCE_PARAMETERS, known_str, storage_classes
from validator.iso8601 import duration_hours
from validator.model import Finding, Related, Resource, Unknown

FILE_SHARE = "microsoft.storage/storageaccounts/fileservices/shares"
FILE_DRIVER = "file.csi.azure.com"


@dataclass(frozen=True)
class Params:
    role: str = "69566ab7-960f-475b-8e7c-b3118f30c6bd"  # Storage File Data Privileged Contributor
    max_retention_days: int = 30  # Azure Files: 200 snapshots per share, retention up to 30 days


def backs_up_file_shares(instance: Resource) -> bool | None:
    """True when a backup instance's includedVolumeTypes name AzureFileShareSMB; None when not known statically."""
    entries = instance.get(*DATASOURCE_PARAMETERS)
    if isinstance(entries, Unknown):
        return None
    verdict: bool | None = False
    for entry in entries if isinstance(entries, list) else ():
        types = entry.get("includedVolumeTypes") if isinstance(entry, dict) else entry
        if isinstance(types, Unknown) or (isinstance(types, list) and any(isinstance(t, Unknown) for t in types)):
            verdict = None
        elif isinstance(types, list) and any(isinstance(t, str) and t.strip().lower() == "azurefilesharesmb" for t in types):
            return True
    return verdict


def _smb_classes(graph: InfraGraph) -> list:
    """Declared (not built-in) StorageClasses of the Azure Files CSI driver using SMB (protocol absent or smb)."""
    found = []
    for cls in storage_classes(graph).values():
        if cls.resource is None or str(cls.provisioner).lower() != FILE_DRIVER:
            continue
        protocol = cls.parameter("protocol")
        if protocol is None or str(protocol).lower() == "smb":
            found.append(cls)
    return found


def _share_accounts(graph: InfraGraph, instance: Resource, cluster: Resource, classes: list) -> list[tuple[Resource, str]]:
    """(storage account, why it holds backed-up shares): accounts of file shares and accounts a SMB StorageClass
    names in its storageAccount parameter, declared in the deployment of the instance or of its cluster (which
    cluster mounts a share declared elsewhere is not known)."""
    units = {instance.unit, cluster.unit}
    accounts: dict[str, tuple[Resource, str]] = {}
    for share in graph.resources(FILE_SHARE):
        if share.unit not in units:
            continue
        key = ids.normalize(share.id)
        if key is None or "/fileservices/" not in key:
            continue
        account = graph.find(key.split("/fileservices/")[0], share.unit, STORAGE_ACCOUNT)
        if account is not None:
            accounts.setdefault(ids.normalize(account.id), (account, f"file share '{ids.short(share.id)}'"))
    for cls in classes:
        name = known_str(cls.parameter("storageAccount"))
        if not name:
            continue
        for account in graph.resources(STORAGE_ACCOUNT):
            if account.unit in units and isinstance(account.name, str) and account.name.lower() == name.lower():
                accounts.setdefault(ids.normalize(account.id), (account, f"StorageClass '{cls.name}' storageAccount"))
    return sorted(accounts.values(), key=lambda a: (a[0].file, str(a[0].name)))


def _long_retentions(policy: Resource, params: Params) -> Iterator[tuple[tuple, str, float]]:
    for index, rule in enumerate(policy.properties.get("policyRules") or []):
        if not isinstance(rule, dict) or rule.get("objectType") != "AzureRetentionRule":
            continue
        for position, lifecycle in enumerate(rule.get("lifecycles") or []):
            if not isinstance(lifecycle, dict) or not isinstance(lifecycle.get("sourceDataStore"), dict):
                continue
            if str(lifecycle["sourceDataStore"].get("dataStoreType")).lower() != "operationalstore":
                continue
            duration = (lifecycle.get("deleteAfter") or {}).get("duration") if isinstance(lifecycle.get("deleteAfter"), dict) else None
            hours = duration_hours(duration)
            if hours is not None and hours / 24 > params.max_retention_days:
                yield ("properties", "policyRules", index, "lifecycles", position, "deleteAfter", "duration"), duration, hours / 24


def azure_files_backup_requirements(graph: InfraGraph, params: Params) -> Iterator[Finding]:
    """Per backup instance that includes AzureFileShareSMB: operational retention over 30 days (warning: RULES.md
    P-21 and P-26 rate it so, no failure is documented), a share
    storage account without Storage File Data Privileged Contributor for the cluster identity (warning), a SMB
    StorageClass reaching its shares through a private endpoint (warning, once per class)."""
    instances = [i for i in graph.backup_instances() if backs_up_file_shares(i) is True]
    classes = _smb_classes(graph)
    for instance in instances:
        where = instance.location_of(*DATASOURCE_PARAMETERS)
        related = (Related(where, f"backup instance '{instance.display_name}' includes AzureFileShareSMB volumes"),)
        policy, _, _ = graph.policy_of(instance)
        if policy is not None:
            for path, duration, days in _long_retentions(policy, params):
                yield Finding(
                    message=f"backup policy '{policy.display_name}' keeps operational recovery points for {duration} ({days:.0f} days) while backup instance "
                            f"'{instance.display_name}' backs up Azure Files shares; Azure Files snapshots are kept at most {params.max_retention_days} days (200 per share)",
                    location=policy.location_of(*path), severity="warning", subject=policy, related=related,
                    fix=f"Set the operational retention of policy '{policy.display_name}' to P{params.max_retention_days}D or less, or back up the "
                        f"Azure Files volumes with a separate backup instance and policy.")
        value, _ = graph.datasource_cluster(instance)
        cluster = graph.declared(value, instance.unit, CLUSTER) if ids.normalize(value) else None
        if cluster is None:
            continue  # the cluster's identity is not visible here
        principals = graph.cluster_principals(cluster)
        for account, why in _share_accounts(graph, instance, cluster, classes):
            account_id = ids.normalize(account.id)
            granted = [a for a in graph.assignments_over(account_id, instance.unit)
                       if a.role == params.role and isinstance(a.principal, Principal) and a.principal in principals]
            if granted:
                continue
            unresolved = [a for a in graph.unresolved_assignments_over(account_id, instance.unit) if a.role in (params.role, None)]
            if unresolved:
                shown = unresolved[0].principal
                yield Finding(
                    message=f"an assignment over storage account '{account.display_name}' ({why}) names a principal not known statically "
                            f"({shown.origin if isinstance(shown, Unknown) else shown}); cannot tell whether cluster '{cluster.display_name}' holds "
                            f"Storage File Data Privileged Contributor for the Azure Files backup of '{instance.display_name}'",
                    location=unresolved[0].resource.location, severity="info", subject=account, related=related,
                    fix=f"Assign Storage File Data Privileged Contributor on storage account '{account.display_name}' to the identity of cluster '{cluster.display_name}'.")
                continue
            yield Finding(
                message=f"the identity of cluster '{cluster.display_name}' has no Storage File Data Privileged Contributor assignment on storage account "
                        f"'{account.display_name}' ({why}), whose Azure Files shares backup instance '{instance.display_name}' backs up",
                location=account.location, subject=account, related=related,
                fix=f"Assign Storage File Data Privileged Contributor ({params.role}) on storage account '{account.display_name}' to the identity of "
                    f"cluster '{cluster.display_name}' (and of every restore target cluster).")
    if not instances:
        return
    for cls in classes:
        endpoint = cls.parameter("networkEndpointType")
        if isinstance(endpoint, str) and endpoint.strip().lower() == "privateendpoint":
            key = next(k for k in cls.parameters if isinstance(k, str) and k.lower() == "networkendpointtype")
            others = f" and {len(instances) - 1} more" if len(instances) > 1 else ""
            yield Finding(
                message=f"StorageClass '{cls.name}' provisions Azure Files shares behind a private endpoint (networkEndpointType privateEndpoint) while "
                        f"backups in the scan include Azure Files volumes (backup instance '{instances[0].display_name}'{others}); AKS backup supports only shares reachable publicly",
                location=cls.resource.location_of("parameters", key), subject=cls.resource,
                related=(Related(instances[0].location_of(*DATASOURCE_PARAMETERS), f"backup instance '{instances[0].display_name}'"),),
                fix=f"Remove networkEndpointType from StorageClass '{cls.name}' (or exclude AzureFileShareSMB from the backup of its volumes).")
