"""A backed-up cluster disables the Azure Disk CSI driver or the snapshot controller."""
from __future__ import annotations

from collections.abc import Iterator

from validator.graph import InfraGraph
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
