"""A backed-up cluster disables the Azure Disk CSI driver or the snapshot controller."""
from __future__ import annotations

from collections.abc import Iterator

from validator.graph import InfraGraph
from validator.graph import resource_ids as ids
from validator.model import Finding, Unknown

# both default to enabled: an absent setting is the platform default, not a finding (settled question)
COMPONENTS = (("diskCSIDriver", "Azure Disk CSI driver"), ("snapshotController", "CSI snapshot controller"))


def disk_snapshot_driver_disabled(graph: InfraGraph) -> Iterator[Finding]:
    """Yield a finding per backed-up cluster whose storageProfile turns the disk CSI driver or snapshot controller off."""
    for target in graph.protected_clusters():
        cluster = target.resource
        for key, label in COMPONENTS:
            path = ("properties", "storageProfile", key, "enabled")
            value = cluster.get(*path)
            if isinstance(value, Unknown):
                yield Finding(
                    message=f"storageProfile.{key}.enabled of cluster '{cluster.display_name}' ({target.reason}) is not known statically ({value.origin})",
                    location=cluster.location_of(*path), severity="info", subject=cluster, related=(target.related,),
                    fix=f"Make sure storageProfile.{key}.enabled is true on cluster '{cluster.display_name}'.")
            elif value is False or (isinstance(value, str) and value.strip().lower() == "false"):
                yield Finding(
                    message=f"cluster '{cluster.display_name}' ({target.reason}) disables the {label} (storageProfile.{key}.enabled false); AKS backup cannot snapshot its disk volumes",
                    location=cluster.location_of(*path), subject=cluster, related=(target.related,),
                    fix=f"Set storageProfile.{key}.enabled to true on cluster '{cluster.display_name}' (or remove the setting: it defaults to true).")

    yield from _file_driver_disabled(graph)


def _file_driver_disabled(graph: InfraGraph) -> Iterator[Finding]:
    """Azure Files volumes are snapshotted through the Azure Files CSI driver (support matrix 01/2026, RULES.md P-04):
    a backup instance that includes AzureFileShareSMB volumes needs storageProfile.fileCSIDriver on."""
    for target in graph.protected_clusters():
        cluster = target.resource
        path = ("properties", "storageProfile", "fileCSIDriver", "enabled")
        value = cluster.get(*path)
        if not (value is False or (isinstance(value, str) and value.strip().lower() == "false")):
            continue
        for instance in graph.backup_instances():
            cluster_id, _ = graph.datasource_cluster(instance)
            if ids.normalize(cluster_id) != target.key:
                continue
            entries = instance.get("properties", "policyInfo", "policyParameters", "backupDatasourceParametersList")
            types = [t for e in (entries if isinstance(entries, list) else ()) if isinstance(e, dict)
                     for t in (e.get("includedVolumeTypes") if isinstance(e.get("includedVolumeTypes"), list) else ())]
            if any(isinstance(t, str) and t.strip().lower() == "azurefilesharesmb" for t in types):
                yield Finding(
                    message=f"cluster '{cluster.display_name}' ({target.reason}) disables the Azure Files CSI driver (storageProfile.fileCSIDriver.enabled false) "
                            f"while backup instance '{instance.display_name}' includes AzureFileShareSMB volumes; AKS backup cannot snapshot its file share volumes",
                    location=cluster.location_of(*path), subject=cluster, related=(target.related,),
                    fix=f"Set storageProfile.fileCSIDriver.enabled to true on cluster '{cluster.display_name}' (or remove the setting: it defaults to true), "
                        f"or drop AzureFileShareSMB from includedVolumeTypes of backup instance '{instance.display_name}'.")
                break
