"""NSG evaluation, case by case from
https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview and
https://learn.microsoft.com/azure/virtual-network/network-security-group-how-it-works."""
import pytest

from validator.model import Unknown
from validator.network.nsg import address_matches, nsg_allows, nsg_explain, ServiceTags

VNET = ["10.1.0.0/16"]


def rule(name, priority, access, direction="Outbound", protocol="*", src="*", dst="*",
         dport="*", sport="*", flat=False, **extra):
    props = {"priority": priority, "direction": direction, "access": access, "protocol": protocol,
             "sourcePortRange": sport}
    props.update({"sourceAddressPrefixes": src} if isinstance(src, list) else {"sourceAddressPrefix": src})
    props.update({"destinationAddressPrefixes": dst} if isinstance(dst, list)
                 else {"destinationAddressPrefix": dst})
    props.update({"destinationPortRanges": dport} if isinstance(dport, list) else {"destinationPortRange": dport})
    props.update(extra)
    return {"name": name, **props} if flat else {"name": name, "properties": props}


def out(dst, port=443, protocol="Tcp", src="10.1.0.4"):
    return {"direction": "outbound", "protocol": protocol, "src_ip": src, "src_port": 50000,
            "dst_ip": dst, "dst_port": port}


def inb(src, port=443, protocol="Tcp", dst="10.1.0.4"):
    return {"direction": "inbound", "protocol": protocol, "src_ip": src, "src_port": 50000,
            "dst_ip": dst, "dst_port": port}


DENY_443 = rule("deny-443", 100, "Deny", dport="443")
ALLOW_443 = rule("allow-443", 200, "Allow", dport="443")

# (id, subnet rules, nic rules, flow, expected)
CASES = [
    ("no NSG anywhere allows", None, None, out("52.1.1.1"), True),
    ("empty NSG: AllowInternetOutBound", [], None, out("52.1.1.1"), True),
    ("empty NSG: AllowVnetOutBound", [], None, out("10.1.2.3", 22), True),
    ("empty NSG: inbound from internet denied", [], None, inb("52.1.1.1"), False),
    ("empty NSG: inbound within VNet allowed", [], None, inb("10.1.9.9"), True),
    ("empty NSG: AzureLoadBalancer inbound allowed", [], None, inb("168.63.129.16", 80), True),
    ("deny by port", [DENY_443], None, out("52.1.1.1"), False),
    ("other port passes deny", [DENY_443], None, out("52.1.1.1", 80), True),
    ("lowest priority number first (deny 100 before allow 200)", [ALLOW_443, DENY_443], None,
     out("52.1.1.1"), False),
    ("lowest priority number first (allow 50 before deny 100)",
     [DENY_443, rule("allow-first", 50, "Allow", dport="443")], None, out("52.1.1.1"), True),
    ("custom deny-all beats default allows", [rule("deny-all", 4096, "Deny")], None, out("10.1.2.3"), False),
    ("port range", [rule("deny-range", 100, "Deny", dport="400-500")], None, out("52.1.1.1"), False),
    ("port range miss", [rule("deny-range", 100, "Deny", dport="444-500")], None, out("52.1.1.1"), True),
    ("plural port ranges", [rule("deny-list", 100, "Deny", dport=["80", "440-450"])], None,
     out("52.1.1.1"), False),
    ("plural prefixes", [rule("deny-list", 100, "Deny", dst=["1.1.1.1", "52.0.0.0/8"])], None,
     out("52.1.1.1"), False),
    ("plural prefixes miss", [rule("deny-list", 100, "Deny", dst=["1.1.1.1", "53.0.0.0/8"])], None,
     out("52.1.1.1"), True),
    ("protocol mismatch", [rule("deny-udp", 100, "Deny", protocol="Udp")], None, out("52.1.1.1"), True),
    ("protocol match case-insensitive", [rule("deny-tcp", 100, "Deny", protocol="TCP")], None,
     out("52.1.1.1"), False),
    ("direction mismatch", [rule("deny-in", 100, "Deny", direction="Inbound")], None, out("52.1.1.1"), True),
    ("flat rule without properties", [rule("deny-flat", 100, "Deny", dport="443", flat=True)], None,
     out("52.1.1.1"), False),
    ("source port range", [rule("deny-sport", 100, "Deny", sport="50000-50010")], None,
     out("52.1.1.1"), False),
    # both NSGs must allow, whatever the direction
    ("outbound: NIC allows, subnet denies", [DENY_443], [ALLOW_443], out("52.1.1.1"), False),
    ("outbound: NIC denies, subnet allows", [ALLOW_443], [DENY_443], out("52.1.1.1"), False),
    ("inbound: subnet allows, NIC default denies", [rule("in", 100, "Allow", "Inbound")], [],
     inb("52.1.1.1"), False),
    ("inbound: both allow", [rule("in", 100, "Allow", "Inbound")], [rule("in", 100, "Allow", "Inbound")],
     inb("52.1.1.1"), True),
    # service tags
    ("Internet tag covers a public IP", [rule("deny-inet", 100, "Deny", dst="Internet")], None,
     out("52.1.1.1"), False),
    ("Internet tag excludes the VNet", [rule("deny-inet", 100, "Deny", dst="Internet")], None,
     out("10.1.2.3"), True),
    ("Internet tag excludes private space", [rule("deny-inet", 100, "Deny", dst="Internet")], None,
     out("192.168.1.1"), False),  # not Internet, not VNet: DenyAllOutBound
    ("VirtualNetwork tag", [rule("deny-vnet", 100, "Deny", dst="VirtualNetwork")], None,
     out("10.1.2.3"), False),
    ("flow to a tag, rule names the tag", [rule("deny-st", 100, "Deny", dst="Storage.westeurope")], None,
     out("Storage.westeurope"), False),
    ("global tag covers regional", [rule("deny-st", 100, "Deny", dst="Storage")], None,
     out("Storage.westeurope"), False),
    ("other region of the tag does not match", [rule("deny-st", 100, "Deny", dst="Storage.northeurope")],
     None, out("Storage.westeurope"), True),
    ("other service does not match", [rule("deny-aad", 100, "Deny", dst="AzureActiveDirectory")], None,
     out("Storage.westeurope"), True),
    ("AzureCloud vs Storage undocumented -> None", [rule("deny-cloud", 100, "Deny", dst="AzureCloud")],
     None, out("Storage.westeurope"), None),
    ("AzureCloud covers AzureCloud.region", [rule("deny-cloud", 100, "Deny", dst="AzureCloud")], None,
     out("AzureCloud.westeurope"), False),
    ("default AllowInternetOutBound covers public tags", [], None, out("AzureActiveDirectory"), True),
    ("private CIDR deny never covers a public tag", [rule("deny-10", 100, "Deny", dst="10.0.0.0/8")],
     None, out("Storage"), True),
    ("public CIDR vs tag with unknown prefixes -> None", [rule("deny-20", 100, "Deny", dst="20.0.0.0/8")],
     None, out("Storage"), None),
    ("IP in a listed tag prefix", [rule("deny-aad", 100, "Deny", dst="AzureActiveDirectory")], None,
     out("20.190.130.1"), False),
    ("IP outside the illustrative subset -> None", [rule("deny-aad", 100, "Deny", dst="AzureActiveDirectory")],
     None, out("52.1.1.1"), None),
    ("unknown tag name -> None", [rule("deny-x", 100, "Deny", dst="SomeNewTag")], None, out("52.1.1.1"), None),
    # host virtual IPs
    ("IMDS bypasses a deny-all", [rule("deny-all", 100, "Deny")], None, out("169.254.169.254", 80), True),
    ("IMDS denied by its platform tag", [rule("deny-imds", 100, "Deny", dst="AzurePlatformIMDS")], None,
     out("169.254.169.254", 80), False),
    ("Azure DNS bypasses a deny-all", [rule("deny-all", 100, "Deny")], None,
     out("168.63.129.16", 53, "Udp"), True),
    # unknowns
    ("unknown that cannot change the result", [rule("maybe", 100, "Allow", dst=Unknown("param"))], None,
     out("52.1.1.1"), True),
    ("unknown deny that could change the result", [rule("maybe", 100, "Deny", dst=Unknown("param"))], None,
     out("52.1.1.1"), None),
    ("unknown port spec", [rule("maybe", 100, "Deny", dport=Unknown("param"))], None, out("52.1.1.1"), None),
    ("unknown access", [rule("maybe", 100, Unknown("param"))], None, out("52.1.1.1"), None),
    ("unknown priority, same outcome both ways",
     [rule("a", Unknown("p"), "Deny", dport="443"), rule("b", 200, "Deny", dport="443")], None,
     out("52.1.1.1"), False),
    ("unknown priority that decides",
     [rule("a", Unknown("p"), "Deny", dport="443"), rule("b", 200, "Allow", dport="443")], None,
     out("52.1.1.1"), None),
    ("ASG unknown membership -> None",
     [rule("asg", 100, "Deny", dst=None, destinationApplicationSecurityGroups=[{"id": "/x/asgs/web"}])],
     None, out("52.1.1.1"), None),
    ("ASG membership given", [rule("asg", 100, "Deny", dst=None,
                                    destinationApplicationSecurityGroups=[{"id": "/x/asgs/web"}])],
     None, {**out("52.1.1.1"), "dst_asgs": ["/x/asgs/db"]}, True),
    ("denied regardless of an undecided other NSG", [DENY_443],
     [rule("maybe", 100, "Deny", dst=Unknown("param"))], out("52.1.1.1"), False),
]


@pytest.mark.parametrize("name,subnet,nic,flow,expected", CASES, ids=[c[0] for c in CASES])
def test_nsg_allows(name, subnet, nic, flow, expected):
    assert nsg_allows(subnet, nic, flow, vnet_prefixes=VNET) is expected


def test_explain_names_the_deciding_rule_and_carries_location():
    deny = rule("deny-443", 100, "Deny", dport="443")
    deny["__location__"] = ("nsg.json", 12)
    verdict = nsg_explain([deny], None, out("52.1.1.1"), vnet_prefixes=VNET)
    assert (verdict.allowed, verdict.nsg, verdict.rule, verdict.priority, verdict.location) == (
        False, "subnet", "deny-443", 100, ("nsg.json", 12))


def test_explain_reports_the_nic_nsg_first_for_outbound():
    verdict = nsg_explain([DENY_443], [DENY_443], out("52.1.1.1"), vnet_prefixes=VNET)
    assert verdict.nsg == "nic"
    verdict = nsg_explain([DENY_443], [DENY_443], {**out("52.1.1.1"), "direction": "inbound"},
                          vnet_prefixes=VNET)
    assert verdict.nsg == "subnet"


def test_explain_names_a_default_rule():
    verdict = nsg_explain([], None, inb("52.1.1.1"), vnet_prefixes=VNET)
    assert (verdict.rule, verdict.priority, verdict.default) == ("DenyAllInBound", 65500, True)


def test_caller_service_tags_are_complete():
    deny = rule("deny-st", 100, "Deny", dst="Storage.westeurope")
    tags = {"Storage.westeurope": ["20.60.0.0/16"]}
    assert nsg_allows([deny], None, out("20.60.1.1"), service_tags=tags, vnet_prefixes=VNET) is False
    assert nsg_allows([deny], None, out("52.1.1.1"), service_tags=tags, vnet_prefixes=VNET) is True


def test_full_nsg_resource_is_accepted():
    nsg = {"type": "Microsoft.Network/networkSecurityGroups", "properties": {"securityRules": [DENY_443]}}
    assert nsg_allows(nsg, None, out("52.1.1.1"), vnet_prefixes=VNET) is False


def test_vnet_tag_without_prefixes_is_unknown_only_when_it_matters():
    # AllowVnetOutBound is undecided, but AllowInternetOutBound allows anyway.
    assert nsg_allows([], None, out("52.1.1.1")) is True
    # Inbound from a private address: AllowVnetInBound undecided vs DenyAllInBound.
    assert nsg_allows([], None, inb("10.9.0.1")) is None


@pytest.mark.parametrize("prefix,address,expected", [
    ("*", "anything", True),
    ("10.0.0.0/8", "10.2.3.4", True),
    ("10.0.0.0/8", "11.2.3.4", False),
    ("10.0.0.0/8", "10.2.0.0/16", True),
    ("10.2.0.0/16", "10.0.0.0/8", None),
    ("10.0.0.1-10.0.0.9", "10.0.0.5", True),
    ("10.0.0.1-10.0.0.9", "10.0.0.10", False),
    ("AzureLoadBalancer", "168.63.129.16", True),
    ("Storage", None, None),
    (Unknown("x"), "10.0.0.1", None),
])
def test_address_matches(prefix, address, expected):
    assert address_matches(prefix, address, ServiceTags()) is expected


def test_https_flow_is_tcp_for_nsg_rules():
    deny = rule("deny-tcp", 100, "Deny", protocol="Tcp", dport="443")
    assert nsg_allows([deny], None, out("52.1.1.1", protocol="Https"), vnet_prefixes=VNET) is False


def test_unreadable_rule_list_is_unknown():
    assert nsg_allows(Unknown("rules"), None, out("52.1.1.1"), vnet_prefixes=VNET) is None
    assert nsg_allows([Unknown("rule")], None, out("52.1.1.1"), vnet_prefixes=VNET) is None
