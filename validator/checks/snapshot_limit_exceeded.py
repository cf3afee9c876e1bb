"""Estimated disk snapshots kept per persistent volume exceed the 500-per-disk limit (RULES.md R-8)."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from validator.checks.backup_interval_unsupported import backup_rules, is_aks_policy
from validator.graph import BACKUP_POLICY, InfraGraph
from validator.graph import resource_ids as ids
from validator.iso8601 import duration_hours, interval_of
from validator.model import Finding, Related, contains_unknown

# Snapshots kept per day by a tag's absolute criterion (FirstOfMonth/Year approximate, as R-8 does).
PER_DAY = {"firstofday": 1.0, "firstofweek": 1 / 7, "firstofmonth": 1 / 30, "firstofyear": 1 / 365}


@dataclass(frozen=True)
class Params:
    limit: int = 500
    warn_at: int = 450
    vault_tier_extra: int = 2  # operational recovery points kept for tiering when vault tier is on


@dataclass
class Estimate:
    snapshots: float
    path: tuple  # where the decisive default retention is written
    explanation: str


def _operational_days(rule: dict) -> tuple[float | None, int | None]:
    for position, lifecycle in enumerate(rule.get("lifecycles") or []):
        if not isinstance(lifecycle, dict):
            continue
        store = (lifecycle.get("sourceDataStore") or {}).get("dataStoreType") if isinstance(lifecycle.get("sourceDataStore"), dict) else None
        if str(store).lower() == "operationalstore":
            hours = duration_hours((lifecycle.get("deleteAfter") or {}).get("duration") if isinstance(lifecycle.get("deleteAfter"), dict) else None)
            return (hours / 24 if hours is not None else None), position
    return None, None


def vault_tier_path(policy) -> tuple | None:
    """Where a policy first keeps recovery points in the vault tier (VaultStore), or None."""
    for index, rule in enumerate(policy.properties.get("policyRules") or []):
        if not isinstance(rule, dict) or rule.get("objectType") != "AzureRetentionRule":
            continue
        for position, lifecycle in enumerate(rule.get("lifecycles") or []):
            if not isinstance(lifecycle, dict):
                continue
            base = ("properties", "policyRules", index, "lifecycles", position)
            stores = [(base + ("sourceDataStore",), lifecycle.get("sourceDataStore"))]
            stores += [(base + ("targetDataStoreCopySettings", n, "dataStore"), c.get("dataStore"))
                       for n, c in enumerate(lifecycle.get("targetDataStoreCopySettings") or []) if isinstance(c, dict)]
            for path, store in stores:
                if isinstance(store, dict) and str(store.get("dataStoreType")).lower() == "vaultstore":
                    return path + ("dataStoreType",)
    return None


def uses_vault_tier(policy) -> bool:
    return vault_tier_path(policy) is not None


def estimate(policy, params: Params) -> Estimate | None:
    """Snapshots one backup instance keeps per disk under ``policy``; None when not knowable statically."""
    if contains_unknown(policy.properties.get("policyRules")):
        return None
    per_day = 0.0
    tags: dict[str, float] = {}
    for _, rule in backup_rules(policy):
        schedule = (rule.get("trigger") or {}).get("schedule") or {}
        for repeating in schedule.get("repeatingTimeIntervals") or []:
            hours = duration_hours(interval_of(repeating) or "")
            if not hours:
                return None
            per_day += 24 / hours
        for tag in (rule.get("trigger") or {}).get("taggingCriteria") or []:
            if not isinstance(tag, dict) or tag.get("isDefault"):
                continue
            name = (tag.get("tagInfo") or {}).get("tagName")
            rate = 0.0
            for criterion in tag.get("criteria") or []:
                for absolute in criterion.get("absoluteCriteria") or []:
                    rate = max(rate, PER_DAY.get(str(absolute).lower(), 0.0))
                if criterion.get("daysOfWeek"):
                    rate = max(rate, len(criterion["daysOfWeek"]) / 7)
            if name:
                tags[str(name).lower()] = rate
    default_days, extra, default_path, parts = None, 0.0, ("properties", "policyRules"), []
    for index, rule in enumerate(policy.properties.get("policyRules") or []):
        if not isinstance(rule, dict) or rule.get("objectType") != "AzureRetentionRule":
            continue
        days, position = _operational_days(rule)
        if days is None:
            continue
        if rule.get("isDefault"):
            default_days = days
            default_path = ("properties", "policyRules", index, "lifecycles", position, "deleteAfter", "duration")
    if default_days is None or per_day == 0:
        return None
    for rule in policy.properties.get("policyRules") or []:
        if not isinstance(rule, dict) or rule.get("objectType") != "AzureRetentionRule" or rule.get("isDefault"):
            continue
        days, _ = _operational_days(rule)
        rate = tags.get(str(rule.get("name", "")).lower(), 0.0)
        if days is not None and days > default_days and rate:
            extra += (days - default_days) * rate
            parts.append(f"+ {(days - default_days) * rate:.0f} kept by rule '{rule.get('name')}'")
    total = per_day * default_days + extra + (params.vault_tier_extra if uses_vault_tier(policy) else 0)
    explanation = f"{per_day:g} backups/day x {default_days:g} days = {per_day * default_days:.0f}" + (" " + " ".join(parts) if parts else "")
    if uses_vault_tier(policy):
        explanation += f" + {params.vault_tier_extra} kept for vault tiering"
    return Estimate(total, default_path, explanation)


def _namespaces(instance) -> frozenset | None:
    """The namespaces a backup instance includes; None for all of them, or when not known statically."""
    entries = instance.get("properties", "policyInfo", "policyParameters", "backupDatasourceParametersList")
    for entry in entries if isinstance(entries, list) else ():
        included = entry.get("includedNamespaces") if isinstance(entry, dict) else None
        if isinstance(included, list) and included and all(isinstance(n, str) and not contains_unknown(n) for n in included):
            return frozenset(included)
    return None


def _worst_overlap(pairs: list, counts: list) -> tuple[list, float]:
    """The instances protecting the namespace (so the disks) that collects most snapshots, and their sum.

    Snapshots add up per disk (RULES.md R-8): instances whose included namespaces are disjoint never
    protect the same volume."""
    scopes = [_namespaces(instance) for instance, _ in pairs]
    candidates = {None} | {n for scope in scopes if scope for n in scope}  # None: a namespace no instance lists
    best: tuple[list, float] = ([], 0.0)
    for namespace in sorted(candidates, key=lambda n: (n is not None, n or "")):
        chosen = [i for i, scope in enumerate(scopes) if scope is None or namespace in scope]
        total = sum(counts[i] for i in chosen)
        if total > best[1]:
            best = ([pairs[i] for i in chosen], total)
    return best


def snapshot_limit_exceeded(graph: InfraGraph, params: Params) -> Iterator[Finding]:
    """Yield a finding per policy (or per cluster, summed over its backup instances) near or over the limit."""
    estimates = {}
    for policy in graph.resources(BACKUP_POLICY):
        if not is_aks_policy(policy) or policy.get("existing"):
            continue
        result = estimate(policy, params)
        estimates[id(policy)] = result
        if result is None or result.snapshots < params.warn_at:
            continue
        over = result.snapshots > params.limit
        yield Finding(
            message=f"backup policy '{policy.display_name}' keeps about {result.snapshots:.0f} snapshots per disk ({result.explanation}); "
                    + (f"Azure allows {params.limit} per disk" if over else f"close to the limit of {params.limit} per disk"),
            location=policy.location_of(*result.path), severity="error" if over else "warning", subject=policy,
            fix=f"Shorten the operational retention or lengthen the backup interval of policy '{policy.display_name}' so fewer than {params.limit} snapshots are kept per disk.")
    by_cluster: dict = {}
    for instance in graph.backup_instances():
        cluster, _ = graph.datasource_cluster(instance)
        policy, _, _ = graph.policy_of(instance)
        if ids.normalize(cluster) and policy is not None:
            by_cluster.setdefault((instance.unit, ids.normalize(cluster)), []).append((instance, policy))
    for (_, cluster), pairs in sorted(by_cluster.items()):
        if len(pairs) < 2:
            continue
        results = [estimates.get(id(p)) for _, p in pairs]
        if any(r is None for r in results) or any(r.snapshots > params.limit for r in results):
            continue  # unknown, or already reported per policy
        pairs, total = _worst_overlap(pairs, [r.snapshots for r in results])
        if len(pairs) > 1 and total > params.limit:
            last = sorted(pairs, key=lambda pair: (pair[0].file, str(pair[0].name)))[-1][0]
            names = ", ".join(f"'{i.display_name}'" for i, _ in pairs)
            yield Finding(
                message=f"backup instances {names} all protect cluster '{ids.short(cluster)}'; together they keep about {total:.0f} snapshots per disk, over the limit of {params.limit}",
                location=last.location, subject=last, related=tuple(Related(i.location, "backup instance of the same cluster") for i, _ in pairs if i is not last),
                fix=f"Protect cluster '{ids.short(cluster)}' with fewer backup instances, or shorten their retention.")
