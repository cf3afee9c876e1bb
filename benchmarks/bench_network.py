"""Time the extension's reachability questions over 1,000 generated policies.

Run: ``python benchmarks/bench_network.py [N]``.  Generates N policies (a
third Kubernetes NetworkPolicies, a third Calico NetworkPolicies, a third
GlobalNetworkPolicies in three tiers) over 50 namespaces, then asks the
questions the extension checks ask (dataprotection-microsoft pods egress to
the API server 443/TCP, kube-dns 53/UDP and 53/TCP, external IPs 443/TCP)
with both evaluators.  Target: under 2 s in all on a 2-core machine.
"""
from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from validator.network.calico import calico_allows  # noqa: E402
from validator.network.netpol import networkpolicy_allows  # noqa: E402

DP = "dataprotection-microsoft"
NAMESPACES = {f"ns{i}": {"labels": {"team": f"t{i % 7}", "env": random.choice(["dev", "prod"])}} for i in range(50)}
NAMESPACES[DP] = {"labels": {"purpose": "backup"}}
NAMESPACES["kube-system"] = {"labels": {"team": "platform"}}
TIERS = [{"kind": "Tier", "metadata": {"name": name}, "spec": {"order": order}}
         for name, order in (("security", 100), ("platform", 200), ("apps", 300))]

PODS = [{"namespace": DP, "pod": name, "labels": {"app.kubernetes.io/name": "dataprotection-microsoft-kubernetes",
                                                   "component": name}, "ip": f"10.244.1.{i + 10}",
         "serviceAccount": {"name": "dataprotection-sa", "labels": {}}}
        for i, name in enumerate(("controller", "geneva", "agent", "upgrade-crds"))]
DNS = {"namespace": "kube-system", "pod": "coredns", "labels": {"k8s-app": "kube-dns"}, "ip": "10.244.0.10",
       "named_ports": {"dns": {"port": 53, "protocol": "UDP"}, "dns-tcp": {"port": 53, "protocol": "TCP"}}}
FLOWS = [(DNS, 53, "UDP"), (DNS, 53, "TCP"), ({"ip": "20.50.1.1"}, 443, "TCP"),  # API server
         ({"ip": "13.69.1.1"}, 443, "TCP"), ({"ip": "40.64.2.2"}, 443, "TCP")]  # MCR, storage


def k8s_policy(i: int, rng: random.Random) -> dict:
    ns = DP if i % 10 == 0 else f"ns{rng.randrange(50)}"
    egress = [{"to": [{"namespaceSelector": {"matchLabels": {"team": f"t{rng.randrange(7)}"}},
                       "podSelector": {"matchExpressions": [{"key": "app", "operator": "In",
                                                             "values": ["a", "b", "c"]}]}},
                      {"ipBlock": {"cidr": f"10.{rng.randrange(256)}.0.0/16", "except": ["10.0.0.0/24"]}}],
               "ports": [{"port": rng.choice([53, 443, 8080, "dns"]), "protocol": rng.choice(["TCP", "UDP"])},
                         {"port": 1000, "endPort": 2000}]}]
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": f"np{i}", "namespace": ns},
            "spec": {"podSelector": {} if i % 20 == 0 else {"matchLabels": {"component": rng.choice(
                ["agent", "controller", "web", "db"])}}, "policyTypes": ["Ingress", "Egress"],
                "ingress": [{"from": [{"podSelector": {}}]}], "egress": egress}}


def calico_policy(i: int, rng: random.Random) -> dict:
    rules = [{"action": rng.choice(["Allow", "Deny", "Pass", "Log"]), "protocol": rng.choice(["TCP", "UDP"]),
              "destination": {"nets": [f"{rng.randrange(1, 224)}.0.0.0/8"],
                              "ports": [rng.choice([53, 443, "1000:2000"])]}},
             {"action": "Allow", "destination": {"selector": f"k8s-app == 'kube-dns' || app in {{'x{i}', 'y'}}",
                                                 "namespaceSelector": "projectcalico.org/name == 'kube-system'"}}]
    if i % 2:
        return {"apiVersion": "projectcalico.org/v3", "kind": "NetworkPolicy",
                "metadata": {"name": f"cnp{i}", "namespace": DP if i % 9 == 0 else f"ns{rng.randrange(50)}"},
                "spec": {"order": rng.randrange(2000), "selector": f"component == '{rng.choice(['agent', 'web'])}'",
                         "types": ["Egress"], "egress": rules}}
    return {"apiVersion": "projectcalico.org/v3", "kind": "GlobalNetworkPolicy", "metadata": {"name": f"gnp{i}"},
            "spec": {"tier": rng.choice(["security", "platform", "apps", "default"]), "order": rng.randrange(2000),
                     "selector": rng.choice(["all()", "has(component)", f"team == 'x{i}'"]),
                     "namespaceSelector": rng.choice(["", "purpose == 'backup'", "team starts with 't'"]),
                     "types": ["Egress"], "egress": rules}}


def generate(count: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    return [k8s_policy(i, rng) if i % 3 == 0 else calico_policy(i, rng) for i in range(count)]


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    policies = generate(count)
    start = time.perf_counter()
    answers = {}
    for pod in PODS:
        for destination, port, protocol in FLOWS:
            key = (pod["pod"], destination.get("pod") or destination["ip"], port, protocol)
            answers[key] = (networkpolicy_allows(policies, NAMESPACES, pod, destination, port, protocol, "egress"),
                            calico_allows(policies, NAMESPACES, pod, destination, port, protocol, "egress", TIERS))
    elapsed = time.perf_counter() - start
    for key, (k8s, calico) in sorted(answers.items()):
        print(f"{key}: NetworkPolicy={k8s} Calico={calico}")
    print(f"{count} policies, {len(answers)} flows x 2 evaluators: {elapsed:.3f} s")


if __name__ == "__main__":
    main()
