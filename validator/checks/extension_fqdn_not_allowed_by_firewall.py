"""The Azure Firewall a backed-up cluster's egress goes through does not allow the extension's FQDNs."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from validator.graph import InfraGraph, region_of
from validator.graph import resource_ids as ids
from validator.graph import ProtectedCluster
from validator.graph.network_view import (Subnet, extension_fqdns, extension_storage_accounts, firewall_at, firewall_rules,
                                          ip_groups, node_subnets, routes, vnet_prefixes)
from validator.model import Finding, LazyLocation, Location, Related, Unknown
from validator.network.firewall import firewall_explain
from validator.network.routes import next_hop


@dataclass(frozen=True)
class Params:
    flows: tuple = ("cluster-extensions-dataplane", "mcr", "entra-id", "arm", "backup-storage")


def _region(cluster: ProtectedCluster) -> str | None:
    return region_of(cluster.resource)


def extension_fqdn_not_allowed_by_firewall(graph: InfraGraph, params: Params) -> Iterator[Finding]:
    """Yield a finding per firewall verdict that denies (or cannot confirm) HTTPS to an extension FQDN."""
    reported: set = set()
    for cluster in graph.protected_clusters():
        resource = cluster.resource
        outbound_path = ("properties", "networkProfile", "outboundType")
        outbound = resource.get(*outbound_path)
        subnets, _ = node_subnets(graph, resource)
        evidence = Related(cluster.evidence, f"cluster {cluster.reason}")
        udr = isinstance(outbound, str) and outbound.lower() == "userdefinedrouting"
        if udr and not subnets:
            yield from _once(reported, ("subnet", resource.id), Finding(
                message=f"cluster '{resource.display_name}' uses outboundType userDefinedRouting but its node subnet is not known statically; the firewall rules for the extension FQDNs cannot be checked",
                location=resource.location_of(*outbound_path), severity="info", related=(evidence,), subject=resource))
        for subnet in subnets:
            table_rules = routes(graph, subnet.route_table) if subnet.route_table is not None else None
            if subnet.route_table is None:
                if udr:
                    # under UDR a route table must exist; it is declared with the subnet, elsewhere
                    table = f"route table '{ids.short(subnet.route_table_id)}'" if subnet.route_table_id is not None else "the route table"
                    yield from _once(reported, ("rt", subnet.id), Finding(
                        message=f"cluster '{resource.display_name}' uses outboundType userDefinedRouting but {table} of node subnet '{subnet.name}' is not in the scan; the firewall rules for the extension FQDNs cannot be checked",
                        location=resource.location_of(*outbound_path), severity="info", related=(evidence,), subject=resource))
                continue
            hop = next_hop("internet", table_rules, outbound if not isinstance(outbound, Unknown) else None,
                           vnet_prefixes(subnet.vnet))
            if hop["via"] != "virtual-appliance":
                continue
            route_where = hop["location"] if isinstance(hop["location"], (Location, LazyLocation)) else subnet.route_table.location
            firewall = firewall_at(graph, hop["next_hop_ip"], subnet.route_table.unit)
            if firewall is None:
                yield from _once(reported, ("hop", subnet.id), Finding(
                    message=f"egress of node subnet '{subnet.name}' (cluster '{resource.display_name}') goes to virtual appliance {hop['next_hop_ip']} (route '{hop['route']}'), which is not an Azure Firewall in the scan; whether it allows the backup extension's FQDNs cannot be checked",
                    location=route_where, severity="info", related=(evidence,), subject=subnet.route_table))
                continue
            yield from _firewall_findings(graph, params, cluster, subnet, firewall, hop, route_where, reported)


def _firewall_findings(graph, params: Params, cluster, subnet: Subnet, firewall, hop, route_where, reported) -> Iterator[Finding]:
    resource = cluster.resource
    rules, why = firewall_rules(graph, firewall)
    related = (Related(route_where, f"route '{hop['route']}' sends node subnet egress to firewall '{firewall.display_name}'"),
               Related(cluster.evidence, f"cluster {cluster.reason}"))
    if rules is None:
        yield from _once(reported, ("fw", firewall.id), Finding(
            message=f"the rules of Azure Firewall '{firewall.display_name}', the egress of cluster '{resource.display_name}', cannot be checked: {why}",
            location=firewall.location, severity="info", related=related, subject=firewall))
        return
    region = _region(cluster)
    if region is None:
        yield from _once(reported, ("region", resource.id), Finding(
            message=f"the region of cluster '{resource.display_name}' is not known statically ({resource.get('location')}); the extension data-plane FQDN <region>.dp.kubernetesconfiguration.azure.com cannot be checked against firewall '{firewall.display_name}'",
            location=resource.location_of("location"), severity="info", related=related, subject=resource))
        return
    prefixes = [p for p in subnet.prefixes if isinstance(p, str)]
    source = prefixes[0] if prefixes else None
    groups: dict = {}
    known_ip_groups = ip_groups(graph, firewall.unit)
    for name, codes in extension_fqdns(region, extension_storage_accounts(graph, cluster), params.flows):
        request = {"direction": "outbound", "src_ip": source, "protocol": "Https", "fqdn": name, "port": 443}
        verdict = firewall_explain(rules, request, ip_groups=known_ip_groups)
        if verdict.allowed is True:
            continue
        tag = verdict.allowed is None and "FQDN tag" in verdict.reason
        severity = "error" if verdict.allowed is False else ("warning" if tag else "info")
        where = verdict.location if isinstance(verdict.location, (Location, LazyLocation)) else firewall.location
        entry = groups.setdefault((severity, verdict.reason, where), ([], set()))
        entry[0].append(name)
        entry[1].update(codes)
    for (severity, reason, where), (names, codes) in groups.items():
        listed = ", ".join(names)
        if severity == "error":
            text = f"Azure Firewall '{firewall.display_name}' denies HTTPS 443 from node subnet '{subnet.name}' of cluster '{resource.display_name}' to {listed}: {reason}"
        elif severity == "warning":
            text = (f"whether Azure Firewall '{firewall.display_name}' allows HTTPS 443 from node subnet '{subnet.name}' of cluster '{resource.display_name}' to {listed} "
                    f"depends on an FQDN tag whose contents Microsoft does not document: {reason}")
        else:
            text = f"whether Azure Firewall '{firewall.display_name}' allows HTTPS 443 from node subnet '{subnet.name}' of cluster '{resource.display_name}' to {listed} cannot be decided: {reason}"
        ordered = tuple(code for code in ("InstallScenario3", "P-12") if code in codes) or ("P-12",)
        yield from _once(reported, (firewall.id, subnet.id, text), Finding(
            message=text, location=where, severity=severity, codes=ordered, related=related, subject=firewall,
            fix=f"Add an application rule to firewall '{firewall.display_name}' allowing Https:443 from {source or 'the node subnet'} to {listed}."))


def _once(reported: set, key: tuple, finding: Finding) -> Iterator[Finding]:
    if key not in reported:
        reported.add(key)
        yield finding
