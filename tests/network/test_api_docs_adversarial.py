"""Adversarial, table-driven checks of the public network API against the documentation.

Each case cites the page it comes from; they go through ``validator.api`` exactly as an
outside test suite would.
- Kubernetes: https://kubernetes.io/docs/concepts/services-networking/network-policies/ and
  https://kubernetes.io/docs/reference/kubernetes-api/networking-resources/network-policy-v1/
- Calico: https://docs.tigera.io/calico/latest/reference/resources/networkpolicy,
  .../globalnetworkpolicy, .../tier and the selector table
- Azure NSG: https://learn.microsoft.com/azure/virtual-network/network-security-group-how-it-works
- Azure Firewall: https://learn.microsoft.com/azure/firewall/rule-processing and the FAQ wildcard table
- CoreDNS: https://coredns.io/plugins/{hosts,forward,rewrite,template}/, https://coredns.io/manual/configuration/
"""
from pathlib import Path

import pytest

from validator import api
from validator.config import Config
from validator.engine import scan
from validator.network.corefile import resolve_name

NS = {"a": {"labels": {"team": "x"}}, "b": {"labels": {"team": "y"}}, "kube-system": {"labels": {}}}
POD_A = {"namespace": "a", "pod": "pa", "labels": {"app": "client"}, "ip": "10.244.0.5"}
POD_B = {"namespace": "b", "pod": "pb", "labels": {"app": "server", "role": "db"}, "ip": "10.244.1.6",
         "named_ports": {"web": 8080, "dns": {"port": 53, "protocol": "UDP"}}}
POD_B2 = {"namespace": "b", "pod": "pb2", "labels": {"app": "other"}, "ip": "10.244.1.7"}
POD_A_SERVER = {"namespace": "a", "pod": "pas", "labels": {"app": "server"}, "ip": "10.244.0.9"}
OUT = {"ip": "52.1.2.3"}
OUT_EXCEPT = {"ip": "52.1.9.9"}


def knp(name, ns, spec):
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": ns}, "spec": spec}


def ingress_b(rules, types=None, selector=None):
    spec = {"podSelector": selector if selector is not None else {}, "ingress": rules}
    if types is not None:
        spec["policyTypes"] = types
    return knp("in", "b", spec)


def egress_a(rules, types=("Egress",)):
    return knp("out", "a", {"podSelector": {}, "policyTypes": list(types), "egress": rules})


NETPOL = [
    # ingress-only policy, policyTypes absent: egress not isolated
    ("ingress rules only, no policyTypes: egress open",
     [knp("p", "a", {"podSelector": {}, "ingress": [{"from": [{"podSelector": {}}]}]})],
     POD_A, OUT, 443, "TCP", "egress", True),
    ("ingress rules only, no policyTypes: ingress isolated",
     [knp("p", "b", {"podSelector": {}, "ingress": [{"from": [{"podSelector": {}}]}]})],
     POD_A, POD_B, 80, "TCP", "ingress", False),
    ("egress: [] with policyTypes [Egress] denies all", [egress_a([])], POD_A, OUT, 443, "TCP", "egress", False),
    ("egress rule with to: [] matches all destinations", [egress_a([{"to": []}])],
     POD_A, OUT, 443, "TCP", "egress", True),
    ("egress rule {} allows everything", [egress_a([{}])], POD_A, POD_B, 5432, "UDP", "egress", True),
    ("ingress rule from: [] matches all sources", [ingress_b([{"from": []}])], OUT, POD_B, 80, "TCP",
     "ingress", True),
    ("namespaceSelector {} alone: all pods in all namespaces",
     [ingress_b([{"from": [{"namespaceSelector": {}}]}])], POD_A, POD_B, 80, "TCP", "ingress", True),
    ("namespaceSelector {} alone does not match outside IPs",
     [ingress_b([{"from": [{"namespaceSelector": {}}]}])], OUT, POD_B, 80, "TCP", "ingress", False),
    ("podSelector {} alone: only the policy's namespace",
     [ingress_b([{"from": [{"podSelector": {}}]}])], POD_A, POD_B, 80, "TCP", "ingress", False),
    ("podSelector {} alone: same namespace allowed",
     [ingress_b([{"from": [{"podSelector": {}}]}])], POD_B2, POD_B, 80, "TCP", "ingress", True),
    ("ns+pod selector in one peer = AND (pod label mismatch)",
     [ingress_b([{"from": [{"namespaceSelector": {"matchLabels": {"team": "x"}},
                            "podSelector": {"matchLabels": {"app": "nope"}}}]}])],
     POD_A, POD_B, 80, "TCP", "ingress", False),
    ("ns+pod selector in two peers = OR",
     [ingress_b([{"from": [{"namespaceSelector": {"matchLabels": {"team": "x"}}},
                           {"podSelector": {"matchLabels": {"app": "nope"}}}]}])],
     POD_A, POD_B, 80, "TCP", "ingress", True),
    ("ns+pod selector in one peer = AND (both match)",
     [ingress_b([{"from": [{"namespaceSelector": {"matchLabels": {"team": "x"}},
                            "podSelector": {"matchLabels": {"app": "client"}}}]}])],
     POD_A, POD_B, 80, "TCP", "ingress", True),
    ("namespace name label is automatic",
     [ingress_b([{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "a"}}}]}])],
     POD_A, POD_B, 80, "TCP", "ingress", True),
    ("ipBlock cidr allows", [egress_a([{"to": [{"ipBlock": {"cidr": "52.1.0.0/16"}}]}])],
     POD_A, OUT, 443, "TCP", "egress", True),
    ("ipBlock except excludes", [egress_a([{"to": [{"ipBlock": {"cidr": "52.1.0.0/16",
                                                                 "except": ["52.1.9.0/24"]}}]}])],
     POD_A, OUT_EXCEPT, 443, "TCP", "egress", False),
    ("ipBlock outside cidr", [egress_a([{"to": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}])],
     POD_A, OUT, 443, "TCP", "egress", False),
    ("ports without protocol are TCP (UDP denied)", [egress_a([{"ports": [{"port": 53}]}])],
     POD_A, OUT, 53, "UDP", "egress", False),
    ("ports without protocol are TCP (TCP allowed)", [egress_a([{"ports": [{"port": 53}]}])],
     POD_A, OUT, 53, "TCP", "egress", True),
    ("protocol without port: every port of it", [egress_a([{"ports": [{"protocol": "UDP"}]}])],
     POD_A, OUT, 5000, "UDP", "egress", True),
    ("endPort range inclusive (upper)", [egress_a([{"ports": [{"port": 32000, "endPort": 32768}]}])],
     POD_A, OUT, 32768, "TCP", "egress", True),
    ("endPort range inclusive (lower)", [egress_a([{"ports": [{"port": 32000, "endPort": 32768}]}])],
     POD_A, OUT, 32000, "TCP", "egress", True),
    ("endPort range exclusive above", [egress_a([{"ports": [{"port": 32000, "endPort": 32768}]}])],
     POD_A, OUT, 32769, "TCP", "egress", False),
    ("named port in egress resolves on the destination pod",
     [egress_a([{"ports": [{"port": "web"}]}])], POD_A, POD_B, 8080, "TCP", "egress", True),
    ("named port in egress: wrong number", [egress_a([{"ports": [{"port": "web"}]}])],
     POD_A, POD_B, 9090, "TCP", "egress", False),
    ("named UDP port", [egress_a([{"ports": [{"port": "dns", "protocol": "UDP"}]}])],
     POD_A, POD_B, 53, "UDP", "egress", True),
    ("named port the destination does not declare: undecidable",
     [egress_a([{"ports": [{"port": "metrics"}]}])], POD_A, POD_B, 9153, "TCP", "egress", None),
    ("multiple policies are a union",
     [egress_a([{"ports": [{"port": 53, "protocol": "UDP"}]}]),
      knp("out2", "a", {"podSelector": {"matchLabels": {"app": "client"}}, "policyTypes": ["Egress"],
                        "egress": [{"ports": [{"port": 443}]}]})],
     POD_A, OUT, 443, "TCP", "egress", True),
    ("both: egress allowed but destination ingress denied",
     [egress_a([{}]), ingress_b([], types=["Ingress"])], POD_A, POD_B, 80, "TCP", "both", False),
    ("both: ingress allowed but source egress denied",
     [egress_a([]), ingress_b([{}])], POD_A, POD_B, 80, "TCP", "both", False),
    ("both: both allow", [egress_a([{}]), ingress_b([{}])], POD_A, POD_B, 80, "TCP", "both", True),
    ("both: only ingress of destination counts for ingress side",
     [ingress_b([{"from": [{"podSelector": {}}]}])], POD_A, POD_B, 80, "TCP", "both", False),
    ("matchExpressions NotIn matches a pod without the key",
     [ingress_b([{"from": [{"namespaceSelector": {}, "podSelector": {"matchExpressions": [
         {"key": "tier", "operator": "NotIn", "values": ["web"]}]}}]}])],
     POD_A, POD_B, 80, "TCP", "ingress", True),
    ("matchExpressions DoesNotExist",
     [ingress_b([{"from": [{"namespaceSelector": {}, "podSelector": {"matchExpressions": [
         {"key": "app", "operator": "DoesNotExist"}]}}]}])],
     POD_A, POD_B, 80, "TCP", "ingress", False),
    ("policy with podSelector not selecting the destination does not isolate it",
     [ingress_b([], types=["Ingress"], selector={"matchLabels": {"app": "nope"}})],
     POD_A, POD_B, 80, "TCP", "ingress", True),
    ("SCTP port", [egress_a([{"ports": [{"port": 9000, "protocol": "SCTP"}]}])],
     POD_A, OUT, 9000, "SCTP", "egress", True),
    ("protocol case-insensitive input", [egress_a([{"ports": [{"port": 443}]}])],
     POD_A, OUT, 443, "tcp", "egress", True),
]


@pytest.mark.parametrize("case", NETPOL, ids=[c[0] for c in NETPOL])
def test_networkpolicy(case):
    _, policies, src, dst, port, proto, direction, expected = case
    assert api.networkpolicy_allows(policies, NS, src, dst, port, proto, direction) is expected


# --- Calico -------------------------------------------------------------------


def cnp(name, ns, spec, kind="NetworkPolicy"):
    meta = {"name": name}
    if kind == "NetworkPolicy":
        meta["namespace"] = ns
    return {"apiVersion": "projectcalico.org/v3", "kind": kind, "metadata": meta, "spec": spec}


def gnp(name, spec):
    return cnp(name, None, spec, kind="GlobalNetworkPolicy")


def tier(name, order, default_action=None):
    spec = {"order": order}
    if default_action:
        spec["defaultAction"] = default_action
    return {"apiVersion": "projectcalico.org/v3", "kind": "Tier", "metadata": {"name": name}, "spec": spec}


SEC = [tier("security", 100)]
SEC_PASS = [tier("security", 100, "Pass")]

CALICO = [
    ("no policy: allowed", [], None, POD_A, OUT, 443, "TCP", "egress", True),
    ("lower order first: deny at 10 beats allow at 20",
     [gnp("allow", {"order": 20, "selector": "all()", "types": ["Egress"], "egress": [{"action": "Allow"}]}),
      gnp("deny", {"order": 10, "selector": "all()", "types": ["Egress"], "egress": [{"action": "Deny"}]})],
     None, POD_A, OUT, 443, "TCP", "egress", False),
    ("policy without order comes last",
     [gnp("deny", {"selector": "all()", "types": ["Egress"], "egress": [{"action": "Deny"}]}),
      gnp("allow", {"order": 5000, "selector": "all()", "types": ["Egress"], "egress": [{"action": "Allow"}]})],
     None, POD_A, OUT, 443, "TCP", "egress", True),
    ("end of tier with a selecting policy denies",
     [gnp("log", {"selector": "all()", "types": ["Egress"], "egress": [{"action": "Log"}]})],
     None, POD_A, OUT, 443, "TCP", "egress", False),
    ("policy with non-matching rule then end of tier: deny",
     [gnp("x", {"selector": "all()", "types": ["Egress"],
                "egress": [{"action": "Allow", "protocol": "UDP", "destination": {"ports": [53]}}]})],
     None, POD_A, OUT, 443, "TCP", "egress", False),
    ("Pass skips to the next tier (default tier allows)",
     [gnp("sec.pass", {"tier": "security", "selector": "all()", "types": ["Egress"], "egress": [{"action": "Pass"}]}),
      gnp("allow", {"selector": "all()", "types": ["Egress"], "egress": [{"action": "Allow"}]})],
     SEC, POD_A, OUT, 443, "TCP", "egress", True),
    ("Pass skips remaining policies of the tier",
     [gnp("sec.pass", {"tier": "security", "order": 1, "selector": "all()", "types": ["Egress"],
                       "egress": [{"action": "Pass"}]}),
      gnp("sec.deny", {"tier": "security", "order": 2, "selector": "all()", "types": ["Egress"],
                       "egress": [{"action": "Deny"}]})],
     SEC, POD_A, OUT, 443, "TCP", "egress", True),
    ("no policy of a tier selects the endpoint: next tier",
     [gnp("sec.other", {"tier": "security", "selector": "app == 'nope'", "types": ["Egress"],
                        "egress": [{"action": "Deny"}]})],
     SEC, POD_A, OUT, 443, "TCP", "egress", True),
    ("earlier tier deny beats later allow",
     [gnp("sec.deny", {"tier": "security", "selector": "all()", "types": ["Egress"], "egress": [{"action": "Deny"}]}),
      gnp("allow", {"order": 1, "selector": "all()", "types": ["Egress"], "egress": [{"action": "Allow"}]})],
     SEC, POD_A, OUT, 443, "TCP", "egress", False),
    ("tier defaultAction Pass: end of tier goes on",
     [gnp("sec.log", {"tier": "security", "selector": "all()", "types": ["Egress"], "egress": [{"action": "Log"}]})],
     SEC_PASS, POD_A, OUT, 443, "TCP", "egress", True),
    ("Kubernetes policy (order 1000) after a Calico deny at 900",
     [egress_a([{}]), cnp("deny", "a", {"order": 900, "selector": "all()", "types": ["Egress"],
                                         "egress": [{"action": "Deny"}]})],
     None, POD_A, OUT, 443, "TCP", "egress", False),
    ("Kubernetes policy (order 1000) before a Calico deny at 1100",
     [egress_a([{}]), cnp("deny", "a", {"order": 1100, "selector": "all()", "types": ["Egress"],
                                         "egress": [{"action": "Deny"}]})],
     None, POD_A, OUT, 443, "TCP", "egress", True),
    ("Kubernetes default-deny in the default tier after a Pass",
     [gnp("sec.pass", {"tier": "security", "selector": "all()", "types": ["Egress"], "egress": [{"action": "Pass"}]}),
      egress_a([])],
     SEC, POD_A, OUT, 443, "TCP", "egress", False),
    ("types inferred: egress rules only => Egress, ingress unaffected",
     [cnp("e", "b", {"selector": "all()", "egress": [{"action": "Deny"}]})],
     None, POD_A, POD_B, 80, "TCP", "ingress", True),
    ("types inferred: no rules => Ingress (deny all ingress)",
     [cnp("e", "b", {"selector": "all()"})], None, POD_A, POD_B, 80, "TCP", "ingress", False),
    ("types inferred: no rules => egress unaffected",
     [cnp("e", "a", {"selector": "all()"})], None, POD_A, OUT, 443, "TCP", "egress", True),
    ("types inferred: ingress+egress rules => both",
     [cnp("e", "a", {"selector": "all()", "ingress": [{"action": "Allow"}], "egress": [{"action": "Deny"}]})],
     None, POD_A, OUT, 443, "TCP", "egress", False),
    ("notNets excludes", [gnp("x", {"selector": "all()", "types": ["Egress"],
                                   "egress": [{"action": "Allow", "destination": {"notNets": ["52.1.0.0/16"]}}]})],
     None, POD_A, OUT, 443, "TCP", "egress", False),
    ("notNets allows others", [gnp("x", {"selector": "all()", "types": ["Egress"],
                                        "egress": [{"action": "Allow",
                                                    "destination": {"notNets": ["10.0.0.0/8"]}}]})],
     None, POD_A, OUT, 443, "TCP", "egress", True),
    ("notPorts", [gnp("x", {"selector": "all()", "types": ["Egress"],
                           "egress": [{"action": "Allow", "protocol": "TCP",
                                       "destination": {"notPorts": [443]}}]})],
     None, POD_A, OUT, 443, "TCP", "egress", False),
    ("port range start:end inclusive", [gnp("x", {"selector": "all()", "types": ["Egress"],
                                                 "egress": [{"action": "Allow", "protocol": "TCP",
                                                             "destination": {"ports": ["400:443"]}}]})],
     None, POD_A, OUT, 443, "TCP", "egress", True),
    ("namespaced Calico policy in another namespace does not select",
     [cnp("d", "b", {"selector": "all()", "types": ["Egress"], "egress": [{"action": "Deny"}]})],
     None, POD_A, OUT, 443, "TCP", "egress", True),
    ("GNP namespaceSelector by projectcalico.org/name",
     [gnp("d", {"namespaceSelector": "projectcalico.org/name == 'a'", "types": ["Egress"],
                "egress": [{"action": "Deny"}]})],
     None, POD_A, OUT, 443, "TCP", "egress", False),
    ("GNP namespaceSelector not matching",
     [gnp("d", {"namespaceSelector": "projectcalico.org/name == 'b'", "types": ["Egress"],
                "egress": [{"action": "Deny"}]})],
     None, POD_A, OUT, 443, "TCP", "egress", True),
    ("!has(k) selects pods without the label",
     [gnp("d", {"selector": "!has(role)", "types": ["Egress"], "egress": [{"action": "Deny"}]})],
     None, POD_A, OUT, 443, "TCP", "egress", False),
    ("rule selector in a namespaced policy: same namespace only",
     [cnp("in", "b", {"selector": "all()", "types": ["Ingress"],
                      "ingress": [{"action": "Allow", "source": {"selector": "app == 'client'"}}]})],
     None, POD_A, POD_B, 80, "TCP", "ingress", False),
    ("rule selector with namespaceSelector",
     [cnp("in", "b", {"selector": "all()", "types": ["Ingress"],
                      "ingress": [{"action": "Allow", "source": {"selector": "app == 'client'",
                                                                 "namespaceSelector": "team == 'x'"}}]})],
     None, POD_A, POD_B, 80, "TCP", "ingress", True),
    ("serviceAccountSelector on the policy",
     [cnp("d", "a", {"selector": "all()", "serviceAccountSelector": "role == 'backup'", "types": ["Egress"],
                     "egress": [{"action": "Deny"}]})],
     None, dict(POD_A, serviceAccount={"name": "sa", "labels": {"role": "backup"}}), OUT, 443, "TCP",
     "egress", False),
    ("serviceAccountSelector on the policy not matching",
     [cnp("d", "a", {"selector": "all()", "serviceAccountSelector": "role == 'backup'", "types": ["Egress"],
                     "egress": [{"action": "Deny"}]})],
     None, dict(POD_A, serviceAccount={"name": "sa", "labels": {"role": "web"}}), OUT, 443, "TCP",
     "egress", True),
    ("rule serviceAccounts names",
     [cnp("in", "b", {"selector": "all()", "types": ["Ingress"],
                      "ingress": [{"action": "Allow", "source": {"serviceAccounts": {"names": ["sa"]},
                                                                 "namespaceSelector": "all()"}}]})],
     None, dict(POD_A, serviceAccount={"name": "sa", "labels": {}}), POD_B, 80, "TCP", "ingress", True),
    ("protocol mismatch", [gnp("x", {"selector": "all()", "types": ["Egress"],
                                    "egress": [{"action": "Allow", "protocol": "UDP"}]})],
     None, POD_A, OUT, 443, "TCP", "egress", False),
]


@pytest.mark.parametrize("case", CALICO, ids=[c[0] for c in CALICO])
def test_calico(case):
    _, policies, tiers, src, dst, port, proto, direction, expected = case
    assert api.calico_allows(policies, NS, src, dst, port, proto, direction, tiers=tiers) is expected


SELECTORS = [
    ("app == 'x'", {"app": "x"}, True),
    ("app == \"x\"", {"app": "x"}, True),
    ("app != 'x'", {}, True),
    ("app != 'x'", {"app": "x"}, False),
    ("app in {'a', 'b'}", {"app": "b"}, True),
    ("app in {'a', 'b'}", {}, False),
    ("app not in {'a', 'b'}", {}, True),
    ("app not in {'a','b'}", {"app": "a"}, False),
    ("has(app)", {"app": ""}, True),
    ("!has(app)", {"app": "x"}, False),
    ("!has(app)", {}, True),
    ("all()", {}, True),
    ("", {"x": "y"}, True),
    ("global()", {"x": "y"}, False),
    ("app contains 'ck'", {"app": "backup"}, True),
    ("app starts with 'back'", {"app": "backup"}, True),
    ("app ends with 'up'", {"app": "backup"}, True),
    ("a == 'x' || b == 'y' && c == 'z'", {"a": "x"}, True),
    ("(a == 'x' || b == 'y') && c == 'z'", {"a": "x"}, False),
    ("!(a == 'x')", {"a": "y"}, True),
    ("!a == 'x'", {"a": "x"}, False),
    ("k8s-app == 'kube-dns' && projectcalico.org/namespace == 'kube-system'",
     {"k8s-app": "kube-dns", "projectcalico.org/namespace": "kube-system"}, True),
]


@pytest.mark.parametrize("selector,labels,expected", SELECTORS)
def test_calico_selector(selector, labels, expected):
    assert api.calico_selector_matches(selector, labels) is expected


@pytest.mark.parametrize("selector", ["app = 'x'", "app == x", "has(", "app in {'a'", "&& a == 'b'"])
def test_calico_selector_malformed(selector):
    with pytest.raises(ValueError):
        api.calico_selector_matches(selector, {})


# --- NSG ----------------------------------------------------------------------


def rule(name, priority, direction, access, src="*", dst="*", dport="*", proto="*", **extra):
    props = {"priority": priority, "direction": direction, "access": access, "protocol": proto,
             "sourceAddressPrefix": src, "sourcePortRange": "*", "destinationAddressPrefix": dst,
             "destinationPortRange": dport}
    props.update(extra)
    return {"name": name, "properties": props}


VNET = ["10.0.0.0/16"]


def flow(direction, src, dst, port, proto="Tcp", sport=50000):
    return {"direction": direction, "protocol": proto, "src_ip": src, "src_port": sport, "dst_ip": dst,
            "dst_port": port}


IN_VNET = flow("Inbound", "10.0.1.4", "10.0.2.4", 22)
OUT_NET = flow("Outbound", "10.0.2.4", "52.1.2.3", 443)
IN_NET = flow("Inbound", "52.1.2.3", "10.0.2.4", 443)

NSG = [
    ("no NSGs: allowed", None, None, OUT_NET, True),
    ("defaults: AllowVnetInBound", [], None, IN_VNET, True),
    ("defaults: DenyAllInBound from Internet", [], None, IN_NET, False),
    ("defaults: AllowInternetOutBound", [], [], OUT_NET, True),
    ("defaults: AllowAzureLoadBalancerInBound", [], None, flow("Inbound", "168.63.129.16", "10.0.2.4", 80), True),
    ("lowest priority number first",
     [rule("allow", 200, "Outbound", "Allow"), rule("deny", 100, "Outbound", "Deny")], None, OUT_NET, False),
    ("lowest priority number first (allow first)",
     [rule("allow", 100, "Outbound", "Allow"), rule("deny", 200, "Outbound", "Deny")], None, OUT_NET, True),
    ("custom deny beats default allow",
     [rule("deny", 4096, "Inbound", "Deny", src="VirtualNetwork")], None, IN_VNET, False),
    ("inbound: subnet allows, NIC denies", [rule("a", 100, "Inbound", "Allow")],
     [rule("d", 100, "Inbound", "Deny")], IN_NET, False),
    ("inbound: subnet denies, NIC allows", [rule("d", 100, "Inbound", "Deny")],
     [rule("a", 100, "Inbound", "Allow")], IN_NET, False),
    ("inbound: both allow", [rule("a", 100, "Inbound", "Allow")], [rule("a", 100, "Inbound", "Allow")],
     IN_NET, True),
    ("outbound: NIC denies", [], [rule("d", 100, "Outbound", "Deny", dst="Internet")], OUT_NET, False),
    ("outbound rule does not apply inbound", [rule("d", 100, "Outbound", "Deny")], None, IN_VNET, True),
    ("port range", [rule("d", 100, "Outbound", "Deny", dport="400-500")], None, OUT_NET, False),
    ("port range outside", [rule("d", 100, "Outbound", "Deny", dport="444-500")], None, OUT_NET, True),
    ("plural destinationPortRanges", [rule("d", 100, "Outbound", "Deny", dport=None,
                                           destinationPortRanges=["80", "443"])], None, OUT_NET, False),
    ("plural destinationAddressPrefixes", [rule("d", 100, "Outbound", "Deny", dst=None,
                                                destinationAddressPrefixes=["10.9.0.0/16", "52.1.0.0/16"])],
     None, OUT_NET, False),
    ("plural prefixes not matching", [rule("d", 100, "Outbound", "Deny", dst=None,
                                           destinationAddressPrefixes=["10.9.0.0/16", "52.2.0.0/16"])],
     None, OUT_NET, True),
    ("protocol Udp rule does not match Tcp", [rule("d", 100, "Outbound", "Deny", proto="Udp")], None, OUT_NET,
     True),
    ("Internet tag deny outbound", [rule("d", 100, "Outbound", "Deny", dst="Internet")], None, OUT_NET, False),
    ("Internet tag does not cover a private address",
     [rule("d", 100, "Outbound", "Deny", dst="Internet")], None, flow("Outbound", "10.0.2.4", "10.0.1.4", 443), True),
    ("default DenyAllOutBound for a private non-VNet address",
     [], None, flow("Outbound", "10.0.2.4", "192.168.5.5", 443), False),
]


@pytest.mark.parametrize("case", NSG, ids=[c[0] for c in NSG])
def test_nsg(case):
    _, subnet, nic, the_flow, expected = case
    assert api.nsg_allows(subnet, nic, the_flow, vnet_prefixes=VNET) is expected


# --- Azure Firewall -----------------------------------------------------------


def collection(kind, name, priority, action, rules):
    return {"name": name, "properties": {"priority": priority, "action": {"type": action}, "rules": rules}}


def app(name, fqdns, protocols=(("Https", 443),), src="10.0.0.0/16", **extra):
    r = {"name": name, "sourceAddresses": [src], "targetFqdns": list(fqdns),
         "protocols": [{"protocolType": t, "port": p} for t, p in protocols]}
    r.update(extra)
    return r


def net(name, dst=("*",), ports=("443",), protocols=("TCP",), src="10.0.0.0/16"):
    return {"name": name, "sourceAddresses": [src], "destinationAddresses": list(dst),
            "destinationPorts": list(ports), "protocols": list(protocols)}


def classic(net_cols=(), app_cols=(), nat_cols=()):
    return {"networkRuleCollections": list(net_cols), "applicationRuleCollections": list(app_cols),
            "natRuleCollections": list(nat_cols)}


def https(fqdn, dst_ip="52.1.2.3"):
    return {"direction": "outbound", "src_ip": "10.0.1.4", "protocol": "Https", "fqdn": fqdn, "port": 443,
            "dst_ip": dst_ip}


REGION_DP = "westeurope.dp.kubernetesconfiguration.azure.com"

FIREWALL = [
    ("default deny", classic(), https("a.contoso.com"), True and False),
    ("*.contoso.com matches one label", classic(app_cols=[collection("app", "c", 100, "Allow",
                                                                      [app("r", ["*.contoso.com"])])]),
     https("any.contoso.com"), True),
    ("*.contoso.com matches several labels (FAQ: anything to the left)",
     classic(app_cols=[collection("app", "c", 100, "Allow", [app("r", ["*.contoso.com"])])]),
     https("sub1.any.contoso.com"), True),
    ("*.contoso.com does not match the apex",
     classic(app_cols=[collection("app", "c", 100, "Allow", [app("r", ["*.contoso.com"])])]),
     https("contoso.com"), False),
    ("*contoso.com matches the apex",
     classic(app_cols=[collection("app", "c", 100, "Allow", [app("r", ["*contoso.com"])])]),
     https("contoso.com"), True),
    ("*contoso.com matches anycontoso.com",
     classic(app_cols=[collection("app", "c", 100, "Allow", [app("r", ["*contoso.com"])])]),
     https("example.anycontoso.com"), True),
    ("*.dp.kubernetesconfiguration.azure.com covers the regional endpoint",
     classic(app_cols=[collection("app", "c", 100, "Allow",
                                  [app("r", ["*.dp.kubernetesconfiguration.azure.com"])])]),
     https(REGION_DP), True),
    ("www.contoso.* is rejected (matches nothing)",
     classic(app_cols=[collection("app", "c", 100, "Allow", [app("r", ["www.contoso.*"])])]),
     https("www.contoso.com"), False),
    ("network rules before application rules regardless of collection priority",
     classic(net_cols=[collection("net", "n", 1000, "Deny", [net("deny")])],
             app_cols=[collection("app", "a", 100, "Allow", [app("r", ["*"])])]),
     https("x.contoso.com"), False),
    ("network allow wins before an application deny",
     classic(net_cols=[collection("net", "n", 1000, "Allow", [net("allow")])],
             app_cols=[collection("app", "a", 100, "Deny", [app("r", ["*"])])]),
     https("x.contoso.com"), True),
    ("collection priority within network rules",
     classic(net_cols=[collection("net", "allow", 200, "Allow", [net("a")]),
                       collection("net", "deny", 100, "Deny", [net("d")])]),
     https("x.contoso.com"), False),
    ("application rule wrong port", classic(app_cols=[collection("app", "c", 100, "Allow",
                                                                 [app("r", ["*"], protocols=(("Https", 8443),))])]),
     https("x.contoso.com"), False),
    ("FQDN tag is undecidable",
     classic(app_cols=[collection("app", "c", 100, "Allow",
                                  [{"name": "t", "sourceAddresses": ["*"], "fqdnTags": ["AzureKubernetesService"]}])]),
     https("mcr.microsoft.com"), None),
]


@pytest.mark.parametrize("case", FIREWALL, ids=[c[0] for c in FIREWALL])
def test_firewall(case):
    _, fw, request, expected = case
    assert api.firewall_allows(fw, request) is expected


def policy_group(name, priority, collections):
    return {"name": name, "properties": {"priority": priority, "ruleCollections": collections}}


def filter_collection(name, priority, action, rules):
    return {"ruleCollectionType": "FirewallPolicyFilterRuleCollection", "name": name, "priority": priority,
            "action": {"type": action}, "rules": rules}


def pnet(name, ports=("443",)):
    return {"ruleType": "NetworkRule", "name": name, "sourceAddresses": ["*"], "destinationAddresses": ["*"],
            "destinationPorts": list(ports), "ipProtocols": ["TCP"]}


def papp(name, fqdns):
    return {"ruleType": "ApplicationRule", "name": name, "sourceAddresses": ["*"], "targetFqdns": list(fqdns),
            "protocols": [{"protocolType": "Https", "port": 443}]}


def test_policy_group_priority_before_collection_priority():
    policy = {"ruleCollectionGroups": [
        policy_group("late", 500, [filter_collection("allow", 100, "Allow", [pnet("a")])]),
        policy_group("early", 200, [filter_collection("deny", 300, "Deny", [pnet("d")])]),
    ]}
    assert api.firewall_allows(policy, https("x.contoso.com")) is False


def test_policy_network_before_application_across_groups():
    policy = {"ruleCollectionGroups": [
        policy_group("apps", 100, [filter_collection("allow-app", 100, "Allow", [papp("a", ["*"])])]),
        policy_group("nets", 60000, [filter_collection("deny-net", 60000, "Deny", [pnet("d")])]),
    ]}
    assert api.firewall_allows(policy, https("x.contoso.com")) is False


def test_policy_parent_groups_first():
    child = {"ruleCollectionGroups": [policy_group("c", 100, [filter_collection("allow", 100, "Allow",
                                                                                 [pnet("a")])])],
             "basePolicy": {"ruleCollectionGroups": [
                 policy_group("p", 65000, [filter_collection("deny", 65000, "Deny", [pnet("d")])])]}}
    assert api.firewall_allows(child, https("x.contoso.com")) is False


# --- CoreDNS ------------------------------------------------------------------


def test_parse_corefile_zones_and_longest_match():
    blocks = api.parse_corefile("example.org:53 {\n  forward . 10.0.0.1\n}\n"
                                "a.example.org {\n  forward . 10.0.0.2\n}\n.:53 {\n  forward . /etc/resolv.conf\n}\n")
    assert [b.zones for b in blocks] == [["example.org."], ["a.example.org."], ["."]]
    assert [b.port for b in blocks] == [53, 53, 53]
    assert blocks[0].directives[0].name == "forward" and blocks[0].directives[0].line == 2


def test_parse_corefile_multiple_keys():
    blocks = api.parse_corefile("example.org example.net:1053 {\n  whoami\n}\n")
    assert blocks[0].zones == ["example.org.", "example.net."]


COREDNS = [
    ("hosts with fallthrough: other names go to forward",
     {"test.override": "hosts {\n  10.0.0.1 example1.org\n  fallthrough\n}\n"}, "microsoft.com", "default"),
    ("hosts answers its entry", {"test.override": "hosts {\n  10.0.0.1 example1.org\n  fallthrough\n}\n"},
     "example1.org", "hosts"),
    ("hosts without fallthrough: other names fail in hosts",
     {"test.override": "hosts {\n  10.0.0.1 example1.org\n}\n"}, "microsoft.com", "hosts"),
    ("hosts without fallthrough still lets cluster names? (hosts runs before kubernetes)",
     {"test.override": "hosts {\n  10.0.0.1 example1.org\n}\n"}, "kubernetes.default.svc.cluster.local", "hosts"),
    ("server block for a zone forwards", {"puglife.server": "puglife.local:53 {\n  errors\n  cache 30\n"
                                                            "  forward . 192.11.0.1\n}\n"},
     "a.puglife.local", "forward"),
    ("other names are not affected by the zone block", {"puglife.server": "puglife.local:53 {\n"
                                                                          "  forward . 192.11.0.1\n}\n"},
     "mcr.microsoft.com", "default"),
    ("forward except passes to the next plugin",
     {"x.server": "corp.com:53 {\n  forward . 10.1.1.1 {\n    except skip.corp.com\n  }\n}\n"},
     "a.skip.corp.com", "servfail"),
]


@pytest.mark.parametrize("case", COREDNS, ids=[c[0] for c in COREDNS])
def test_coredns_resolve(case):
    _, data, name, action = case
    assert resolve_name(data, name)["action"] == action


# template CLASS TYPE: "TYPE the query type (A, PTR, ... can be ANY to match all types)"
# (https://coredns.io/plugins/template/): an AAAA template does not answer address (A) queries.
TEMPLATES = [
    ("template ANY AAAA passes A queries on", "template ANY AAAA {\n  rcode NXDOMAIN\n}\n", "default"),
    ("template IN AAAA . passes A queries on", "template IN AAAA . {\n  rcode NXDOMAIN\n}\n", "default"),
    ("template ANY A answers", "template ANY A {\n  rcode NXDOMAIN\n}\n", "template"),
    ("template ANY ANY answers", "template ANY ANY {\n  rcode NXDOMAIN\n}\n", "template"),
    ("template CH A does not answer IN queries", "template CH A {\n  rcode NXDOMAIN\n}\n", "default"),
    ("template for another zone", "template ANY ANY example.org {\n  rcode NXDOMAIN\n}\n", "default"),
]


@pytest.mark.parametrize("case", TEMPLATES, ids=[c[0] for c in TEMPLATES])
def test_coredns_template_types(case):
    _, override, action = case
    answer = resolve_name({"t.override": override}, "westeurope.dp.kubernetesconfiguration.azure.com")
    assert answer["action"] == action


_CLUSTER = (Path(__file__).parents[2] / "fixtures/rules/AKSB-DNS-002/good/backed-up-cluster-westeurope.json")

# The coredns-custom examples of https://learn.microsoft.com/azure/aks/coredns-custom, the troubleshooting
# guide's pin (TSG Scenario 3) and the common "no AAAA answers" template: none touches the extension endpoints.
DOCUMENTED_COREDNS_CUSTOM = """
apiVersion: v1
kind: ConfigMap
metadata:
  name: coredns-custom
  namespace: kube-system
data:
  aksdp.override: |
        hosts { 
            20.61.99.83 westeurope.dp.kubernetesconfiguration.azure.com
            fallthrough
         }
  ipv6.override: |
    template ANY AAAA {
      rcode NXDOMAIN
    }
  log.override: |
        log
  test.server: |
    contoso.com:53 {
    log
    errors
    rewrite stop {
      name regex (.*)\\.contoso.com {1}.default.svc.cluster.local
      answer name (.*)\\.default\\.svc\\.cluster\\.local {1}.contoso.com
    }
    forward . /etc/resolv.conf # you can redirect this to a specific DNS server
    }
  puglife.server: |
    puglife.local:53 {
        errors
        cache 30
        forward . 192.11.0.1  # this is my test/dev DNS server
    }
"""


def test_documented_coredns_custom_examples_raise_no_dns_finding(tmp_path):
    (tmp_path / "cluster.json").write_text(_CLUSTER.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "coredns-custom.yaml").write_text(DOCUMENTED_COREDNS_CUSTOM.lstrip(), encoding="utf-8")
    result = scan(tmp_path, Config(select=["AKSB-DNS-001", "AKSB-DNS-002", "AKSB-DNS-003"], preview=True))
    assert [(f.rule_id if hasattr(f, "rule_id") else None, f.message) for f in result.findings] == []
    assert not [d for d in result.diagnostics if d.severity != "info"], result.diagnostics


def _net_fqdn_firewall(fqdns):
    rule = {"name": "f", "sourceAddresses": ["10.0.0.0/16"], "destinationFqdns": list(fqdns),
            "destinationPorts": ["443"], "protocols": ["TCP"]}
    return classic(net_cols=[collection("net", "n", 100, "Allow", [rule])])


# "By design, FQDN filtering in network rules doesn't support wildcards"
# (https://learn.microsoft.com/azure/firewall/fqdn-filtering-network-rules)
NETWORK_FQDNS = [
    ("network rule exact FQDN", ["mcr.microsoft.com"], "mcr.microsoft.com", True),
    ("network rule wildcard FQDN matches nothing", ["*.microsoft.com"], "mcr.microsoft.com", False),
    ("network rule bare * matches nothing", ["*"], "mcr.microsoft.com", False),
]


@pytest.mark.parametrize("case", NETWORK_FQDNS, ids=[c[0] for c in NETWORK_FQDNS])
def test_firewall_network_rule_fqdns_have_no_wildcards(case):
    _, fqdns, name, expected = case
    request = {"direction": "outbound", "src_ip": "10.0.1.4", "protocol": "TCP", "fqdn": name, "port": 443}
    assert api.firewall_allows(_net_fqdn_firewall(fqdns), request) is expected


@pytest.mark.parametrize("direction", ["Egress", "EGRESS", " egress"])
def test_direction_spelled_like_policy_types(direction):
    assert api.networkpolicy_allows([egress_a([])], NS, POD_A, OUT, 443, "TCP", direction) is False
    assert api.calico_allows([egress_a([])], NS, POD_A, OUT, 443, "TCP", direction) is False


def test_port_given_as_text():
    policies = [egress_a([{"ports": [{"port": 443}]}])]
    assert api.networkpolicy_allows(policies, NS, POD_A, OUT, "443", "TCP", "egress") is True
    assert api.calico_allows(policies, NS, POD_A, OUT, "443", "TCP", "egress") is True


# Without vnet_prefixes a public address is taken as Internet ("outside the virtual network",
# service-tags-overview), so it is not VirtualNetwork either: DenyAllInBound decides.
NSG_WITHOUT_VNET = [
    ("inbound from the Internet with defaults only", [], flow("Inbound", "52.1.2.3", "10.0.2.4", 443), False),
    ("outbound to the Internet with defaults only", [], flow("Outbound", "10.0.2.4", "52.1.2.3", 443), True),
    ("inbound from a public service tag with defaults only", [], flow("Inbound", "AzureCloud", "10.0.2.4", 443),
     False),
    ("a private source may be in the VNet: undecided", [], flow("Inbound", "10.0.1.4", "10.0.2.4", 443), None),
]


@pytest.mark.parametrize("case", NSG_WITHOUT_VNET, ids=[c[0] for c in NSG_WITHOUT_VNET])
def test_nsg_without_vnet_prefixes(case):
    _, subnet, the_flow, expected = case
    assert api.nsg_allows(subnet, None, the_flow) is expected


# "10.0.0.0/24 { whoami }" is the reverse zone 0.0.10.in-addr.arpa (https://coredns.io/manual/configuration/)
REVERSE_KEYS = [
    ("10.0.0.0/24", ["0.0.10.in-addr.arpa."], 53),
    ("10.0.0.0/8:1053", ["10.in-addr.arpa."], 1053),
    ("10.0.0.0/23", ["0.0.10.in-addr.arpa.", "1.0.10.in-addr.arpa."], 53),
    ("2001:db8::/32", ["8.b.d.0.1.0.0.2.ip6.arpa."], 53),
    ("0.0.10.in-addr.arpa", ["0.0.10.in-addr.arpa."], 53),
]


@pytest.mark.parametrize("key,zones,port", REVERSE_KEYS)
def test_corefile_cidr_keys_are_reverse_zones(key, zones, port):
    block = api.parse_corefile(key + " {\n    whoami\n}\n")[0]
    assert (block.zones, block.port) == (zones, port)


def test_aks_default_corefile_is_one_server_block():
    from validator.network.corefile import AKS_DEFAULT_COREFILE
    blocks = api.parse_corefile(AKS_DEFAULT_COREFILE)
    assert [(b["keys"], b["zones"], b["port"]) for b in blocks] == [([".:53"], ["."], 53)]
    names = [d["name"] for d in blocks[0]["directives"]]
    assert names[:4] == ["errors", "ready", "health", "kubernetes"] and "forward" in names
    kubernetes = blocks[0]["directives"][3]
    assert kubernetes["args"] == ["cluster.local", "in-addr.arpa", "ip6.arpa"] and kubernetes["line"] == 7
    assert [d["name"] for d in kubernetes["block"]] == ["pods", "fallthrough", "ttl"]


# A namespace the scan does not declare (kube-system here) has its automatic
# kubernetes.io/metadata.name label; its other labels are not known, so a policy that picks it by
# another label is undecided (info), not a denial (error).
DP_NAMESPACE = """
apiVersion: v1
kind: Namespace
metadata:
  name: dataprotection-microsoft
"""

DNS_BY_LABEL = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: egress-lockdown
  namespace: dataprotection-microsoft
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - ports:
        - {protocol: TCP, port: 443}
    - to:
        - namespaceSelector:
            matchLabels: {%s}
          podSelector:
            matchLabels: {k8s-app: kube-dns}
      ports:
        - {protocol: UDP, port: 53}
"""


def _net001(tmp_path, label):
    (tmp_path / "ns.yaml").write_text(DP_NAMESPACE.lstrip(), encoding="utf-8")
    (tmp_path / "policy.yaml").write_text((DNS_BY_LABEL % label).lstrip(), encoding="utf-8")
    result = scan(tmp_path, Config(select=["AKSB-NET-001"], preview=True))
    return [(f.severity, f.message) for f in result.findings]


def test_dns_allowed_by_automatic_namespace_label(tmp_path):
    assert _net001(tmp_path, "kubernetes.io/metadata.name: kube-system") == []


def test_dns_allowed_by_undeclared_namespace_label_is_undecided(tmp_path):
    found = _net001(tmp_path, "name: kube-system")
    assert [severity for severity, _ in found] == ["info"], found


def test_dns_allowed_by_declared_namespace_label(tmp_path):
    (tmp_path / "kube-system.yaml").write_text(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: kube-system\n  labels: {name: kube-system}\n",
        encoding="utf-8")
    assert _net001(tmp_path, "name: kube-system") == []


def test_dns_pods_picked_by_a_label_aks_may_set_is_undecided(tmp_path):
    (tmp_path / "ns.yaml").write_text(DP_NAMESPACE.lstrip(), encoding="utf-8")
    policy = (DNS_BY_LABEL % "kubernetes.io/metadata.name: kube-system").replace(
        "matchLabels: {k8s-app: kube-dns}", "matchLabels: {kubernetes.io/cluster-service: 'true'}")
    (tmp_path / "policy.yaml").write_text(policy.lstrip(), encoding="utf-8")
    result = scan(tmp_path, Config(select=["AKSB-NET-001"], preview=True))
    assert [f.severity for f in result.findings] == ["info"]


def test_policy_rule_without_rule_type_is_read_from_its_fields():
    policy = {"ruleCollectionGroups": [policy_group("g", 100, [filter_collection("c", 100, "Allow", [
        {"name": "r", "sourceAddresses": ["*"], "targetFqdns": ["mcr.microsoft.com"],
         "protocols": [{"protocolType": "Https", "port": 443}]}])])]}
    assert api.firewall_allows(policy, https("mcr.microsoft.com")) is True
    assert api.firewall_allows(policy, https("evil.example.com")) is False


@pytest.mark.parametrize("argv,flagged", [
    (["psql", "-c", "SELECT pg_switch_wal() WHERE 2 > 1"], None),  # psql reads its -c value, no shell
    (["mysql", "--execute=FLUSH TABLES; UNLOCK TABLES"], None),
    (["psql", "-c", "CHECKPOINT", "&&", "sync"], "&&"),
    (["pg_dump -U postgres orders > /backup/orders.sql"], "pg_dump -U postgres orders > /backup/orders.sql"),
    (["/bin/uname", "-a"], None),  # the AKS backup hooks how-to
])
def test_hook_argv_shell_syntax(argv, flagged):
    from validator.checks.backup_hook_invalid import _shell_element
    assert _shell_element(argv) == flagged


def test_corefile_lexer_like_caddy():
    # inside quotes only \" is an escape ("only escape quotes"); '#' starts a comment even mid-word
    block = api.parse_corefile('. {\n  template ANY ANY x {\n    match "^a\\\\.b\\"c$" "d#e"\n  }\n'
                               '  forward . 10.0.0.1#comment\n}\n')[0]
    assert block.directives[0].block[0].args == ['^a\\\\.b"c$', "d#e"]
    assert block.directives[1].args == [".", "10.0.0.1"]
