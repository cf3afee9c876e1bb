"""Network rules on scenarios one fixture folder cannot hold together (one folder is one cluster's
policy set): Calico tiers, API server address from config, and when the rules stay quiet."""
from __future__ import annotations

import textwrap
from pathlib import Path

from validator.config import Config
from validator.engine import scan

EXTENSION = """
apiVersion: v1
kind: Namespace
metadata:
  name: dataprotection-microsoft
"""

# Calico's documented default deny: every namespace but the system ones, DNS allowed.
# https://docs.tigera.io/calico/latest/network-policy/get-started/kubernetes-default-deny
CALICO_DEFAULT_APP_POLICY = """
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: default-app-policy
spec:
  namespaceSelector: has(projectcalico.org/name) && projectcalico.org/name not in {"kube-system", "calico-system", "calico-apiserver"}
  types: [Ingress, Egress]
  egress:
    - action: Allow
      protocol: UDP
      destination:
        selector: k8s-app == "kube-dns"
        ports: [53]
"""

DEFAULT_DENY = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-egress
  namespace: dataprotection-microsoft
spec:
  podSelector: {}
  policyTypes: [Egress]
"""

ALLOW_API_BY_IPBLOCK = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-api-server
  namespace: dataprotection-microsoft
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to:
        - ipBlock: {cidr: 20.50.0.0/16}
      ports:
        - {protocol: TCP, port: 443}
    - to:
        - namespaceSelector: {}
          podSelector:
            matchLabels: {k8s-app: kube-dns}
      ports:
        - {protocol: UDP, port: 53}
"""


def run(tmp_path: Path, files: dict, rule: str = "AKSB-NET-001", params: dict | None = None) -> list[tuple]:
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    config = Config(select=[rule], preview=True, params={rule: params} if params else {})
    result = scan(tmp_path, config)
    assert not [d for d in result.diagnostics if d.severity != "info"], result.diagnostics
    return [(f.location.path, f.location.line, f.severity, f.message) for f in result.findings]


def test_calico_global_default_deny_blocks_the_api_server_but_not_dns(tmp_path):
    found = run(tmp_path, {"ns.yaml": EXTENSION, "gnp.yaml": CALICO_DEFAULT_APP_POLICY})
    assert found == [("gnp.yaml", 1, "error",
                      "egress from dataprotection-microsoft/* to <api server>:443/TCP denied by the end of tier "
                      "default (default action Deny); selected by GlobalNetworkPolicy default-app-policy (gnp.yaml:1), "
                      "no rule allows it")]


def test_calico_policy_that_skips_the_extension_namespace_stays_quiet(tmp_path):
    policy = CALICO_DEFAULT_APP_POLICY.replace('"calico-apiserver"', '"calico-apiserver", "dataprotection-microsoft"')
    assert run(tmp_path, {"ns.yaml": EXTENSION, "gnp.yaml": policy}) == []


def test_ipblock_allow_with_unknown_api_server_address_is_info(tmp_path):
    found = run(tmp_path, {"ns.yaml": EXTENSION, "deny.yaml": DEFAULT_DENY, "allow.yaml": ALLOW_API_BY_IPBLOCK})
    assert [(path, severity) for path, _, severity, _ in found] == [("allow.yaml", "info")]
    assert "to <api server>:443/TCP cannot be decided" in found[0][3]


def test_api_server_address_from_config_decides(tmp_path):
    files = {"ns.yaml": EXTENSION, "deny.yaml": DEFAULT_DENY, "allow.yaml": ALLOW_API_BY_IPBLOCK}
    assert run(tmp_path, files, params={"api_server_address": "20.50.1.10"}) == []
    found = run(tmp_path, files, params={"api_server_address": "51.105.1.10"})
    assert [(path, severity) for path, _, severity, _ in found] == [("allow.yaml", "error")]
    assert found[0][3].startswith("egress from dataprotection-microsoft/* to 51.105.1.10:443/TCP denied by")


def test_quiet_without_any_sign_of_the_extension(tmp_path):
    assert run(tmp_path, {"gnp.yaml": CALICO_DEFAULT_APP_POLICY}) == []


def test_private_zone_link_is_fine_when_coredns_pins_the_public_address(tmp_path):
    """The troubleshooting guide's fix (a hosts entry for the public address) answers before Azure DNS."""
    case = Path(__file__).resolve().parents[2] / "fixtures" / "rules"
    template = (case / "AKSB-DNS-003" / "bad" / "zone-linked-to-cluster-and-hub-vnets.json").read_text(encoding="utf-8")
    pin = (case / "AKSB-DNS-002" / "good" / "hosts-pins-public-address-with-fallthrough.yaml").read_text(encoding="utf-8")
    files = {"main.json": template, "coredns-custom.yaml": pin}
    assert run(tmp_path, files, rule="AKSB-DNS-003") == []
    assert run(tmp_path, files, rule="AKSB-DNS-001") == []


def _fixture(rule: str, part: str, name: str) -> dict:
    import json

    path = Path(__file__).resolve().parents[2] / "fixtures" / "rules" / rule / part / name
    return json.loads(path.read_text(encoding="utf-8"))


def test_firewall_policy_missing_from_the_scan_is_info(tmp_path):
    import json

    template = _fixture("AKSB-NET-003", "good", "firewall-policy-allows-extension-endpoints.json")
    template["resources"] = [r for r in template["resources"] if not r["type"].startswith("Microsoft.Network/firewallPolicies")]
    found = run(tmp_path, {"main.json": json.dumps(template, indent=2)}, rule="AKSB-NET-003")
    assert [(severity, message) for _, _, severity, message in found] == [
        ("info", "the rules of Azure Firewall 'fw-ok', the egress of cluster 'aks-fw-ok', cannot be checked: "
                 "its firewall policy 'fwp-ok' is not in the scan")]


def test_rules_inherited_from_a_base_policy_count(tmp_path):
    import json

    template = _fixture("AKSB-NET-003", "good", "firewall-policy-allows-extension-endpoints.json")
    resources = template["resources"]
    child = next(r for r in resources if r["type"] == "Microsoft.Network/firewallPolicies")
    group = next(r for r in resources if r["type"] == "Microsoft.Network/firewallPolicies/ruleCollectionGroups")
    base = dict(child, name="fwp-base")
    child["properties"] = dict(child["properties"], basePolicy={"id": "[resourceId('Microsoft.Network/firewallPolicies', 'fwp-base')]"})
    group["name"] = "fwp-base/aks"
    group["dependsOn"] = []
    resources.append(base)
    assert run(tmp_path, {"main.json": json.dumps(template, indent=2)}, rule="AKSB-NET-003") == []
    # without the base policy in the scan the child's rules are not the whole story
    resources.remove(base)
    resources.remove(group)
    found = run(tmp_path, {"main.json": json.dumps(template, indent=2)}, rule="AKSB-NET-003")
    assert [severity for _, _, severity, _ in found] == ["info"]
    assert "its base policy 'fwp-base' is not in the scan" in found[0][3]


REWRITE = """
apiVersion: v1
kind: ConfigMap
metadata:
  name: coredns-custom
  namespace: kube-system
data:
  dp.override: |
    rewrite name suffix .dp.kubernetesconfiguration.azure.com .dp.corp.contoso.com
"""


def test_coredns_rewrite_of_the_data_plane_name_is_a_warning(tmp_path):
    found = run(tmp_path, {"ns.yaml": EXTENSION, "coredns.yaml": REWRITE}, rule="AKSB-DNS-002")
    assert found == [("coredns.yaml", 8, "warning",
                      "coredns-custom key 'dp.override' (server .:53) sends <region>.dp.kubernetesconfiguration.azure.com "
                      "to another resolver (rewrite to <region>.dp.corp.contoso.com., then the node's resolvers "
                      "(/etc/resolv.conf)); it must return the public endpoint, not a private endpoint or no answer")]


KUBE_SYSTEM_EXCEPTION = """
apiVersion: aadpodidentity.k8s.io/v1
kind: AzurePodIdentityException
metadata:
  name: dataprotection-exception
  namespace: kube-system
spec:
  podLabels:
    app.kubernetes.io/name: dataprotection-microsoft-kubernetes
"""


def test_pod_identity_exception_in_kube_system_does_not_count(tmp_path):
    template = (Path(__file__).resolve().parents[2] / "fixtures" / "rules" / "AKSB-IDENTITY-001" / "bad"
                / "pod-identity-enabled-no-exception.json").read_text(encoding="utf-8")
    found = run(tmp_path, {"main.json": template, "exception.yaml": KUBE_SYSTEM_EXCEPTION}, rule="AKSB-IDENTITY-001")
    assert [(path, severity) for path, _, severity, _ in found] == [("main.json", "error")]
    assert found[0][3].endswith("; the exceptions in namespace kube-system do not count, only one in "
                                "dataprotection-microsoft exempts the extension pods")
