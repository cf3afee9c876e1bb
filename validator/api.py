"""The documented Python API: scanning, and the evaluators the rules are built on.

Each function imports its implementation on first use, so ``import validator.api`` stays cheap.
Where a network layer cannot decide (a value unknown until deployment, a named port it
cannot resolve, an FQDN tag whose contents Microsoft does not publish) it returns None
rather than guess.
"""
from __future__ import annotations

import re
from typing import Any

from validator.frontends.arm.syntax import ExpressionError


_BARE_CALL = re.compile(r"^\s*[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?\s*\(.*\)\s*$", re.S)


def scan(target, config=None, report_paths=None):
    """Scan the folder ``target``; returns a ``validator.engine.Result`` (findings, diagnostics, summary)."""
    from validator.engine import scan as _scan

    return _scan(target, config, report_paths)


def evaluate_arm_expression(expression: str, context: dict) -> object:
    """Evaluate an ARM template expression to its JSON value.

    ``"[concat('a', 'b')]"`` and the bare call ``"concat('a', 'b')"`` both give ``'ab'``; any other
    text without brackets is a literal string, and ``"[[x]"`` is the literal ``"[x]"``, as in a template.

    ``context`` may hold subscriptionId, subscriptionDisplayName, resourceGroup, location, tenantId,
    managementGroup, deploymentName, parameters and variables.  Raises ExpressionError on a syntax
    or type error.  Values known only at deployment (reference(), utcNow(), an unset parameter)
    come back as ``validator.model.Unknown``."""
    from validator.frontends.arm.expressions import evaluate_arm_expression as _evaluate

    if isinstance(expression, str) and _BARE_CALL.match(expression) and not expression.lstrip().startswith("["):
        expression = f"[{expression.strip()}]"  # 'concat(...)' written without the template brackets
    return _evaluate(expression, context)


def networkpolicy_allows(policies: list, namespaces: dict, source: dict, destination: dict, port: int,
                         protocol: str, direction: str) -> bool | None:
    """Whether Kubernetes NetworkPolicies allow the flow (direction: 'ingress', 'egress' or 'both')."""
    from validator.network.netpol import networkpolicy_allows as _allows

    return _allows(policies, namespaces, source, destination, port, protocol, direction)


def calico_selector_matches(selector: str, labels: dict) -> bool:
    """Whether a Calico selector matches a label set; ValueError on a malformed selector."""
    from validator.network.calico_selector import calico_selector_matches as _matches

    return _matches(selector, labels)


def calico_allows(policies: list, namespaces: dict, source: dict, destination: dict, port: int, protocol: str,
                  direction: str, tiers: list | None = None) -> bool | None:
    """Whether Calico (and Kubernetes) policies, evaluated tier by tier in order, allow the flow."""
    from validator.network.calico import calico_allows as _allows

    return _allows(policies, namespaces, source, destination, port, protocol, direction, tiers=tiers)


def parse_corefile(text: str) -> Any:
    """Server blocks of a Corefile with their keys, zones and directives (with line numbers)."""
    from validator.network.corefile import parse_corefile as _parse

    return _parse(text)


def nsg_allows(subnet_rules: list | None, nic_rules: list | None, flow: dict, service_tags: dict | None = None,
               vnet_prefixes: list | None = None) -> bool | None:
    """Whether subnet and NIC network security groups both allow the flow."""
    from validator.network.nsg import nsg_allows as _allows

    return _allows(subnet_rules, nic_rules, flow, service_tags=service_tags, vnet_prefixes=vnet_prefixes)


def firewall_allows(firewall: dict, request: dict, service_tags: dict | None = None, ip_groups: dict | None = None,
                    fqdn_tags: dict | None = None, dns: dict | None = None) -> bool | None:
    """Whether an Azure Firewall (classic rules or a firewall policy) lets the request through."""
    from validator.network.firewall import firewall_allows as _allows

    return _allows(firewall, request, service_tags=service_tags, ip_groups=ip_groups, fqdn_tags=fqdn_tags, dns=dns)


__all__ = ["ExpressionError", "scan", "evaluate_arm_expression", "networkpolicy_allows", "calico_selector_matches",
           "calico_allows", "parse_corefile", "nsg_allows", "firewall_allows"]
