"""Where traffic from the node subnet goes: route table, Azure system routes and ``outboundType``.

Routing follows https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview:
the route with the longest matching prefix wins; on equal prefixes a user-defined route
beats a system route.  Default system routes: the VNet address space (virtual network),
0.0.0.0/0 (Internet), and 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10
(next hop None: dropped) unless those ranges are in the VNet's address space; peered
VNets add virtual-network routes.  A route may name a service tag instead of a prefix;
an explicit prefix beats a tag on equal prefixes, and a tag's prefixes are rarely known
here, so a tag route that could win makes the answer "unknown" unless it clearly wins
over the default route.

``outboundType`` (https://learn.microsoft.com/azure/aks/egress-outboundtype) only changes
what happens to traffic whose route says Internet: ``loadBalancer`` (default) leaves by
the load balancer's public IPs, ``managedNATGateway``/``userAssignedNATGateway`` by the
NAT gateway, ``userDefinedRouting`` relies on the route table (a 0.0.0.0/0 route to an
appliance), ``block`` blocks egress and ``none`` leaves egress to whatever the customer
set up (unknown here).

Traffic to the host virtual IPs 168.63.129.16 and 169.254.169.254 (DNS, IMDS) is handled
by the host and not routed by route tables; it is reported as ``via: "platform"``.
"""
from __future__ import annotations

import ipaddress
from typing import Any, Iterable

from validator.model import Unknown
from validator.network.nsg import PLATFORM_ADDRESSES, ServiceTags, address_matches, resource_list

# Next hop types of a route table entry -> the "via" vocabulary of this module.
_VIA = {
    "internet": "internet",
    "virtualappliance": "virtual-appliance",
    "none": "none",
    "vnetlocal": "vnet",
    "virtualnetwork": "vnet",
    "vnetpeering": "vnet",
    "virtualnetworkpeering": "vnet",
    "virtualnetworkgateway": "gateway",
    "virtualnetworkserviceendpoint": "internet",  # Azure backbone to the service's public IPs
}

_SYSTEM_NONE = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")
_EGRESS = {
    "loadbalancer": "load-balancer",
    "managednatgateway": "nat-gateway",
    "userassignednatgateway": "nat-gateway",
    "userdefinedrouting": "route-table",
}


class _Route:
    def __init__(self, name, prefix, hop_type, hop_ip, user, location=None):
        self.name, self.prefix, self.hop_type, self.hop_ip = name, prefix, hop_type, hop_ip
        self.user, self.location = user, location
        self.network = None
        if isinstance(prefix, str):
            try:
                self.network = ipaddress.ip_network(prefix.strip(), strict=False)
            except ValueError:
                self.network = None

    @property
    def via(self) -> str:
        if not isinstance(self.hop_type, str):
            return "unknown"
        return _VIA.get(self.hop_type.strip().lower(), "unknown")

    @property
    def is_tag(self) -> bool:
        return isinstance(self.prefix, str) and self.network is None


def _user_routes(route_table: Any) -> list[_Route]:
    result = []
    for item in resource_list(route_table, "routes"):
        if not isinstance(item, dict):
            result.append(_Route(None, Unknown("route"), None, None, True))
            continue
        props = item.get("properties") if isinstance(item.get("properties"), dict) else item
        result.append(_Route(item.get("name", props.get("name")), props.get("addressPrefix"),
                             props.get("nextHopType"), props.get("nextHopIpAddress"), True,
                             item.get("__location__", props.get("__location__"))))
    return result


def _system_routes(vnet_prefixes: Iterable | None, peered_prefixes: Iterable | None) -> list[_Route]:
    routes = []
    vnets = [p for p in (vnet_prefixes or []) if isinstance(p, str)]
    for prefix in vnets:
        routes.append(_Route(f"system:{prefix}", prefix, "VnetLocal", None, False))
    for prefix in peered_prefixes or []:
        if isinstance(prefix, str):
            routes.append(_Route(f"system:{prefix}", prefix, "VNetPeering", None, False))
    routes.append(_Route("system:0.0.0.0/0", "0.0.0.0/0", "Internet", None, False))
    vnet_nets = [r.network for r in routes if r.hop_type == "VnetLocal" and r.network is not None]
    for prefix in _SYSTEM_NONE:
        net = ipaddress.ip_network(prefix)
        # "If you assign any of these ranges within the address space of a virtual network,
        # Azure changes the next hop type from None to Virtual network."
        if any(v.version == net.version and net.subnet_of(v) for v in vnet_nets):
            continue
        routes.append(_Route(f"system:{prefix}", prefix, "None", None, False))
    return routes


def _result(route: _Route | None, via: str, reason: str, **extra) -> dict:
    result = {
        "via": via,
        "next_hop_ip": route.hop_ip if route is not None and via == "virtual-appliance" else None,
        "route": route.name if route is not None else None,
        "prefix": route.prefix if route is not None else None,
        "user_defined": bool(route.user) if route is not None else False,
        "location": route.location if route is not None else None,
        "reason": reason,
    }
    result.update(extra)
    return result


def _best(candidates: list[_Route]) -> _Route | None:
    if not candidates:
        return None
    # longest prefix; on equal prefixes a user-defined route beats a system route
    return max(candidates, key=lambda r: (r.network.prefixlen, r.user))


def next_hop(destination: Any, route_table: Any = None, outbound_type: Any = "loadBalancer",
             vnet_prefixes: list | None = None, peered_prefixes: list | None = None,
             service_tags: dict | None = None) -> dict:
    """Where traffic from the node subnet to ``destination`` goes.

    ``destination``: an IP address, or ``"internet"`` for a public FQDN whose address is
    not known.  ``route_table``: the subnet's ``Microsoft.Network/routeTables`` (resource,
    its ``properties`` or the ``routes`` list; None when none is attached).
    ``outbound_type``: the cluster's ``networkProfile.outboundType`` (None: loadBalancer).
    Returns {"via": "internet"|"virtual-appliance"|"none"|"vnet"|"gateway"|"platform"|
    "unknown", "next_hop_ip", "route" (route name, "system:<prefix>" for system routes),
    "prefix", "user_defined", "location", "reason", "egress" (for "internet": how it
    leaves: "load-balancer", "nat-gateway", "route-table"), "exceptions" (for
    "internet": more specific user routes to public prefixes with another next hop)}.
    Unknown values yield via "unknown".
    """
    outbound = outbound_type.strip().lower() if isinstance(outbound_type, str) else (
        "loadbalancer" if outbound_type is None else None)
    if isinstance(destination, str) and destination.strip() in PLATFORM_ADDRESSES:
        return _result(None, "platform", "host virtual IP: served by the host, not routed")
    user = _user_routes(route_table)
    routes = user + _system_routes(vnet_prefixes, peered_prefixes)
    tags = ServiceTags(service_tags)
    if isinstance(destination, str) and destination.strip().lower() == "internet":
        return _internet(routes, outbound)
    try:
        address = ipaddress.ip_address(destination.strip()) if isinstance(destination, str) else None
    except ValueError:
        address = None
    if address is None:
        return _result(None, "unknown", f"destination {destination} is not an IP address")
    undecided = [r for r in user if r.network is None and not r.is_tag]
    if undecided:
        return _result(undecided[0], "unknown", f"route '{undecided[0].name}' has an address prefix "
                                                "unknown before deployment")
    best = _best([r for r in routes if r.network is not None and r.network.version == address.version
                  and address in r.network])
    if best is None:
        return _result(None, "unknown", "no route covers the destination")
    for route in (r for r in user if r.is_tag):
        matched = address_matches(route.prefix, str(address), tags)
        if matched is False or route.via == best.via:
            continue
        if matched is True and best.network.prefixlen == 0:
            best = route  # any tag prefix is more specific than the default route
            continue
        return _result(route, "unknown", f"service-tag route '{route.name}' ({route.prefix}) may "
                                         "apply; its prefixes are not known here")
    return _apply_outbound(best, outbound)


def _internet(routes: list[_Route], outbound: str | None) -> dict:
    defaults = [r for r in routes if r.network is not None and r.network.prefixlen == 0
                and r.network.version == 4]
    best = _best(defaults)
    exceptions = []
    for route in routes:
        if not route.user or route is best:
            continue
        if route.network is None:
            public = route.is_tag  # a service-tag route covers public addresses
        else:
            public = route.network.prefixlen > 0 and not _private(route.network)
        if public and route.via != best.via:
            exceptions.append(route.name)
    result = _apply_outbound(best, outbound)
    result["exceptions"] = exceptions
    if exceptions:
        result["reason"] += "; more specific routes to public prefixes differ: " + ", ".join(
            str(e) for e in exceptions)
    return result


def _private(network) -> bool:
    return any(network.version == n.version and network.subnet_of(n) for n in (
        ipaddress.ip_network(p) for p in _SYSTEM_NONE + ("169.254.0.0/16", "127.0.0.0/8")))


def _apply_outbound(route: _Route, outbound: str | None) -> dict:
    via = route.via
    what = "user-defined route" if route.user else "system route"
    reason = f"{what} '{route.name}' ({route.prefix}) -> {route.hop_type}"
    if via != "internet":
        return _result(route, via, reason)
    if outbound is None:
        return _result(route, "unknown", reason + "; outboundType unknown before deployment")
    if outbound == "block":
        return _result(route, "none", reason + "; outboundType 'block' blocks egress")
    if outbound == "none":
        return _result(route, "unknown", reason + "; outboundType 'none': egress is whatever the "
                                                  "network provides, not set up by AKS")
    egress = _EGRESS.get(outbound)
    if egress is None:
        return _result(route, "unknown", reason + f"; outboundType '{outbound}' not recognised")
    return _result(route, "internet", reason, egress=egress)


def _get(item: Any, *path: Any) -> Any:
    node = item.body if hasattr(item, "body") and not isinstance(item, dict) else item
    for key in path:
        if isinstance(node, dict):
            node = node.get(key)
        elif isinstance(node, list) and isinstance(key, int) and -len(node) <= key < len(node):
            node = node[key]
        else:
            return None
    return node


def firewall_private_ips(firewall: Any) -> list:
    """Private IPs of an Azure Firewall (``ipConfigurations`` and a secured hub's ``hubIPAddresses``)."""
    props = _get(firewall, "properties")
    if not isinstance(props, dict):
        props = firewall if isinstance(firewall, dict) else {}
    addresses = []
    for config in props.get("ipConfigurations") or []:
        value = _get(config, "properties", "privateIPAddress")
        if value is None:
            value = _get(config, "privateIPAddress")
        if value is not None:
            addresses.append(value)
    hub = _get(props, "hubIPAddresses", "privateIPAddress")
    if hub is not None:
        addresses.append(hub)
    return addresses


def firewall_for_next_hop(next_hop_ip: Any, firewalls: Iterable[Any]) -> Any:
    """The firewall (resource or body, as given) whose private IP is ``next_hop_ip``, else None.

    Firewalls whose private IP is an Unknown are skipped: the caller learns nothing from them.
    """
    if not isinstance(next_hop_ip, str):
        return None
    wanted = next_hop_ip.strip()
    for firewall in firewalls:
        if any(isinstance(ip, str) and ip.strip() == wanted for ip in firewall_private_ips(firewall)):
            return firewall
    return None
