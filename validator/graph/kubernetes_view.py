"""Graph queries over Kubernetes objects: namespaces, PVCs and PVs, storage classes (with the AKS
built-ins of validator/data/aks_storage_classes.yaml), workloads and their pod templates, BackupHooks,
and the backup scope the backup instances give them.

Backup scope (which manifests a backup will read) is decided once, here:

- backup instances in the scan: their ``backupDatasourceParametersList`` entries decide
  (``includedNamespaces`` empty = all, minus ``excludedNamespaces``; ``labelSelectors`` narrow, and
  an object they do not clearly select is *unknown*; ``snapshotVolumes: false`` leaves volumes out);
- no backup instance, but the backup extension is expected (a backed-up cluster, an extension
  resource, manifests for its namespace) or the scan declares no AKS cluster (a Kubernetes-only
  repo): every namespace is in scope, since the portal and CLI back up all namespaces by default;
- otherwise (clusters declared, none backed up) the scope is unknown: rules report ``info``.

Values that are Unknown or templated (``${VAR}``, ``{{ .Values.x }}``) never decide anything.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from validator import reference_data
from validator.graph import InfraGraph
from validator.graph.network_view import backup_extension_expected
from validator.model import Resource, Unknown

STORAGE_CLASS = "k8s:storage.k8s.io/StorageClass"
PVC = "k8s:PersistentVolumeClaim"
PV = "k8s:PersistentVolume"
NAMESPACE = "k8s:Namespace"
SERVICE = "k8s:Service"
HOOK_GROUP = "clusterbackup.dataprotection.microsoft.com/"
DEFAULT_CLASS_ANNOTATIONS = ("storageclass.kubernetes.io/is-default-class", "storageclass.beta.kubernetes.io/is-default-class")
SYSTEM_NAMESPACES = ("kube-system", "kube-node-lease", "kube-public")
DATASOURCE_PARAMETERS = ("properties", "policyInfo", "policyParameters", "backupDatasourceParametersList")
# kind -> path of the pod spec inside the object
POD_SPEC_PATHS = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
_TEMPLATED = re.compile(r"\$\{|\$\(|\{\{|<%|#\{")


def is_templated(value: Any) -> bool:
    """True for an Unknown or a string a templating tool fills in later (envsubst, Helm, kustomize vars)."""
    return isinstance(value, Unknown) or (isinstance(value, str) and bool(_TEMPLATED.search(value)))


def known_str(value: Any) -> str | None:
    """The value when it is a literal string, else None."""
    return value if isinstance(value, str) and not is_templated(value) else None


def manifests(graph: InfraGraph) -> list[Resource]:
    return [r for r in graph.resources() if r.source_format == "kubernetes"]


def has_infrastructure_code(graph: InfraGraph) -> bool:
    """True when the scan holds ARM/Bicep resources besides manifests."""
    return any(r.source_format != "kubernetes" for r in graph.resources())


def qualified(resource: Resource) -> str:
    """``namespace/name`` of a namespaced object, ``name`` otherwise."""
    return f"{resource.scope}/{resource.name}" if resource.scope else str(resource.name)


# --- namespaces ---------------------------------------------------------------------------

def namespace_names(graph: InfraGraph) -> set[str]:
    """Namespaces the manifests show: Namespace objects and the namespaces of namespaced objects."""
    names = {r.name for r in graph.resources(NAMESPACE) if known_str(r.name)}
    names |= {r.scope for r in manifests(graph) if known_str(r.scope)}
    return names


def namespace_labels(graph: InfraGraph, name: str) -> tuple[dict, bool]:
    """(labels, complete) of a namespace: the automatic ``kubernetes.io/metadata.name`` plus the labels
    of its Namespace manifest; ``complete`` is False when there is no manifest (labels unknown)."""
    labels = {"kubernetes.io/metadata.name": name}
    for resource in graph.resources(NAMESPACE):
        if resource.name == name:
            declared = resource.get("metadata", "labels")
            if isinstance(declared, dict):
                labels.update({k: v for k, v in declared.items() if isinstance(v, str)})
                return labels, True
            return labels, declared is None
    return labels, False


# --- label selectors ----------------------------------------------------------------------

def selector_matches(selector: Any, labels: dict, complete: bool = True) -> bool | None:
    """A Kubernetes LabelSelector (matchLabels / matchExpressions) against ``labels``; None when not
    decidable (Unknown parts, or a key absent from labels that are not ``complete``)."""
    if selector is None:
        return True
    if not isinstance(selector, dict) or is_templated(labels):
        return None
    verdicts: list[bool | None] = []
    match_labels = selector.get("matchLabels") or {}
    if not isinstance(match_labels, dict):
        return None
    for key, value in match_labels.items():
        verdicts.append(_requirement(key, "In", [value], labels, complete))
    expressions = selector.get("matchExpressions") or []
    if not isinstance(expressions, list):
        return None
    for expression in expressions:
        if not isinstance(expression, dict):
            return None
        verdicts.append(_requirement(expression.get("key"), expression.get("operator"),
                                     expression.get("values") or [], labels, complete))
    if any(v is False for v in verdicts):
        return False
    return None if any(v is None for v in verdicts) else True


def _requirement(key: Any, operator: Any, values: Any, labels: dict, complete: bool) -> bool | None:
    if is_templated(key) or not isinstance(values, list) or any(is_templated(v) for v in values):
        return None
    if key not in labels and not complete:
        return None
    present, value = key in labels, labels.get(key)
    if operator == "In":
        return present and value in values
    if operator == "NotIn":
        return not present or value not in values
    if operator == "Exists":
        return present
    if operator == "DoesNotExist":
        return not present
    return None


def backup_label_selector_matches(selectors: Any, labels: Any) -> bool | None:
    """AKS backup ``labelSelectors`` (strings ``key=value``, ``key:value`` per Q-13, or ``key``): True when
    the labels satisfy every selector, None otherwise (whether other selectors or related objects pull
    the object in is not decidable statically)."""
    if not selectors:
        return True
    if not isinstance(selectors, list) or not isinstance(labels, dict):
        return None
    for selector in selectors:
        text = known_str(selector)
        if text is None:
            return None
        key, _, value = text.replace(":", "=", 1).partition("=")
        key, value = key.strip(), value.strip()
        if key not in labels or (value and labels.get(key) != value):
            return None
    return True


# --- backup scope -------------------------------------------------------------------------

@dataclass
class ScopeEntry:
    """One ``backupDatasourceParametersList`` entry of a backup instance."""

    instance: Resource
    path: tuple  # path of the entry in the instance
    body: Any  # the entry (dict), or Unknown

    def get(self, key: str) -> Any:
        return self.body.get(key) if isinstance(self.body, dict) else self.body

    def covers(self, namespace: str | None, labels: Any = None, volumes: bool = False) -> bool | None:
        if not isinstance(self.body, dict):
            return None
        if volumes:
            snapshot = self.body.get("snapshotVolumes", True)
            if snapshot is False:
                return False
            if not isinstance(snapshot, bool):
                return None
        included, excluded = self.body.get("includedNamespaces") or [], self.body.get("excludedNamespaces") or []
        if is_templated(included) or is_templated(excluded) or not isinstance(included, list) or not isinstance(excluded, list):
            return None
        if namespace is None:  # cluster-scoped object, or a namespace not written in the manifest
            return True if not included and not excluded else None
        if namespace in excluded:
            return False
        verdict: bool | None = True
        if included and namespace not in included:
            verdict = None if any(is_templated(n) for n in included) else False
        if verdict is False:
            return False
        selected = backup_label_selector_matches(self.body.get("labelSelectors"), labels if labels is not None else {})
        return None if verdict is None or selected is None else True

    def included_namespaces(self) -> Any:
        return self.get("includedNamespaces")


@dataclass
class BackupScope:
    """What the backups of this scan cover; see the module docstring for how it is decided."""

    mode: str  # instances | all | unknown
    entries: list[ScopeEntry] = field(default_factory=list)
    reason: str = ""

    def covers(self, namespace: str | None, labels: Any = None, volumes: bool = False) -> bool | None:
        """True when a backup reads an object of ``namespace`` with ``labels``, False when none does,
        None when that is not known statically."""
        if self.mode == "all":
            return True
        if self.mode == "unknown":
            return None
        verdicts = [entry.covers(namespace, labels, volumes) for entry in self.entries]
        if any(v is True for v in verdicts):
            return True
        return None if any(v is None for v in verdicts) else False

    def includes_cluster_scope(self) -> bool | None:
        if self.mode == "all":
            return True
        if self.mode == "unknown":
            return None
        values = [entry.get("includeClusterScopeResources") for entry in self.entries]
        if any(v is True or v is None for v in values):  # absent: the portal default is to include them
            return True
        return None if any(not isinstance(v, bool) for v in values) else False

    @property
    def unknown_note(self) -> str:
        return f" (whether a backup covers it is not known: {self.reason})"


def scope_entries(graph: InfraGraph) -> list[ScopeEntry]:
    """Every datasource-parameters entry of every backup instance (an absent list covers everything)."""
    entries = []
    for instance in graph.backup_instances():
        value = instance.get(*DATASOURCE_PARAMETERS)
        if isinstance(value, list):
            entries += [ScopeEntry(instance, DATASOURCE_PARAMETERS + (i,), item) for i, item in enumerate(value)]
        elif value is None:
            entries.append(ScopeEntry(instance, DATASOURCE_PARAMETERS, {}))
        else:
            entries.append(ScopeEntry(instance, DATASOURCE_PARAMETERS, value))
    return entries


def backup_scope(graph: InfraGraph) -> BackupScope:
    entries = scope_entries(graph)
    if entries:
        return BackupScope("instances", entries)
    if backup_extension_expected(graph):
        return BackupScope("all", reason="the backup extension is set up and no backup instance narrows the namespaces")
    if not graph.clusters():
        return BackupScope("all", reason="the scan declares no AKS cluster: the manifests are taken as a backed-up cluster's")
    names = ", ".join(sorted(str(c.display_name) for c in graph.clusters()))
    return BackupScope("unknown", reason=f"no backup instance or backup extension in the scan names cluster {names}")


# --- storage ------------------------------------------------------------------------------

@dataclass
class StorageClass:
    name: str
    provisioner: Any
    parameters: dict
    binding_mode: Any
    is_default: bool
    resource: Resource | None = None  # None: an AKS built-in

    def parameter(self, key: str) -> Any:
        """A parameter by case-insensitive key (the Azure CSI drivers read keys case-insensitively)."""
        for name, value in self.parameters.items():
            if isinstance(name, str) and name.lower() == key.lower():
                return value
        return None

    @property
    def origin(self) -> str:
        return "AKS built-in" if self.resource is None else f"declared in {self.resource.file}"


def storage_classes(graph: InfraGraph) -> dict[str, StorageClass]:
    """Classes by name: the AKS built-ins, then the manifests' (a built-in name keeps the AKS class,
    which AKS reconciles)."""
    data = reference_data.load("aks_storage_classes")
    classes = {name: StorageClass(name, spec["provisioner"], dict(spec.get("parameters") or {}),
                                  spec.get("volumeBindingMode"), name == data["default_class"])
               for name, spec in data["classes"].items()}
    for resource in graph.resources(STORAGE_CLASS):
        name = known_str(resource.name)
        if name is None or name in data["classes"]:
            continue
        annotations = resource.get("metadata", "annotations")
        annotations = annotations if isinstance(annotations, dict) else {}
        is_default = any(str(annotations.get(key, "")).lower() == "true" for key in DEFAULT_CLASS_ANNOTATIONS)
        parameters = resource.get("parameters")
        classes[name] = StorageClass(name, resource.get("provisioner"), parameters if isinstance(parameters, dict) else {},
                                     resource.get("volumeBindingMode", default="Immediate"), is_default, resource)
    declared_default = [c for c in classes.values() if c.is_default and c.resource is not None]
    if declared_default:  # a class the user marks default wins over managed-csi
        for cls in classes.values():
            if cls.resource is None:
                cls.is_default = False
    return classes


def default_class(classes: dict[str, StorageClass]) -> StorageClass | None:
    defaults = [c for c in classes.values() if c.is_default]
    return defaults[0] if len(defaults) == 1 else None


def claim_class(pvc: Resource) -> tuple[Any, tuple]:
    """(storage class name, path) a PVC asks for: ``spec.storageClassName`` or the legacy annotation;
    (None, ('spec',)) when it names none."""
    value = pvc.get("spec", "storageClassName")
    if value is not None:
        return value, ("spec", "storageClassName")
    legacy = pvc.get("metadata", "annotations", "volume.beta.kubernetes.io/storage-class")
    if legacy is not None:
        return legacy, ("metadata", "annotations", "volume.beta.kubernetes.io/storage-class")
    return None, ("spec",)


def resolved_class(pvc: Resource, classes: dict[str, StorageClass]) -> StorageClass | None:
    """The class a PVC's volume is provisioned with (its own, or the default); None when not known."""
    name, _ = claim_class(pvc)
    if name is None:
        return default_class(classes)
    text = known_str(name)
    return classes.get(text) if text else None


def claims(graph: InfraGraph) -> list[Resource]:
    return graph.resources(PVC)


def volumes(graph: InfraGraph) -> list[Resource]:
    return graph.resources(PV)


def claim_named(graph: InfraGraph, namespace: Any, name: Any) -> Resource | None:
    for pvc in claims(graph):
        if pvc.scope == namespace and pvc.name == name:
            return pvc
    return None


def volume_named(graph: InfraGraph, name: Any) -> Resource | None:
    for pv in volumes(graph):
        if pv.name == name:
            return pv
    return None


def claim_of_volume(graph: InfraGraph, pv: Resource) -> Resource | None:
    """The PVC a PV is bound to: its claimRef, or a PVC whose volumeName names it."""
    ref = pv.get("spec", "claimRef")
    if isinstance(ref, dict):
        found = claim_named(graph, ref.get("namespace"), ref.get("name"))
        if found is not None:
            return found
    for pvc in claims(graph):
        if pvc.get("spec", "volumeName") == pv.name:
            return pvc
    return None


def volume_namespace(graph: InfraGraph, pv: Resource) -> str | None:
    ref = pv.get("spec", "claimRef")
    if isinstance(ref, dict) and known_str(ref.get("namespace")):
        return ref["namespace"]
    pvc = claim_of_volume(graph, pv)
    return pvc.scope if pvc is not None else None


# --- workloads ----------------------------------------------------------------------------

@dataclass
class PodTemplate:
    """The pod spec of a Pod or workload, with the labels its pods carry."""

    owner: Resource
    spec: dict
    labels: Any
    path: tuple

    @property
    def namespace(self) -> str | None:
        return self.owner.scope

    def containers(self) -> list[str]:
        items = self.spec.get("containers")
        return [c["name"] for c in items if isinstance(c, dict) and isinstance(c.get("name"), str)] if isinstance(items, list) else []

    def claim_names(self) -> list[str]:
        found = []
        for volume in self.spec.get("volumes") or []:
            if isinstance(volume, dict) and isinstance(volume.get("persistentVolumeClaim"), dict):
                name = volume["persistentVolumeClaim"].get("claimName")
                if isinstance(name, str):
                    found.append(name)
        return found


def pod_templates(graph: InfraGraph) -> list[PodTemplate]:
    templates = []
    for resource in manifests(graph):
        kind = resource.body.get("kind")
        path = POD_SPEC_PATHS.get(kind) if isinstance(kind, str) else None
        if path is None or not resource.type.startswith(("k8s:Pod", "k8s:apps/", "k8s:batch/", "k8s:extensions/", "k8s:ReplicationController")):
            continue
        spec = resource.get(*path)
        if not isinstance(spec, dict):
            continue
        labels = resource.get("metadata", "labels") if kind == "Pod" else resource.get(*path[:-1], "metadata", "labels")
        templates.append(PodTemplate(resource, spec, labels if labels is not None else {}, path))
    return templates


def consumed_claims(graph: InfraGraph) -> set[tuple]:
    """(namespace, claim name) of every PVC a pod template mounts."""
    return {(t.namespace, name) for t in pod_templates(graph) for name in t.claim_names()}


def services(graph: InfraGraph) -> set[tuple]:
    return {(r.scope, r.name) for r in graph.resources(SERVICE)}


# --- backup hooks -------------------------------------------------------------------------

@dataclass
class HookSpec:
    """One hook spec of a BackupHook: an item of ``spec.backupHook[]`` or the flat ``spec`` (Q-08)."""

    resource: Resource
    body: dict
    path: tuple

    @property
    def name(self) -> Any:
        return self.body.get("name", self.resource.name)


def backup_hooks(graph: InfraGraph) -> list[Resource]:
    return [r for r in manifests(graph) if str(r.body.get("apiVersion", "")).startswith(HOOK_GROUP)
            and r.body.get("kind") == "BackupHook"]


def hook_specs(hook: Resource) -> list[HookSpec]:
    spec = hook.get("spec")
    if not isinstance(spec, dict):
        return []
    items = spec.get("backupHook")
    if isinstance(items, list):
        return [HookSpec(hook, item, ("spec", "backupHook", i)) for i, item in enumerate(items) if isinstance(item, dict)]
    return [HookSpec(hook, spec, ("spec",))]


# --- the backup extension -----------------------------------------------------------------

def scoped(scope: BackupScope, namespace: str | None, labels: Any = None, volumes: bool = False) -> tuple[bool, str, str]:
    """(report it, severity override, message note) for an object of ``namespace``: out of every
    backup's scope -> not reported; scope unknown -> reported as info with a note saying why."""
    verdict = scope.covers(namespace, labels, volumes)
    if verdict is True:
        return True, "", ""
    if verdict is False:
        return False, "", ""
    if scope.mode == "instances":
        names = ", ".join(sorted({f"'{e.instance.display_name}'" for e in scope.entries}))
        return True, "info", f" (whether backup instance {names} covers it is not known statically)"
    return True, "info", scope.unknown_note


# --- quantities ---------------------------------------------------------------------------

_QUANTITY = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))([eE][+-]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$")
_SUFFIX = {"Ki": 2 ** 10, "Mi": 2 ** 20, "Gi": 2 ** 30, "Ti": 2 ** 40, "Pi": 2 ** 50, "Ei": 2 ** 60,
           "n": 1e-9, "u": 1e-6, "m": 1e-3, "": 1, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18}


def parse_quantity(value: Any) -> float | None:
    """A Kubernetes resource quantity (``500m``, ``1280Mi``, ``1.5Gi``, ``2e3``) as a number; None when not one.

    https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/"""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, str):
        return None
    match = _QUANTITY.match(value.strip())
    if match is None:
        return None
    number, suffix = float(match.group(1)), match.group(2) or ""
    if suffix[:1] in ("e", "E") and len(suffix) > 1:
        return number * 10 ** int(suffix[1:])
    return number * _SUFFIX[suffix]


def builtin_class_available(graph: InfraGraph, cls: StorageClass) -> tuple[bool | None, Resource | None]:
    """Whether the CSI driver behind an AKS built-in class is on in the clusters of the scan:
    (False, cluster) when every backed-up (else declared) cluster turns it off or leaves an off-by-default
    driver unset; None when there is no cluster or a setting is not known."""
    driver = reference_data.load("aks_storage_classes").get("drivers", {}).get(cls.provisioner)
    if cls.resource is not None or driver is None:
        return True, None
    clusters = [c.resource for c in graph.protected_clusters()] or graph.clusters()
    if not clusters:
        return None, None
    verdicts = []
    for cluster in clusters:
        value = cluster.get("properties", "storageProfile", driver["setting"], "enabled")
        verdicts.append(None if isinstance(value, Unknown) else bool(driver["default"] if value is None else value is True))
    if any(v is True for v in verdicts):
        return True, None
    return (None, None) if any(v is None for v in verdicts) else (False, clusters[0])
