"""InfraGraph: the resources of a scan, their scopes and the relations rules ask about.

Nodes are resources keyed by (unit, normalized id) plus synthetic scope nodes
(subscriptions, resource groups); edges are ``contains`` (scope -> member),
``locks`` (lock -> scope it applies to), ``assigns`` (role assignment -> scope),
``extends`` (extension resource -> the resource it extends).  Rules ask questions
("which locks apply to this resource group, directly or inherited?") instead of
walking files.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

from validator.graph import resource_ids as ids
from validator.model import Location, Related, Resource, Unknown

CLUSTER = "microsoft.containerservice/managedclusters"
VAULT = "microsoft.dataprotection/backupvaults"
BACKUP_INSTANCE = "microsoft.dataprotection/backupvaults/backupinstances"
BACKUP_POLICY = "microsoft.dataprotection/backupvaults/backuppolicies"
EXTENSION = "microsoft.kubernetesconfiguration/extensions"
TRUSTED_ACCESS = "microsoft.containerservice/managedclusters/trustedaccessrolebindings"
LOCK = "microsoft.authorization/locks"
ROLE_ASSIGNMENT = "microsoft.authorization/roleassignments"
STORAGE_ACCOUNT = "microsoft.storage/storageaccounts"
RESOURCE_GROUP = "microsoft.resources/resourcegroups"
USER_IDENTITY = "microsoft.managedidentity/userassignedidentities"
BACKUP_EXTENSION_TYPE = "microsoft.dataprotection.kubernetes"


@dataclass(frozen=True)
class Principal:
    """A managed identity a role assignment can name: the resource that owns it and the path to its id."""

    resource_id: str  # normalized id of the owning resource (vault, cluster, extension, UAMI)
    path: tuple  # e.g. ('identity', 'principalId')

    def __str__(self) -> str:
        return f"{ids.last_name(self.resource_id)}.{'.'.join(map(str, self.path))}"


@dataclass(frozen=True)
class ProtectedCluster:
    """A cluster declared in the scan that a backup instance names or that carries the backup extension."""

    resource: Resource
    key: str  # normalized id
    evidence: Location  # the backup instance's datasource or the extension declaration
    reason: str  # "backed up by 'bv/aks'" / "has backup extension 'azure-aks-backup'"
    backed_up: bool  # a backup instance names it (not only an extension on it)

    @property
    def related(self) -> Related:
        return Related(self.evidence, f"cluster '{self.resource.display_name}' {self.reason}")


@dataclass(frozen=True)
class RoleAssignment:
    resource: Resource
    role: str | None  # role definition GUID, lower case; None when unknown
    scope: str | None  # normalized scope id; None when unknown
    principal: Any  # Principal, a literal principal id (str) or Unknown


def principal_of(value: Any) -> Any:
    """A role assignment's ``principalId`` as a Principal where it is a reference to an identity."""
    if isinstance(value, Unknown) and value.ref is not None:
        owner = ids.normalize(value.ref)
        # a deployment's output is not an identity: who it names is not known here
        if owner is not None and "/providers/microsoft.resources/deployments/" not in owner:
            path = tuple(value.path)
            # reference(uami).principalId without 'full' already starts at properties
            return Principal(owner, path)
    return value


def _is_backup_extension(ext: Resource) -> bool | None:
    kind = ext.properties.get("extensionType")
    if isinstance(kind, Unknown):
        return None
    return isinstance(kind, str) and kind.strip().lower() == BACKUP_EXTENSION_TYPE


def is_aks_instance(instance: Resource) -> bool:
    """False when a backup instance is known to protect something other than an AKS cluster.

    A backup vault also protects blobs, disks and databases; an AKS instance has
    dataSourceInfo.datasourceType Microsoft.ContainerService/managedClusters (compared
    case-insensitively: the REST example spells it managedclusters). Without a datasourceType the
    resource type of dataSourceInfo.resourceID decides; when neither is known the instance counts."""
    for key in ("dataSourceInfo", "dataSourceSetInfo"):
        kind = instance.get("properties", key, "datasourceType")
        if isinstance(kind, str) and kind.strip():
            return kind.strip().lower() == CLUSTER
    for key in ("dataSourceInfo", "dataSourceSetInfo"):
        target = ids.normalize(instance.get("properties", key, "resourceID"))
        if target is not None and "/providers/" in target:
            return ids.resource_type(target) == CLUSTER
    return True


def region_of(resource: Resource) -> str | None:
    """The ARM region name of a resource ('West Europe' -> 'westeurope'); None when not known statically."""
    location = resource.get("location")
    if not isinstance(location, str) or not location.strip() or location.startswith("{"):
        return None
    return location.replace(" ", "").lower()


def same_subscription(first: Any, second: Any) -> bool | None:
    """Whether two resource ids are in one subscription; None when either is not known statically
    (Unknown, no subscription segment, or the deployment's own placeholder against another value)."""
    one, other = ids.normalize(first), ids.normalize(second)
    ours = ids.subscription_of(one) if one else None
    theirs = ids.subscription_of(other) if other else None
    if ours is None or theirs is None:
        return None
    if ours == theirs:
        return True
    return None if ids.is_placeholder(ours) or ids.is_placeholder(theirs) else False


def _type(resource: Resource) -> str:
    return resource.type.lower() if isinstance(resource.type, str) else ""


class InfraGraph:
    """The scan's resources and relations; built once, read by every check."""

    def __init__(self, resources: Iterable[Resource], links: Callable[[str, str], bool] | None = None):
        self._graph = None
        self._all: list[Resource] = list(resources)
        self._by_type: dict[str, list[Resource]] = {}
        self._by_id: dict[str, list[Resource]] = {}
        # (type, normalized scope id) -> resources declared at that scope (locks, assignments, extensions)
        self._by_scope: dict[tuple, list[Resource]] = {}
        self._locks_inside: dict[str, list[Resource]] = {}  # resource group id -> locks on resources in it
        self._links = links or (lambda unit, other: unit == other)
        self._assignments: dict[int, RoleAssignment] = {}
        self._protected: list | None = None
        for resource in self._all:
            kind = _type(resource)
            self._by_type.setdefault(kind, []).append(resource)
            key = ids.normalize(resource.id)
            if key is not None:
                self._by_id.setdefault(key, []).append(resource)
            scope = ids.normalize(resource.scope)
            if scope is not None:
                self._by_scope.setdefault((kind, scope), []).append(resource)
                group = ids.resource_group_id(scope)
                if kind == LOCK and group is not None and group != scope:
                    self._locks_inside.setdefault(group, []).append(resource)

    # --- building ---------------------------------------------------------------------------
    @property
    def graph(self):
        """The networkx MultiDiGraph of scopes and relations, built on first use (networkx is a heavy import)."""
        if self._graph is None:
            import networkx as nx

            self._graph = nx.MultiDiGraph()
            for resource in self._all:
                key = ids.normalize(resource.id)
                if key is not None:
                    self._add_node(resource, key)
        return self._graph

    def _add_node(self, resource: Resource, key: str) -> None:
        node = (resource.unit, key)
        self._graph.add_node(node, resource=resource)
        scope = ids.normalize(resource.scope)
        parent = scope or ids.resource_group_id(key) or (f"/subscriptions/{ids.subscription_of(key)}" if ids.subscription_of(key) else None)
        kind = _type(resource)
        if parent is not None:
            parent_node = (resource.unit, parent)
            if parent_node not in self._graph:
                self._graph.add_node(parent_node, resource=None)
            relation = {LOCK: "locks", ROLE_ASSIGNMENT: "assigns"}.get(kind, "contains")
            if relation == "contains":
                self._graph.add_edge(parent_node, node, key="contains")
            else:
                self._graph.add_edge(node, parent_node, key=relation)

    # --- lookups ----------------------------------------------------------------------------
    def resources(self, type_name: str | None = None) -> list[Resource]:
        if type_name is None:
            return list(self._all)
        return list(self._by_type.get(type_name.lower(), ()))

    def links(self, unit: str, other: str) -> bool:
        """True when resources of the two deployment units may be linked."""
        return self._links(unit, other)

    def _at_scopes(self, type_name: str, scopes: Iterable[str], unit: str) -> list[Resource]:
        found = []
        for scope in scopes:
            found.extend(r for r in self._by_scope.get((type_name, scope), ()) if self.links(unit, r.unit))
        return found

    def find(self, resource_id: Any, unit: str, type_name: str | None = None) -> Resource | None:
        """The resource with that id, declared in ``unit`` or a unit it links with; None if not in the scan."""
        key = ids.normalize(resource_id)
        if key is None:
            return None
        candidates = [r for r in self._by_id.get(key, ()) if self.links(unit, r.unit)]
        if type_name:
            candidates = [r for r in candidates if _type(r) == type_name.lower()]
        candidates.sort(key=lambda r: (r.unit != unit, bool(r.body.get("existing")), r.file))
        return candidates[0] if candidates else None

    def declared(self, resource_id: Any, unit: str, type_name: str | None = None) -> Resource | None:
        """Like ``find``, but only a resource this scan deploys: an ``existing`` reference is managed
        elsewhere, and its body (identity, location...) is not visible here."""
        found = self.find(resource_id, unit, type_name)
        return None if found is None or found.get("existing") else found

    def linked(self, type_name: str, unit: str) -> list[Resource]:
        return [r for r in self.resources(type_name) if self.links(unit, r.unit)]

    # --- backup domain ----------------------------------------------------------------------
    def backup_instances(self) -> list[Resource]:
        """Declared backup instances of AKS clusters (instances of blobs, disks... are left out)."""
        return [r for r in self.resources(BACKUP_INSTANCE) if not r.body.get("existing") and is_aks_instance(r)]

    def clusters(self) -> list[Resource]:
        return [r for r in self.resources(CLUSTER) if not r.body.get("existing")]

    @staticmethod
    def vault_id_of(instance: Resource) -> str | None:
        """Backup instances are children of their vault: the id minus two segments."""
        key = ids.normalize(instance.id)
        if key is None or "/backupinstances/" not in key:
            return None
        return key.rsplit("/backupinstances/", 1)[0]

    @staticmethod
    def snapshot_groups(instance: Resource) -> list[tuple[Any, tuple]]:
        """(snapshot resource group id, property path) of each operational-store parameter entry."""
        base = ("properties", "policyInfo", "policyParameters", "dataStoreParametersList")
        entries = instance.get(*base)
        found = []
        if isinstance(entries, list):
            for index, entry in enumerate(entries):
                if isinstance(entry, dict) and str(entry.get("dataStoreType", "OperationalStore")).lower() == "operationalstore":
                    if "resourceGroupId" in entry:
                        found.append((entry["resourceGroupId"], base + (index, "resourceGroupId")))
        elif isinstance(entries, Unknown):
            found.append((entries, base))
        return found

    @staticmethod
    def datasource_cluster(instance: Resource) -> tuple[Any, tuple]:
        """The backed-up cluster's id (or Unknown) and where it is written."""
        for key in ("dataSourceInfo", "dataSourceSetInfo"):
            value = instance.get("properties", key, "resourceID")
            if value is not None:
                return value, ("properties", key, "resourceID")
        return None, ("properties",)

    def policy_of(self, instance: Resource) -> tuple[Resource | None, Any, tuple]:
        """The backup policy resource a backup instance uses (None when not in the scan)."""
        path = ("properties", "policyInfo", "policyId")
        value = instance.get(*path)
        return self.find(value, instance.unit, BACKUP_POLICY), value, path

    def extensions_on(self, cluster_id: str, unit: str) -> list[Resource]:
        """Extension resources whose scope is the cluster."""
        key = ids.normalize(cluster_id)
        return self._at_scopes(EXTENSION, [key], unit) if key else []

    def backup_extensions(self) -> list[Resource]:
        """Declared (not ``existing``) extensions whose extensionType is the backup extension's,
        case-insensitively; extensions of a type not known statically are left out."""
        return [ext for ext in self.resources(EXTENSION) if _is_backup_extension(ext) is True and not ext.get("existing")]

    def backup_extensions_on(self, cluster_id: str, unit: str) -> tuple[list[Resource], list[Resource]]:
        """(backup extensions on the cluster, extensions on it whose type is not known statically)."""
        found, unknown = [], []
        for ext in self.extensions_on(cluster_id, unit):
            verdict = _is_backup_extension(ext)
            if verdict is None:
                unknown.append(ext)
            elif verdict:
                found.append(ext)
        return found, unknown

    def protected_clusters(self) -> list[ProtectedCluster]:
        """Each declared cluster a backup instance names or a backup extension is scoped to, once."""
        if self._protected is not None:
            return self._protected
        found: dict[tuple, ProtectedCluster] = {}
        for instance in self.backup_instances():
            value, path = self.datasource_cluster(instance)
            cluster = self.find(value, instance.unit, CLUSTER)
            if cluster is not None and not cluster.get("existing"):
                key = (cluster.unit, ids.normalize(cluster.id))
                found.setdefault(key, ProtectedCluster(cluster, key[1], instance.location_of(*path),
                                                       f"backed up by '{instance.display_name}'", True))
        for cluster in self.clusters():
            key = (cluster.unit, ids.normalize(cluster.id))
            if key[1] is None or key in found:
                continue
            extensions, _ = self.backup_extensions_on(key[1], cluster.unit)
            if extensions:
                found[key] = ProtectedCluster(cluster, key[1], extensions[0].location,
                                              f"has backup extension '{extensions[0].display_name}'", False)
        self._protected = sorted(found.values(), key=lambda c: (c.resource.file, c.key))
        return self._protected

    def locks_over(self, target_id: str, unit: str, include_children: bool = False) -> list[Resource]:
        """Locks that apply to ``target_id``: on it or on any scope above it (locks inherit downwards).

        With ``include_children``, locks on resources inside it count too."""
        key = ids.normalize(target_id)
        if key is None:
            return []
        found = self._at_scopes(LOCK, ids.ancestors(key), unit)
        if include_children:
            found += [lock for lock in self._locks_inside.get(key, ()) if self.links(unit, lock.unit)]
        return sorted(found, key=lambda r: (r.file, str(r.name)))

    def _assignment(self, resource: Resource) -> RoleAssignment:
        cached = self._assignments.get(id(resource))
        if cached is None:
            props = resource.properties
            cached = self._assignments[id(resource)] = RoleAssignment(
                resource, ids.guid_in(props.get("roleDefinitionId")), ids.normalize(resource.scope),
                principal_of(props.get("principalId")))
        return cached

    def assignments_over(self, target_id: str, unit: str) -> list[RoleAssignment]:
        """Role assignments whose scope covers ``target_id`` (on it or inherited from above)."""
        key = ids.normalize(target_id)
        if key is None:
            return []
        return [self._assignment(r) for r in self._at_scopes(ROLE_ASSIGNMENT, ids.ancestors(key), unit)]

    def assignments_for(self, principal: Principal, target_id: str, unit: str) -> list[RoleAssignment]:
        """Assignments to ``principal`` whose scope covers ``target_id``."""
        return [a for a in self.assignments_over(target_id, unit) if a.principal == principal]

    def unresolved_assignments_over(self, target_id: str, unit: str) -> list[RoleAssignment]:
        """Assignments over ``target_id`` whose principal cannot be known statically."""
        return [a for a in self.assignments_over(target_id, unit) if not isinstance(a.principal, Principal)]

    def cluster_principals(self, cluster: Resource) -> list[Principal]:
        """The control-plane identity of a cluster: system-assigned, or its user-assigned identities.

        When identity.type is not known statically, the system-assigned identity is a candidate too."""
        key = ids.normalize(cluster.id)
        identity = cluster.get("identity") or {}
        raw = identity.get("type") if isinstance(identity, dict) else identity
        kind = str(raw or "").lower() if isinstance(identity, dict) and not isinstance(raw, Unknown) else ""
        principals = []
        if key and ("systemassigned" in kind or isinstance(raw, Unknown)):
            principals.append(Principal(key, ("identity", "principalId")))
        if isinstance(identity, dict) and isinstance(identity.get("userAssignedIdentities"), dict):
            for uami in identity["userAssignedIdentities"]:
                uami_key = ids.normalize(uami)
                if uami_key:
                    principals.append(Principal(uami_key, ("properties", "principalId")))
        return principals

    def dependency_closure(self, resource: Resource) -> set[str]:
        """Normalized ids ``resource`` waits for, directly or through what it depends on (same unit).

        A nested deployment (Bicep module) starts after its own dependsOn, so what the deployments
        around ``resource`` depend on is waited for too (not the deployments themselves: a sibling in
        the same module is not waited for)."""
        seen: set[str] = set()
        stack = list(resource.depends_on)
        for deployment in resource.deployed_by:
            for other in self._by_id.get(ids.normalize(deployment) or "", ()):
                if other.unit == resource.unit:
                    stack.extend(other.depends_on)
        while stack:
            key = ids.normalize(stack.pop())
            if key is None or key in seen:
                continue
            seen.add(key)
            for other in self._by_id.get(key, ()):
                if other.unit == resource.unit:
                    stack.extend(other.depends_on)
        return seen

    def iter_nodes(self) -> Iterator[Resource]:
        for _, data in self.graph.nodes(data=True):
            if data.get("resource") is not None:
                yield data["resource"]
