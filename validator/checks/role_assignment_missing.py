"""A managed identity the backup needs lacks a role (or a superset of it) over a scope."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from validator import reference_data
from validator.checks.backup_extension_settings import storage_account_of
from validator.checks.snapshot_limit_exceeded import vault_tier_path
from validator.graph import CLUSTER, VAULT, InfraGraph, Principal
from validator.graph import resource_ids as ids
from validator.model import Finding, Related, Resource, Unknown

ROLE_TITLES = {"reader": "Reader", "contributor": "Contributor",
               "data_operator_for_managed_disks": "Data Operator for Managed Disks"}


@dataclass(frozen=True)
class Params:
    principal: str  # vault | cluster: whose identity needs the role
    target: str  # cluster | snapshot_rg | storage_account (the backup extension's): the scope the role must cover
    requirement: str  # a key of satisfied_by in validator/data/roles.yaml
    when: str = "always"  # always | vault_tier: only for instances whose policy keeps recovery points in the vault tier


def _targets(graph: InfraGraph, instance: Resource, target: str) -> list[tuple]:
    """(scope id or Unknown, where it is written, what it is) the role must cover."""
    if target == "cluster":
        value, path = graph.datasource_cluster(instance)
        return [(value, instance.location_of(*path), "cluster")] if value is not None else []
    if target == "storage_account":
        cluster, _ = graph.datasource_cluster(instance)
        key = ids.normalize(cluster)
        extensions = graph.backup_extensions_on(key, instance.unit)[0] if key else []
        found = []
        for ext in extensions:  # an extension not in the scan: its account is not visible
            account, where, _ = storage_account_of(graph, ext)
            if account is not None:
                found.append((account, ext.location_of(*where), "storage account"))
        return found
    return [(value, instance.location_of(*path), "snapshot resource group") for value, path in graph.snapshot_groups(instance)]


def _vault_tier_policy(graph: InfraGraph, instance: Resource) -> Resource | None:
    """The instance's backup policy when it is in the scan and keeps recovery points in the vault tier."""
    policy, _, _ = graph.policy_of(instance)
    return policy if policy is not None and vault_tier_path(policy) is not None else None


def _principals(graph: InfraGraph, instance: Resource, who: str) -> tuple[Resource | None, list[Principal], str]:
    if who == "vault":
        vault_id = graph.vault_id_of(instance)
        vault = graph.declared(vault_id, instance.unit, VAULT) if vault_id else None
        return vault, [Principal(vault_id, ("identity", "principalId"))] if vault_id else [], f"backup vault '{ids.short(vault_id)}'"
    cluster_id, _ = graph.datasource_cluster(instance)
    cluster = graph.declared(cluster_id, instance.unit, CLUSTER)
    if cluster is None:
        return None, [], f"cluster '{ids.short(cluster_id)}'"
    return cluster, graph.cluster_principals(cluster), f"cluster '{cluster.display_name}'"


def role_assignment_missing(graph: InfraGraph, params: Params) -> Iterator[Finding]:
    """Yield a finding for each backup instance whose required role assignment is not declared."""
    accepted = reference_data.roles_satisfying(params.requirement)
    role = ROLE_TITLES.get(params.requirement, params.requirement.replace("_", " ").title())
    for instance in graph.backup_instances():
        tier = ""
        if params.when == "vault_tier":
            policy = _vault_tier_policy(graph, instance)
            if policy is None:
                continue  # operational tier only, or a policy not in the scan: the role is not needed or not knowable
            tier = f" (policy '{policy.display_name}' uses the vault tier)"
        owner, principals, owner_text = _principals(graph, instance, params.principal)
        for target, where, target_kind in _targets(graph, instance, params.target):
            target_id = ids.normalize(target)
            if target_id is None:
                yield Finding(
                    message=f"{target_kind} of backup instance '{instance.display_name}' is not known statically ({ids.short(target)}); the {role} assignment of {owner_text} on it cannot be checked",
                    location=where, severity="info", subject=instance,
                    fix=f"Make sure {owner_text} holds {role} on the {target_kind}.")
                continue
            if not principals:
                if owner is None:
                    continue  # the identity's owner is not in the scan: nothing to compare with
                yield Finding(
                    message=f"{owner_text} has no managed identity to hold {role} on {target_kind} '{ids.short(target)}'",
                    location=owner.location_of("identity"), subject=owner,
                    fix=f"Give {owner_text} a system-assigned managed identity (identity.type: SystemAssigned) and assign it {role} on {target_kind} '{ids.short(target)}'.")
                continue
            held = [a for p in principals for a in graph.assignments_for(p, target_id, instance.unit)]
            if any(a.role in accepted for a in held):
                continue
            # only an assignment of an accepted (or unknown) role can be the one that is missing
            unresolved = [a for a in graph.unresolved_assignments_over(target_id, instance.unit) if a.role in accepted or a.role is None]
            if unresolved:
                assignment = unresolved[0].resource
                yield Finding(
                    message=f"{role} on {target_kind} '{ids.short(target)}' is assigned to a principal that cannot be resolved statically ({ids.short(unresolved[0].principal)}); cannot tell whether it is the identity of {owner_text}",
                    location=assignment.location_of("properties", "principalId"), severity="info", subject=assignment,
                    related=(Related(where, f"{target_kind} used by backup instance '{instance.display_name}'"),),
                    fix=f"Set principalId from the identity of {owner_text} (e.g. reference(<id>, '<api>', 'Full').identity.principalId) so the assignment can be checked.")
                continue
            managed_here = owner is not None and (params.target != "cluster" or graph.declared(target, instance.unit, CLUSTER) is not None)
            identity = owner.get("identity") if owner is not None else None
            hidden = identity if isinstance(identity, Unknown) else identity.get("type") if isinstance(identity, dict) else None
            if isinstance(hidden, Unknown):
                yield Finding(
                    message=f"the identity of {owner_text} is not known statically ({hidden.origin}); no {role} on {target_kind} '{ids.short(target)}' is assigned to an identity of it that can be seen",
                    location=owner.location_of("identity"), severity="info", subject=instance,
                    related=(Related(where, f"{target_kind} used by backup instance '{instance.display_name}'"),),
                    fix=f"Assign {role} on {target_kind} '{ids.short(target)}' to the identity of {owner_text}.")
                continue
            yield Finding(
                message=f"{owner_text} identity has no {role} (or a role including it) on {target_kind} '{ids.short(target)}' used by backup instance '{instance.display_name}'{tier}",
                location=where, severity="" if managed_here else "info", subject=instance,
                related=((Related(owner.location, f"{owner_text} declared here"),) if owner is not None else ()),
                fix=f"Add a Microsoft.Authorization/roleAssignments with roleDefinitionId {reference_data.role_guid(params.requirement)} ({role}) "
                    f"for the principalId of the identity of {owner_text}, scoped to {target_kind} '{ids.short(target)}'"
                    + ("" if managed_here else " (or confirm it is assigned outside this repository)") + ".")
