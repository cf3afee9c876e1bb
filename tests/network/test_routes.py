"""Route selection from https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview
and AKS outbound types (https://learn.microsoft.com/azure/aks/egress-outboundtype)."""
import pytest

from validator.model import Resource, Location, Unknown
from validator.network.routes import firewall_for_next_hop, firewall_private_ips, next_hop

VNET = ["10.0.0.0/16"]


def route(name, prefix, hop, ip=None):
    props = {"addressPrefix": prefix, "nextHopType": hop}
    if ip:
        props["nextHopIpAddress"] = ip
    return {"name": name, "properties": props}


def table(*routes):
    return {"type": "Microsoft.Network/routeTables", "properties": {"routes": list(routes)}}


TO_FW = route("to-fw", "0.0.0.0/0", "VirtualAppliance", "10.0.1.4")

CASES = [
    # id, destination, route table, outboundType, expected (via, route, next_hop_ip)
    ("default route to the internet (load balancer)", "52.1.1.1", None, "loadBalancer",
     ("internet", "system:0.0.0.0/0", None)),
    ("internet FQDN without a route table", "internet", None, None, ("internet", "system:0.0.0.0/0", None)),
    ("VNet traffic stays in the VNet", "10.0.5.5", table(TO_FW), "userDefinedRouting",
     ("vnet", "system:10.0.0.0/16", None)),
    ("private range outside the VNet is dropped", "10.9.0.1", None, "loadBalancer",
     ("none", "system:10.0.0.0/8", None)),
    ("CGNAT range dropped", "100.64.1.1", None, "loadBalancer", ("none", "system:100.64.0.0/10", None)),
    ("UDR 0.0.0.0/0 to the firewall", "52.1.1.1", table(TO_FW), "userDefinedRouting",
     ("virtual-appliance", "to-fw", "10.0.1.4")),
    ("UDR 0.0.0.0/0 for an internet FQDN", "internet", table(TO_FW), "userDefinedRouting",
     ("virtual-appliance", "to-fw", "10.0.1.4")),
    ("longest prefix wins over the UDR default", "20.1.2.3",
     table(TO_FW, route("fw-pip", "20.1.2.3/32", "Internet")), "userDefinedRouting",
     ("internet", "fw-pip", None)),
    ("UDR beats a system route of the same prefix", "10.0.5.5",
     table(route("vnet-via-fw", "10.0.0.0/16", "VirtualAppliance", "10.0.1.4")), "loadBalancer",
     ("virtual-appliance", "vnet-via-fw", "10.0.1.4")),
    ("UDR None drops traffic", "52.1.1.1", table(route("blackhole", "52.0.0.0/8", "None")), "loadBalancer",
     ("none", "blackhole", None)),
    ("NAT gateway egress", "52.1.1.1", None, "managedNATGateway", ("internet", "system:0.0.0.0/0", None)),
    ("UDR to an appliance overrides the NAT gateway", "52.1.1.1", table(TO_FW), "userAssignedNATGateway",
     ("virtual-appliance", "to-fw", "10.0.1.4")),
    ("outboundType block", "52.1.1.1", None, "block", ("none", "system:0.0.0.0/0", None)),
    ("outboundType none: unknown egress", "52.1.1.1", None, "none", ("unknown", "system:0.0.0.0/0", None)),
    ("IMDS is not routed", "169.254.169.254", table(TO_FW), "userDefinedRouting", ("platform", None, None)),
    ("unknown route prefix", "52.1.1.1", table(route("u", Unknown("p"), "Internet")), "loadBalancer",
     ("unknown", "u", None)),
    ("service tag route matched by a known tag address", "20.190.130.1",
     table(TO_FW, route("aad", "AzureActiveDirectory", "Internet")), "userDefinedRouting",
     ("internet", "aad", None)),
    ("service tag route that may apply", "52.1.1.1",
     table(TO_FW, route("st", "Storage", "Internet")), "userDefinedRouting", ("unknown", "st", None)),
]


@pytest.mark.parametrize("name,destination,rt,outbound,expected", CASES, ids=[c[0] for c in CASES])
def test_next_hop(name, destination, rt, outbound, expected):
    result = next_hop(destination, rt, outbound, vnet_prefixes=VNET)
    assert (result["via"], result["route"], result["next_hop_ip"]) == expected


def test_egress_kind_follows_outbound_type():
    assert next_hop("52.1.1.1", None, "loadBalancer", VNET)["egress"] == "load-balancer"
    assert next_hop("52.1.1.1", None, "userAssignedNATGateway", VNET)["egress"] == "nat-gateway"


def test_vnet_in_a_none_range_is_routed_in_the_vnet():
    assert next_hop("10.5.0.1", None, "loadBalancer", ["10.0.0.0/8"])["via"] == "vnet"


def test_peered_vnet_is_vnet():
    assert next_hop("10.9.0.1", None, "loadBalancer", VNET, peered_prefixes=["10.9.0.0/16"])["via"] == "vnet"


def test_internet_lists_more_specific_public_routes():
    result = next_hop("internet", table(TO_FW, route("fw-pip", "20.1.2.3/32", "Internet"),
                                        route("spoke", "10.50.0.0/16", "VirtualAppliance", "10.0.1.4")),
                      "userDefinedRouting", VNET)
    assert result["via"] == "virtual-appliance" and result["exceptions"] == ["fw-pip"]


def test_route_location_is_carried():
    rt = table({**TO_FW, "__location__": ("rt.json", 7)})
    assert next_hop("52.1.1.1", rt, "userDefinedRouting", VNET)["location"] == ("rt.json", 7)


def test_routes_list_is_accepted():
    assert next_hop("52.1.1.1", [TO_FW], "userDefinedRouting", VNET)["via"] == "virtual-appliance"


FIREWALL = {"properties": {"ipConfigurations": [{"name": "c", "properties": {"privateIPAddress": "10.0.1.4"}}]}}
HUB_FIREWALL = {"properties": {"hubIPAddresses": {"privateIPAddress": "10.100.0.4"}}}


def test_firewall_for_next_hop():
    assert firewall_for_next_hop("10.0.1.4", [HUB_FIREWALL, FIREWALL]) is FIREWALL
    assert firewall_for_next_hop("10.100.0.4", [HUB_FIREWALL, FIREWALL]) is HUB_FIREWALL
    assert firewall_for_next_hop("10.0.1.5", [FIREWALL]) is None
    assert firewall_for_next_hop(Unknown("x"), [FIREWALL]) is None


def test_firewall_for_next_hop_accepts_resources():
    resource = Resource("Microsoft.Network/azureFirewalls", "fw", "/fw", FIREWALL, Location("fw.json"))
    assert firewall_for_next_hop("10.0.1.4", [resource]) is resource
    assert firewall_private_ips(resource) == ["10.0.1.4"]


def test_unreadable_route_table_is_unknown():
    assert next_hop("52.1.1.1", Unknown("rt"), "userDefinedRouting", VNET)["via"] == "unknown"
    assert next_hop("52.1.1.1", table(route("r", "0.0.0.0/0", Unknown("hop"))), "userDefinedRouting",
                    VNET)["via"] == "unknown"
