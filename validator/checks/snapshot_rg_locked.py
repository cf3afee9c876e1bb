"""Locks over the snapshot resource group of a backup instance."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from validator.graph import InfraGraph
from validator.graph import resource_ids as ids
from validator.model import Finding, Related, Unknown


@dataclass(frozen=True)
class Params:
    blocking_levels: tuple = ("CanNotDelete", "ReadOnly")


def snapshot_rg_locked(graph: InfraGraph, params: Params) -> Iterator[Finding]:
    """Yield a finding for each lock on, above or inside a snapshot resource group."""
    levels = {level.lower() for level in params.blocking_levels}
    for instance in graph.backup_instances():
        for group, path in graph.snapshot_groups(instance):
            where = Related(instance.location_of(*path), "snapshot resource group set here")
            if ids.normalize(group) is None:
                reason = group.origin if isinstance(group, Unknown) else f"'{group}' is not a resource id"
                yield Finding(
                    message=f"snapshot resource group of backup instance '{instance.display_name}' is not known statically ({reason}); locks on it cannot be checked",
                    location=instance.location_of(*path), severity="info", subject=instance,
                    fix="Make sure the snapshot resource group and its subscription carry no CanNotDelete or ReadOnly lock.")
                continue
            for lock in graph.locks_over(group, instance.unit, include_children=True):
                level = lock.properties.get("level")
                if isinstance(level, Unknown):
                    yield Finding(
                        message=f"lock '{lock.display_name}' applies to snapshot resource group '{ids.short(group)}' but its level is not known statically ({level.origin})",
                        location=lock.location_of("properties", "level"), severity="info", related=(where,), subject=lock,
                        fix=f"Remove lock '{lock.display_name}' or move the snapshots to a resource group without locks.")
                    continue
                if str(level).lower() not in levels:
                    continue
                scope = ids.normalize(lock.scope) or ""
                inherited = "" if scope == ids.normalize(group) else (
                    f" (inherited from subscription '{ids.short(lock.scope)}')" if "/resourcegroups/" not in scope
                    else f" (on resource '{ids.short(lock.scope)}' inside it)")
                yield Finding(
                    message=f"lock '{lock.display_name}' ({level}) applies to snapshot resource group '{ids.short(group)}'{inherited}, used by backup instance '{instance.display_name}'",
                    # A lock on a resource inside the group is listed among the group's locks (the lock API
                    # lists a group's locks with those of its resources); RULES.md 1.3 flags a lock on the
                    # group, on any resource inside it or on its subscription, all as errors.
                    severity="",
                    location=lock.location_of("properties", "level"), related=(where,), subject=lock,
                    fix=f"Remove lock '{lock.display_name}', or set a snapshot resource group without locks in backup instance '{instance.display_name}'; locks are inherited from the subscription.")
