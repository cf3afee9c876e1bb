"""A backup vault protects a cluster in another region."""
from __future__ import annotations

from collections.abc import Iterator

from validator.graph import CLUSTER, VAULT, InfraGraph, region_of
from validator.graph import resource_ids as ids
from validator.model import Finding, Related, Unknown


def vault_region_differs_from_cluster(graph: InfraGraph) -> Iterator[Finding]:
    """Yield a finding per backup instance whose declared vault and cluster are in different regions."""
    for instance in graph.backup_instances():
        value, path = graph.datasource_cluster(instance)
        cluster = graph.declared(value, instance.unit, CLUSTER) if ids.normalize(value) else None
        vault = graph.declared(graph.vault_id_of(instance), instance.unit, VAULT)
        if cluster is None or vault is None:
            continue  # one side is declared elsewhere: its region is not visible
        theirs, ours = region_of(vault), region_of(cluster)
        if vault.get("location") == cluster.get("location"):
            continue  # the same value or the same expression (resourceGroup().location): the same region
        related = (Related(instance.location_of(*path), f"backup instance '{instance.display_name}' names the cluster"),
                   Related(cluster.location_of("location"), f"cluster '{cluster.display_name}' location"))
        if theirs and ours and theirs != ours:
            yield Finding(
                message=f"backup vault '{vault.display_name}' ({vault.get('location')}) backs up cluster '{cluster.display_name}' ({cluster.get('location')}) in another region, through backup instance '{instance.display_name}'",
                location=vault.location_of("location"), subject=vault, related=related,
                fix=f"Back up cluster '{cluster.display_name}' with a vault in {cluster.get('location')}.")
        elif not (theirs and ours):
            hidden = vault if not theirs else cluster
            location = hidden.get("location")
            yield Finding(
                message=f"region of {'backup vault' if hidden is vault else 'cluster'} '{hidden.display_name}' is not known statically ({location.origin if isinstance(location, Unknown) else location}); cannot tell whether vault '{vault.display_name}' and cluster '{cluster.display_name}' share a region",
                location=hidden.location_of("location"), severity="info", subject=vault, related=related,
                fix=f"Deploy vault '{vault.display_name}' in the region of cluster '{cluster.display_name}'.")
