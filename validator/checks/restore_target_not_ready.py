"""A cluster the repo prepares as a restore target lacks the backup extension or sits in another region (RULES.md P-28)."""
from __future__ import annotations

from collections.abc import Iterator

from validator.graph import CLUSTER, TRUSTED_ACCESS, VAULT, InfraGraph, region_of
from validator.graph import resource_ids as ids
from validator.model import Finding, Related, Resource, Unknown


def _binding_cluster(binding: Resource) -> str | None:
    key = ids.normalize(binding.id)
    return key.rsplit("/trustedaccessrolebindings/", 1)[0] if key and "/trustedaccessrolebindings/" in key else None


def _sources(graph: InfraGraph) -> dict[str, list[tuple[Resource, Resource]]]:
    """vault id -> [(backup instance, cluster it backs up, declared)] for every AKS backup instance of the scan."""
    found: dict[str, list] = {}
    for instance in graph.backup_instances():
        vault_id = graph.vault_id_of(instance)
        value, _ = graph.datasource_cluster(instance)
        cluster = graph.declared(value, instance.unit, CLUSTER) if ids.normalize(value) else None
        if vault_id and cluster is not None:
            found.setdefault(vault_id, []).append((instance, cluster))
    return found


def _cross_region_restore(vault: Resource | None) -> bool | None:
    """True when the vault is geo-redundant with Cross Region Restore on; None when not known statically."""
    if vault is None:
        return None
    state = vault.get("properties", "featureSettings", "crossRegionRestoreSettings", "state")
    settings = vault.get("properties", "storageSettings")
    if isinstance(state, Unknown) or isinstance(settings, Unknown):
        return None
    geo = isinstance(settings, list) and any(isinstance(s, dict) and str(s.get("type")).lower() == "georedundant" for s in settings)
    return geo and str(state).lower() == "enabled"


def restore_targets(graph: InfraGraph) -> Iterator[tuple[Resource, Resource, str, list[tuple[Resource, Resource]]]]:
    """(Trusted Access binding, restore target cluster, vault id, [(backup instance, cluster it backs up)]) once per
    declared cluster bound by Trusted Access to a vault that backs up other declared clusters, not this one."""
    sources = _sources(graph)
    seen: set[tuple] = set()
    for binding in graph.resources(TRUSTED_ACCESS):
        vault_id = ids.normalize(binding.properties.get("sourceResourceId"))
        target_id = _binding_cluster(binding)
        if vault_id is None or target_id is None or vault_id not in sources:
            continue
        backed_up = [(i, c) for i, c in sources[vault_id] if graph.links(binding.unit, i.unit)]
        if not backed_up or any(ids.normalize(c.id) == target_id for _, c in backed_up):
            continue  # the vault backs up this cluster: not (only) a restore target
        target = graph.declared(target_id, binding.unit, CLUSTER)
        if target is None or (target.unit, target_id) in seen:
            continue
        seen.add((target.unit, target_id))
        yield binding, target, vault_id, backed_up


def restore_target_not_ready(graph: InfraGraph) -> Iterator[Finding]:
    """Per cluster bound by Trusted Access to a vault that backs up another cluster (a restore target): an error
    without the backup extension, an error (warning with a GRS + Cross Region Restore vault) in another region
    than the cluster it would restore."""
    for binding, target, vault_id, backed_up in restore_targets(graph):
        target_id = ids.normalize(target.id)
        vault = graph.declared(vault_id, binding.unit, VAULT)
        vault_name = vault.display_name if vault is not None else ids.last_name(vault_id)
        instance, source = backed_up[0]
        reason = (f"restore target: Trusted Access binding '{binding.display_name}' from vault '{vault_name}', "
                  f"which backs up cluster '{source.display_name}'")
        related = (Related(binding.location_of("properties", "sourceResourceId"), f"Trusted Access binding '{binding.display_name}'"),
                   Related(instance.location, f"backup instance '{instance.display_name}'"))
        name = target.display_name
        extensions, unknown = graph.backup_extensions_on(target_id, target.unit)
        if not extensions:
            if unknown:
                yield Finding(
                    message=f"cluster '{name}' ({reason}) has extension '{unknown[0].display_name}' whose extensionType is not known statically; "
                            f"cannot tell whether it is the backup extension a restore needs",
                    location=unknown[0].location_of("properties", "extensionType"), severity="info", subject=target, related=related,
                    fix=f"Make sure extension '{unknown[0].display_name}' on cluster '{name}' has extensionType microsoft.dataprotection.kubernetes.")
            else:
                yield Finding(
                    message=f"cluster '{name}' ({reason}) has no backup extension (microsoft.dataprotection.kubernetes); a restore into it fails",
                    location=target.location, subject=target, related=related,
                    fix=f"Install the backup extension (extensionType microsoft.dataprotection.kubernetes) on cluster '{name}' with its own "
                        f"storage account and blob container.")
        for _, origin in backed_up:
            if origin.get("location") == target.get("location"):
                continue  # the same value or the same expression
            theirs, ours = region_of(origin), region_of(target)
            where = target.location_of("location")
            pair = related + (Related(origin.location_of("location"), f"cluster '{origin.display_name}' location"),)
            if not (theirs and ours):
                hidden = target if not ours else origin
                value = hidden.get("location")
                yield Finding(
                    message=f"region of cluster '{hidden.display_name}' is not known statically ({value.origin if isinstance(value, Unknown) else value}); "
                            f"cannot tell whether restore target '{name}' is in the region of cluster '{origin.display_name}'",
                    location=hidden.location_of("location"), severity="info", subject=target, related=pair,
                    fix=f"Deploy restore target '{name}' in the region of cluster '{origin.display_name}'.")
                continue
            if theirs == ours:
                continue
            crr = _cross_region_restore(vault)
            if crr is True:
                yield Finding(
                    message=f"restore target cluster '{name}' ({target.get('location')}) is in another region than cluster '{origin.display_name}' "
                            f"({origin.get('location')}) ({reason}); only vault-tier recovery points of the geo-redundant vault with Cross Region "
                            f"Restore can be restored there, and only in the paired region (not checked)",
                    location=where, severity="warning", subject=target, related=pair,
                    fix=f"Restore operational-tier backups of '{origin.display_name}' into a cluster in {origin.get('location')}, or make sure "
                        f"{target.get('location')} is the paired region and restore from the vault tier.")
            else:
                state = "not known statically" if crr is None else "not a geo-redundant vault with Cross Region Restore"
                if crr is None:
                    yield Finding(
                        message=f"restore target cluster '{name}' ({target.get('location')}) is in another region than cluster '{origin.display_name}' "
                                f"({origin.get('location')}); whether vault '{vault_name}' allows Cross Region Restore is {state}",
                        location=where, severity="info", subject=target, related=pair,
                        fix=f"Deploy restore target '{name}' in {origin.get('location')}, the region of cluster '{origin.display_name}'.")
                    continue
                yield Finding(
                    message=f"restore target cluster '{name}' ({target.get('location')}) is in another region than cluster '{origin.display_name}' "
                            f"({origin.get('location')}) ({reason}); operational-tier backups restore only in the source region and vault "
                            f"'{vault_name}' is {state}",
                    location=where, subject=target, related=pair,
                    fix=f"Deploy restore target '{name}' in {origin.get('location')}, the region of cluster '{origin.display_name}' (or use a "
                        f"geo-redundant vault with Cross Region Restore and restore vault-tier points in the paired region).")
