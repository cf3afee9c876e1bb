"""The Arc private link DNS zone for the extension data plane is linked to a backed-up cluster's VNet."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from validator.graph import InfraGraph, region_of
from validator.graph import resource_ids as ids
from validator.graph.network_view import (dp_endpoint, node_subnets, pinned_publicly, private_dns_zones, vnet_dns_servers, zone_links)
from validator.model import Finding, Related


@dataclass(frozen=True)
class Params:
    azure_dns: tuple = ("168.63.129.16",)


def dp_endpoint_resolves_privately(graph: InfraGraph, params: Params) -> Iterator[Finding]:
    """Yield a finding per link of privatelink.dp.kubernetesconfiguration.* to a backed-up cluster's VNet (or its DNS)."""
    reported: set = set()
    for cluster in graph.protected_clusters():
        resource = cluster.resource
        region = region_of(resource)
        name = dp_endpoint(region)
        zone_name = "privatelink." + name.split(".", 1)[1]
        if region and pinned_publicly(graph, name) is not None:
            continue  # CoreDNS answers with the public address before Azure DNS is asked
        subnets, _ = node_subnets(graph, resource)
        vnets = {s.vnet_id: s.vnet for s in subnets}
        custom_dns = [v for v in vnets.values() if v is not None and isinstance(vnet_dns_servers(v), list)
                      and any(isinstance(s, str) and s not in params.azure_dns for s in vnet_dns_servers(v))]
        evidence = Related(cluster.evidence, f"cluster '{resource.display_name}' {cluster.reason}")
        for zone in private_dns_zones(graph, zone_name):
            if not graph.links(resource.unit, zone.unit):
                continue
            for link, target in zone_links(graph, zone):
                where = link.location_of("properties", "virtualNetwork", "id")
                link_name = str(link.name).rsplit("/", 1)[-1]
                key = ids.normalize(target)
                if (link.unit, link.id, resource.id) in reported:
                    continue
                reported.add((link.unit, link.id, resource.id))
                if key is None:
                    if vnets:
                        yield Finding(
                            message=f"private DNS zone '{zone.display_name}' link '{link_name}' names a VNet not known statically ({ids.short(target)}); if it is the VNet of cluster '{resource.display_name}', {name} resolves to a private endpoint",
                            location=where, severity="info", related=(evidence,), subject=link)
                    continue
                if key in vnets:
                    yield Finding(
                        message=f"private DNS zone '{zone.display_name}' is linked (link '{link_name}') to VNet '{ids.short(key)}' of cluster '{resource.display_name}': {name} resolves to an Azure Arc private endpoint, which answers the extension agent with 403 'This traffic is not authorized'",
                        location=where, severity="error", related=(evidence,), subject=link,
                        fix=f"Remove link '{link_name}' from VNet '{ids.short(key)}', or pin {name} to its public address in coredns-custom (hosts entry with fallthrough).")
                elif custom_dns:
                    servers = ", ".join(s for v in custom_dns for s in vnet_dns_servers(v) if isinstance(s, str))
                    yield Finding(
                        message=f"private DNS zone '{zone.display_name}' is linked (link '{link_name}') to VNet '{ids.short(key)}' and cluster '{resource.display_name}' resolves through custom DNS servers {servers}; if they resolve from that VNet, {name} resolves to an Azure Arc private endpoint (403 'This traffic is not authorized')",
                        location=where, severity="warning", related=(evidence,), subject=link,
                        fix=f"Make sure DNS servers {servers} do not answer {name} from zone '{zone.display_name}', or pin it to its public address in coredns-custom.")
