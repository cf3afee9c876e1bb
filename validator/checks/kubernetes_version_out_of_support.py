"""A backed-up cluster runs a Kubernetes minor version past its AKS end of support."""
from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass

from validator import reference_data
from validator.graph import InfraGraph
from validator.model import Finding, Unknown

_MINOR = re.compile(r"^\s*v?(\d+)\.(\d+)(?:\.\d+)?\s*$")


@dataclass(frozen=True)
class Params:
    as_of: str = ""  # ISO date the calendar is judged at; empty: the day of the scan

    def __post_init__(self) -> None:
        try:
            if self.as_of:
                _date(self.as_of)
        except ValueError:
            raise TypeError(f"as_of must be an ISO date (YYYY-MM-DD), not {self.as_of!r}") from None


def _date(text: str) -> datetime.date:
    return datetime.date.fromisoformat(str(text))


def kubernetes_version_out_of_support(graph: InfraGraph, params: Params) -> Iterator[Finding]:
    """Yield a finding per backed-up cluster whose kubernetesVersion minor is past its end of support on ``as_of``."""
    data = reference_data.load("kubernetes_versions")
    calendar = {tuple(int(n) for n in minor.split(".")): _date(day) for minor, day in data["end_of_support"].items()}
    oldest = min(calendar)
    today = _date(params.as_of)  # the engine fills in the scan's date when the policy leaves it empty
    for target in graph.protected_clusters():
        cluster = target.resource
        path = ("properties", "kubernetesVersion")
        version = cluster.get(*path)
        if version is None:
            continue  # AKS picks its default version, which is supported
        if isinstance(version, Unknown):
            yield Finding(
                message=f"kubernetesVersion of cluster '{cluster.display_name}' ({target.reason}) is not known statically ({version.origin}); its support cannot be checked",
                location=cluster.location_of(*path), severity="info", subject=cluster, related=(target.related,),
                fix=f"Use a Kubernetes version AKS supports on cluster '{cluster.display_name}'.")
            continue
        match = _MINOR.match(str(version))
        if not match:
            continue
        minor = (int(match.group(1)), int(match.group(2)))
        end = calendar.get(minor)
        older = end is None and minor < oldest
        if older:
            end = calendar[oldest]  # older than the calendar: out of support before its oldest entry
        if end is None:
            continue  # newer than the calendar
        lts = str(cluster.get("properties", "supportPlan") or "").lower() == "akslongtermsupport"
        if lts:
            end += datetime.timedelta(days=int(data["lts_extension_days"]))
        if today > end:
            # the message names no date of the scan: fingerprints and expectations must not change day by day
            when = (f"is older than the oldest minor of the AKS calendar ({oldest[0]}.{oldest[1]}, end of support {end.isoformat()})" if older
                    else f"left AKS {'long-term ' if lts else ''}support on {end.isoformat()}")
            yield Finding(
                message=f"cluster '{cluster.display_name}' ({target.reason}) runs Kubernetes {version}; minor {minor[0]}.{minor[1]} {when}",
                location=cluster.location_of(*path), subject=cluster, related=(target.related,),
                fix=f"Upgrade cluster '{cluster.display_name}' to a supported Kubernetes minor (AKS calendar as of {data['as_of']}, {data['source']}).")
