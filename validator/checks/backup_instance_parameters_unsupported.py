"""Backup instance parameters that leave data out or exceed AKS backup limits."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from validator.graph import InfraGraph
from validator.model import Finding, Unknown

POLICY_PARAMS = ("properties", "policyInfo", "policyParameters")


@dataclass(frozen=True)
class Params:
    max_namespaces: int = 800
    skipped_namespaces: tuple = ("kube-system", "kube-node-lease", "kube-public")


def _false(value: object) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def _true(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def backup_instance_parameters_unsupported(graph: InfraGraph, params: Params) -> Iterator[Finding]:
    """Yield findings per backup instance: volumes not snapshotted, several operational stores, too many or system namespaces."""
    for instance in graph.backup_instances():
        name = instance.display_name
        stores = instance.get(*POLICY_PARAMS, "dataStoreParametersList")
        if isinstance(stores, list):
            operational = [s for s in stores if isinstance(s, dict) and str(s.get("objectType", "")).lower() == "azureoperationalstoreparameters"]
            if len(operational) > 1:
                yield Finding(
                    message=f"backup instance '{name}' has {len(operational)} AzureOperationalStoreParameters entries; AKS backup takes exactly one snapshot resource group",
                    location=instance.location_of(*POLICY_PARAMS, "dataStoreParametersList"), severity="warning", subject=instance,
                    fix=f"Keep one AzureOperationalStoreParameters entry (one snapshot resource group) in backup instance '{name}'.")
        entries = instance.get(*POLICY_PARAMS, "backupDatasourceParametersList")
        if not isinstance(entries, list):
            continue
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict) or str(entry.get("objectType", "")).lower() != "kubernetesclusterbackupdatasourceparameters":
                continue
            base = POLICY_PARAMS + ("backupDatasourceParametersList", index)
            volumes, cluster_scope = entry.get("snapshotVolumes"), entry.get("includeClusterScopeResources")
            if _false(volumes):
                yield Finding(
                    message=f"backup instance '{name}' sets snapshotVolumes false: persistent volume data is not backed up",
                    location=instance.location_of(*base, "snapshotVolumes"), severity="warning", subject=instance,
                    fix=f"Set snapshotVolumes true in backup instance '{name}' unless only Kubernetes objects are meant to be protected.")
            elif _true(volumes) and _false(cluster_scope):
                yield Finding(
                    message=f"backup instance '{name}' snapshots volumes but sets includeClusterScopeResources false: the persistent volumes (cluster-scoped) of the snapshots are left out",
                    location=instance.location_of(*base, "includeClusterScopeResources"), severity="warning", subject=instance,
                    fix=f"Set includeClusterScopeResources true in backup instance '{name}'.")
            namespaces = entry.get("includedNamespaces")
            if not isinstance(namespaces, list):
                continue
            where = instance.location_of(*base, "includedNamespaces")
            if len(namespaces) > params.max_namespaces:
                yield Finding(
                    message=f"backup instance '{name}' includes {len(namespaces)} namespaces; a backup instance takes at most {params.max_namespaces}",
                    location=where, severity="warning", subject=instance,
                    fix=f"Split the namespaces of backup instance '{name}' over several backup instances (different vaults or policies), or leave includedNamespaces empty to back up all.")
            system = [n for n in namespaces if isinstance(n, str) and not isinstance(n, Unknown) and n.strip().lower() in params.skipped_namespaces]
            if system:
                yield Finding(
                    message=f"backup instance '{name}' includes system namespace(s) {', '.join(repr(n) for n in system)}, which AKS backup always skips",
                    location=where, severity="warning", subject=instance,
                    fix=f"Remove {', '.join(repr(n) for n in system)} from includedNamespaces of backup instance '{name}'.")
