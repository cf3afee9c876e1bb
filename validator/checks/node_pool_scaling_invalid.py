"""A backed-up cluster's node pool scaling leaves no node for the backup extension (RULES.md P-19)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from validator.checks.node_pools import Pool, is_windows, pools_of
from validator.graph import InfraGraph
from validator.model import Finding, Related, Unknown


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _no_nodes(pool: Pool) -> bool | None:
    """True when a pool is declared with no node and cannot scale up: count 0 without the autoscaler, or the
    autoscaler with maxCount 0; None when that is not known statically (count defaults to 1)."""
    auto = pool.get("enableAutoScaling")
    if isinstance(auto, Unknown):
        return None
    if auto is True:
        top = pool.get("maxCount")
        return None if isinstance(top, Unknown) else _int(top) == 0
    count = pool.get("count")
    return None if isinstance(count, Unknown) else _int(count) == 0


def node_pool_scaling_invalid(graph: InfraGraph) -> Iterator[Finding]:
    """Yield a warning per autoscaled pool of a protected cluster with maxCount below minCount, and per protected
    cluster whose every Linux pool is declared with no node."""
    for target in graph.protected_clusters():
        cluster = target.resource
        name = cluster.display_name
        pools = pools_of(graph, cluster)
        for pool in pools:
            if pool.get("enableAutoScaling") is not True:
                continue
            low, high = _int(pool.get("minCount")), _int(pool.get("maxCount"))
            if low is not None and high is not None and high < low:
                yield Finding(
                    message=f"node pool '{pool.name}' of cluster '{name}' ({target.reason}) autoscales with maxCount {high} below minCount {low}; "
                            f"AKS rejects the bounds and the pool cannot provide nodes for the backup extension",
                    location=pool.location_of("maxCount"), subject=cluster, related=(target.related,),
                    fix=f"Set maxCount of node pool '{pool.name}' to at least its minCount {low} (or lower minCount).")
        linux = [p for p in pools if is_windows(p) is False]
        if not linux or any(isinstance(is_windows(p), Unknown) for p in pools):
            continue
        verdicts = [_no_nodes(p) for p in linux]
        if all(v is True for v in verdicts):
            first = linux[0]
            key = "maxCount" if first.get("enableAutoScaling") is True else "count"
            shown = ", ".join(f"'{p.name}' {'maxCount' if p.get('enableAutoScaling') is True else 'count'} 0" for p in linux)
            yield Finding(
                message=f"every Linux node pool of cluster '{name}' ({target.reason}) is declared with no node ({shown}); "
                        f"the backup extension's pods cannot run and backups of the cluster fail",
                location=first.location_of(key), subject=cluster, related=(target.related,) + tuple(
                    Related(p.location_of("count"), f"node pool '{p.name}'") for p in linux[1:]),
                fix=f"Give at least one Linux node pool of cluster '{name}' nodes: set count of '{first.name}' to 1 or more, "
                    f"or enable the autoscaler with maxCount 1 or more.")
