"""A backed-up cluster runs pod-managed identity without an exception for the extension pods."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from validator.graph import InfraGraph
from validator.graph.network_view import EXTENSION_NAMESPACE, pod_identity_exceptions
from validator.model import Finding, Related, Unknown


@dataclass(frozen=True)
class Params:
    namespace: str = EXTENSION_NAMESPACE
    label_key: str = "app.kubernetes.io/name"
    label_value: str = "dataprotection-microsoft-kubernetes"


def _covers(namespace, labels, params: Params) -> bool | None:
    """Does an exception in ``namespace`` with ``labels`` exempt the extension pods?"""
    if isinstance(namespace, Unknown) or isinstance(labels, Unknown):
        return None
    if namespace != params.namespace or not isinstance(labels, dict):
        return False
    value = labels.get(params.label_key)
    if isinstance(value, Unknown):
        return None
    return value == params.label_value


def pod_identity_exception_missing(graph: InfraGraph, params: Params) -> Iterator[Finding]:
    """Yield a finding per backed-up cluster with podIdentityProfile.enabled and no exception for the extension pods."""
    manifests = pod_identity_exceptions(graph)
    for cluster in graph.protected_clusters():
        resource = cluster.resource
        enabled = resource.get("properties", "podIdentityProfile", "enabled")
        evidence = Related(cluster.evidence, f"cluster {cluster.reason}")
        if isinstance(enabled, Unknown):
            yield Finding(
                message=f"whether pod-managed identity is enabled on cluster '{resource.display_name}' is not known statically ({enabled}); an exception for the backup extension pods may be needed",
                location=resource.location_of("properties", "podIdentityProfile", "enabled"), severity="info",
                related=(evidence,), subject=resource)
            continue
        if enabled is not True:
            continue
        entries = resource.get("properties", "podIdentityProfile", "userAssignedIdentityExceptions")
        candidates = []  # (covers, namespace, where)
        if isinstance(entries, Unknown):
            candidates.append((None, None, resource.location_of("properties", "podIdentityProfile")))
        elif isinstance(entries, list):
            for index, entry in enumerate(entries):
                if not isinstance(entry, dict):
                    candidates.append((None, None, resource.location_of("properties", "podIdentityProfile",
                                                                        "userAssignedIdentityExceptions", index)))
                    continue
                candidates.append((_covers(entry.get("namespace"), entry.get("podLabels"), params), entry.get("namespace"),
                                   resource.location_of("properties", "podIdentityProfile", "userAssignedIdentityExceptions", index)))
        for manifest in manifests:
            if graph.links(resource.unit, manifest.unit):
                candidates.append((_covers(manifest.scope, manifest.get("spec", "podLabels"), params),
                                   manifest.scope, manifest.location))
        if any(found is True for found, _, _ in candidates):
            continue
        where = resource.location_of("properties", "podIdentityProfile", "enabled")
        label = f"{params.label_key}={params.label_value}"
        if any(found is None for found, _, _ in candidates):
            yield Finding(
                message=f"cluster '{resource.display_name}' enables pod-managed identity and has a pod identity exception whose namespace or labels are not known statically; cannot tell whether it exempts the backup extension pods ({params.namespace}, {label})",
                location=where, severity="info", related=(evidence,), subject=resource)
            continue
        elsewhere = [(ns, at) for found, ns, at in candidates if ns is not None and ns != params.namespace]
        note = ""
        if elsewhere:
            spaces = ", ".join(sorted({str(ns) for ns, _ in elsewhere}))
            note = f"; the exceptions in namespace {spaces} do not count, only one in {params.namespace} exempts the extension pods"
        yield Finding(
            message=f"cluster '{resource.display_name}' enables pod-managed identity but no AzurePodIdentityException exempts pods labelled {label} in namespace {params.namespace}{note}",
            location=where, subject=resource,
            related=(evidence,) + tuple(Related(at, f"pod identity exception in namespace {ns}") for ns, at in elsewhere),
            fix=f"Add to cluster '{resource.display_name}' properties.podIdentityProfile.userAssignedIdentityExceptions an entry "
                f"{{name: 'dataprotection-exception', namespace: '{params.namespace}', podLabels: {{'{params.label_key}': '{params.label_value}'}}}}, "
                f"or run: az aks pod-identity exception add --namespace {params.namespace} --pod-labels {params.label_key}={params.label_value}")
