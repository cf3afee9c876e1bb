"""A backed-up cluster has no Azure Backup extension (microsoft.dataprotection.kubernetes)."""
from __future__ import annotations

from collections.abc import Iterator

from validator.graph import CLUSTER, InfraGraph
from validator.graph import resource_ids as ids
from validator.model import Finding, Related


def backup_extension_missing(graph: InfraGraph) -> Iterator[Finding]:
    """Yield a finding per backup instance whose cluster has no backup extension (or no dependency on it)."""
    for instance in graph.backup_instances():
        cluster_value, path = graph.datasource_cluster(instance)
        cluster_id = ids.normalize(cluster_value)
        where = instance.location_of(*path)
        if cluster_id is None:
            yield Finding(
                message=f"cluster of backup instance '{instance.display_name}' is not known statically ({ids.short(cluster_value)}); its backup extension cannot be checked",
                location=where, severity="info", subject=instance,
                fix="Install the extension microsoft.dataprotection.kubernetes on the cluster before the backup instance.")
            continue
        found, unknown = graph.backup_extensions_on(cluster_id, instance.unit)
        if found:
            same_unit = [e for e in found if e.unit == instance.unit]
            # dependsOn is transitive: waiting for the extension's role assignment (which reads the
            # extension's identity) or for the deployment (module) declaring it waits for the extension
            depends = graph.dependency_closure(instance)
            if same_unit and not any(({ids.normalize(e.id)} | {ids.normalize(d) for d in e.deployed_by}) & depends for e in same_unit):
                ext = same_unit[0]
                yield Finding(
                    message=f"backup instance '{instance.display_name}' does not depend on backup extension '{ext.display_name}' deployed beside it; the vault may look for the extension before it exists",
                    location=instance.location_of("dependsOn") if instance.depends_on else instance.location,
                    severity="warning", subject=instance,
                    related=(Related(ext.location, "extension declared here"),),
                    fix=f"Add the extension '{ext.display_name}' (and its storage role assignment) to dependsOn of backup instance '{instance.display_name}'.")
            continue
        if unknown:
            ext = unknown[0]
            yield Finding(
                message=f"extension '{ext.display_name}' on cluster '{ids.short(cluster_id)}' has an extensionType not known statically; cannot tell whether it is the backup extension",
                location=ext.location_of("properties", "extensionType"), severity="info", subject=ext,
                fix="Set extensionType to 'microsoft.dataprotection.kubernetes'.")
            continue
        cluster = graph.declared(cluster_id, instance.unit, CLUSTER)
        yield Finding(
            message=f"cluster '{ids.short(cluster_id)}' backed up by '{instance.display_name}' has no backup extension (extensionType microsoft.dataprotection.kubernetes)",
            location=where, severity="" if cluster is not None else "info", subject=instance,
            related=((Related(cluster.location, "cluster declared here"),) if cluster is not None else ()),
            fix=f"Add a Microsoft.KubernetesConfiguration/extensions resource with scope = cluster '{ids.short(cluster_id)}', "
                "extensionType 'microsoft.dataprotection.kubernetes', releaseTrain 'stable' and the backupStorageLocation settings"
                + ("" if cluster is not None else " (or confirm it is installed outside this repository)") + ".")
