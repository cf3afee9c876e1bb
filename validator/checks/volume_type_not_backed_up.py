"""A PVC in backup scope is provisioned by a driver AKS backup skips, or on a disk SKU it snapshots slowly."""
from __future__ import annotations

from collections.abc import Iterator

from validator import reference_data
from validator.graph import InfraGraph
from validator.graph.kubernetes_view import (StorageClass, backup_scope, claim_class, claims, known_str, qualified, resolved_class, scoped, storage_classes)
from validator.model import Finding, Related


def skipped_reason(cls: StorageClass) -> str | None:
    """Why AKS backup skips volumes of this class; None when it backs them up (or the provisioner is not known)."""
    data = reference_data.load("aks_storage_classes")
    provisioner = known_str(cls.provisioner)
    if provisioner is None:
        return None
    if provisioner == "file.csi.azure.com":
        protocol = cls.parameter("protocol")
        if isinstance(protocol, str) and protocol.lower() == "nfs":
            return data["skipped_reasons"]["file.csi.azure.com/nfs"]
        return None
    if data["provisioners"].get(provisioner) == "supported":
        return None
    if provisioner in data["skipped_reasons"]:
        return data["skipped_reasons"][provisioner]
    if cls.name.startswith("acstor-") or provisioner.endswith("containerstorage.csi.azure.com"):
        return data["skipped_reasons"]["containerstorage.csi.azure.com"]
    return "only Azure Disk (disk.csi.azure.com) and Azure Files SMB (file.csi.azure.com) CSI volumes are backed up"


def volume_type_not_backed_up(graph: InfraGraph) -> Iterator[Finding]:
    """Yield a warning per PVC whose volume AKS backup skips, an info per PVC on a slow-snapshot disk SKU."""
    scope = backup_scope(graph)
    classes = storage_classes(graph)
    slow = {s.lower() for s in reference_data.load("aks_storage_classes")["slow_disk_skus"]}
    for pvc in claims(graph):
        report, severity, note = scoped(scope, pvc.scope, pvc.get("metadata", "labels"), volumes=True)
        cls = resolved_class(pvc, classes) if report else None
        if cls is None:
            continue
        _, path = claim_class(pvc)
        named = "its storage class" if claim_class(pvc)[0] is not None else "the default storage class"
        related = (Related(cls.resource.location, f"StorageClass '{cls.name}'"),) if cls.resource is not None else ()
        where = pvc.location_of(*path)
        reason = skipped_reason(cls)
        if reason is not None:
            yield Finding(
                message=f"PVC '{qualified(pvc)}' uses {named} '{cls.name}' ({cls.origin}, provisioner {cls.provisioner}"
                        f"{', protocol ' + str(cls.parameter('protocol')) if cls.parameter('protocol') else ''}): {reason}; its data is not protected by AKS backup{note}",
                location=where, severity=severity, subject=pvc, related=related,
                fix=f"Move the data of PVC '{qualified(pvc)}' to an Azure Disk CSI class (managed-csi, managed-csi-premium) "
                    f"or an Azure Files SMB class (azurefile-csi), or protect it with a backup tool for that storage")
            continue
        sku = known_str(cls.parameter("skuName") or cls.parameter("storageaccounttype"))
        if known_str(cls.provisioner) == "disk.csi.azure.com" and sku and sku.lower() in slow:
            yield Finding(
                message=f"PVC '{qualified(pvc)}' uses storage class '{cls.name}' with skuName {sku}: AKS backup supports "
                        f"{sku} disks since the 01/2026 support matrix, but their snapshots are slower and may time out (CSISnapshottingTimedOut)",
                location=where, severity="info", subject=pvc, related=related,
                fix=f"Allow for longer backups of PVC '{qualified(pvc)}', or use Premium_LRS / StandardSSD_LRS disks")
