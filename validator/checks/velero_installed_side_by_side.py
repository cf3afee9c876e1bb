"""The manifests install Velero beside the backup extension, or mark objects with velero.io labels or annotations."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from validator.graph import InfraGraph
from validator.graph.kubernetes_view import known_str, manifests, pod_templates, qualified
from validator.graph.network_view import EXTENSION_NAMESPACE
from validator.model import Finding, Related

CRD = "k8s:apiextensions.k8s.io/CustomResourceDefinition"
VOLUME_SNAPSHOT_CLASS = "k8s:snapshot.storage.k8s.io/VolumeSnapshotClass"


@dataclass(frozen=True)
class Params:
    namespace: str = "velero"
    group: str = "velero.io"
    chart: str = "velero"
    image: str = "velero/velero"
    snapshot_class_label: str = "velero.io/csi-volumesnapshot-class"


def _is_velero_key(key, group: str) -> bool:
    if not isinstance(key, str) or "/" not in key:
        return False
    prefix = key.split("/", 1)[0]
    return prefix == group or prefix.endswith("." + group)


def _velero_workload(resource, params: Params) -> str | None:
    labels = resource.get("metadata", "labels")
    labels = labels if isinstance(labels, dict) else {}
    chart = known_str(labels.get("helm.sh/chart")) or ""
    if chart.startswith(params.chart + "-") or labels.get("app.kubernetes.io/name") == params.chart:
        return f"labelled as the {params.chart} Helm chart"
    return None


def _gitops_release(resource, params: Params) -> tuple | None:
    api, kind = str(resource.body.get("apiVersion", "")), resource.body.get("kind")
    if api.startswith("helm.toolkit.fluxcd.io/") and kind == "HelmRelease":
        path = ("spec", "chart", "spec", "chart")
    elif api.startswith("argoproj.io/") and kind == "Application":
        path = ("spec", "source", "chart")
    else:
        return None
    return path if resource.get(*path) == params.chart else None


def velero_installed_side_by_side(graph: InfraGraph, params: Params) -> Iterator[Finding]:
    """Yield an error per Velero install component, a warning per other object carrying velero.io keys."""
    install: set[int] = set()
    fix = (f"Remove the standalone Velero install (namespace {params.namespace}, its CRDs, Deployments and Helm release); "
           f"AKS backup installs and owns the Velero CRDs itself in namespace {EXTENSION_NAMESPACE}")
    for resource in manifests(graph):
        if resource.scope == EXTENSION_NAMESPACE:
            continue
        if resource.type == "k8s:Namespace" and resource.name == params.namespace:
            install.add(id(resource))
            yield Finding(message=f"Namespace '{resource.name}' is the namespace of a standalone Velero install, which must not run beside AKS backup",
                          location=resource.location_of("metadata", "name"), subject=resource, fix=fix)
        release = _gitops_release(resource, params)
        if release is not None:
            install.add(id(resource))
            yield Finding(message=f"{resource.body.get('kind')} '{qualified(resource)}' installs the {params.chart} Helm chart, a standalone Velero beside AKS backup",
                          location=resource.location_of(*release), subject=resource, fix=fix)
    crds: dict[str, list] = {}
    for resource in graph.resources(CRD):
        if resource.get("spec", "group") == params.group:
            crds.setdefault(resource.file, []).append(resource)
            install.add(id(resource))
    for file, found in sorted(crds.items()):
        names = ", ".join(str(r.name) for r in found[:4]) + (f" and {len(found) - 4} more" if len(found) > 4 else "")
        yield Finding(message=f"CustomResourceDefinitions of group {params.group} ({names}) are declared here; AKS backup installs and owns these CRDs, a second copy conflicts with it",
                      location=found[0].location_of("spec", "group"), subject=found[0], fix=fix,
                      related=tuple(Related(r.location, f"CRD '{r.name}'") for r in found[1:]))
    for template in pod_templates(graph):
        owner = template.owner
        if owner.scope == EXTENSION_NAMESPACE or id(owner) in install:
            continue
        why = _velero_workload(owner, params)
        images = [c.get("image") for c in template.spec.get("containers") or [] if isinstance(c, dict)]
        if why is None and any(isinstance(i, str) and i.split("@")[0].rsplit(":", 1)[0].endswith(params.image) for i in images):
            why = f"running image {params.image}"
        if why is not None:
            install.add(id(owner))
            yield Finding(message=f"{owner.body.get('kind')} '{qualified(owner)}' is a standalone Velero server ({why}), which must not run beside AKS backup",
                          location=owner.location_of("metadata", "name"), subject=owner, fix=fix)
    template_paths = {id(t.owner): t.path[:-1] + ("metadata",) for t in pod_templates(graph) if t.path != ("spec",)}
    for resource in manifests(graph):
        if id(resource) in install or resource.scope in (EXTENSION_NAMESPACE, params.namespace) or _velero_workload(resource, params):
            continue
        kind = resource.body.get("kind")
        for base in (("metadata",),) + ((template_paths[id(resource)],) if id(resource) in template_paths else ()):
            for part in ("labels", "annotations"):
                values = resource.get(*base, part)
                keys = [k for k in values if _is_velero_key(k, params.group)] if isinstance(values, dict) else []
                if not keys:
                    continue
                where = "pod template " if base != ("metadata",) else ""
                if resource.type == VOLUME_SNAPSHOT_CLASS and params.snapshot_class_label in keys and part == "labels":
                    message = (f"VolumeSnapshotClass '{resource.name}' carries label {params.snapshot_class_label}, which makes Velero-based "
                               f"tools pick it for CSI snapshots and can interfere with AKS backup's own snapshot class")
                else:
                    message = (f"{kind} '{qualified(resource)}' carries {where}{part} with prefix {params.group} ({', '.join(keys)}); "
                               f"AKS backup asks not to use them, its Velero acts on them")
                yield Finding(message=message, location=resource.location_of(*base, part, keys[0]), severity="warning", subject=resource,
                              fix=f"Remove {', '.join(keys)} from {'.'.join(base)}.{part} of {kind} '{qualified(resource)}'")
