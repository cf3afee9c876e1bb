"""A static Azure Disk PersistentVolume in backup scope names its disk by a malformed or undeclared ARM id."""
from __future__ import annotations

import re
from collections.abc import Iterator

from validator.graph import InfraGraph
from validator.graph import resource_ids as ids
from validator.graph.kubernetes_view import (backup_scope, has_infrastructure_code, known_str, scoped, volume_namespace, volumes)
from validator.model import Finding

DISK = "microsoft.compute/disks"
# the driver's own pattern, anchored: https://github.com/kubernetes-sigs/azuredisk-csi-driver/blob/master/docs/driver-parameters.md
DISK_ID = re.compile(r"^/subscriptions/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/resourcegroups/[-\w._()]+"
                     r"/providers/microsoft\.compute/disks/[^/\s]+$", re.IGNORECASE)


def _disk_reference(pv) -> tuple[str | None, tuple]:
    if pv.get("spec", "csi", "driver") == "disk.csi.azure.com":
        return pv.get("spec", "csi", "volumeHandle"), ("spec", "csi", "volumeHandle")
    if isinstance(pv.get("spec", "azureDisk"), dict):
        return pv.get("spec", "azureDisk", "diskURI"), ("spec", "azureDisk", "diskURI")
    return None, ()


def pv_disk_not_found(graph: InfraGraph) -> Iterator[Finding]:
    """Yield a warning per malformed disk id, an info per disk the scanned infrastructure code does not declare."""
    scope = backup_scope(graph)
    declared = {ids.last_name(ids.normalize(d.id) or "").lower() for d in graph.resources(DISK)}
    for pv in volumes(graph):
        value, path = _disk_reference(pv)
        if not path:
            continue
        report, severity, note = scoped(scope, volume_namespace(graph, pv), volumes=True)
        handle = known_str(value)
        if not report or (value is not None and handle is None):
            continue
        if not handle or not DISK_ID.match(handle):
            shown = f"'{handle}'" if handle else "empty"
            yield Finding(
                message=f"PersistentVolume '{pv.name}' names its Azure disk by {shown}, which is not a managed disk resource id "
                        f"(/subscriptions/<guid>/resourceGroups/<group>/providers/Microsoft.Compute/disks/<name>); backup cannot find the disk{note}",
                location=pv.location_of(*path), severity=severity, subject=pv,
                fix=f"Set {'.'.join(path)} of PersistentVolume '{pv.name}' to the disk's full resource id, "
                    f"as shown by: az disk show --resource-group <group> --name <disk> --query id -o tsv")
            continue
        name = handle.rstrip("/").rsplit("/", 1)[-1]
        if has_infrastructure_code(graph) and name.lower() not in declared:
            yield Finding(
                message=f"PersistentVolume '{pv.name}' uses Azure disk '{name}', which the scanned infrastructure code does not declare; "
                        f"if the disk does not exist, backup fails with UserErrorPVNotFound",
                location=pv.location_of(*path), severity="info", subject=pv,
                fix=f"Check that disk '{name}' exists ({handle}), or declare it with the cluster's infrastructure code")
