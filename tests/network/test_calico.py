"""Calico policy evaluation, case by case from
https://docs.tigera.io/calico/latest/reference/resources/networkpolicy,
.../globalnetworkpolicy, .../tier and .../network-policy/policy-tiers/tiered-policy."""
import pytest

from validator.model import Unknown
from validator.network.calico import calico_allows, calico_types, explain_flow

DP = "dataprotection-microsoft"
AGENT = {"namespace": DP, "pod": "agent", "labels": {"app": "agent"}, "ip": "10.244.1.5",
         "serviceAccount": {"name": "dataprotection-sa", "labels": {"team": "backup"}}}
DNS = {"namespace": "kube-system", "pod": "coredns", "labels": {"k8s-app": "kube-dns"}, "ip": "10.244.0.10",
       "named_ports": {"dns": {"port": 53, "protocol": "UDP"}}}
API = {"ip": "20.50.1.1"}
NAMESPACES = {DP: {"labels": {"purpose": "backup"}}, "kube-system": {"labels": {"team": "platform"}}}


def gnp(name, spec, api="projectcalico.org/v3"):
    return {"apiVersion": api, "kind": "GlobalNetworkPolicy", "metadata": {"name": name}, "spec": spec}


def cnp(name, spec, ns=DP):
    return {"apiVersion": "projectcalico.org/v3", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": ns}, "spec": spec}


def knp(name, spec, ns=DP):
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": ns}, "spec": spec}


def tier(name, order=None, default_action=None):
    spec = {}
    if order is not None:
        spec["order"] = order
    if default_action:
        spec["defaultAction"] = default_action
    return {"apiVersion": "projectcalico.org/v3", "kind": "Tier", "metadata": {"name": name}, "spec": spec}


def egress(*rules, **spec):
    return dict({"selector": "all()", "types": ["Egress"], "egress": list(rules)}, **spec)


DENY_ALL = gnp("deny-all", egress({"action": "Deny"}))
ALLOW_443 = {"action": "Allow", "protocol": "TCP", "destination": {"ports": [443]}}
TIERS = [tier("security", 100), tier("platform", 200), tier("open", 300, "Pass")]

CASES = [
    # (id, policies, tiers, source, destination, port, protocol, direction, expected)
    ("no policy: profile allows", [], None, AGENT, API, 443, "TCP", "egress", True),
    ("GNP deny all", [DENY_ALL], None, AGENT, API, 443, "TCP", "egress", False),
    ("selected but no rule matches: end of tier deny", [gnp("only-dns", egress(
        {"action": "Allow", "protocol": "UDP", "destination": {"ports": [53]}}))], None, AGENT, API, 443, "TCP",
     "egress", False),
    ("policy not selecting the endpoint: tier skipped", [gnp("other", egress(
        {"action": "Deny"}, selector="app == 'web'"))], None, AGENT, API, 443, "TCP", "egress", True),
    ("lower order first: allow before deny", [dict(DENY_ALL, spec=egress({"action": "Deny"}, order=200)),
                                              gnp("allow", egress(ALLOW_443, order=100))],
     None, AGENT, API, 443, "TCP", "egress", True),
    ("lower order first: deny before allow", [dict(DENY_ALL, spec=egress({"action": "Deny"}, order=100)),
                                              gnp("allow", egress(ALLOW_443, order=200))],
     None, AGENT, API, 443, "TCP", "egress", False),
    ("no order is evaluated last", [gnp("a-deny", egress({"action": "Deny"})), gnp("z-allow", egress(ALLOW_443,
                                                                                                     order=5))],
     None, AGENT, API, 443, "TCP", "egress", True),
    ("equal order: by name", [gnp("a-allow", egress(ALLOW_443, order=1)), gnp("b-deny", egress({"action": "Deny"},
                                                                                               order=1))],
     None, AGENT, API, 443, "TCP", "egress", True),
    ("rules in order within a policy", [gnp("p", egress({"action": "Deny", "destination": {"nets": ["20.0.0.0/8"]}},
                                                        {"action": "Allow"}))], None, AGENT, API, 443, "TCP",
     "egress", False),
    ("Log continues", [gnp("p", egress({"action": "Log"}, {"action": "Allow"}))], None, AGENT, API, 443, "TCP",
     "egress", True),
    # tiers
    ("earlier tier deny wins over later allow", [gnp("sec", egress({"action": "Deny"}, tier="security")),
                                                 gnp("allow", egress({"action": "Allow"}, tier="platform"))],
     TIERS, AGENT, API, 443, "TCP", "egress", False),
    ("tier order, not list order", [gnp("allow", egress({"action": "Allow"}, tier="platform")),
                                    gnp("sec", egress({"action": "Deny"}, tier="security"))],
     TIERS, AGENT, API, 443, "TCP", "egress", False),
    ("Pass jumps to the next tier", [gnp("sec", egress({"action": "Pass"}, {"action": "Deny"}, tier="security")),
                                     gnp("allow", egress({"action": "Allow"}, tier="platform"))],
     TIERS, AGENT, API, 443, "TCP", "egress", True),
    ("Pass skips the rest of its tier", [gnp("sec1", egress({"action": "Pass"}, tier="security", order=1)),
                                         gnp("sec2", egress({"action": "Deny"}, tier="security", order=2))],
     TIERS, AGENT, API, 443, "TCP", "egress", True),
    ("end of tier deny in an earlier tier", [gnp("sec", egress({"action": "Allow", "protocol": "UDP"},
                                                               tier="security")),
                                             gnp("allow", egress({"action": "Allow"}, tier="platform"))],
     TIERS, AGENT, API, 443, "TCP", "egress", False),
    ("tier defaultAction Pass", [gnp("o", egress({"action": "Allow", "protocol": "UDP"}, tier="open")),
                                 gnp("deny", egress({"action": "Deny"}))],
     TIERS, AGENT, API, 443, "TCP", "egress", False),
    ("tier defaultAction Pass, nothing after: profile", [gnp("o", egress({"action": "Allow", "protocol": "UDP"},
                                                                         tier="open"))],
     TIERS, AGENT, API, 443, "TCP", "egress", True),
    ("tier with no order comes last", [gnp("late", egress({"action": "Allow"}, tier="late")),
                                       gnp("deny", egress({"action": "Deny"}))],
     [tier("late")], AGENT, API, 443, "TCP", "egress", False),
    ("undeclared tier among others: order unknown", [gnp("x", egress({"action": "Allow"}, tier="ghost")),
                                                     gnp("deny", egress({"action": "Deny"}))],
     None, AGENT, API, 443, "TCP", "egress", None),
    ("Pass out of the last tier: profile allows", [gnp("p", egress({"action": "Pass"}))], None, AGENT, API, 443,
     "TCP", "egress", True),
    # Kubernetes NetworkPolicies: default tier, order 1000, Allow only
    ("k8s default deny", [knp("deny", {"podSelector": {}, "policyTypes": ["Egress"]})], None, AGENT, API, 443, "TCP",
     "egress", False),
    ("calico order 500 deny before k8s allow", [knp("allow", {"podSelector": {}, "policyTypes": ["Egress"],
                                                              "egress": [{}]}),
                                                 gnp("deny", egress({"action": "Deny"}, order=500))],
     None, AGENT, API, 443, "TCP", "egress", False),
    ("k8s allow before calico order 2000 deny", [knp("allow", {"podSelector": {}, "policyTypes": ["Egress"],
                                                               "egress": [{}]}),
                                                  gnp("deny", egress({"action": "Deny"}, order=2000))],
     None, AGENT, API, 443, "TCP", "egress", True),
    ("k8s non-matching then calico allow", [knp("dns", {"podSelector": {}, "policyTypes": ["Egress"],
                                                        "egress": [{"ports": [{"port": 53, "protocol": "UDP"}]}]}),
                                            gnp("allow", egress(ALLOW_443, order=2000))],
     None, AGENT, API, 443, "TCP", "egress", True),
    ("k8s ipBlock matches pod ips under Calico", [knp("x", {"podSelector": {}, "policyTypes": ["Egress"], "egress": [
        {"to": [{"ipBlock": {"cidr": "10.244.0.0/16"}}]}]})], None, AGENT, DNS, 53, "UDP", "egress", True),
    ("earlier tier deny beats k8s allow", [knp("allow", {"podSelector": {}, "policyTypes": ["Egress"],
                                                         "egress": [{}]}),
                                           gnp("sec", egress({"action": "Deny"}, tier="security"))],
     TIERS, AGENT, API, 443, "TCP", "egress", False),
    # types defaulting (Calico's table differs from Kubernetes)
    ("egress rules only: types = Egress, ingress open", [cnp("e", {"egress": [{"action": "Deny"}]})], None,
     DNS, AGENT, 443, "TCP", "ingress", True),
    ("egress rules only: egress applies", [cnp("e", {"egress": [{"action": "Deny"}]})], None, AGENT, API, 443,
     "TCP", "egress", False),
    ("no rules: Ingress only", [cnp("e", {})], None, AGENT, API, 443, "TCP", "egress", True),
    ("no rules: ingress end of tier deny", [cnp("e", {})], None, DNS, AGENT, 443, "TCP", "ingress", False),
    # namespaced NetworkPolicy scope
    ("namespaced policy applies only in its namespace", [cnp("x", egress({"action": "Deny"}), ns="other")], None,
     AGENT, API, 443, "TCP", "egress", True),
    ("rule selector in namespaced policy: same namespace", [cnp("x", egress({"action": "Allow", "destination": {
        "selector": "k8s-app == 'kube-dns'"}}))], None, AGENT, DNS, 53, "UDP", "egress", False),
    ("rule namespaceSelector widens the scope", [cnp("x", egress({"action": "Allow", "destination": {
        "selector": "k8s-app == 'kube-dns'", "namespaceSelector": "projectcalico.org/name == 'kube-system'"}}))],
     None, AGENT, DNS, 53, "UDP", "egress", True),
    ("rule namespaceSelector alone: all pods there", [cnp("x", egress({"action": "Allow", "destination": {
        "namespaceSelector": "team == 'platform'"}}))], None, AGENT, DNS, 53, "UDP", "egress", True),
    ("GNP rule selector: any namespace", [gnp("x", egress({"action": "Allow", "destination": {
        "selector": "k8s-app == 'kube-dns'"}}))], None, AGENT, DNS, 53, "UDP", "egress", True),
    ("rule selector never matches an outside ip", [gnp("x", egress({"action": "Allow", "destination": {
        "selector": "all()"}}))], None, AGENT, API, 443, "TCP", "egress", False),
    ("notSelector matches outside ips", [gnp("x", egress({"action": "Allow", "destination": {
        "notSelector": "k8s-app == 'kube-dns'"}}))], None, AGENT, API, 443, "TCP", "egress", True),
    ("notSelector excludes the selected pods", [gnp("x", egress({"action": "Allow", "destination": {
        "notSelector": "k8s-app == 'kube-dns'"}}))], None, AGENT, DNS, 53, "UDP", "egress", False),
    # GlobalNetworkPolicy spec selectors
    ("GNP namespaceSelector picks the namespace", [gnp("x", egress({"action": "Deny"},
                                                                   namespaceSelector="purpose == 'backup'"))],
     None, AGENT, API, 443, "TCP", "egress", False),
    ("GNP namespaceSelector misses", [gnp("x", egress({"action": "Deny"}, namespaceSelector="purpose == 'web'"))],
     None, AGENT, API, 443, "TCP", "egress", True),
    ("GNP selector on projectcalico.org/namespace", [gnp("x", egress({"action": "Deny"}, selector=
                                                                     f"projectcalico.org/namespace == '{DP}'"))],
     None, AGENT, API, 443, "TCP", "egress", False),
    ("pcns. namespace labels in a selector",
     [gnp("x", egress({"action": "Deny"}, selector="pcns.purpose == 'backup'"))],
     None, AGENT, API, 443, "TCP", "egress", False),
    ("serviceAccountSelector", [gnp("x", egress({"action": "Deny"}, serviceAccountSelector="team == 'backup'"))],
     None, AGENT, API, 443, "TCP", "egress", False),
    ("serviceAccountSelector by name label", [gnp("x", egress({"action": "Deny"}, serviceAccountSelector=
                                                              "projectcalico.org/name == 'other'"))],
     None, AGENT, API, 443, "TCP", "egress", True),
    ("serviceAccountSelector with no service account known", [gnp("x", egress({"action": "Deny"},
                                                                              serviceAccountSelector="team == 'x'"))],
     None, dict(AGENT, serviceAccount=None), API, 443, "TCP", "egress", None),
    ("rule serviceAccounts names on the source", [gnp("x", {"selector": "all()", "ingress": [
        {"action": "Allow", "source": {"serviceAccounts": {"names": ["dataprotection-sa"]}}}]})], None,
     AGENT, DNS, 53, "UDP", "ingress", True),
    # nets, ports, protocol
    ("nets allow", [gnp("x", egress({"action": "Allow", "destination": {"nets": ["20.0.0.0/8"]}}))], None,
     AGENT, API, 443, "TCP", "egress", True),
    ("notNets", [gnp("x", egress({"action": "Allow", "destination": {"notNets": ["20.0.0.0/8"]}}))], None,
     AGENT, API, 443, "TCP", "egress", False),
    ("nets match pod ips", [gnp("x", egress({"action": "Allow", "destination": {"nets": ["10.244.0.0/16"]}}))],
     None, AGENT, DNS, 53, "UDP", "egress", True),
    ("port range", [gnp("x", egress({"action": "Allow", "protocol": "TCP", "destination": {"ports": ["400:500"]}}))],
     None, AGENT, API, 443, "TCP", "egress", True),
    ("notPorts", [gnp("x", egress({"action": "Allow", "protocol": "TCP", "destination": {"notPorts": [443]}}))],
     None, AGENT, API, 443, "TCP", "egress", False),
    ("named port", [gnp("x", egress({"action": "Allow", "protocol": "UDP", "destination": {"ports": ["dns"]}}))],
     None, AGENT, DNS, 53, "UDP", "egress", True),
    ("named port not declared by destination", [gnp("x", egress(
        {"action": "Allow", "protocol": "TCP", "destination": {"ports": ["https"]}}))], None, AGENT, DNS, 443, "TCP",
     "egress", None),
    ("protocol number", [gnp("x", egress({"action": "Allow", "protocol": 17}))], None, AGENT, DNS, 53, "UDP",
     "egress", True),
    ("notProtocol", [gnp("x", egress({"action": "Allow", "notProtocol": "UDP"}))], None, AGENT, DNS, 53, "UDP",
     "egress", False),
    ("ipVersion 6 does not match an ipv4 peer", [gnp("x", egress({"action": "Allow", "ipVersion": 6}))], None,
     AGENT, API, 443, "TCP", "egress", False),
    ("source ports are unknowable", [gnp("x", egress({"action": "Allow", "source": {"ports": [1234]}}))], None,
     AGENT, API, 443, "TCP", "egress", None),
    ("unknowable rule after a certain allow does not matter", [gnp("x", egress(
        ALLOW_443, {"action": "Deny", "source": {"ports": [1234]}}))], None, AGENT, API, 443, "TCP", "egress", True),
    ("http match undecided", [gnp("x", {"selector": "all()", "ingress": [{"action": "Allow", "http": {
        "methods": ["GET"]}}]})], None, AGENT, DNS, 53, "TCP", "ingress", None),
    ("malformed selector", [gnp("x", egress({"action": "Deny"}, selector="app = 'x'"))], None, AGENT, API, 443, "TCP",
     "egress", None),
    ("malformed selector that cannot matter", [gnp("x", egress({"action": "Allow"}, selector="app = 'x'"))], None,
     AGENT, API, 443, "TCP", "egress", True),
    ("Unknown label", [gnp("x", egress({"action": "Deny"}, selector="app == 'agent'"))], None,
     dict(AGENT, labels={"app": Unknown("p")}), API, 443, "TCP", "egress", None),
    ("doNotTrack policy that would deny: undecided", [gnp("x", egress({"action": "Deny"}, doNotTrack=True,
                                                                      applyOnForward=True))],
     None, AGENT, API, 443, "TCP", "egress", None),
    ("doNotTrack policy that cannot change the answer", [gnp("x", egress({"action": "Allow"}, preDNAT=True,
                                                                         applyOnForward=True, order=1)),
                                                          gnp("y", egress(ALLOW_443, order=2))],
     None, AGENT, API, 443, "TCP", "egress", True),
    ("crd.projectcalico.org/v1 form", [gnp("default.deny", egress({"action": "Deny"}),
                                           api="crd.projectcalico.org/v1")], None, AGENT, API, 443, "TCP", "egress",
     False),
    ("outside source, both directions", [DENY_ALL], None, API, AGENT, 443, "TCP", "both", True),
    ("both: ingress at destination denies", [gnp("in", {"selector": "k8s-app == 'kube-dns'", "ingress": [
        {"action": "Deny"}]})], None, AGENT, DNS, 53, "UDP", "both", False),
]


@pytest.mark.parametrize("policies,tiers,source,destination,port,protocol,direction,expected",
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_calico_allows(policies, tiers, source, destination, port, protocol, direction, expected):
    assert calico_allows(policies, NAMESPACES, source, destination, port, protocol, direction, tiers) is expected


@pytest.mark.parametrize("spec,expected", [
    ({}, {"Ingress"}), ({"ingress": [{}]}, {"Ingress"}), ({"egress": [{}]}, {"Egress"}),
    ({"ingress": [{}], "egress": [{}]}, {"Ingress", "Egress"}), ({"types": ["Egress"], "ingress": [{}]}, {"Egress"}),
    ({"types": ["Sideways"]}, None),
])
def test_types_defaulting(spec, expected):
    assert calico_types(spec) == expected


def test_explanation_of_a_deny_rule_keeps_location():
    where = ("policies.yaml", 12)
    deny = dict(DENY_ALL, __location__=where)
    verdict = explain_flow([deny], NAMESPACES, AGENT, API, 443, "TCP", "egress")
    assert verdict.allowed is False
    (ref, index), = verdict.decided_by
    assert (ref.name, index, ref.location) == ("deny-all", 0, where)
    assert verdict.message() == ("egress from dataprotection-microsoft/agent to 20.50.1.1:443/TCP denied by "
                                 "GlobalNetworkPolicy deny-all rule 0")


def test_explanation_of_pass_then_allow():
    policies = [gnp("sec", egress({"action": "Pass"}, tier="security")),
                gnp("allow", egress({"action": "Allow"}, tier="platform"))]
    verdict = explain_flow(policies, NAMESPACES, AGENT, API, 443, "TCP", "egress", TIERS)
    assert [(ref.name, index) for ref, index in verdict.decided_by] == [("allow", 0)]
    assert [(ref.name, index) for ref, index in verdict.passed_by] == [("sec", 0)]
    assert [ref.name for ref in verdict.isolating] == ["sec", "allow"]


def test_explanation_of_end_of_tier():
    policy = gnp("only-dns", egress({"action": "Allow", "protocol": "UDP"}))
    verdict = explain_flow([policy], NAMESPACES, AGENT, API, 443, "TCP", "egress")
    (ref, index), = verdict.decided_by
    assert (ref.kind, ref.name, index) == ("Tier", "default", None)
    assert "end of tier default" in verdict.message()


def test_undecided_explains_why():
    verdict = explain_flow([gnp("x", egress({"action": "Deny"}, doNotTrack=True))], NAMESPACES, AGENT, API, 443,
                           "TCP", "egress")
    assert verdict.allowed is None
    assert any("doNotTrack" in reason for reason in verdict.reasons)


def test_unknown_port_cannot_be_decided():
    assert calico_allows([DENY_ALL], NAMESPACES, AGENT, API, Unknown("parameter 'port'"), "TCP", "egress") is None


def test_explanation_of_pass_to_the_profile():
    verdict = explain_flow([gnp("p", egress({"action": "Pass"}))], NAMESPACES, AGENT, API, 443, "TCP", "egress")
    assert verdict.allowed is True and verdict.decided_by == []
    assert verdict.message() == ("egress from dataprotection-microsoft/agent to 20.50.1.1:443/TCP allowed: passed on "
                                 "by GlobalNetworkPolicy p rule 0, then no policy denies it")


@pytest.mark.parametrize("policy", [
    gnp("x", Unknown("reference('spec')")),
    gnp("x", egress(selector="all()") | {"egress": Unknown("parameter 'rules'")}),
    gnp("x", egress({"action": "Deny", "destination": {"nets": None, "ports": [443]}}) | {"order": "soon"}),
])
def test_unknown_or_malformed_policies_give_none(policy):
    later = gnp("z-later", egress({"action": "Allow"}))  # no order, and after "x" by name
    assert calico_allows([policy, later], NAMESPACES, AGENT, API, 443, "TCP", "egress") is None


def test_null_entity_fields_are_absent():
    policy = gnp("x", egress({"action": "Allow", "destination": {"nets": None, "selector": None}}))
    assert calico_allows([policy], NAMESPACES, AGENT, API, 443, "TCP", "egress") is True


def test_unknown_policy_list():
    assert calico_allows(Unknown("policies"), NAMESPACES, AGENT, API, 443, "TCP", "egress") is None


API_SET = {"apiVersion": "projectcalico.org/v3", "kind": "GlobalNetworkSet",
           "metadata": {"name": "api-server", "labels": {"role": "api"}}, "spec": {"nets": ["20.50.0.0/16"]}}
NS_SET = {"apiVersion": "projectcalico.org/v3", "kind": "NetworkSet",
          "metadata": {"name": "mcr", "namespace": DP, "labels": {"role": "registry"}},
          "spec": {"nets": ["13.69.0.0/16"]}}
MCR = {"ip": "13.69.1.1"}

NETWORK_SET_CASES = [
    ("GNP selector matches a global network set", [API_SET, gnp("x", egress(
        {"action": "Allow", "destination": {"selector": "role == 'api'"}}))], API, True),
    ("selector does not match a set without the ip", [API_SET, gnp("x", egress(
        {"action": "Allow", "destination": {"selector": "role == 'api'"}}))], MCR, False),
    ("namespaced policy needs global() for a global set", [API_SET, cnp("x", egress(
        {"action": "Allow", "destination": {"selector": "role == 'api'"}}))], API, False),
    ("namespaced policy with namespaceSelector global()", [API_SET, cnp("x", egress(
        {"action": "Allow", "destination": {"selector": "role == 'api'", "namespaceSelector": "global()"}}))],
     API, True),
    ("namespaced set in the policy's namespace", [NS_SET, cnp("x", egress(
        {"action": "Allow", "destination": {"selector": "role == 'registry'"}}))], MCR, True),
    ("namespaced set in another namespace", [dict(NS_SET, metadata=dict(NS_SET["metadata"], namespace="kube-system")),
                                             cnp("x", egress({"action": "Allow", "destination": {
                                                 "selector": "role == 'registry'"}}))], MCR, False),
    ("namespaced set reached by namespaceSelector", [dict(NS_SET, metadata=dict(NS_SET["metadata"],
                                                                                namespace="kube-system")),
                                                     cnp("x", egress({"action": "Allow", "destination": {
                                                         "selector": "role == 'registry'",
                                                         "namespaceSelector": "team == 'platform'"}}))], MCR, True),
    ("notSelector excludes addresses of the set", [API_SET, gnp("x", egress(
        {"action": "Allow", "destination": {"notSelector": "role == 'api'"}}))], API, False),
    ("outside ip unknown with sets present", [API_SET, gnp("x", egress(
        {"action": "Allow", "destination": {"selector": "role == 'api'"}}))], {"ip": Unknown("p")}, None),
]


@pytest.mark.parametrize("policies,destination,expected", [c[1:] for c in NETWORK_SET_CASES],
                         ids=[c[0] for c in NETWORK_SET_CASES])
def test_network_sets(policies, destination, expected):
    assert calico_allows(policies, NAMESPACES, AGENT, destination, 443, "TCP", "egress") is expected


def test_thousands_of_policies_do_not_exhaust_the_stack():
    policies = [gnp(f"p{i:04}", egress({"action": "Log", "source": {"ports": [1]}})) for i in range(3000)]
    assert calico_allows(policies, NAMESPACES, AGENT, API, 443, "TCP", "egress") is False


# The "Pass action rule example" of https://docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy
STAGE_ENV = gnp("devops.stage-env", {"tier": "devops", "order": 255, "selector": "env == \"stage\"",
                                     "ingress": [{"action": "Deny", "source": {"selector": "env != \"stage\""}},
                                                 {"action": "Pass"}],
                                     "egress": [{"action": "Deny", "destination": {"selector": "env != \"stage\""}},
                                                {"action": "Pass"}],
                                     "types": ["Ingress", "Egress"]})
STAGE_POD = {"namespace": "apps", "pod": "s", "labels": {"env": "stage"}, "ip": "10.244.5.5"}
PROD_POD = {"namespace": "apps", "pod": "p", "labels": {"env": "prod"}, "ip": "10.244.5.6"}


@pytest.mark.parametrize("source,destination,direction,later,expected", [
    (STAGE_POD, PROD_POD, "egress", [], False),                 # denied in the devops tier
    (STAGE_POD, dict(STAGE_POD, pod="t"), "egress", [], True),  # passed on; nothing later selects it
    (STAGE_POD, dict(STAGE_POD, pod="t"), "egress", [gnp("app-deny", egress({"action": "Deny"}))], False),
    (PROD_POD, STAGE_POD, "ingress", [], False),
    (PROD_POD, dict(PROD_POD, pod="q"), "egress", [], True),    # not selected by the devops tier
])
def test_docs_pass_example(source, destination, direction, later, expected):
    tiers = [tier("devops", 300)]
    assert calico_allows([STAGE_ENV] + later, NAMESPACES, source, destination, 80, "TCP", direction, tiers) is expected
