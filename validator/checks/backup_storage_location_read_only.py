"""The backup storage location is read-only: a ReadOnly lock in key mode, or an immutable (WORM) container."""
from __future__ import annotations

from collections.abc import Iterator

from validator.checks.backup_extension_settings import (CONTAINER, bucket_of, container_id, storage_account_of, uses_aad)
from validator.graph import InfraGraph
from validator.graph import resource_ids as ids
from validator.model import Finding, Related, Unknown

IMMUTABILITY_POLICY = CONTAINER + "/immutabilitypolicies"


def _enabled(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def backup_storage_location_read_only(graph: InfraGraph) -> Iterator[Finding]:
    """Yield a finding per ReadOnly lock over a key-mode extension's account and per immutable backup container."""
    for ext in graph.backup_extensions():
        account_id, where, account = storage_account_of(graph, ext)
        if not isinstance(account_id, str):
            continue
        name = ids.short(account_id)
        uses = Related(ext.location_of(*where), f"backup extension '{ext.display_name}' names the account")
        aad = uses_aad(ext)
        # a ReadOnly lock blocks POST listKeys (key mode), not data-plane writes with Entra ID (AAD mode)
        for lock in graph.locks_over(account_id, ext.unit) if aad is not True else ():
            level = lock.properties.get("level")
            if not isinstance(level, Unknown) and str(level).lower() != "readonly":
                continue
            scope = ids.normalize(lock.scope) or ""
            group = ids.resource_group_name(str(lock.scope)) or ""
            on = ("the account" if scope == account_id
                  else f"subscription '{ids.short(lock.scope)}'" if not group
                  else "the deployment's resource group" if ids.is_placeholder(group)
                  else f"resource group '{group}'")
            if isinstance(level, Unknown) or isinstance(aad, Unknown):
                hidden = level if isinstance(level, Unknown) else aad
                yield Finding(
                    message=f"lock '{lock.display_name}' on {on} applies to storage account '{name}' of backup extension '{ext.display_name}'; its level or the extension's auth mode is not known statically ({hidden.origin})",
                    location=lock.location_of("properties", "level"), severity="info", subject=lock, related=(uses,),
                    fix=f"Do not put a ReadOnly lock over storage account '{name}' while extension '{ext.display_name}' uses account keys.")
                continue
            yield Finding(
                message=f"ReadOnly lock '{lock.display_name}' on {on} applies to storage account '{name}', and backup extension '{ext.display_name}' uses key mode, which needs listKeys",
                location=lock.location_of("properties", "level"), subject=lock, related=(uses,),
                fix=f"Remove lock '{lock.display_name}' (or make it CanNotDelete), or switch extension '{ext.display_name}' to AAD mode (useAAD 'true', storageAccountURI).")
        bucket = bucket_of(ext)
        if not isinstance(bucket, str) or not bucket.strip():
            continue
        cid = container_id(account_id, bucket)
        container = graph.find(cid, ext.unit, CONTAINER)
        worm = []
        if account is not None and _enabled(account.get("properties", "immutableStorageWithVersioning", "enabled")):
            worm.append((account, ("properties", "immutableStorageWithVersioning", "enabled"), f"version-level immutability on account '{name}'"))
        if container is not None and _enabled(container.get("properties", "immutableStorageWithVersioning", "enabled")):
            worm.append((container, ("properties", "immutableStorageWithVersioning", "enabled"), "version-level immutability on the container"))
        for policy in graph.linked(IMMUTABILITY_POLICY, ext.unit):
            if (ids.normalize(policy.id) or "").startswith(cid + "/"):
                worm.append((policy, ("properties",), f"immutability policy '{ids.short(policy.id)}'"))
        for resource, path, what in worm:
            yield Finding(
                message=f"blob container '{bucket}' of backup extension '{ext.display_name}' in storage account '{name}' is immutable ({what}); WORM storage is not supported for AKS backup",
                location=resource.location_of(*path), severity="warning", subject=resource, related=(uses,),
                fix=f"Use a container without immutability for extension '{ext.display_name}', or remove the immutability setting from '{name}/default/{bucket}'.")
