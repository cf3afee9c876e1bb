"""A cluster's node pools, inline (agentPoolProfiles) or as agentPools child resources, and what they can run."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from validator.graph import InfraGraph
from validator.graph import resource_ids as ids
from validator.model import Location, Resource, Unknown

AGENT_POOL = "microsoft.containerservice/managedclusters/agentpools"
# Standard_<family><vCPUs>[-<constrained>]<additive features>_v<n>: the 'p' feature letter marks an Arm64 CPU
# (https://learn.microsoft.com/en-us/azure/virtual-machines/vm-naming-conventions). A naming heuristic, not a SKU catalog.
_SIZE = re.compile(r"^[A-Za-z]+_([A-Za-z]+?)(\d+)(?:-\d+)?([A-Za-z]*)(?:_|$)")


@dataclass(frozen=True)
class Pool:
    name: str
    values: dict  # vmSize, osType, osSKU, nodeTaints as declared
    resource: Resource  # the cluster (inline pool) or the agentPools resource
    path: tuple  # where the pool's values live inside ``resource``

    def get(self, key: str) -> Any:
        return self.values.get(key)

    def location_of(self, key: str) -> Location:
        return self.resource.location_of(*self.path, key)


def pools_of(graph: InfraGraph, cluster: Resource) -> list[Pool]:
    """Inline agentPoolProfiles and agentPools child resources (children replace an inline pool of the same name)."""
    pools: dict[str, Pool] = {}
    inline = cluster.get("properties", "agentPoolProfiles")
    if isinstance(inline, list):
        for index, entry in enumerate(inline):
            if isinstance(entry, dict):
                name = str(entry.get("name", index))
                pools[name.lower()] = Pool(name, entry, cluster, ("properties", "agentPoolProfiles", index))
    key = ids.normalize(cluster.id)
    if key:
        for child in graph.linked(AGENT_POOL, cluster.unit):
            child_key = ids.normalize(child.id)
            if child_key and child_key.startswith(key + "/agentpools/") and isinstance(child.body.get("properties"), dict):
                name = ids.last_name(child_key)
                pools[name] = Pool(ids.short(child.id), child.properties, child, ("properties",))
    return list(pools.values())


def is_windows(pool: Pool) -> Any:
    """True/False, or the Unknown that hides it (osType defaults to Linux)."""
    os_type, sku = pool.get("osType"), pool.get("osSKU")
    for value in (os_type, sku):
        if isinstance(value, Unknown):
            return value
    return str(os_type or "").lower() == "windows" or str(sku or "").lower().startswith("windows")


def is_arm64(pool: Pool) -> Any:
    """True when the VM size carries the 'p' (Arm64) feature letter (heuristic); the Unknown when the size is not known."""
    size = pool.get("vmSize")
    if isinstance(size, Unknown):
        return size
    match = _SIZE.match(str(size or ""))
    return bool(match and "p" in match.group(3).lower())


def critical_addons_only(pool: Pool) -> Any:
    """True when the pool repels pods without a CriticalAddonsOnly toleration (NoSchedule or NoExecute)."""
    taints = pool.get("nodeTaints")
    if isinstance(taints, Unknown):
        return taints
    if not isinstance(taints, list):
        return False
    for taint in taints:
        if isinstance(taint, Unknown):
            return taint
        text = str(taint)
        key, _, effect = text.partition(":")
        if key.split("=", 1)[0].strip() == "CriticalAddonsOnly" and effect.strip() in ("NoSchedule", "NoExecute"):
            return True
    return False
