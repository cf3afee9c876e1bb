"""Azure Firewall evaluation, case by case from
https://learn.microsoft.com/azure/firewall/rule-processing, .../policy-rule-sets,
.../firewall-faq, .../fqdn-filtering-network-rules and .../fqdn-tags."""
import pytest

from validator.model import Unknown
from validator.network.firewall import firewall_allows, firewall_explain

NODES = "10.240.0.0/16"
DP = "westeurope.dp.kubernetesconfiguration.azure.com"


def https(fqdn, src="10.240.0.4", port=443):
    return {"direction": "outbound", "src_ip": src, "protocol": "Https", "fqdn": fqdn, "port": port}


def tcp(dst_ip=None, port=443, src="10.240.0.4", fqdn=None, protocol="TCP", direction="outbound"):
    return {"direction": direction, "src_ip": src, "protocol": protocol, "fqdn": fqdn, "port": port,
            "dst_ip": dst_ip}


def app_rule(name, fqdns=None, tags=None, src=NODES, protocols=(("Https", 443),), **extra):
    rule = {"name": name, "sourceAddresses": [src],
            "protocols": [{"protocolType": t, "port": p} for t, p in protocols]}
    if fqdns is not None:
        rule["targetFqdns"] = fqdns
    if tags is not None:
        rule["fqdnTags"] = tags
        if not protocols:
            del rule["protocols"]
    rule.update(extra)
    return rule


def net_rule(name, dst=("*",), ports=("443",), protocols=("TCP",), src=NODES, **extra):
    rule = {"name": name, "sourceAddresses": [src], "destinationAddresses": list(dst),
            "destinationPorts": list(ports), "protocols": list(protocols)}
    rule.update(extra)
    return rule


def classic(app=(), net=(), nat=()):
    """A classic firewall's properties; each collection is (name, priority, action, rules)."""
    def collections(items):
        return [{"name": n, "properties": {"priority": p, "action": {"type": a}, "rules": list(r)}}
                for n, p, a, r in items]
    return {"applicationRuleCollections": collections(app), "networkRuleCollections": collections(net),
            "natRuleCollections": collections(nat)}


def policy_rule(kind, rule):
    key = {"app": "ApplicationRule", "net": "NetworkRule", "nat": "NatRule"}[kind]
    rule = dict(rule)
    rule["ruleType"] = key
    if kind == "net":
        rule["ipProtocols"] = rule.pop("protocols")
    return rule


def group(name, priority, *collections):
    """collections: (name, priority, action, kind, rules)."""
    return {"name": name, "properties": {"priority": priority, "ruleCollections": [
        {"name": n, "priority": p, "action": {"type": a},
         "ruleCollectionType": "FirewallPolicyNatRuleCollection" if k == "nat" else
         "FirewallPolicyFilterRuleCollection",
         "rules": [policy_rule(k, r) for r in rules]} for n, p, a, k, rules in collections]}}


ALLOW_DP = ("aks", 200, "Allow", [app_rule("dp", [DP])])
DENY_DP = ("block", 100, "Deny", [app_rule("no-dp", ["*.kubernetesconfiguration.azure.com"])])

CLASSIC = [
    # id, firewall, request, kwargs, expected
    ("default deny", classic(), https(DP), {}, False),
    ("exact FQDN allowed", classic(app=[ALLOW_DP]), https(DP), {}, True),
    ("other FQDN denied by default", classic(app=[ALLOW_DP]), https("example.com"), {}, False),
    ("wildcard any depth", classic(app=[("w", 100, "Allow", [app_rule("w", ["*.azure.com"])])]),
     https(DP), {}, True),
    ("wildcard does not cover apex",
     classic(app=[("w", 100, "Allow", [app_rule("w", ["*.mcr.microsoft.com"])])]),
     https("mcr.microsoft.com"), {}, False),
    ("bare * allows everything", classic(app=[("w", 100, "Allow", [app_rule("w", ["*"])])]),
     https("anything.example"), {}, True),
    ("deny collection with lower priority number first", classic(app=[ALLOW_DP, DENY_DP]), https(DP), {},
     False),
    ("allow collection with lower priority number first",
     classic(app=[("aks", 50, "Allow", [app_rule("dp", [DP])]), DENY_DP]), https(DP), {}, True),
    ("protocol/port must match", classic(app=[ALLOW_DP]), https(DP, port=8443), {}, False),
    ("Http request vs Https rule", classic(app=[ALLOW_DP]), {**https(DP), "protocol": "Http", "port": 80},
     {}, False),
    ("source must match", classic(app=[ALLOW_DP]), https(DP, src="10.9.0.4"), {}, False),
    ("source IP group known", classic(app=[("g", 100, "Allow", [
        {**app_rule("g", [DP]), "sourceAddresses": [], "sourceIpGroups": ["/sub/ipGroups/nodes"]}])]),
     https(DP), {"ip_groups": {"nodes": [NODES]}}, True),
    ("source IP group unknown -> None", classic(app=[("g", 100, "Allow", [
        {**app_rule("g", [DP]), "sourceAddresses": [], "sourceIpGroups": ["/sub/ipGroups/nodes"]}])]),
     https(DP), {}, None),
    ("FQDN tag without contents -> None",
     classic(app=[("t", 100, "Allow", [app_rule("t", tags=["AzureKubernetesService"], protocols=())])]),
     https(DP), {}, None),
    ("FQDN tag with caller contents",
     classic(app=[("t", 100, "Allow", [app_rule("t", tags=["AzureKubernetesService"], protocols=())])]),
     https("mcr.microsoft.com"), {"fqdn_tags": {"AzureKubernetesService": ["mcr.microsoft.com"]}}, True),
    ("FQDN tag with caller contents, not covered",
     classic(app=[("t", 100, "Allow", [app_rule("t", tags=["AzureKubernetesService"], protocols=())])]),
     https(DP), {"fqdn_tags": {"AzureKubernetesService": ["mcr.microsoft.com"]}}, False),
    # network rules come before application rules
    ("network deny beats application allow",
     classic(app=[ALLOW_DP], net=[("deny-web", 100, "Deny", [net_rule("deny-443")])]), https(DP), {}, False),
    ("network allow beats application deny",
     classic(app=[DENY_DP], net=[("allow-web", 300, "Allow", [net_rule("allow-443")])]), https(DP), {}, True),
    ("network rule: TCP 443 to an IP", classic(net=[("n", 100, "Allow", [net_rule("api", ["20.1.2.3"])])]),
     tcp("20.1.2.3"), {}, True),
    ("network rule: other IP", classic(net=[("n", 100, "Allow", [net_rule("api", ["20.1.2.3"])])]),
     tcp("20.1.2.4"), {}, False),
    ("network rule: CIDR and port range",
     classic(net=[("n", 100, "Allow", [net_rule("r", ["20.0.0.0/8"], ["400-500"])])]), tcp("20.1.2.3"), {},
     True),
    ("network rule: UDP 53 vs TCP rule", classic(net=[("n", 100, "Allow", [net_rule("dns", ports=["53"])])]),
     tcp("1.1.1.1", 53, protocol="UDP"), {}, False),
    ("network rule: Any protocol",
     classic(net=[("n", 100, "Allow", [net_rule("dns", ports=["53"], protocols=["Any"])])]),
     tcp("1.1.1.1", 53, protocol="UDP"), {}, True),
    ("network rule: service tag names the flow's tag",
     classic(net=[("n", 100, "Allow", [net_rule("cloud", ["AzureCloud.westeurope"], ["9000"])])]),
     tcp("AzureCloud.westeurope", 9000), {}, True),
    ("network rule: IP in a service tag with unknown prefixes",
     classic(net=[("n", 100, "Allow", [net_rule("st", ["Storage"])])]), tcp("52.1.1.1"), {}, None),
    ("network rule: IP in a caller-supplied service tag",
     classic(net=[("n", 100, "Allow", [net_rule("st", ["Storage"])])]), tcp("52.1.1.1"),
     {"service_tags": {"Storage": ["52.0.0.0/8"]}}, True),
    ("network rule: destination IP group",
     classic(net=[("n", 100, "Allow", [{**net_rule("g", []), "destinationIpGroups": ["apis"]}])]),
     tcp("20.1.2.3"), {"ip_groups": {"apis": ["20.1.2.0/24"]}}, True),
    ("network rule: destination FQDN, same name", classic(net=[("n", 100, "Allow", [
        {**net_rule("f", []), "destinationFqdns": ["mcr.microsoft.com"]}])]),
     https("mcr.microsoft.com"), {}, True),
    ("network rule: destination FQDN without DNS -> None", classic(net=[("n", 100, "Allow", [
        {**net_rule("f", []), "destinationFqdns": ["api.example.com"]}])]), tcp("20.1.2.3"), {}, None),
    ("network rule: destination FQDN with DNS", classic(net=[("n", 100, "Allow", [
        {**net_rule("f", []), "destinationFqdns": ["api.example.com"]}])]), tcp("20.1.2.3"),
     {"dns": {"api.example.com": ["20.1.2.3"]}}, True),
    ("network rule: destination FQDN with DNS, other address", classic(net=[("n", 100, "Allow", [
        {**net_rule("f", []), "destinationFqdns": ["api.example.com"]}])]), tcp("20.1.2.4"),
     {"dns": {"api.example.com": ["20.1.2.3"]}}, False),
    ("network rule: request FQDN resolved through dns",
     classic(net=[("n", 100, "Allow", [net_rule("ip", ["20.1.2.3"])])]), https("api.example.com"),
     {"dns": {"api.example.com": "20.1.2.3"}}, True),
    ("network rule on an unresolved FQDN request -> None",
     classic(net=[("n", 100, "Deny", [net_rule("ip", ["20.1.2.3"])])], app=[ALLOW_DP]), https(DP), {}, None),
    ("unknown destination address that cannot change the result",
     classic(net=[("n", 100, "Allow", [net_rule("u", [Unknown("param")])])], app=[ALLOW_DP]), https(DP),
     {}, True),
    ("unknown collection priority that decides",
     classic(app=[("a", Unknown("p"), "Deny", [app_rule("x", [DP])]), ALLOW_DP]), https(DP), {}, None),
    # DNAT
    ("DNAT allows translated traffic", classic(nat=[("dnat", 100, "Dnat", [
        {"name": "ssh", "protocols": ["TCP"], "sourceAddresses": ["*"], "destinationAddresses": ["52.9.9.9"],
         "destinationPorts": ["22"], "translatedAddress": "10.240.0.9", "translatedPort": "22"}])]),
     tcp("52.9.9.9", 22, src="80.1.1.1", direction="inbound"), {}, True),
    ("DNAT overridden by a network deny on translated traffic", classic(
        nat=[("dnat", 100, "Dnat", [
            {"name": "ssh", "protocols": ["TCP"], "sourceAddresses": ["*"], "destinationAddresses": ["52.9.9.9"],
             "destinationPorts": ["22"], "translatedAddress": "10.240.0.9", "translatedPort": "22"}])],
        net=[("deny", 100, "Deny", [net_rule("no-ssh", ["10.240.0.9"], ["22"], src="*")])]),
     tcp("52.9.9.9", 22, src="80.1.1.1", direction="inbound"), {}, False),
    ("application rules are not applied inbound", classic(app=[ALLOW_DP]),
     {**https(DP), "direction": "inbound"}, {}, False),
    ("application rules are not applied to plain TCP", classic(app=[ALLOW_DP]), tcp(None, fqdn=DP), {}, False),
]


@pytest.mark.parametrize("name,firewall,request_,kwargs,expected", CLASSIC, ids=[c[0] for c in CLASSIC])
def test_classic_rules(name, firewall, request_, kwargs, expected):
    assert firewall_allows(firewall, request_, **kwargs) is expected


POLICY = [
    ("group priority beats collection priority", {"ruleCollectionGroups": [
        group("late", 500, ("deny", 100, "Deny", "app", [app_rule("d", [DP])])),
        group("early", 200, ("allow", 900, "Allow", "app", [app_rule("a", [DP])])),
    ]}, https(DP), True),
    ("collection priority within a group", {"ruleCollectionGroups": [
        group("g", 200, ("allow", 900, "Allow", "app", [app_rule("a", [DP])]),
              ("deny", 100, "Deny", "app", [app_rule("d", [DP])])),
    ]}, https(DP), False),
    ("network rules before application rules whatever the group priority", {"ruleCollectionGroups": [
        group("apps", 100, ("allow", 100, "Allow", "app", [app_rule("a", [DP])])),
        group("nets", 60000, ("deny", 100, "Deny", "net", [net_rule("d")])),
    ]}, https(DP), False),
    ("base policy groups first whatever the priority", {
        "ruleCollectionGroups": [group("child", 100, ("allow", 100, "Allow", "app", [app_rule("a", [DP])]))],
        "basePolicy": {"ruleCollectionGroups": [
            group("parent", 65000, ("deny", 65000, "Deny", "app", [app_rule("d", [DP])]))]},
    }, https(DP), False),
    ("policy default deny", {"ruleCollectionGroups": [
        group("g", 200, ("allow", 100, "Allow", "app", [app_rule("a", ["mcr.microsoft.com"])]))]},
     https(DP), False),
]


@pytest.mark.parametrize("name,policy,request_,expected", POLICY, ids=[c[0] for c in POLICY])
def test_policy_rules(name, policy, request_, expected):
    assert firewall_allows(policy, request_) is expected


def test_explain_names_group_collection_rule_and_location():
    rule = app_rule("dp", [DP])
    rule["__location__"] = ("fw.bicep", 40)
    policy = {"ruleCollectionGroups": [group("aks-rcg", 200, ("aks", 300, "Allow", "app", [rule]))]}
    verdict = firewall_explain(policy, https(DP))
    assert (verdict.allowed, verdict.kind, verdict.group, verdict.collection, verdict.rule,
            verdict.location) == (True, "application", "aks-rcg", "aks", "dp", ("fw.bicep", 40))


def test_explain_fqdn_tag_says_coverage_unknown():
    fw = classic(app=[("t", 100, "Allow", [app_rule("t", tags=["AzureKubernetesService"], protocols=())])])
    verdict = firewall_explain(fw, https(DP))
    assert verdict.allowed is None and "coverage unknown" in verdict.reason and verdict.rule == "t"


def test_explain_default_deny():
    verdict = firewall_explain(classic(), https(DP))
    assert verdict.allowed is False and verdict.rule is None and "default" in verdict.reason


def test_firewall_pointing_at_an_absent_policy_is_unknown():
    verdict = firewall_explain({"firewallPolicy": {"id": "/x/firewallPolicies/p"}}, https(DP))
    assert verdict.allowed is None and "firewallPolicies/p" in verdict.reason


def test_resource_body_with_properties_is_accepted():
    assert firewall_allows({"properties": classic(app=[ALLOW_DP])}, https(DP)) is True


def test_egress_data_is_sourced_and_usable_as_firewall_targets():
    from validator import reference_data
    from validator.network.fqdn import is_valid_pattern

    data = reference_data.load("egress")
    assert data["retrieved"] and data["as_of"]
    for flow in data["flows"]:
        assert flow["source"].startswith("https://"), flow["id"]
        for cloud, names in (flow.get("fqdns") or {}).items():
            assert cloud in ("public", "usgov", "china"), flow["id"]
            assert all(is_valid_pattern(n) for n in names), flow["id"]


@pytest.mark.parametrize("firewall", [
    {"applicationRuleCollections": [
        {"name": "d", "properties": {"priority": 100, "action": {"type": "Deny"}, "rules": Unknown("rules")}},
        *classic(app=[ALLOW_DP])["applicationRuleCollections"]]},
    {"applicationRuleCollections": Unknown("collections")},
    {"ruleCollectionGroups": Unknown("groups")},
    {"ruleCollectionGroups": [group("g", 100, ("d", 100, "Deny", "app", [])), Unknown("group")]},
    {"ruleCollectionGroups": [{"name": "g", "properties": {"priority": Unknown("p"), "ruleCollections": [
        {"name": "d", "priority": 100, "action": {"type": "Deny"},
         "ruleCollectionType": "FirewallPolicyFilterRuleCollection",
         "rules": [policy_rule("app", app_rule("d", [DP]))]}]}},
        group("g2", 200, ALLOW_DP[:3] + ("app", ALLOW_DP[3]))]},
])
def test_unreadable_parts_give_unknown_not_a_crash(firewall):
    assert firewall_allows(firewall, https(DP)) is None
