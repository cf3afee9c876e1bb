"""A PVC in backup scope may stay unbound (Pending), so backup finds no volume for it."""
from __future__ import annotations

from collections.abc import Iterator

from validator.graph import InfraGraph
from validator.graph.kubernetes_view import (backup_scope, claim_class, claim_named, claims, consumed_claims, known_str, parse_quantity, qualified, resolved_class, scoped, storage_classes, volume_named, volume_namespace, volumes)
from validator.model import Finding, Related


def _claim_ref(pv) -> tuple[str | None, str | None]:
    ref = pv.get("spec", "claimRef")
    if not isinstance(ref, dict):
        return None, None
    return known_str(ref.get("namespace")), known_str(ref.get("name"))


def pvc_not_bound_to_volume(graph: InfraGraph) -> Iterator[Finding]:
    """Yield findings for PVC/PV pairs that cannot bind and for WaitForFirstConsumer claims no pod mounts."""
    scope = backup_scope(graph)
    classes = storage_classes(graph)
    consumed = consumed_claims(graph)
    for pvc in claims(graph):
        report, severity, note = scoped(scope, pvc.scope, pvc.get("metadata", "labels"), volumes=True)
        if not report:
            continue
        volume_name = pvc.get("spec", "volumeName")
        if volume_name is not None:
            name = known_str(volume_name)
            if not name:
                continue
            pv = volume_named(graph, name)
            if pv is None:
                yield Finding(
                    message=f"PVC '{qualified(pvc)}' binds to PersistentVolume '{name}', which is not in the manifests; if it does not exist in the cluster the claim stays Pending and backup skips it{note}",
                    location=pvc.location_of("spec", "volumeName"), severity="info", subject=pvc,
                    fix=f"Declare PersistentVolume '{name}' beside PVC '{qualified(pvc)}', or remove spec.volumeName to provision dynamically")
                continue
            ref_ns, ref_name = _claim_ref(pv)
            if ref_name and (ref_ns, ref_name) != (pvc.scope, pvc.name):
                yield Finding(
                    message=f"PVC '{qualified(pvc)}' binds to PersistentVolume '{name}', whose claimRef reserves it for PVC '{ref_ns}/{ref_name}'; the claim stays Pending{note}",
                    location=pvc.location_of("spec", "volumeName"), severity=severity or "warning", subject=pvc,
                    related=(Related(pv.location_of("spec", "claimRef"), f"claimRef of PersistentVolume '{name}'"),),
                    fix=f"Set claimRef of PersistentVolume '{name}' to namespace '{pvc.scope}', name '{pvc.name}', or point PVC '{qualified(pvc)}' at its own volume")
            continue
        cls = resolved_class(pvc, classes)
        if cls is None or known_str(cls.binding_mode) != "WaitForFirstConsumer" or (pvc.scope, pvc.name) in consumed:
            continue
        _, path = claim_class(pvc)
        yield Finding(
            message=f"PVC '{qualified(pvc)}' uses storage class '{cls.name}' (volumeBindingMode WaitForFirstConsumer) and no Pod or workload in the manifests mounts it: it stays Pending without a volume until one does{note}",
            location=pvc.location_of(*path), severity="info", subject=pvc,
            fix=f"Mount PVC '{qualified(pvc)}' from a workload in namespace '{pvc.scope}', or delete the claim if it is unused")
    for pv in volumes(graph):
        ref_ns, ref_name = _claim_ref(pv)
        if not ref_name:
            continue
        report, severity, note = scoped(scope, volume_namespace(graph, pv), volumes=True)
        if not report:
            continue
        where = pv.location_of("spec", "claimRef")
        pvc = claim_named(graph, ref_ns, ref_name)
        if pvc is None:
            yield Finding(
                message=f"PersistentVolume '{pv.name}' is reserved by claimRef for PVC '{ref_ns}/{ref_name}', which is not in the manifests{note}",
                location=where, severity="info", subject=pv,
                fix=f"Declare PVC '{ref_name}' in namespace '{ref_ns}' with volumeName '{pv.name}', or correct the claimRef")
            continue
        bound = known_str(pvc.get("spec", "volumeName"))
        problem = ""
        if bound and bound != pv.name:
            problem = f"but that PVC binds to PersistentVolume '{bound}'"
        else:
            pv_class, pvc_class = pv.get("spec", "storageClassName"), claim_class(pvc)[0]
            if isinstance(pv_class, str) and isinstance(pvc_class, str) and known_str(pv_class) is not None \
                    and known_str(pvc_class) is not None and pv_class != pvc_class:
                problem = f"but the storage classes differ (volume '{pv_class}', claim '{pvc_class}')"
            else:
                capacity = parse_quantity(pv.get("spec", "capacity", "storage"))
                request = parse_quantity(pvc.get("spec", "resources", "requests", "storage"))
                if capacity is not None and request is not None and request > capacity:
                    problem = (f"but the claim requests {pvc.get('spec', 'resources', 'requests', 'storage')}, more than the "
                               f"volume's capacity {pv.get('spec', 'capacity', 'storage')}")
        if problem:
            yield Finding(
                message=f"PersistentVolume '{pv.name}' is reserved by claimRef for PVC '{qualified(pvc)}', {problem}: they cannot bind and backup finds no volume for the claim{note}",
                location=where, severity=severity or "warning", subject=pv,
                related=(Related(pvc.location, f"PVC '{qualified(pvc)}'"),),
                fix=f"Make PVC '{qualified(pvc)}' and PersistentVolume '{pv.name}' agree (volumeName '{pv.name}', the same storageClassName, a request within the capacity)")
