"""The backup extension is namespace-scoped, or released into another namespace than dataprotection-microsoft."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from validator.checks.backup_extension_settings import cluster_of
from validator.graph import InfraGraph
from validator.model import Finding, Unknown

SCOPE = ("properties", "scope")


@dataclass(frozen=True)
class Params:
    release_namespace: str = "dataprotection-microsoft"


def backup_extension_scope_invalid(graph: InfraGraph, params: Params) -> Iterator[Finding]:
    """Yield a finding per backup extension with a namespace scope (error) or another release namespace (warning)."""
    for ext in graph.backup_extensions():
        cluster = cluster_of(graph, ext)
        on = f" on cluster '{cluster.display_name}'" if cluster is not None else ""
        scope = ext.get(*SCOPE)
        if isinstance(scope, Unknown):
            yield Finding(
                message=f"scope of backup extension '{ext.display_name}'{on} is not known statically ({scope.origin})",
                location=ext.location_of(*SCOPE), severity="info", subject=ext,
                fix=f"Give extension '{ext.display_name}' scope.cluster.releaseNamespace '{params.release_namespace}'.")
            continue
        if not isinstance(scope, dict):
            continue  # no scope: the platform installs it cluster-wide, the CLI's default
        if scope.get("namespace") is not None:
            target = scope["namespace"].get("targetNamespace") if isinstance(scope["namespace"], dict) else None
            yield Finding(
                message=f"backup extension '{ext.display_name}'{on} is namespace-scoped"
                        + (f" (targetNamespace '{target}')" if isinstance(target, str) and not isinstance(target, Unknown) else "")
                        + "; the backup extension supports only cluster scope",
                location=ext.location_of(*SCOPE, "namespace"), subject=ext,
                fix=f"Replace scope.namespace of extension '{ext.display_name}' by scope: {{cluster: {{releaseNamespace: '{params.release_namespace}'}}}}.")
            continue
        cluster_scope = scope.get("cluster")
        namespace = cluster_scope.get("releaseNamespace") if isinstance(cluster_scope, dict) else None
        if isinstance(namespace, Unknown):
            yield Finding(
                message=f"release namespace of backup extension '{ext.display_name}'{on} is not known statically ({namespace.origin})",
                location=ext.location_of(*SCOPE, "cluster", "releaseNamespace"), severity="info", subject=ext,
                fix=f"Set scope.cluster.releaseNamespace of extension '{ext.display_name}' to '{params.release_namespace}'.")
        elif isinstance(namespace, str) and namespace.strip() and namespace.strip() != params.release_namespace:
            yield Finding(
                message=f"backup extension '{ext.display_name}'{on} is released into namespace '{namespace}', not '{params.release_namespace}'",
                location=ext.location_of(*SCOPE, "cluster", "releaseNamespace"), severity="warning", subject=ext,
                fix=f"Set scope.cluster.releaseNamespace of extension '{ext.display_name}' to '{params.release_namespace}'.")
