"""A backed-up cluster is declared stopped (powerState Stopped)."""
from __future__ import annotations

from collections.abc import Iterator

from validator.graph import InfraGraph
from validator.model import Finding


def backed_up_cluster_stopped(graph: InfraGraph) -> Iterator[Finding]:
    """Yield a finding per cluster named by a backup instance whose properties.powerState.code is 'Stopped'."""
    for target in graph.protected_clusters():
        if not target.backed_up:
            continue
        cluster = target.resource
        path = ("properties", "powerState", "code")
        code = cluster.get(*path)
        if isinstance(code, str) and code.strip().lower() == "stopped":
            yield Finding(
                message=f"cluster '{cluster.display_name}' ({target.reason}) is declared stopped (powerState.code '{code}'); backups of a stopped cluster fail, and so does the deletion of its expired backups",
                location=cluster.location_of(*path), subject=cluster, related=(target.related,),
                fix=f"Set powerState.code 'Running' on cluster '{cluster.display_name}' (or start it with 'az aks start') while it is backed up.")
