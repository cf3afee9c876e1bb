"""A ReadOnly lock over a protected cluster, its resource group or its node resource group blocks managing the backup extension."""
from __future__ import annotations

from collections.abc import Iterator

from validator.graph import InfraGraph
from validator.graph import resource_ids as ids
from validator.model import Finding, Resource, Unknown

NODE_GROUP_CODES = ("P-23", "UserErrorKubernetesBackupExtensionIdentityNotFound")


def _scope_text(lock: Resource, cluster_id: str, node_group: str | None) -> str:
    scope = ids.normalize(lock.scope) or ""
    group = ids.resource_group_name(str(lock.scope)) or ""
    if scope == cluster_id:
        return "the cluster"
    if node_group is not None and scope == node_group:
        return f"node resource group '{group}'"
    if not group:
        return f"subscription '{ids.short(lock.scope)}'"
    return "the deployment's resource group" if ids.is_placeholder(group) else f"resource group '{group}'"


def cluster_locked_read_only(graph: InfraGraph) -> Iterator[Finding]:
    """Yield a finding per ReadOnly lock over a protected cluster or its node resource group."""
    for protected in graph.protected_clusters():
        cluster = protected.resource
        name = cluster.display_name
        node_name = cluster.get("properties", "nodeResourceGroup")
        subscription = ids.subscription_of(protected.key)
        node_group = None
        if isinstance(node_name, str) and not isinstance(node_name, Unknown) and node_name.strip() and subscription:
            node_group = ids.normalize(f"/subscriptions/{subscription}/resourceGroups/{node_name.strip()}")
        seen: set[int] = set()
        locks = [(lock, False) for lock in graph.locks_over(protected.key, cluster.unit)]
        locks += [(lock, True) for lock in graph.locks_over(node_group, cluster.unit)] if node_group else []
        for lock, on_nodes in locks:
            if id(lock) in seen:
                continue  # a subscription lock covers both groups: one finding
            seen.add(id(lock))
            level = lock.properties.get("level")
            if not isinstance(level, Unknown) and str(level).lower() != "readonly":
                continue
            where = _scope_text(lock, protected.key, node_group)
            if isinstance(level, Unknown):
                yield Finding(
                    message=f"lock '{lock.display_name}' on {where} applies to {'the node resource group of ' if on_nodes else ''}cluster '{name}'; its level is not known statically ({level.origin})",
                    location=lock.location_of("properties", "level"), severity="info", subject=lock, related=(protected.related,),
                    fix=f"Use CanNotDelete rather than ReadOnly for lock '{lock.display_name}'.")
            elif on_nodes:
                yield Finding(
                    message=f"ReadOnly lock '{lock.display_name}' on {where} of cluster '{name}' blocks creating or updating the backup extension's managed identity there",
                    location=lock.location_of("properties", "level"), severity="warning", subject=lock,
                    related=(protected.related,), codes=NODE_GROUP_CODES,
                    fix=f"Remove lock '{lock.display_name}' from node resource group '{node_name}', or make it CanNotDelete.")
            else:
                yield Finding(
                    message=(f"ReadOnly lock '{lock.display_name}' on cluster '{name}' ({protected.reason})" if where == "the cluster"
                             else f"ReadOnly lock '{lock.display_name}' on {where} applies to cluster '{name}' ({protected.reason}) and")
                            + " blocks installing, updating and removing its backup extension",
                    location=lock.location_of("properties", "level"), severity="warning", subject=lock,
                    related=(protected.related,), codes=("P-23",),
                    fix=f"Remove lock '{lock.display_name}' or make it CanNotDelete, so the backup extension on cluster '{name}' can be managed.")
