"""Kubernetes NetworkPolicy semantics, case by case from
https://kubernetes.io/docs/concepts/services-networking/network-policies/ and the API reference."""
import pytest

from validator.model import Unknown
from validator.network import cidr
from validator.network.netpol import (PolicyRef, explain_flow, label_selector_matches,
                                      networkpolicy_allows)

DP = "dataprotection-microsoft"
AGENT = {"namespace": DP, "pod": "agent", "labels": {"app": "agent"}, "ip": "10.244.1.5"}
DNS = {"namespace": "kube-system", "pod": "coredns", "labels": {"k8s-app": "kube-dns"}, "ip": "10.244.0.10",
       "named_ports": {"dns": {"port": 53, "protocol": "UDP"}, "dns-tcp": {"port": 53, "protocol": "TCP"},
                       "metrics": 9153}}
API = {"ip": "20.50.1.1"}
WEB = {"namespace": "web", "pod": "web", "labels": {"app": "web", "tier": "front"}, "ip": "10.244.2.7",
       "named_ports": {"http": 8080}}
NAMESPACES = {"kube-system": {"labels": {"team": "platform"}}, "web": {"labels": {"env": "prod"}}}


def np(name, spec, ns=DP, **extra):
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": ns}, "spec": spec, **extra}


DENY_EGRESS = np("default-deny", {"podSelector": {}, "policyTypes": ["Egress"]})
DENY_INGRESS_WEB = np("deny-in", {"podSelector": {}}, ns="web")


def allow_egress(to=None, ports=None, name="allow", selector=None, ns=DP):
    rule = {}
    if to is not None:
        rule["to"] = to
    if ports is not None:
        rule["ports"] = ports
    return np(name, {"podSelector": selector or {}, "policyTypes": ["Egress"], "egress": [rule]}, ns=ns)


CASES = [
    # (id, policies, source, destination, port, protocol, direction, expected)
    ("no policy: allowed", [], AGENT, API, 443, "TCP", "egress", True),
    ("default deny egress", [DENY_EGRESS], AGENT, API, 443, "TCP", "egress", False),
    ("deny egress does not isolate ingress", [DENY_EGRESS], WEB, AGENT, 443, "TCP", "ingress", True),
    ("policy in another namespace does not isolate", [np("x", {"podSelector": {}, "policyTypes": ["Egress"]},
                                                          ns="other")], AGENT, API, 443, "TCP", "egress", True),
    ("podSelector not matching: not isolated",
     [np("x", {"podSelector": {"matchLabels": {"app": "db"}}, "policyTypes": ["Egress"]})],
     AGENT, API, 443, "TCP", "egress", True),
    # policyTypes defaulting: Ingress always, Egress only with egress rules
    ("no policyTypes, no egress: egress unrestricted", [np("x", {"podSelector": {}})],
     AGENT, API, 443, "TCP", "egress", True),
    ("no policyTypes, no rules: ingress denied", [np("x", {"podSelector": {}}, ns="web")],
     AGENT, WEB, 8080, "TCP", "ingress", False),
    ("no policyTypes, egress rules present: egress isolated",
     [np("x", {"podSelector": {}, "egress": [{"ports": [{"port": 53, "protocol": "UDP"}]}]})],
     AGENT, API, 443, "TCP", "egress", False),
    ("no policyTypes, egress: [] does not add Egress", [np("x", {"podSelector": {}, "egress": []})],
     AGENT, API, 443, "TCP", "egress", True),
    ("policyTypes Ingress only: egress rules ignored",
     [np("x", {"podSelector": {}, "policyTypes": ["Ingress"], "egress": []})], AGENT, API, 443, "TCP", "egress", True),
    # ingress: [] vs ingress: [{}]
    ("ingress [] denies", [np("x", {"podSelector": {}, "ingress": []}, ns="web")],
     AGENT, WEB, 8080, "TCP", "ingress", False),
    ("ingress [{}] allows all", [np("x", {"podSelector": {}, "ingress": [{}]}, ns="web")],
     AGENT, WEB, 8080, "TCP", "ingress", True),
    ("egress [{}] allows all", [DENY_EGRESS, allow_egress()], AGENT, API, 443, "TCP", "egress", True),
    ("to: [] matches all peers", [DENY_EGRESS, allow_egress(to=[])], AGENT, API, 443, "TCP", "egress", True),
    ("ports: [] matches all ports", [DENY_EGRESS, allow_egress(ports=[])], AGENT, API, 443, "TCP", "egress", True),
    # union of policies
    ("union: second policy allows", [DENY_EGRESS, allow_egress(ports=[{"port": 53, "protocol": "UDP"}], name="dns"),
                                     allow_egress(ports=[{"port": 443}], name="https")],
     AGENT, API, 443, "TCP", "egress", True),
    # ports
    ("protocol defaults to TCP", [DENY_EGRESS, allow_egress(ports=[{"port": 53}])], AGENT, DNS, 53, "UDP", "egress",
     False),
    ("protocol UDP matches", [DENY_EGRESS, allow_egress(ports=[{"port": 53, "protocol": "UDP"}])],
     AGENT, DNS, 53, "UDP", "egress", True),
    ("port absent = all ports of protocol", [DENY_EGRESS, allow_egress(ports=[{"protocol": "UDP"}])],
     AGENT, DNS, 5353, "UDP", "egress", True),
    ("endPort range includes", [DENY_EGRESS, allow_egress(ports=[{"port": 400, "endPort": 500}])],
     AGENT, API, 443, "TCP", "egress", True),
    ("endPort range excludes", [DENY_EGRESS, allow_egress(ports=[{"port": 444, "endPort": 500}])],
     AGENT, API, 443, "TCP", "egress", False),
    ("endPort below port is invalid", [DENY_EGRESS, allow_egress(ports=[{"port": 500, "endPort": 400}])],
     AGENT, API, 443, "TCP", "egress", None),
    ("SCTP", [DENY_EGRESS, allow_egress(ports=[{"port": 443, "protocol": "SCTP"}])], AGENT, API, 443, "SCTP",
     "egress", True),
    # named ports resolve on the destination, also in egress
    ("named port egress to dns", [DENY_EGRESS, allow_egress(ports=[{"port": "dns", "protocol": "UDP"}])],
     AGENT, DNS, 53, "UDP", "egress", True),
    ("named port protocol mismatch", [DENY_EGRESS, allow_egress(ports=[{"port": "dns", "protocol": "TCP"}])],
     AGENT, DNS, 53, "TCP", "egress", False),
    ("named port plain int form", [DENY_EGRESS, allow_egress(ports=[{"port": "metrics"}])],
     AGENT, DNS, 9153, "TCP", "egress", True),
    ("named port unknown on destination", [DENY_EGRESS, allow_egress(ports=[{"port": "https"}])],
     AGENT, DNS, 443, "TCP", "egress", None),
    ("named port to outside peer never matches", [DENY_EGRESS, allow_egress(ports=[{"port": "https"}])],
     AGENT, API, 443, "TCP", "egress", False),
    ("named port on ingress", [DENY_INGRESS_WEB, np("in", {"podSelector": {}, "ingress": [
        {"ports": [{"port": "http"}]}]}, ns="web")], AGENT, WEB, 8080, "TCP", "ingress", True),
    # ipBlock
    ("ipBlock allows outside ip", [DENY_EGRESS, allow_egress(to=[{"ipBlock": {"cidr": "20.0.0.0/8"}}])],
     AGENT, API, 443, "TCP", "egress", True),
    ("ipBlock except excludes", [DENY_EGRESS, allow_egress(
        to=[{"ipBlock": {"cidr": "20.0.0.0/8", "except": ["20.50.0.0/16"]}}])],
     AGENT, API, 443, "TCP", "egress", False),
    ("ipBlock outside the cidr", [DENY_EGRESS, allow_egress(to=[{"ipBlock": {"cidr": "10.0.0.0/8"}}])],
     AGENT, API, 443, "TCP", "egress", False),
    ("ipBlock with a pod ip in the block (as the upstream conformance tests expect)", [DENY_EGRESS, allow_egress(
        to=[{"ipBlock": {"cidr": "0.0.0.0/0"}}])], AGENT, DNS, 53, "UDP", "egress", True),
    ("ipBlock with a pod ip outside the block", [DENY_EGRESS, allow_egress(
        to=[{"ipBlock": {"cidr": "20.0.0.0/8"}}])], AGENT, DNS, 53, "UDP", "egress", False),
    ("ipBlock plus podSelector in one peer is invalid", [DENY_EGRESS, allow_egress(
        to=[{"ipBlock": {"cidr": "0.0.0.0/0"}, "podSelector": {}}])], AGENT, API, 443, "TCP", "egress", None),
    ("ipBlock with an Unknown cidr", [DENY_EGRESS, allow_egress(
        to=[{"ipBlock": {"cidr": Unknown("parameter 'cidr'")}}])], AGENT, API, 443, "TCP", "egress", None),
    ("ipv6 peer not in ipv4 block", [DENY_EGRESS, allow_egress(to=[{"ipBlock": {"cidr": "0.0.0.0/0"}}])],
     AGENT, {"ip": "2001:db8::1"}, 443, "TCP", "egress", False),
    # selectors in peers
    ("podSelector peer: same namespace only", [DENY_EGRESS, allow_egress(to=[{"podSelector": {}}])],
     AGENT, DNS, 53, "UDP", "egress", False),
    ("pod selectors never match an outside peer", [DENY_EGRESS, allow_egress(to=[{"namespaceSelector": {}}])],
     AGENT, API, 443, "TCP", "egress", False),
    ("namespaceSelector {} = all namespaces", [DENY_EGRESS, allow_egress(to=[{"namespaceSelector": {}}])],
     AGENT, DNS, 53, "UDP", "egress", True),
    ("automatic namespace name label", [DENY_EGRESS, allow_egress(to=[{"namespaceSelector": {
        "matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}])], AGENT, DNS, 53, "UDP", "egress", True),
    ("namespace missing from the map has only the name label", [DENY_EGRESS, allow_egress(to=[{
        "namespaceSelector": {"matchLabels": {"team": "x"}}}])], AGENT,
     {"namespace": "unlisted", "labels": {}}, 80, "TCP", "egress", False),
    ("namespaceSelector AND podSelector in one peer: pod does not match", [DENY_EGRESS, allow_egress(to=[{
        "namespaceSelector": {"matchLabels": {"team": "platform"}}, "podSelector": {"matchLabels": {"app": "x"}}}])],
     AGENT, DNS, 53, "UDP", "egress", False),
    ("namespaceSelector AND podSelector: both match", [DENY_EGRESS, allow_egress(to=[{
        "namespaceSelector": {"matchLabels": {"team": "platform"}},
        "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}])], AGENT, DNS, 53, "UDP", "egress", True),
    ("separate peers are ORed", [DENY_EGRESS, allow_egress(to=[
        {"namespaceSelector": {"matchLabels": {"team": "platform"}}}, {"podSelector": {"matchLabels": {"app": "x"}}}])],
     AGENT, DNS, 53, "UDP", "egress", True),
    ("matchExpressions In", [DENY_EGRESS, allow_egress(to=[{"namespaceSelector": {"matchExpressions": [
        {"key": "team", "operator": "In", "values": ["platform", "sre"]}]}}])], AGENT, DNS, 53, "UDP", "egress", True),
    ("matchExpressions NotIn", [DENY_EGRESS, allow_egress(to=[{"namespaceSelector": {"matchExpressions": [
        {"key": "team", "operator": "NotIn", "values": ["platform"]}]}}])], AGENT, DNS, 53, "UDP", "egress", False),
    ("matchExpressions DoesNotExist", [DENY_EGRESS, allow_egress(to=[{"namespaceSelector": {"matchExpressions": [
        {"key": "env", "operator": "DoesNotExist"}]}}])], AGENT, DNS, 53, "UDP", "egress", True),
    ("malformed operator", [DENY_EGRESS, allow_egress(to=[{"namespaceSelector": {"matchExpressions": [
        {"key": "env", "operator": "Equals", "values": ["x"]}]}}])], AGENT, DNS, 53, "UDP", "egress", None),
    ("Unknown label value", [DENY_EGRESS, allow_egress(to=[{"podSelector": {"matchLabels": {"app": Unknown("p")}}}])],
     AGENT, dict(AGENT, pod="other"), 80, "TCP", "egress", None),
    ("malformed selector in an unrelated direction does not matter", [np("x", {"podSelector": {}, "ingress": [
        {"from": [{"podSelector": {"matchExpressions": [{"key": "a", "operator": "Bad"}]}}]}]})],
     AGENT, API, 443, "TCP", "egress", True),
    ("uncertain selection but a certain allow", [np("x", {"podSelector": {"matchLabels": {"app": Unknown("p")}},
                                                          "policyTypes": ["Egress"], "egress": [{}]})],
     AGENT, API, 443, "TCP", "egress", True),
    ("uncertain selection, no allow", [np("x", {"podSelector": {"matchLabels": {"app": Unknown("p")}},
                                                "policyTypes": ["Egress"]})], AGENT, API, 443, "TCP", "egress", None),
    # direction both
    ("both: egress allowed, ingress denied", [DENY_INGRESS_WEB], AGENT, WEB, 8080, "TCP", "both", False),
    ("both: egress and ingress allowed", [DENY_EGRESS, allow_egress(to=[{"namespaceSelector": {}}]),
                                          DENY_INGRESS_WEB, np("in", {"podSelector": {}, "ingress": [{"from": [
                                              {"namespaceSelector": {"matchLabels": {
                                                  "kubernetes.io/metadata.name": DP}}}]}]}, ns="web")],
     AGENT, WEB, 8080, "TCP", "both", True),
    ("outside source: ingress only at destination", [DENY_EGRESS], API, AGENT, 443, "TCP", "both", True),
    ("Calico objects are ignored here", [{"apiVersion": "projectcalico.org/v3", "kind": "NetworkPolicy",
                                          "metadata": {"name": "c", "namespace": DP}, "spec": {"types": ["Egress"]}}],
     AGENT, API, 443, "TCP", "egress", True),
]


@pytest.mark.parametrize("policies,source,destination,port,protocol,direction,expected",
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_networkpolicy_allows(policies, source, destination, port, protocol, direction, expected):
    assert networkpolicy_allows(policies, NAMESPACES, source, destination, port, protocol, direction) is expected


def test_ipblock_pod_ip_when_the_caller_knows_the_cni():
    policies = [DENY_EGRESS, allow_egress(to=[{"ipBlock": {"cidr": "0.0.0.0/0"}}])]
    assert networkpolicy_allows(policies, NAMESPACES, AGENT, DNS, 53, "UDP", "egress",
                                ipblock_matches_pods=True) is True
    assert networkpolicy_allows(policies, NAMESPACES, AGENT, DNS, 53, "UDP", "egress",
                                ipblock_matches_pods=False) is False


def test_explanation_names_the_isolating_policy_and_carries_location():
    where = object()
    deny = dict(DENY_EGRESS, __location__=where)
    verdict = explain_flow([deny], NAMESPACES, {"namespace": DP, "labels": {}}, {"ip": "10.0.0.1"}, 443, "TCP",
                           "egress")
    assert verdict.allowed is False
    assert verdict.isolating == [PolicyRef("NetworkPolicy", "default-deny", DP)]
    assert verdict.isolating[0].location is where
    assert verdict.decided_by == []
    assert verdict.message() == ("egress from dataprotection-microsoft/* to 10.0.0.1:443/TCP denied by "
                                 "NetworkPolicy default-deny; no policy allows it")


def test_explanation_lists_allowing_rules():
    allow = np("allow-dns", {"podSelector": {}, "policyTypes": ["Egress"],
                             "egress": [{"ports": [{"port": 443}]}, {"ports": [{"port": 53, "protocol": "UDP"}]}]})
    verdict = explain_flow([DENY_EGRESS, allow], NAMESPACES, AGENT, DNS, 53, "udp", "egress")
    assert verdict.allowed is True
    assert [(ref.name, index) for ref, index in verdict.decided_by] == [("allow-dns", 1)]
    assert {ref.name for ref in verdict.isolating} == {"default-deny", "allow-dns"}


def test_both_keeps_parts():
    verdict = explain_flow([DENY_INGRESS_WEB], NAMESPACES, AGENT, WEB, 8080, "TCP", "both")
    assert [part.direction for part in verdict.parts] == ["egress", "ingress"]
    assert [part.allowed for part in verdict.parts] == [True, False]


def test_bad_direction_is_a_caller_bug():
    with pytest.raises(ValueError):
        networkpolicy_allows([], {}, AGENT, API, 443, "TCP", "out")


@pytest.mark.parametrize("selector,labels,expected", [
    ({}, {}, True),
    ({"matchLabels": {"a": "1"}}, {"a": "1", "b": "2"}, True),
    ({"matchLabels": {"a": "1"}}, {}, False),
    ({"matchExpressions": [{"key": "a", "operator": "Exists"}]}, {"a": ""}, True),
    ({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]}, {"a": ""}, None),
    ({"matchExpressions": [{"key": "a", "operator": "In", "values": []}]}, {"a": ""}, None),
    ({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["x"]}]}, {}, True),
    ({"matchLabels": {"a": "1"}, "matchExpressions": [{"key": "b", "operator": "Exists"}]}, {"a": "1"}, False),
    ({"matchLabels": {"a": "1"}}, Unknown("labels"), None),
])
def test_label_selector(selector, labels, expected):
    assert label_selector_matches(selector, labels) is expected


@pytest.mark.parametrize("ip,network,expected", [
    ("10.1.2.3", "10.0.0.0/8", True), ("11.0.0.1", "10.0.0.0/8", False), ("10.0.0.1", "10.0.0.1", True),
    ("::1", "0.0.0.0/0", False), ("10.0.0.1", "*", True), ("10.9.9.9", "10.0.0.1/8", True),
])
def test_cidr_ip_in(ip, network, expected):
    assert cidr.ip_in(ip, network) is expected


@pytest.mark.parametrize("port,spec,expected", [
    (80, "80", True), (80, 80, True), (1500, "1000-2000", True), (1500, "1000:2000", True), (999, "1000-2000", False),
    (65535, "*", True), (443, "Any", True),
])
def test_cidr_port_in_range(port, spec, expected):
    assert cidr.port_in_range(port, spec) is expected


@pytest.mark.parametrize("bad", ["2000-1000", "http", "70000", "1.2.3"])
def test_cidr_rejects_bad_ports(bad):
    with pytest.raises(ValueError):
        cidr.parse_port_range(bad)


def test_cidr_rejects_bad_networks():
    with pytest.raises(ValueError):
        cidr.parse_network("10.0.0.0/33")
    assert cidr.networks_overlap("10.0.0.0/8", "10.1.0.0/16")
    assert cidr.network_within("10.1.0.0/16", "10.0.0.0/8")
    assert cidr.port_in_any(443, "80, 443")


def test_unknown_port_cannot_be_decided():
    verdict = explain_flow([DENY_EGRESS], NAMESPACES, AGENT, API, Unknown("parameter 'port'"), "TCP", "egress")
    assert verdict.allowed is None and "not known" in verdict.message()


def test_null_namespace_selector_is_absent():
    # "namespaceSelector:" left empty in YAML is null: the peer selects pods of the policy's namespace only
    policy = allow_egress(to=[{"namespaceSelector": None, "podSelector": {}}])
    assert networkpolicy_allows([DENY_EGRESS, policy], NAMESPACES, AGENT, DNS, 53, "UDP", "egress") is False


@pytest.mark.parametrize("broken", [
    np("x", Unknown("reference('spec')")),
    np("x", {"podSelector": {}, "policyTypes": ["Egress"], "egress": Unknown("parameter 'rules'")}),
])
def test_unknown_policy_parts_give_none(broken):
    assert networkpolicy_allows([broken], NAMESPACES, AGENT, API, 443, "TCP", "egress") is None


def test_unknown_policy_list_and_namespaces():
    assert networkpolicy_allows(Unknown("policies"), NAMESPACES, AGENT, API, 443, "TCP", "egress") is None
    policy = allow_egress(to=[{"namespaceSelector": {"matchLabels": {"team": "platform"}}}])
    assert networkpolicy_allows([DENY_EGRESS, policy], Unknown("ns"), AGENT, DNS, 53, "UDP", "egress") is None


# The worked example of https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource
DOCS_EXAMPLE = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                "metadata": {"name": "test-network-policy", "namespace": "default"},
                "spec": {"podSelector": {"matchLabels": {"role": "db"}}, "policyTypes": ["Ingress", "Egress"],
                         "ingress": [{"from": [{"ipBlock": {"cidr": "172.17.0.0/16", "except": ["172.17.1.0/24"]}},
                                               {"namespaceSelector": {"matchLabels": {"project": "myproject"}}},
                                               {"podSelector": {"matchLabels": {"role": "frontend"}}}],
                                      "ports": [{"protocol": "TCP", "port": 6379}]}],
                         "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/24"}}],
                                     "ports": [{"protocol": "TCP", "port": 5978}]}]}}
DB = {"namespace": "default", "pod": "db", "labels": {"role": "db"}, "ip": "10.244.3.3"}
DOCS_NAMESPACES = {"myproject": {"labels": {"project": "myproject"}}, "other": {"labels": {}}}

DOCS_CASES = [
    ("frontend in default may reach 6379", {"namespace": "default", "labels": {"role": "frontend"}}, DB, 6379,
     "ingress", True),
    ("any pod of myproject may reach 6379", {"namespace": "myproject", "labels": {}}, DB, 6379, "ingress", True),
    ("frontend elsewhere may not", {"namespace": "other", "labels": {"role": "frontend"}, "ip": "10.244.9.9"}, DB, 6379,
     "ingress", False),
    ("a pod of unknown IP might fall in the ipBlock (CNI specific)", {"namespace": "other", "labels": {}}, DB, 6379,
     "ingress", None),
    ("172.17.0.0/16 may reach 6379", {"ip": "172.17.0.9"}, DB, 6379, "ingress", True),
    ("except 172.17.1.0/24", {"ip": "172.17.1.9"}, DB, 6379, "ingress", False),
    ("other port refused", {"namespace": "default", "labels": {"role": "frontend"}}, DB, 5432, "ingress", False),
    ("db may reach 10.0.0.0/24 on 5978", DB, {"ip": "10.0.0.7"}, 5978, "egress", True),
    ("db may not reach anything else", DB, {"ip": "10.0.1.7"}, 5978, "egress", False),
    ("pods without role=db are not isolated", {"namespace": "default", "labels": {}}, {"ip": "8.8.8.8"}, 53, "egress",
     True),
]


@pytest.mark.parametrize("source,destination,port,direction,expected", [c[1:] for c in DOCS_CASES],
                         ids=[c[0] for c in DOCS_CASES])
def test_docs_worked_example(source, destination, port, direction, expected):
    assert networkpolicy_allows([DOCS_EXAMPLE], DOCS_NAMESPACES, source, destination, port, "TCP",
                                direction) is expected


def test_docs_and_versus_or():
    # "from: - namespaceSelector: {user: alice}  podSelector: {role: client}" (one element: AND)
    # versus the same as two elements (OR), from the "Behavior of to and from selectors" section
    alice, client = {"matchLabels": {"user": "alice"}}, {"matchLabels": {"role": "client"}}
    and_peer = [{"namespaceSelector": alice, "podSelector": client}]
    or_peers = [{"namespaceSelector": alice}, {"podSelector": client}]
    namespaces = {"alice": {"labels": {"user": "alice"}}}
    client_in_own_ns = {"namespace": "default", "labels": {"role": "client"}}
    target = {"namespace": "default", "labels": {"app": "x"}}
    for peers, expected in ((and_peer, False), (or_peers, True)):
        policy = np("p", {"podSelector": {}, "ingress": [{"from": peers}]}, ns="default")
        assert networkpolicy_allows([policy], namespaces, client_in_own_ns, target, 80, "TCP", "ingress") is expected
