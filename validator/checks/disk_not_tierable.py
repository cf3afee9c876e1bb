"""Azure Disk volumes in backup scope that the vault tier cannot take: class settings or a size over 1 TiB."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from validator.checks.backup_interval_unsupported import is_aks_policy
from validator.checks.snapshot_limit_exceeded import vault_tier_path
from validator.graph import InfraGraph
from validator.graph import resource_ids as ids
from validator.graph.kubernetes_view import (BackupScope, StorageClass, claims, parse_quantity, qualified, resolved_class,
                                             scope_entries, scoped, storage_classes)
from validator.model import Finding, Related, Resource, Unknown

DISK_DRIVER = "disk.csi.azure.com"


@dataclass(frozen=True)
class Params:
    max_disk_size: str = "1Ti"


def _blockers(cls: StorageClass) -> list[tuple[str, object, str]]:
    """(parameter key as written, value, why) of each class parameter that keeps its disks out of the vault tier."""
    found = []
    for key, value in cls.parameters.items():
        name = str(key).lower()
        text = value.strip() if isinstance(value, str) and not isinstance(value, Unknown) else None
        if isinstance(value, Unknown):
            if name in ("diskencryptionsetid", "networkaccesspolicy", "publicnetworkaccess", "diskaccessid", "dataaccessauthmode"):
                found.append((key, value, "not known statically"))
        elif name == "diskencryptionsetid" and text:
            found.append((key, value, "encrypts disks with a disk encryption set"))
        elif name == "networkaccesspolicy" and text and text.lower() != "allowall":
            found.append((key, value, "restricts disk network access"))
        elif name == "publicnetworkaccess" and text and text.lower() == "disabled":
            found.append((key, value, "disables public network access to the disks"))
        elif name == "diskaccessid" and text:
            found.append((key, value, "puts the disks behind a disk access (private link)"))
        elif name == "dataaccessauthmode" and text and text.lower() == "azureactivedirectory":
            found.append((key, value, "requires Entra ID data access auth on the disks"))
    return found


def disk_not_tierable(graph: InfraGraph, params: Params) -> Iterator[Finding]:
    """Yield a finding per disk storage class with untierable settings and per PVC over the size limit, in backup scope."""
    entries, policies = [], []
    for entry in scope_entries(graph):
        found, _, _ = graph.policy_of(entry.instance)
        if found is not None and is_aks_policy(found) and vault_tier_path(found) is not None:
            entries.append(entry)
            policies.append(found)
    if not entries:
        return  # no backup instance of the scan keeps recovery points in the vault tier
    scope = BackupScope("instances", entries)  # only what vault-tier instances back up can be tiered

    def policy_for(pvc: Resource | None) -> Resource:
        """The vault-tier policy of an instance that backs up ``pvc`` (the first one when none is certain)."""
        for entry, policy in zip(entries, policies):
            if pvc is not None and entry.covers(pvc.scope, pvc.get("metadata", "labels"), volumes=True) is True:
                return policy
        return policies[0]

    def tier(policy: Resource) -> Related:
        return Related(policy.location_of(*vault_tier_path(policy)), f"policy '{policy.display_name}' uses the vault tier")
    classes = storage_classes(graph)
    limit = parse_quantity(params.max_disk_size) or float(2 ** 40)
    users: dict[str, list[tuple[Resource, str, str]]] = {}
    for pvc in claims(graph):
        cls = resolved_class(pvc, classes)
        provisioner = cls.provisioner if cls is not None else None
        if not isinstance(provisioner, str) or isinstance(provisioner, Unknown) or provisioner.lower() != DISK_DRIVER:
            continue  # only Azure Disk volumes move to the vault tier
        report, severity, note = scoped(scope, pvc.scope, pvc.get("metadata", "labels"), volumes=True)
        if not report:
            continue
        users.setdefault(cls.name, []).append((pvc, severity, note))
        requested = pvc.get("spec", "resources", "requests", "storage")
        size = parse_quantity(requested)
        if size is not None and size > limit:
            policy = policy_for(pvc)
            yield Finding(
                message=f"PVC '{qualified(pvc)}' requests {requested}, over the {params.max_disk_size} limit for disks moved to the vault tier of policy '{policy.display_name}'; its disk stays in the operational tier only{note}",
                location=pvc.location_of("spec", "resources", "requests", "storage"), severity=severity or "warning", subject=pvc, related=(tier(policy),),
                fix=f"Keep PVC '{qualified(pvc)}' at or below {params.max_disk_size}, or rely on operational backups for it.")
    for cls in classes.values():
        if cls.resource is None or not isinstance(cls.provisioner, str) or cls.provisioner.lower() != DISK_DRIVER:
            continue  # AKS built-in classes set none of these parameters
        blockers = _blockers(cls)
        if not blockers:
            continue
        claimants = users.get(cls.name, [])
        if claimants:
            certain = [p for p, severity, _ in claimants if not severity]
            severity = "warning" if certain else "info"
            shown = certain or [p for p, _, _ in claimants]
            used = f"used by PVC {', '.join(repr(qualified(p)) for p in shown[:3])}" + (f" and {len(shown) - 3} more" if len(shown) > 3 else "")
            note = "" if certain else claimants[0][2]
            policy = policy_for(shown[0])
        elif any(resolved_class(p, classes) is cls for p in claims(graph)):
            continue  # its PVCs are all outside the backups' scope
        else:
            verdict = scope.covers(None, volumes=True)
            if verdict is not True:
                continue  # no PVC in the scan uses it, and the backups do not take every namespace
            severity, used, note = "warning", "whose volumes the backups take (every namespace)", ""
            policy = policy_for(None)
        unknown = [b for b in blockers if isinstance(b[1], Unknown)]
        known = [b for b in blockers if not isinstance(b[1], Unknown)]
        if not known:
            severity = "info"
        reasons = "; ".join(f"{key} '{ids.short(value)}' {why}" for key, value, why in (known or unknown))
        yield Finding(
            message=f"storage class '{cls.name}' ({DISK_DRIVER}) {used}: {reasons}; such disks cannot move to the vault tier of policy '{policy.display_name}'{note}",
            location=cls.resource.location_of("parameters", (known or unknown)[0][0]), severity=severity, subject=cls.resource, related=(tier(policy),),
            fix=f"Remove {', '.join(str(k) for k, _, _ in known or unknown)} from storage class '{cls.name}' (networkAccessPolicy AllowAll, public network access enabled, no disk encryption set, Entra data access off) for volumes that need the vault tier.")
