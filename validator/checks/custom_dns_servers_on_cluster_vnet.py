"""A backed-up cluster's VNet uses custom DNS servers, which must resolve the extension data-plane FQDN."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from validator.graph import InfraGraph, region_of
from validator.graph.network_view import dp_endpoint, node_subnets, pinned_publicly, vnet_dns_servers
from validator.model import Finding, Related, Unknown


@dataclass(frozen=True)
class Params:
    azure_dns: tuple = ("168.63.129.16",)  # the Azure-provided resolver, written explicitly


def custom_dns_servers_on_cluster_vnet(graph: InfraGraph, params: Params) -> Iterator[Finding]:
    """Yield a finding per VNet of a backed-up cluster with custom dhcpOptions.dnsServers."""
    seen: set = set()
    for cluster in graph.protected_clusters():
        resource = cluster.resource
        region = region_of(resource)
        name = dp_endpoint(region)
        subnets, _ = node_subnets(graph, resource)
        for vnet in {id(s.vnet): s.vnet for s in subnets if s.vnet is not None}.values():
            if (vnet.unit, vnet.id) in seen:
                continue
            seen.add((vnet.unit, vnet.id))
            servers = vnet_dns_servers(vnet)
            where = vnet.location_of("properties", "dhcpOptions", "dnsServers")
            evidence = Related(cluster.evidence, f"cluster '{resource.display_name}' {cluster.reason}")
            if isinstance(servers, Unknown) or (isinstance(servers, list) and any(isinstance(s, Unknown) for s in servers)):
                yield Finding(
                    message=f"the DNS servers of VNet '{vnet.display_name}' (cluster '{resource.display_name}') are not known statically; if they are custom they must resolve {name}",
                    location=where, severity="info", related=(evidence,), subject=vnet)
                continue
            custom = [s for s in servers if isinstance(s, str) and s not in params.azure_dns] if isinstance(servers, list) else []
            if not custom or (region and pinned_publicly(graph, name) is not None):
                continue  # Azure DNS, or CoreDNS answers the name before any upstream is asked
            yield Finding(
                message=f"VNet '{vnet.display_name}' of cluster '{resource.display_name}' uses custom DNS servers {', '.join(custom)}; they must resolve {name} to its public address or the extension agent fails with 'no such host'",
                location=where, related=(evidence,), subject=vnet,
                fix=f"Make DNS servers {', '.join(custom)} resolve {name} (conditional forwarder to Azure DNS 168.63.129.16 or public DNS), "
                    "or pin it in coredns-custom with a hosts entry for its public address and fallthrough.")
