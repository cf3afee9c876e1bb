"""A PVC or static PV in backup scope has no storage class the cluster knows, so its volume is skipped."""
from __future__ import annotations

from collections.abc import Iterator

from validator import reference_data
from validator.graph import InfraGraph
from validator.graph.kubernetes_view import (backup_scope, builtin_class_available, claim_class, claims, known_str, qualified, scoped, storage_classes, volume_named, volume_namespace, volumes)
from validator.model import Finding, Related


def storage_class_missing_for_pvc(graph: InfraGraph) -> Iterator[Finding]:
    """Yield a finding per PVC naming an unknown class or no class, and per static PV without a class."""
    scope = backup_scope(graph)
    classes = storage_classes(graph)
    for pvc in claims(graph):
        report, severity, note = scoped(scope, pvc.scope, pvc.get("metadata", "labels"), volumes=True)
        if not report:
            continue
        name, path = claim_class(pvc)
        if name is None:
            continue  # AKS has a default class (managed-csi): an absent class is the platform default
        text = known_str(name)
        if text is None:
            continue
        if text and text not in classes:
            close = sorted(c for c in classes if c.lower() == text.lower())
            hint = f"; did you mean '{close[0]}'" if close else ""
            yield Finding(
                message=f"PVC '{qualified(pvc)}' names storage class '{text}', which is neither declared in the manifests nor an AKS built-in class{hint}{note}",
                location=pvc.location_of(*path), severity=severity, subject=pvc,
                fix=f"Declare StorageClass '{text}' (provisioner disk.csi.azure.com) beside PVC '{qualified(pvc)}', "
                    f"or set its storageClassName to '{close[0] if close else 'managed-csi'}'")
        elif text:
            available, cluster = builtin_class_available(graph, classes[text])
            if available is False:
                setting = reference_data.load("aks_storage_classes")["drivers"][classes[text].provisioner]["setting"]
                yield Finding(
                    message=f"PVC '{qualified(pvc)}' uses AKS built-in storage class '{text}', which exists only with the {classes[text].provisioner} driver, "
                            f"but cluster '{cluster.display_name}' does not enable storageProfile.{setting}{note}",
                    location=pvc.location_of(*path), severity=severity, subject=pvc,
                    related=(Related(cluster.location_of("properties", "storageProfile"), f"storage profile of cluster '{cluster.display_name}'"),),
                    fix=f"Set properties.storageProfile.{setting}.enabled to true on cluster '{cluster.display_name}', or use another class for PVC '{qualified(pvc)}'")
        else:
            volume_name = known_str(pvc.get("spec", "volumeName"))
            if volume_name and volume_named(graph, volume_name) is not None:
                continue  # the PV is in the scan: its own finding says whether it has a class
            yield Finding(
                message=f"PVC '{qualified(pvc)}' sets storageClassName \"\" (no class): it binds only to a statically provisioned volume without a storage class, which AKS backup skips{note}",
                location=pvc.location_of(*path), severity=severity, subject=pvc,
                fix=f"Set storageClassName of PVC '{qualified(pvc)}' to a CSI class such as 'managed-csi', "
                    f"or give the static PersistentVolume it binds to the same storageClassName")
    for pv in volumes(graph):
        report, severity, note = scoped(scope, volume_namespace(graph, pv), volumes=True)
        if not report:
            continue
        value = pv.get("spec", "storageClassName")
        if value is not None and (known_str(value) is None or value):
            continue
        where = pv.location_of("spec", "storageClassName") if value is not None else pv.location_of("spec")
        yield Finding(
            message=f"PersistentVolume '{pv.name}' has no storageClassName; AKS backup skips statically provisioned volumes without a storage class{note}",
            location=where, severity=severity, subject=pv,
            fix=f"Set spec.storageClassName of PersistentVolume '{pv.name}' (and of the PVC bound to it) to a class such as 'managed-csi', "
                f"declaring that StorageClass in the manifests if it is not an AKS built-in")
