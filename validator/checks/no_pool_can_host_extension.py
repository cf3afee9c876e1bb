"""No node pool of a backed-up cluster can run the backup extension's pods."""
from __future__ import annotations

from collections.abc import Iterator

from validator.checks.node_pools import critical_addons_only, is_arm64, is_windows, pools_of
from validator.graph import InfraGraph
from validator.model import Finding, Related, Unknown


def no_pool_can_host_extension(graph: InfraGraph) -> Iterator[Finding]:
    """Yield a finding per backed-up cluster whose every pool is Windows or Arm64, or tainted CriticalAddonsOnly."""
    for target in graph.protected_clusters():
        cluster = target.resource
        pools = pools_of(graph, cluster)
        if not pools:
            continue
        name = cluster.display_name
        where = cluster.location_of("properties", "agentPoolProfiles") if isinstance(cluster.get("properties", "agentPoolProfiles"), list) else pools[0].resource.location
        related = (target.related,) + tuple(Related(p.location_of("vmSize"), f"node pool '{p.name}'") for p in pools)
        windows = [p for p in pools if is_windows(p) is True]
        arm = [p for p in pools if p not in windows and is_arm64(p) is True]
        linux_x86 = [p for p in pools if is_windows(p) is False and is_arm64(p) is False]
        unknown = [p for p in pools if p not in windows and p not in arm and p not in linux_x86]
        if not linux_x86:
            if unknown:
                p = unknown[0]
                hidden = next(v for v in (is_windows(p), is_arm64(p)) if isinstance(v, Unknown))
                yield Finding(
                    message=f"no node pool of cluster '{name}' ({target.reason}) is known to be Linux x86-64; OS or VM size of pool '{p.name}' is not known statically ({hidden.origin})",
                    location=where, severity="info", subject=cluster, related=related,
                    fix=f"Make sure cluster '{name}' has a Linux node pool on an x86-64 VM size for the backup extension.")
                continue
            if arm:
                kinds = ", ".join([f"'{p.name}' Windows" for p in windows] + [f"'{p.name}' {p.get('vmSize')}" for p in arm])
                yield Finding(
                    message=f"no node pool of cluster '{name}' ({target.reason}) can host the backup extension: every pool is {'Windows or Arm64' if windows else 'Arm64'} ({kinds}); Arm64 is read from the 'p' letter of the VM size name, a naming heuristic",
                    location=where, severity="warning", subject=cluster, related=related,
                    fix=f"Add a Linux node pool with an x86-64 VM size (e.g. Standard_D4s_v5) to cluster '{name}'.")
            else:
                yield Finding(
                    message=f"no node pool of cluster '{name}' ({target.reason}) can host the backup extension: every pool is Windows ({', '.join(repr(p.name) for p in windows)})",
                    location=where, subject=cluster, related=related,
                    fix=f"Add a Linux node pool with an x86-64 VM size (e.g. Standard_D4s_v5) to cluster '{name}'.")
            continue
        if unknown:
            continue
        taints = [critical_addons_only(p) for p in linux_x86]
        if all(t is True for t in taints):
            yield Finding(
                message=f"every Linux x86-64 node pool of cluster '{name}' ({target.reason}) is tainted CriticalAddonsOnly ({', '.join(repr(p.name) for p in linux_x86)}); the backup extension's pods may not schedule (sources disagree whether they tolerate it)",
                location=linux_x86[0].location_of("nodeTaints"), severity="warning", codes=("InstallScenario1",), subject=cluster, related=related,
                fix=f"Add a Linux x86-64 node pool without the CriticalAddonsOnly taint to cluster '{name}', or remove the taint from one pool.")
