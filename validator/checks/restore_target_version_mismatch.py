"""A restore target runs another Kubernetes minor version than the cluster whose backups it would receive
(UserErrorSourceandTargetClusterCRDVersionMismatch)."""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from validator.checks.restore_target_not_ready import restore_targets
from validator.graph import InfraGraph
from validator.model import Finding, Related, Resource, Unknown

VERSION = ("properties", "kubernetesVersion")


def _minor(value: Any) -> tuple[int, int] | None:
    """(major, minor) of '1.33' / '1.33.2'; None when not a literal version."""
    if not isinstance(value, str) or isinstance(value, Unknown):
        return None
    match = re.match(r"^\s*v?(\d+)\.(\d+)(?:\.\d+)?\s*$", value)
    return (int(match.group(1)), int(match.group(2))) if match else None


def _shown(cluster: Resource) -> str:
    value = cluster.get(*VERSION)
    if value is None:
        return "no kubernetesVersion (the AKS default at creation time)"
    return f"kubernetesVersion {value}"


def restore_target_version_mismatch(graph: InfraGraph) -> Iterator[Finding]:
    """Per restore target (as AKSB-RESTORE-001 defines it) and cluster it would restore: a warning when the
    kubernetesVersion minors differ, info when either version is not known statically."""
    for binding, target, _, backed_up in restore_targets(graph):
        name = target.display_name
        seen: set[str] = set()
        for instance, source in backed_up:
            if source.display_name in seen:
                continue
            seen.add(source.display_name)
            ours, theirs = target.get(*VERSION), source.get(*VERSION)
            if ours is not None and ours == theirs:
                continue  # the same literal or the same expression
            related = (Related(binding.location_of("properties", "sourceResourceId"), f"Trusted Access binding '{binding.display_name}'"),
                       Related(source.location_of(*VERSION), f"cluster '{source.display_name}' {_shown(source)}"),
                       Related(instance.location, f"backup instance '{instance.display_name}'"))
            where = target.location_of(*VERSION)
            mine, other = _minor(ours), _minor(theirs)
            if mine is None or other is None:
                hidden = target if mine is None else source
                yield Finding(
                    message=f"Kubernetes version of cluster '{hidden.display_name}' is not known statically ({_shown(hidden)}); cannot tell "
                            f"whether restore target '{name}' runs the minor version of cluster '{source.display_name}'",
                    location=hidden.location_of(*VERSION), severity="info", subject=target, related=related,
                    fix=f"Pin kubernetesVersion of restore target '{name}' to the minor version of cluster '{source.display_name}'.")
                continue
            if mine == other:
                continue
            yield Finding(
                message=f"restore target cluster '{name}' runs Kubernetes {mine[0]}.{mine[1]} but cluster '{source.display_name}', whose "
                        f"backups it would receive (Trusted Access binding '{binding.display_name}'), runs {other[0]}.{other[1]}; restored "
                        f"FlowSchema and PriorityLevelConfiguration resources may not match the target's API versions",
                location=where, severity="warning", subject=target, related=related,
                fix=f"Set kubernetesVersion of restore target '{name}' to {other[0]}.{other[1]} (the minor of '{source.display_name}'), "
                    f"or upgrade both clusters to the same minor.")
