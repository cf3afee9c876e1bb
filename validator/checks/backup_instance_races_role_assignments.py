"""A backup instance is created beside the role assignments it needs without waiting for them."""
from __future__ import annotations

from collections.abc import Iterator

from validator import reference_data
from validator.checks.extension_storage_role_missing import storage_account_id
from validator.checks.role_assignment_missing import _principals, _targets
from validator.graph import InfraGraph, Principal, RoleAssignment
from validator.graph import resource_ids as ids
from validator.model import Finding, Related, Resource

# (whose identity, which scope, which requirement) the backup needs before the instance exists
NEEDS = (("vault", "cluster", "reader"), ("vault", "snapshot_rg", "reader"), ("cluster", "snapshot_rg", "contributor"))


def _needed(graph: InfraGraph, instance: Resource) -> Iterator[tuple[RoleAssignment, str]]:
    for who, target_kind, requirement in NEEDS:
        accepted = reference_data.roles_satisfying(requirement)
        _, principals, owner_text = _principals(graph, instance, who)
        for target, _, label in _targets(graph, instance, target_kind):
            for principal in principals:
                for assignment in graph.assignments_for(principal, target, instance.unit):
                    if assignment.role in accepted:
                        yield assignment, f"{requirement.replace('_', ' ').title()} for {owner_text} on {label} '{ids.short(target)}'"
    cluster, _ = graph.datasource_cluster(instance)
    if ids.normalize(cluster) is None:
        return
    blob_roles = reference_data.roles_satisfying("storage_blob_data_contributor")
    account_roles = reference_data.roles_satisfying("storage_account_contributor")
    for ext in graph.backup_extensions_on(cluster, instance.unit)[0]:
        account, _ = storage_account_id(ext)
        ext_key = ids.normalize(ext.id)
        if ids.normalize(account) is None or ext_key is None:
            continue
        principal = Principal(ext_key, ("properties", "aksAssignedIdentity", "principalId"))
        for assignment in graph.assignments_for(principal, account, instance.unit):
            if assignment.role in blob_roles or assignment.role in account_roles:
                yield assignment, f"storage role for extension '{ext.display_name}' on storage account '{ids.short(account)}'"


def backup_instance_races_role_assignments(graph: InfraGraph) -> Iterator[Finding]:
    """Yield a finding per required role assignment, deployed with the instance, that the instance does not wait for."""
    for instance in graph.backup_instances():
        waits_for = graph.dependency_closure(instance)
        reported: set = set()
        for assignment, what in _needed(graph, instance):
            resource = assignment.resource
            if resource.unit != instance.unit or id(resource) in reported:
                continue
            awaited = {ids.normalize(resource.id)} | {ids.normalize(d) for d in resource.deployed_by}
            if awaited & waits_for:
                continue
            reported.add(id(resource))
            via = f" (or its deployment '{ids.short(resource.deployed_by[-1])}')" if resource.deployed_by else ""
            yield Finding(
                message=f"backup instance '{instance.display_name}' does not depend on role assignment '{resource.display_name}' "
                        f"({what}) deployed beside it; new assignments take minutes to propagate",
                location=instance.location_of("dependsOn") if instance.depends_on else instance.location,
                subject=instance, related=(Related(resource.location, "role assignment declared here"),),
                fix=f"Add role assignment '{resource.display_name}'{via} to dependsOn of backup instance '{instance.display_name}'.")
