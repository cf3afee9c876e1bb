"""NetworkPolicies or Calico policies deny the backup extension pods egress to the API server or to kube-dns."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from validator.graph import InfraGraph
from validator.graph.network_view import (EXTENSION_NAMESPACE, backup_extension_expected, has_calico_policies, namespaces, network_policies)
from validator.model import Finding, LazyLocation, Location, Unknown
from validator.network import calico, netpol


@dataclass(frozen=True)
class Params:
    pod_labels: tuple = (("app.kubernetes.io/name", "dataprotection-microsoft-kubernetes"),)
    api_server_address: str = ""  # the API server IP when known (config); else an outside peer of unknown IP
    dns_labels: tuple = (("k8s-app", "kube-dns"),)


def _flows(params: Params) -> list[tuple[str, dict, int, str]]:
    api = params.api_server_address.strip() or Unknown("api server")
    return [
        ("API server", {"ip": api}, 443, "TCP"),
        # the CoreDNS pods carry labels AKS manages: only k8s-app=kube-dns is certain
        ("kube-dns", {"namespace": "kube-system", "pod": "kube-dns", "labels": netpol.OpenLabels(params.dns_labels),
                      "ip": Unknown("kube-dns pod IP")}, 53, "UDP"),
    ]


def _ipblock_matches_pods(graph: InfraGraph) -> bool | None:
    """Azure NPM and Calico match ipBlocks against pod IPs, Cilium does not (CNI-specific, see netpol)."""
    engines = set()
    for cluster in graph.protected_clusters():
        value = cluster.resource.get("properties", "networkProfile", "networkPolicy")
        engines.add(value.lower() if isinstance(value, str) else None)
    if engines and engines <= {"azure", "calico"}:
        return True
    if engines == {"cilium"}:
        return False
    return None


def _where(location) -> str:
    return f"{location.path}:{location.line}" if isinstance(location, (Location, LazyLocation)) else "?"


def _located_message(verdict: netpol.Verdict) -> str:
    """The verdict's own sentence, each policy followed by the file and line it is written at."""
    text = verdict.message()
    refs = {str(ref): ref.location for ref in verdict.isolating + [r for r, _ in verdict.decided_by]}
    for name in sorted(refs, key=len, reverse=True):
        if refs[name] is None:
            continue
        text = re.sub(re.escape(name) + r"(?![\w.-])", lambda m, n=name: f"{n} ({_where(refs[n])})", text)
    return text


def _culprit(verdict: netpol.Verdict, owners: dict, policies: list[dict]):
    """The policy resource a finding points at: the denying rule's policy, else the first selecting one."""
    refs = [ref for ref, _ in verdict.decided_by] + list(verdict.isolating)
    for ref in refs:
        for policy in policies:
            if policy.get("__location__") == ref.location and ref.location is not None:
                return owners[id(policy)]
    return None


def extension_egress_blocked_by_network_policy(graph: InfraGraph, params: Params) -> Iterator[Finding]:
    """Yield a finding per flow (API server 443/TCP, kube-dns 53/UDP) the policies deny the extension pods."""
    if not backup_extension_expected(graph):
        return
    policies, tiers, owners = network_policies(graph)
    if not policies:
        return
    spaces = namespaces(graph)
    source = {"namespace": EXTENSION_NAMESPACE, "pod": None, "labels": dict(params.pod_labels)}
    use_calico = has_calico_policies(policies)
    for name, destination, port, protocol in _flows(params):
        if use_calico:
            verdict = calico.explain_flow(policies, spaces, source, destination, port, protocol, "egress", tiers)
        else:
            verdict = netpol.explain_flow(policies, spaces, source, destination, port, protocol, "egress",
                                          ipblock_matches_pods=_ipblock_matches_pods(graph))
        if verdict.allowed is True:
            continue
        culprit = _culprit(verdict, owners, policies)
        if culprit is None:
            # undecided before any policy could be named (a tier of unknown order): the first policy
            culprit = min(owners.values(), key=lambda r: (r.file, r.location.line))
        if verdict.allowed is None:
            yield Finding(
                message=_located_message(verdict), location=culprit.location, severity="info", subject=culprit,
                fix=f"Add an egress rule for namespace {EXTENSION_NAMESPACE} that allows {name} {port}/{protocol} explicitly.")
            continue
        yield Finding(
            message=_located_message(verdict), location=culprit.location, subject=culprit,
            fix=f"Allow egress from namespace {EXTENSION_NAMESPACE} to the {name} on {port}/{protocol}"
                + (" (a rule with no 'to', or an ipBlock covering the API server address)" if port == 443 else
                   " (to pods labelled k8s-app=kube-dns in kube-system)")
                + ", then reinstall the extension.")
