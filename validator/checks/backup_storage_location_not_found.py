"""The backup extension names a storage account or blob container that is not declared."""
from __future__ import annotations

from collections.abc import Iterator

from validator.checks.backup_extension_settings import (BUCKET, CONTAINER, SETTINGS, bucket_of, container_id, storage_account_of)
from validator.graph import STORAGE_ACCOUNT, InfraGraph
from validator.graph import resource_ids as ids
from validator.model import Finding, Related, Unknown


def backup_storage_location_not_found(graph: InfraGraph) -> Iterator[Finding]:
    """Yield a finding per backup extension whose container is missing from its declared account (info: account not declared)."""
    for ext in graph.backup_extensions():
        account, where, declared = storage_account_of(graph, ext)
        if not isinstance(account, str) or isinstance(account, Unknown):
            continue  # unknown or incomplete settings: AKSB-RBAC-004 and AKSB-EXT-002 say so
        name = ids.short(account)
        if declared is None:
            if ids.has_placeholder(account) and graph.find(account, ext.unit, STORAGE_ACCOUNT) is None:  # not even as existing
                yield Finding(
                    message=f"storage account '{name}' of backup extension '{ext.display_name}' is not declared in the scan, though it is in the deployment's own subscription and resource group; it may be deployed elsewhere",
                    location=ext.location_of(*where), severity="info", subject=ext,
                    fix=f"Declare storage account '{name}' and its blob container in this deployment, or check that it exists before the extension is installed.")
            continue
        bucket = bucket_of(ext)
        if not isinstance(bucket, str) or isinstance(bucket, Unknown) or not bucket.strip():
            continue
        if graph.find(container_id(account, bucket), ext.unit, CONTAINER) is None:
            yield Finding(
                message=f"blob container '{bucket}' of backup extension '{ext.display_name}' is not declared in storage account '{name}'",
                location=ext.location_of(*SETTINGS, BUCKET), subject=ext,
                related=(Related(declared.location, f"storage account '{name}' declared here"),),
                fix=f"Declare Microsoft.Storage/storageAccounts/blobServices/containers '{name}/default/{bucket}' and make extension '{ext.display_name}' depend on it, or set {BUCKET} to an existing container of '{name}'.")
