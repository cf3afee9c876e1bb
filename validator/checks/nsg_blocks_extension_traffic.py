"""The NSG on a backed-up cluster's node subnet denies traffic the backup extension needs."""
from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass

from validator.graph import InfraGraph
from validator.graph.network_view import node_subnets, nsg_rules, routes, vnet_prefixes
from validator.model import Finding, LazyLocation, Location, Related, Unknown
from validator.network.nsg import nsg_explain


@dataclass(frozen=True)
class Params:
    api_server_address: str = ""  # the API server IP when known (config)
    service_tags: tuple = ("AzureCloud", "Storage", "AzureActiveDirectory", "MicrosoftContainerRegistry")
    intra_subnet_flows: tuple = (("TCP", 443), ("UDP", 53))


@dataclass
class _Flow:
    what: str
    flow: dict
    severity: str
    codes: tuple


def _api_server(cluster, params: Params) -> str:
    if params.api_server_address.strip():
        return params.api_server_address.strip()
    private = cluster.get("properties", "apiServerAccessProfile", "enablePrivateCluster")
    if private is True:
        return "VirtualNetwork"  # the private endpoint (or API server subnet) sits in the cluster VNet
    region = cluster.get("location")
    return f"AzureCloud.{region.replace(' ', '').lower()}" if isinstance(region, str) and region else "AzureCloud"


def _flows(cluster, source, params: Params) -> list[_Flow]:
    def flow(direction, protocol, port, src, dst):
        return {"direction": direction, "protocol": protocol, "src_ip": src, "src_port": None,
                "dst_ip": dst, "dst_port": port}

    api = _api_server(cluster, params)
    flows = [_Flow(f"outbound 443/TCP to the API server ({api})", flow("Outbound", "TCP", 443, source, api), "error",
                   ("InstallScenario4", "P-18"))]
    for tag in params.service_tags:
        flows.append(_Flow(f"outbound 443/TCP to service tag {tag}", flow("Outbound", "TCP", 443, source, tag),
                           "warning", ("P-18",)))
    for direction in ("Outbound", "Inbound"):
        for protocol, port in params.intra_subnet_flows:
            flows.append(_Flow(f"{direction.lower()} traffic within the node subnet",
                               flow(direction, protocol, port, source, source), "warning", ("P-18",)))
    return flows


def nsg_blocks_extension_traffic(graph: InfraGraph, params: Params) -> Iterator[Finding]:
    """Yield a finding per node-subnet NSG rule that denies the API server, the P-18 service tags or intra-subnet traffic."""
    reported: set = set()
    for cluster in graph.protected_clusters():
        resource = cluster.resource
        subnets, _ = node_subnets(graph, resource)
        for subnet in subnets:
            if subnet.nsg is None:
                continue
            rules = nsg_rules(graph, subnet.nsg)
            prefixes = [p for p in subnet.prefixes if isinstance(p, str)]
            source = prefixes[0] if prefixes else Unknown(f"address prefix of subnet '{subnet.name}'")
            vnet = _virtual_network_tag(graph, subnet)
            denied_by: set = set()
            where_subnet = Related(subnet.written_at, f"node subnet of cluster '{resource.display_name}'")
            denials: dict = {}  # (what, rule) -> (flow, verdict, [ports])
            for item in _flows(resource, source, params):
                verdict = nsg_explain(rules, None, item.flow, vnet_prefixes=vnet)
                if verdict.allowed is True:
                    continue
                if verdict.allowed is None:
                    if item.severity == "error":
                        yield from _once(reported, (subnet.nsg.unit, subnet.nsg.id, item.what), Finding(
                            message=f"whether NSG '{subnet.nsg.display_name}' on node subnet '{subnet.name}' of cluster '{resource.display_name}' allows {item.what} cannot be decided: {verdict.reason}",
                            location=_location(verdict, subnet), severity="info", codes=item.codes,
                            related=(where_subnet,), subject=subnet.nsg))
                    continue
                if item.severity != "error" and verdict.rule in denied_by:
                    continue  # that rule is already reported as blocking the API server
                if item.severity == "error":
                    denied_by.add(verdict.rule)
                entry = denials.setdefault((item.what, verdict.rule), (item, verdict, []))
                entry[2].append(f"{item.flow['dst_port']}/{item.flow['protocol']}")
            for (what, rule), (item, verdict, ports) in denials.items():
                if "within the node subnet" in what:
                    what = f"{what} ({', '.join(ports)})"
                yield from _once(reported, (subnet.nsg.unit, subnet.nsg.id, what), Finding(
                    message=f"NSG '{subnet.nsg.display_name}' on node subnet '{subnet.name}' of cluster '{resource.display_name}' denies {what}: {verdict.reason}",
                    location=_location(verdict, subnet), severity=item.severity, codes=item.codes, subject=subnet.nsg,
                    related=(where_subnet, Related(cluster.evidence, f"cluster {cluster.reason}")),
                    fix=f"Add an allow rule for {what} to NSG '{subnet.nsg.display_name}' with a lower priority number than rule '{rule}', or remove that rule."))


def _virtual_network_tag(graph: InfraGraph, subnet) -> list | None:
    """What the VirtualNetwork tag stands for on this subnet: the VNet address space plus "address
    prefixes used on user-defined routes. This tag might also contain default routes"
    (https://learn.microsoft.com/azure/virtual-network/service-tags-overview), so a 0.0.0.0/0 UDR to a
    firewall makes AllowVnetOutBound-style rules cover every destination."""
    prefixes = vnet_prefixes(subnet.vnet)
    if prefixes is None or subnet.route_table is None:
        return prefixes
    extra = []
    for route in routes(graph, subnet.route_table):
        props = route.get("properties") if isinstance(route, dict) and isinstance(route.get("properties"), dict) else route
        prefix = props.get("addressPrefix") if isinstance(props, dict) else None
        if not isinstance(prefix, str):
            return None  # a route whose prefix is known only at deployment
        try:
            ipaddress.ip_network(prefix.strip(), strict=False)
        except ValueError:
            continue  # a service-tag route: its prefixes are not known here
        extra.append(prefix.strip())
    return prefixes + [p for p in extra if p not in prefixes]


def _location(verdict, subnet) -> Location:
    return verdict.location if isinstance(verdict.location, (Location, LazyLocation)) else subnet.nsg.location


def _once(reported: set, key: tuple, finding: Finding) -> Iterator[Finding]:
    """Subnets shared by several clusters are reported once."""
    if key not in reported:
        reported.add(key)
        yield finding
