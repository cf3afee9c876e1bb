"""The backup storage account disallows shared-key access while the extension authenticates with account keys."""
from __future__ import annotations

from collections.abc import Iterator

from validator.checks.backup_extension_settings import CONFIG, SETTINGS, storage_account_of, uses_aad
from validator.graph import InfraGraph
from validator.model import Finding, Related, Unknown


def storage_shared_key_access_disabled(graph: InfraGraph) -> Iterator[Finding]:
    """Yield a finding per backup extension in key mode whose declared account sets allowSharedKeyAccess false."""
    for ext in graph.backup_extensions():
        _, where, account = storage_account_of(graph, ext)
        if account is None:
            continue
        path = ("properties", "allowSharedKeyAccess")
        allowed = account.get(*path)
        if not (allowed is False or (isinstance(allowed, str) and allowed.strip().lower() == "false")):
            continue
        aad = uses_aad(ext)
        name = account.display_name
        uses = Related(ext.location_of(*where), f"backup extension '{ext.display_name}' names the account")
        if isinstance(aad, Unknown):
            yield Finding(
                message=f"storage account '{name}' disallows shared-key access; whether backup extension '{ext.display_name}' uses AAD mode is not known statically ({aad.origin})",
                location=ext.location_of(*SETTINGS, CONFIG + "useAAD"), severity="info", subject=ext, related=(uses,),
                fix=f"Set '{CONFIG}useAAD' to 'true' (with storageAccountURI) in extension '{ext.display_name}'.")
        elif aad is False:
            yield Finding(
                message=f"storage account '{name}' disallows shared-key access (allowSharedKeyAccess false) but backup extension '{ext.display_name}' uses key mode ({CONFIG}useAAD not 'true')",
                location=account.location_of(*path), subject=account, related=(uses,),
                fix=f"Set '{CONFIG}useAAD' 'true' and '{CONFIG}storageAccountURI' in extension '{ext.display_name}' and grant its identity Storage Blob Data Contributor on '{name}', or allow shared-key access on '{name}'.")
