"""The backup extension's identity lacks the storage roles its authentication mode needs."""
from __future__ import annotations

from collections.abc import Iterator

from validator import reference_data
from validator.graph import BACKUP_EXTENSION_TYPE, EXTENSION, STORAGE_ACCOUNT, InfraGraph, Principal
from validator.graph import resource_ids as ids
from validator.model import Finding, Related, Resource, Unknown

SETTING = "configuration.backupStorageLocation.config."


def storage_account_id(ext: Resource) -> tuple[object, tuple]:
    """The id of the extension's backup storage account, from its configuration settings."""
    settings = ext.properties.get("configurationSettings")
    path = ("properties", "configurationSettings")
    if not isinstance(settings, dict):
        return (settings if isinstance(settings, Unknown) else None), path
    # configurationProtectedSettings reach the Helm chart like configurationSettings
    protected = ext.properties.get("configurationProtectedSettings")
    if isinstance(protected, dict):
        settings = {**protected, **settings}
    name = settings.get(SETTING + "storageAccount")
    group = settings.get(SETTING + "resourceGroup")
    subscription = settings.get(SETTING + "subscriptionId")
    where = path + (SETTING + "storageAccount",)
    for value in (name, group, subscription):
        if isinstance(value, Unknown):
            return value, where
    if not all(isinstance(v, str) and v for v in (name, group, subscription)):
        return None, where
    return f"/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Storage/storageAccounts/{name}", where


def uses_aad(ext: Resource) -> object:
    settings = ext.properties.get("configurationSettings")
    value = settings.get(SETTING + "useAAD") if isinstance(settings, dict) else None
    if isinstance(value, Unknown):
        return value
    return str(value).lower() == "true"


def extension_storage_role_missing(graph: InfraGraph) -> Iterator[Finding]:
    """Yield a finding per backup extension whose identity lacks a required role on its storage account."""
    blob_roles = reference_data.roles_satisfying("storage_blob_data_contributor")
    account_roles = reference_data.roles_satisfying("storage_account_contributor")
    for ext in graph.resources(EXTENSION):
        kind = ext.properties.get("extensionType")
        if isinstance(kind, Unknown) or str(kind).lower() != BACKUP_EXTENSION_TYPE or ext.get("existing"):
            continue
        account, where = storage_account_id(ext)
        account_key = ids.normalize(account)
        if account_key is None:
            what = account.origin if isinstance(account, Unknown) else "configuration settings incomplete"
            yield Finding(
                message=f"storage account of backup extension '{ext.display_name}' is not known statically ({what}); its role assignments cannot be checked",
                location=ext.location_of(*where), severity="info", subject=ext,
                fix="Set configuration.backupStorageLocation.config.storageAccount, .resourceGroup and .subscriptionId.")
            continue
        ext_key = ids.normalize(ext.id)
        if ext_key is None:
            continue
        principal = Principal(ext_key, ("properties", "aksAssignedIdentity", "principalId"))
        held = {a.role for a in graph.assignments_for(principal, account_key, ext.unit)}
        aad = uses_aad(ext)
        missing = []
        if not held & set(blob_roles):
            missing.append(("storage_blob_data_contributor", "Storage Blob Data Contributor", "error" if aad is True else "warning"))
        if aad is not True and not held & set(account_roles):
            missing.append(("storage_account_contributor", "Storage Account Contributor", "error" if aad is False else "info"))
        if not missing:
            continue
        unresolved = graph.unresolved_assignments_over(account_key, ext.unit)
        account_name = ids.short(account_key)
        declared = graph.find(account_key, ext.unit, STORAGE_ACCOUNT)
        for requirement, role, severity in missing:
            candidates = [a for a in unresolved if a.role is None or a.role in reference_data.roles_satisfying(requirement)]
            if candidates:
                a = candidates[0]
                yield Finding(
                    message=f"{role} on storage account '{account_name}' is assigned to a principal that cannot be resolved statically ({ids.short(a.principal)}); cannot tell whether it is the identity of extension '{ext.display_name}'",
                    location=a.resource.location_of("properties", "principalId"), severity="info", subject=a.resource,
                    fix=f"Set principalId to reference(<extension id>).aksAssignedIdentity.principalId of extension '{ext.display_name}'.")
                continue
            mode = "AAD mode, useAAD 'true'" if aad is True else ("key mode, useAAD not 'true'" if aad is False else "auth mode not known statically")
            yield Finding(
                message=f"identity of backup extension '{ext.display_name}' has no {role} on its storage account '{account_name}' ({mode})",
                location=ext.location_of(*where), severity=severity if declared is not None or severity == "info" else "info",
                subject=ext, related=((Related(declared.location, "storage account declared here"),) if declared is not None else ()),
                fix=f"Add a role assignment of {role} ({reference_data.role_guid(requirement)}) scoped to storage account '{account_name}' "
                    f"for principalId reference(<id of extension '{ext.display_name}'>).aksAssignedIdentity.principalId, and make the backup instance depend on it.")
