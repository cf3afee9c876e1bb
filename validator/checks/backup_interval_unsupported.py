"""A backup policy schedules backups at an interval AKS backup does not offer."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from validator.graph import BACKUP_POLICY, InfraGraph
from validator.iso8601 import duration_hours, interval_of
from validator.model import Finding, Unknown


@dataclass(frozen=True)
class Params:
    allowed: tuple = ("PT4H", "PT6H", "PT8H", "PT12H", "P1D")
    minimum_hours: float = 4


def backup_rules(policy) -> Iterator[tuple[int, dict]]:
    rules = policy.properties.get("policyRules")
    if isinstance(rules, list):
        for index, rule in enumerate(rules):
            if isinstance(rule, dict) and rule.get("objectType") == "AzureBackupRule":
                yield index, rule


def is_aks_policy(policy) -> bool:
    types = policy.properties.get("datasourceTypes")
    return isinstance(types, list) and any(isinstance(t, str) and t.lower() == "microsoft.containerservice/managedclusters" for t in types)


def backup_interval_unsupported(graph: InfraGraph, params: Params) -> Iterator[Finding]:
    """Yield a finding per repeating interval outside PT4H/PT6H/PT8H/PT12H/P1D."""
    allowed = {a.upper() for a in params.allowed}
    for policy in graph.resources(BACKUP_POLICY):
        if not is_aks_policy(policy) or policy.get("existing"):
            continue
        for index, rule in backup_rules(policy):
            intervals = (rule.get("trigger") or {}).get("schedule", {}).get("repeatingTimeIntervals") if isinstance(rule.get("trigger"), dict) else None
            if not isinstance(intervals, list):
                continue
            for position, repeating in enumerate(intervals):
                path = ("properties", "policyRules", index, "trigger", "schedule", "repeatingTimeIntervals", position)
                if isinstance(repeating, Unknown):
                    yield Finding(message=f"backup interval of policy '{policy.display_name}' is not known statically ({repeating.origin})",
                                  location=policy.location_of(*path), severity="info", subject=policy,
                                  fix=f"Use one of {', '.join(params.allowed)}.")
                    continue
                duration = interval_of(repeating)
                if duration is not None and duration.upper() in allowed:
                    continue
                hours = duration_hours(duration) if duration else None
                too_short = hours is not None and hours < params.minimum_hours
                yield Finding(
                    message=f"backup policy '{policy.display_name}' schedules '{repeating}': "
                            + (f"every {hours:g} h is more often than the minimum of {params.minimum_hours:g} h" if too_short
                               else f"'{duration}' is not an interval AKS backup documents ({', '.join(params.allowed)})"),
                    location=policy.location_of(*path), severity="error" if too_short or hours is None else "warning", subject=policy,
                    fix=f"Set the repeating interval of policy '{policy.display_name}' to R/<start>/<interval> with interval one of {', '.join(params.allowed)}.")
