"""A backup policy keeps recovery points in the vault tier, in a region without vault tier."""
from __future__ import annotations

from collections.abc import Iterator

from validator import reference_data
from validator.checks.backup_interval_unsupported import is_aks_policy
from validator.checks.snapshot_limit_exceeded import vault_tier_path
from validator.graph import BACKUP_POLICY, VAULT, InfraGraph, region_of
from validator.graph import resource_ids as ids
from validator.model import Finding, Related


def vault_tier_region_unsupported(graph: InfraGraph) -> Iterator[Finding]:
    """Yield a finding per vault-tier policy whose vault sits in an operational-only or undocumented region."""
    regions = reference_data.load("vault_tier_regions")
    supported = set(regions["vault_and_operational"])
    operational_only = set(regions["operational_only"])
    for policy in graph.resources(BACKUP_POLICY):
        if not is_aks_policy(policy) or policy.get("existing") or vault_tier_path(policy) is None:
            continue
        key = ids.normalize(policy.id)
        vault = graph.declared(key.rsplit("/backuppolicies/", 1)[0], policy.unit, VAULT) if key else None
        if vault is None:
            continue  # the vault is declared elsewhere: its region is not visible here
        location = vault.get("location")
        where = Related(vault.location_of("location"), f"vault '{vault.display_name}' location")
        region = region_of(vault)
        if region is None:
            yield Finding(
                message=f"backup policy '{policy.display_name}' uses the vault tier; the region of vault '{vault.display_name}' is not known statically ({location}), so vault-tier support cannot be checked",
                location=policy.location_of(*vault_tier_path(policy)), severity="info", subject=policy, related=(where,),
                fix="Deploy the vault in a region that offers the AKS backup vault tier.")
        elif region in operational_only:
            yield Finding(
                message=f"backup policy '{policy.display_name}' keeps recovery points in the vault tier, but vault '{vault.display_name}' is in '{location}', which offers only the operational tier",
                location=policy.location_of(*vault_tier_path(policy)), subject=policy, related=(where,),
                fix=f"Remove the VaultStore retention from policy '{policy.display_name}', or use a vault in a region with vault tier (as of {regions['as_of']}).")
        elif region not in supported:
            yield Finding(
                message=f"backup policy '{policy.display_name}' uses the vault tier; region '{location}' of vault '{vault.display_name}' is not in the documented support matrix",
                location=policy.location_of(*vault_tier_path(policy)), severity="warning", subject=policy, related=(where,),
                fix=f"Check the AKS backup support matrix for '{location}', or use a vault in a documented vault-tier region.")
