"""A backed-up cluster is network isolated (artifact cache bootstrap, no outbound), which AKS Backup does not support."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from validator.graph import InfraGraph
from validator.model import Finding, Related, Unknown


@dataclass(frozen=True)
class Params:
    isolated_outbound_types: tuple = ("none", "block")


def network_isolated_cluster(graph: InfraGraph, params: Params) -> Iterator[Finding]:
    """Yield a finding per backed-up cluster with bootstrapProfile.artifactSource Cache and outboundType none/block."""
    isolated = {value.lower() for value in params.isolated_outbound_types}
    for cluster in graph.protected_clusters():
        resource = cluster.resource
        source_path = ("properties", "bootstrapProfile", "artifactSource")
        outbound_path = ("properties", "networkProfile", "outboundType")
        source, outbound = resource.get(*source_path), resource.get(*outbound_path)
        evidence = (Related(cluster.evidence, f"cluster {cluster.reason}"),)
        cached = None if isinstance(source, Unknown) else isinstance(source, str) and source.lower() == "cache"
        blocked = None if isinstance(outbound, Unknown) else isinstance(outbound, str) and outbound.lower() in isolated
        if cached is False or blocked is False:
            continue
        if cached is None or blocked is None:
            unknown = source if cached is None else outbound
            yield Finding(
                message=f"cluster '{resource.display_name}' may be network isolated: {'bootstrapProfile.artifactSource' if cached is None else 'networkProfile.outboundType'} is not known statically ({unknown})",
                location=resource.location_of(*(source_path if cached is None else outbound_path)),
                severity="info", related=evidence, subject=resource)
            continue
        yield Finding(
            message=f"cluster '{resource.display_name}' is network isolated (bootstrapProfile.artifactSource '{source}', outboundType '{outbound}'); the AKS Backup support matrix does not support network-isolated clusters",
            location=resource.location_of(*source_path), subject=resource,
            related=evidence + (Related(resource.location_of(*outbound_path), f"outboundType '{outbound}'"),),
            fix=f"Back up cluster '{resource.display_name}' only once it has outbound access (bootstrapProfile.artifactSource 'Direct' "
                "and an outboundType other than none/block), or protect it by other means.")
