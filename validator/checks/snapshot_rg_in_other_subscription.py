"""A backup instance keeps disk snapshots in a resource group of another subscription, or of another region, than its cluster."""
from __future__ import annotations

from collections.abc import Iterator

from validator.graph import CLUSTER, RESOURCE_GROUP, InfraGraph, region_of, same_subscription
from validator.graph import resource_ids as ids
from validator.model import Finding, Related


def snapshot_rg_in_other_subscription(graph: InfraGraph) -> Iterator[Finding]:
    """Yield a finding per snapshot resource group outside the cluster's subscription (error) or region (warning)."""
    for instance in graph.backup_instances():
        cluster_value, cluster_path = graph.datasource_cluster(instance)
        cluster_id = ids.normalize(cluster_value)
        if cluster_id is None:
            continue  # the cluster is not known statically: nothing to compare with
        cluster = graph.declared(cluster_id, instance.unit, CLUSTER)
        cluster_name = cluster.display_name if cluster is not None else ids.short(cluster_id)
        names = Related(instance.location_of(*cluster_path), f"backup instance '{instance.display_name}' names cluster '{cluster_name}'")
        for value, path in graph.snapshot_groups(instance):
            group_id = ids.normalize(value)
            if group_id is None:
                continue  # an Unknown group: AKSB-RBAC-002 already says it cannot be checked
            group = ids.short(group_id)
            # shown as written: normalized ids are lower case
            group_sub, cluster_sub = ids.subscription_of(str(value)), ids.subscription_of(str(cluster_value))
            same = same_subscription(group_id, cluster_id)
            if same is False:
                yield Finding(
                    message=f"snapshot resource group '{group}' of backup instance '{instance.display_name}' is in subscription '{group_sub}', cluster '{cluster_name}' in subscription '{cluster_sub}'; incremental disk snapshots cannot be taken into another subscription",
                    location=instance.location_of(*path), subject=instance, related=(names,),
                    fix=f"Use a snapshot resource group in subscription '{cluster_sub}' of cluster '{cluster_name}'.")
                continue
            if same is None:
                yield Finding(
                    message=f"subscription of snapshot resource group '{group}' ({group_sub}) or of cluster '{cluster_name}' ({cluster_sub}) is not known statically; cannot tell whether backup instance '{instance.display_name}' keeps snapshots in the cluster's subscription",
                    location=instance.location_of(*path), severity="info", subject=instance, related=(names,),
                    fix=f"Keep the snapshots of cluster '{cluster_name}' in a resource group of its own subscription.")
                continue
            declared = graph.declared(group_id, instance.unit, RESOURCE_GROUP)
            if declared is None or cluster is None or declared.get("location") == cluster.get("location"):
                continue  # a group deployed elsewhere: its location is not visible
            theirs, ours = region_of(declared), region_of(cluster)
            if theirs and ours and theirs != ours:
                yield Finding(
                    message=f"snapshot resource group '{group}' of backup instance '{instance.display_name}' is in {declared.get('location')}, cluster '{cluster_name}' in {cluster.get('location')}",
                    location=declared.location_of("location"), severity="warning", subject=declared,
                    related=(Related(instance.location_of(*path), f"backup instance '{instance.display_name}' keeps snapshots here"),
                             Related(cluster.location_of("location"), f"cluster '{cluster_name}' location")),
                    fix=f"Create snapshot resource group '{group}' in {cluster.get('location')}, the region of cluster '{cluster_name}'.")
