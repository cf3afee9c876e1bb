"""The backup extension's configuration settings: which extensions are backup extensions and what their settings name."""
from __future__ import annotations

from typing import Any

from validator.checks.extension_storage_role_missing import storage_account_id, uses_aad
from validator.graph import CLUSTER, STORAGE_ACCOUNT, InfraGraph
from validator.graph import resource_ids as ids
from validator.model import Resource, Unknown

SETTINGS = ("properties", "configurationSettings")
BUCKET = "configuration.backupStorageLocation.bucket"
CONFIG = "configuration.backupStorageLocation.config."
CONTAINER = "microsoft.storage/storageaccounts/blobservices/containers"

__all__ = ["BUCKET", "CONFIG", "CONTAINER", "SETTINGS", "bucket_of", "cluster_of",
           "container_id", "setting", "storage_account_id", "storage_account_of", "uses_aad"]


def setting(ext: Resource, key: str) -> Any:
    """A configuration setting's value (Unknown kept; None when absent or the settings are not a dict)."""
    settings = ext.get(*SETTINGS)
    if isinstance(settings, Unknown):
        return settings
    return settings.get(key) if isinstance(settings, dict) else None


def cluster_of(graph: InfraGraph, ext: Resource) -> Resource | None:
    """The declared cluster an extension is scoped to, or None when it is not in the scan."""
    return graph.declared(ext.scope, ext.unit, CLUSTER) if ids.normalize(ext.scope) else None


def storage_account_of(graph: InfraGraph, ext: Resource) -> tuple[Any, tuple, Resource | None]:
    """(account id or Unknown/None, where it is written, the storage account declared in the scan or None).

    An account referenced as ``existing`` is declared elsewhere: its properties are not visible, so None."""
    account, where = storage_account_id(ext)
    key = ids.normalize(account)
    declared = graph.find(key, ext.unit, STORAGE_ACCOUNT) if key else None
    return (key if key else account), where, (None if declared is None or declared.get("existing") else declared)


def bucket_of(ext: Resource) -> Any:
    """The blob container the extension writes to (Unknown kept; None when absent)."""
    return setting(ext, BUCKET)


def container_id(account_id: str, container: str) -> str:
    return f"{account_id}/blobservices/default/containers/{container}".lower()
