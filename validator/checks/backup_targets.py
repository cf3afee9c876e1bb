"""Which declared clusters the backup touches: backed up by a backup instance or carrying the backup extension."""
from __future__ import annotations

from dataclasses import dataclass

from validator.checks.backup_extension_settings import backup_extensions, cluster_of
from validator.graph import CLUSTER, InfraGraph
from validator.graph import resource_ids as ids
from validator.model import Related, Resource


@dataclass(frozen=True)
class Target:
    cluster: Resource
    reason: str  # "backed up by 'bv/aks'" / "carries backup extension 'azure-aks-backup'"
    related: Related
    backed_up: bool  # a backup instance names it (not only an extension on it)


def protected_clusters(graph: InfraGraph) -> list[Target]:
    """Each declared cluster a backup instance names or a backup extension is scoped to, once."""
    found: dict[int, Target] = {}
    for instance in graph.backup_instances():
        value, path = graph.datasource_cluster(instance)
        cluster = graph.find(value, instance.unit, CLUSTER) if ids.normalize(value) else None
        if cluster is not None and not cluster.get("existing") and id(cluster) not in found:
            found[id(cluster)] = Target(cluster, f"backed up by '{instance.display_name}'",
                                        Related(instance.location_of(*path), f"backup instance '{instance.display_name}' names the cluster"), True)
    for ext in backup_extensions(graph):
        cluster = cluster_of(graph, ext)
        if cluster is not None and not cluster.get("existing") and id(cluster) not in found:
            found[id(cluster)] = Target(cluster, f"carries backup extension '{ext.display_name}'",
                                        Related(ext.location, "backup extension declared here"), False)
    return sorted(found.values(), key=lambda t: (t.cluster.file, str(t.cluster.name)))
