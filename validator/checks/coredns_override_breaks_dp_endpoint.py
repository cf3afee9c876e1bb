"""The coredns-custom ConfigMap answers the extension endpoints with a private address, another resolver or nothing."""
from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass

from validator.graph import InfraGraph
from validator.graph.network_view import backup_extension_expected, cluster_regions, coredns_custom, dp_endpoint
from validator.model import Finding, Location, Resource
from validator.network.corefile import resolve_name


@dataclass(frozen=True)
class Params:
    other_fqdns: tuple = ("mcr.microsoft.com", "login.microsoftonline.com", "management.azure.com")


_DP_NAME = re.compile(r"\b([a-z0-9-]+)\.dp\.kubernetesconfiguration\.azure\.(?:com|us|cn)\b", re.I)


def is_public(address: str) -> bool | None:
    try:
        return ipaddress.ip_address(address).is_global
    except ValueError:
        return None


def _regions(graph: InfraGraph, data: dict) -> list[str]:
    """Backed-up clusters' regions; without one, the regions the ConfigMap itself names, else a placeholder."""
    regions = cluster_regions(graph)
    if regions:
        return regions
    named = sorted({m.group(1).lower() for value in data.values() if isinstance(value, str)
                    for m in _DP_NAME.finditer(value)})
    return named or ["<region>"]


def answer_location(configmap: Resource, answer: dict) -> Location:
    """The line of the directive that answered: the key's line plus the line inside its block value."""
    source = answer.get("source")
    if source is None:
        return configmap.location
    key = configmap.location_of("data", source)
    return Location(key.path, key.line + int(answer.get("line") or 0), 0) if key.line else key


def describe(answer: dict) -> str:
    action = answer["action"]
    if action == "hosts":
        return f"hosts entry {', '.join(answer['addresses'])}" if answer.get("addresses") else "a hosts block with no entry for it and no fallthrough (SERVFAIL)"
    if action == "forward":
        return f"forward to {' '.join(answer['to'])}"
    if action == "rewrite":
        return f"rewrite to {answer['to']}, then {describe(answer['then'])}"
    if action == "unknown":
        return f"plugin {answer.get('plugin')} ({answer.get('reason')})"
    if action == "servfail":
        return f"no answer ({answer.get('reason')})"
    if action == "default":
        return "the node's resolvers (/etc/resolv.conf)"
    return action


def _final(answer: dict) -> dict:
    return _final(answer["then"]) if answer["action"] == "rewrite" else answer


def coredns_override_breaks_dp_endpoint(graph: InfraGraph, params: Params) -> Iterator[Finding]:
    """Yield a finding per extension FQDN that coredns-custom resolves privately, elsewhere, or not at all."""
    if not backup_extension_expected(graph):
        return
    for configmap in coredns_custom(graph):
        data = configmap.get("data")
        if not isinstance(data, dict):
            continue
        names = [(dp_endpoint(region), True) for region in _regions(graph, data)]
        names += [(name, False) for name in params.other_fqdns]
        verdicts: dict = {}
        for name, is_dp in names:
            try:
                answer = resolve_name(data, name)
            except ValueError as error:
                yield Finding(
                    message=f"coredns-custom does not parse ({error}); how CoreDNS resolves the extension endpoints cannot be checked",
                    location=configmap.location, severity="info", subject=configmap)
                break
            final = _final(answer)
            if answer["action"] in ("default", "kubernetes"):
                continue
            kind = _kind(final, is_dp, rewritten=answer["action"] == "rewrite")
            if kind is not None:
                key = (kind, answer_location(configmap, answer), answer.get("source"), answer.get("server"), describe(answer))
                verdicts.setdefault(key, []).append((name, final))
        for (kind, where, source, server, how), hits in verdicts.items():
            yield _finding(configmap, kind, where, f"coredns-custom key '{source}' (server {server})", how,
                           [name for name, _ in hits], hits[0][1])


def _kind(final: dict, is_dp: bool, rewritten: bool) -> str | None:
    if final["action"] == "hosts" and final.get("addresses"):
        return "private" if any(is_public(a) is False for a in final["addresses"]) else None
    if final["action"] == "servfail" or (final["action"] == "hosts" and not final.get("addresses")):
        return "unresolved"
    if final["action"] == "unknown":
        return "unknown"
    if (final["action"] == "default" and not rewritten) or not is_dp:
        return None  # forwarding other public names is ordinary
    return "elsewhere"


def _finding(configmap: Resource, kind: str, where: Location, via: str, how: str, names: list, final: dict) -> Finding:
    listed = ", ".join(names)
    if kind == "private":
        private = ", ".join(a for a in final["addresses"] if is_public(a) is False)
        return Finding(
            message=f"{via} resolves {listed} to private address {private}{'' if how.startswith('hosts entry') else f' ({how})'}; an Azure Arc private endpoint answers the extension agent with 403 'This traffic is not authorized'",
            location=where, severity="error", codes=("InstallScenario5",), subject=configmap,
            fix=f"Map {listed} to its public address in coredns-custom (a hosts entry with fallthrough), or remove the entry.")
    if kind == "unresolved":
        return Finding(
            message=f"{via} leaves {listed} unresolved: {how}; the extension agent fails with 'no such host'",
            location=where, severity="error", codes=("InstallScenario3",), subject=configmap,
            fix="Add 'fallthrough' to the hosts block, or scope it to the names it lists.")
    if kind == "unknown":
        return Finding(
            message=f"{via} answers {listed} with {how}; the answer cannot be checked statically",
            location=where, severity="info", codes=("InstallScenario3",), subject=configmap)
    return Finding(
        message=f"{via} sends {listed} to another resolver ({how}); it must return the public endpoint, not a private endpoint or no answer",
        location=where, severity="warning", codes=("InstallScenario3", "InstallScenario5"), subject=configmap,
        fix=f"Make sure the resolver answers {listed} with its public address, or pin it with a hosts override and fallthrough.")
