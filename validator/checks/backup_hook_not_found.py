"""A backup instance references a BackupHook that the manifests do not declare."""
from __future__ import annotations

from collections.abc import Iterator

from validator.graph import InfraGraph
from validator.graph.kubernetes_view import HOOK_GROUP, backup_hooks, known_str, manifests, scope_entries
from validator.model import Finding, Related


def backup_hook_not_found(graph: InfraGraph) -> Iterator[Finding]:
    """Yield a finding per backupHookReferences entry with no BackupHook of that name and namespace."""
    hooks = backup_hooks(graph)
    declared = {(h.scope, h.name) for h in hooks}
    scanned = bool(manifests(graph))
    for entry in scope_entries(graph):
        references = entry.get("backupHookReferences")
        if not isinstance(references, list):
            continue
        instance = entry.instance
        for index, reference in enumerate(references):
            if not isinstance(reference, dict):
                continue
            name, namespace = known_str(reference.get("name")), known_str(reference.get("namespace"))
            if not name or not namespace or (namespace, name) in declared:
                continue
            where = instance.location_of(*entry.path, "backupHookReferences", index, "name")
            elsewhere = [h for h in hooks if h.name == name]
            related = tuple(Related(h.location, f"BackupHook '{h.name}' in namespace '{h.scope}'") for h in elsewhere)
            restore = [r for r in manifests(graph) if r.name == name and r.scope == namespace and r.body.get("kind") == "RestoreHook"
                       and str(r.body.get("apiVersion", "")).startswith(HOOK_GROUP)]
            hint = f"; a BackupHook '{name}' exists in namespace {', '.join(sorted(str(h.scope) for h in elsewhere))}" if elsewhere else ""
            hint += f"; '{namespace}/{name}' is a RestoreHook, not a BackupHook" if restore else ""
            if scanned:
                yield Finding(
                    message=f"backup instance '{instance.display_name}' references BackupHook '{name}' in namespace '{namespace}', which the manifests do not declare{hint}",
                    location=where, subject=instance, related=related,
                    fix=f"Deploy a BackupHook (apiVersion clusterbackup.dataprotection.microsoft.com/v1alpha1) named '{name}' in namespace '{namespace}' "
                        f"before configuring the backup, or correct the reference in backup instance '{instance.display_name}'")
            else:
                yield Finding(
                    message=f"backup instance '{instance.display_name}' references BackupHook '{name}' in namespace '{namespace}'; no Kubernetes manifests were scanned to confirm it exists",
                    location=where, severity="info", subject=instance,
                    fix=f"Scan the cluster's manifests with the templates, or check that BackupHook '{namespace}/{name}' is deployed before the backup is configured")
