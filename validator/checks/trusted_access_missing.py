"""No Trusted Access role binding lets the backup vault operate on the backed-up cluster."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from validator.graph import CLUSTER, TRUSTED_ACCESS, VAULT, InfraGraph
from validator.graph import resource_ids as ids
from validator.model import Finding, Related, Unknown


@dataclass(frozen=True)
class Params:
    role: str = "Microsoft.DataProtection/backupVaults/backup-operator"
    max_bindings: int = 8


def _binding_cluster(binding) -> str | None:
    key = ids.normalize(binding.id)
    if key and "/trustedaccessrolebindings/" in key:
        return key.rsplit("/trustedaccessrolebindings/", 1)[0]
    return None


def trusted_access_missing(graph: InfraGraph, params: Params) -> Iterator[Finding]:
    """Yield a finding per backup instance whose vault has no backup-operator binding on its cluster."""
    bindings = graph.resources(TRUSTED_ACCESS)
    by_cluster: dict = {}
    for binding in bindings:
        by_cluster.setdefault(_binding_cluster(binding), []).append(binding)
    for instance in graph.backup_instances():
        cluster_value, path = graph.datasource_cluster(instance)
        cluster_id = ids.normalize(cluster_value)
        vault_id = graph.vault_id_of(instance)
        where = instance.location_of(*path)
        if cluster_id is None or vault_id is None:
            yield Finding(
                message=f"cluster or vault of backup instance '{instance.display_name}' is not known statically ({ids.short(cluster_value)}); its Trusted Access binding cannot be checked",
                location=where, severity="info", subject=instance,
                fix="Bind the vault to the cluster with role Microsoft.DataProtection/backupVaults/backup-operator.")
            continue
        vault = graph.declared(vault_id, instance.unit, VAULT)
        if vault is not None:
            kind = vault.get("identity", "type")
            if not isinstance(kind, Unknown) and "systemassigned" not in str(kind or "").lower():
                yield Finding(
                    message=f"backup vault '{vault.display_name}' has no system-assigned identity (identity.type is '{kind or 'absent'}'); Trusted Access authenticates the vault's system-assigned identity",
                    location=vault.location_of("identity"), subject=vault,
                    fix=f"Set identity.type to 'SystemAssigned' on backup vault '{vault.display_name}'.")
        on_cluster = [b for b in by_cluster.get(cluster_id, ()) if graph.links(instance.unit, b.unit)]
        unknown_source = []
        matched = []
        for binding in on_cluster:
            source = binding.properties.get("sourceResourceId")
            roles = binding.properties.get("roles")
            if ids.normalize(source) is None or isinstance(roles, Unknown):
                unknown_source.append(binding)
            elif ids.normalize(source) == vault_id:
                matched.append(binding)
        good = [b for b in matched if isinstance(b.properties.get("roles"), list) and params.role in b.properties["roles"]]
        if good:
            continue
        # a role given at deployment (an Unknown element) may be the backup-operator role
        hidden = [b for b in matched if isinstance(b.properties.get("roles"), list) and any(isinstance(r, Unknown) for r in b.properties["roles"])]
        if hidden:
            binding = hidden[0]
            role = next(r for r in binding.properties["roles"] if isinstance(r, Unknown))
            yield Finding(
                message=f"Trusted Access binding '{binding.display_name}' from vault '{ids.short(vault_id)}' to cluster '{ids.short(cluster_id)}' has a role not known statically ({role.origin}); cannot tell whether it is '{params.role}'",
                location=binding.location_of("properties", "roles"), severity="info", subject=binding,
                fix=f"Make sure the roles of binding '{binding.display_name}' contain '{params.role}'.")
            continue
        if matched:
            binding = matched[0]
            yield Finding(
                message=f"Trusted Access binding '{binding.display_name}' from vault '{ids.short(vault_id)}' to cluster '{ids.short(cluster_id)}' lacks role '{params.role}' (roles: {binding.properties.get('roles')})",
                location=binding.location_of("properties", "roles"), subject=binding,
                related=(Related(where, f"cluster backed up by '{instance.display_name}'"),),
                fix=f"Set roles of binding '{binding.display_name}' to ['{params.role}'] (the role name is case-sensitive).")
            continue
        if unknown_source:
            binding = unknown_source[0]
            yield Finding(
                message=f"Trusted Access binding '{binding.display_name}' on cluster '{ids.short(cluster_id)}' has a source or roles not known statically; cannot tell whether it binds vault '{ids.short(vault_id)}'",
                location=binding.location_of("properties", "sourceResourceId"), severity="info", subject=binding,
                fix=f"Set sourceResourceId to the id of vault '{ids.short(vault_id)}' and roles to ['{params.role}'].")
            continue
        declared = graph.declared(cluster_id, instance.unit, CLUSTER) is not None
        yield Finding(
            message=f"no Trusted Access role binding lets backup vault '{ids.short(vault_id)}' operate on cluster '{ids.short(cluster_id)}' backed up by '{instance.display_name}'",
            location=where, severity="" if declared else "info", subject=instance,
            fix=f"Add a Microsoft.ContainerService/managedClusters/trustedAccessRoleBindings child of cluster '{ids.short(cluster_id)}' "
                f"with sourceResourceId = the id of vault '{ids.short(vault_id)}' and roles ['{params.role}']"
                + ("" if declared else " (or confirm it exists outside this repository)") + ".")
    per_cluster: dict = {}
    for binding in bindings:
        cluster = _binding_cluster(binding)
        if cluster:
            per_cluster.setdefault((binding.unit, cluster), []).append(binding)
    for (unit, cluster), group in sorted(per_cluster.items()):
        if len(group) > params.max_bindings:
            yield Finding(
                message=f"cluster '{ids.short(cluster)}' has {len(group)} Trusted Access role bindings; at most {params.max_bindings} are allowed per cluster",
                location=group[params.max_bindings].location, subject=group[params.max_bindings],
                fix=f"Remove bindings from cluster '{ids.short(cluster)}' until at most {params.max_bindings} remain.")
