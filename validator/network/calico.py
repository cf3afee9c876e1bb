"""Calico policy reachability: tiers, ordered policies, Allow/Deny/Pass/Log.

Evaluates a mix of Calico ``NetworkPolicy``/``GlobalNetworkPolicy``
(``projectcalico.org/v3`` and the ``crd.projectcalico.org/v1`` storage form)
and Kubernetes NetworkPolicies the way Felix does
(https://docs.tigera.io/calico/latest/reference/resources/tier#how-policy-is-evaluated):

- tiers in ``order`` (lowest first; no order = last, ties by name); a tier
  where no policy selects the endpoint is skipped;
- within a tier, policies by ``order`` (none = last, ties by name), rules in
  order: Allow and Deny are final, Pass jumps to the next tier, Log goes on;
- a tier that selected the endpoint but took no action applies its
  ``defaultAction`` (Deny unless the Tier says Pass);
- after the last tier, the endpoint's Kubernetes profile allows the traffic
  (Calico's ``kns.<namespace>`` profiles allow all ingress and egress, so a
  pod no policy selects is open, as in Kubernetes).

``GlobalNetworkSet``/``NetworkSet`` objects in the same list give outside
addresses the labels rule selectors match.
Kubernetes NetworkPolicies take part as Allow-only policies of order 1000 in
the ``default`` tier (https://docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy#the-default-tier).
Undecidable points (Unknown values, malformed selectors, undeclared named
ports or tiers, ``http``/``services`` matches, doNotTrack/preDNAT policies)
are explored both ways; the answer is None only when they change it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from validator.model import Unknown
from validator.network.calico_selector import compile_selector
from validator.network.cidr import ip_in, parse_ip
from validator.network.netpol import (PolicyRef, Verdict, by_direction, describe_endpoint, describe_flow,
                                      flow_port, is_kubernetes_policy, match_kubernetes_policy, named_port_matches,
                                      namespace_labels, t_and, t_not, t_or)

# Tiers Calico creates itself, with fixed order and default action.
# default: https://docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy#the-default-tier
BUILTIN_TIERS = {
    "default": (1_000_000.0, "Deny"),
    "adminnetworkpolicy": (1_000.0, "Pass"),
    "kube-admin": (1_000.0, "Pass"),
    "baselineadminnetworkpolicy": (10_000_000.0, "Pass"),
    "kube-baseline": (10_000_000.0, "Pass"),
}
KUBERNETES_POLICY_ORDER = 1000.0
PROTOCOL_NUMBERS = {"ICMP": 1, "TCP": 6, "UDP": 17, "ICMPV6": 58, "SCTP": 132, "UDPLITE": 136}
_SEARCH_BUDGET = 20_000  # branch points explored before giving up (None)


@dataclass
class _Rule:
    index: int
    action: str | None      # Allow, Deny, Pass, Log; None = unreadable
    match: bool | None


@dataclass
class _Policy:
    ref: PolicyRef
    order: float
    sort_name: str
    selects: bool | None
    rules: list = field(default_factory=list)


@dataclass
class _Tier:
    name: str
    order: float
    default_action: str | None
    ref: PolicyRef
    policies: list = field(default_factory=list)


def is_calico_policy(policy: Any) -> bool:
    """Calico NetworkPolicy or GlobalNetworkPolicy, v3 API or CRD storage form (staged kinds are not enforced)."""
    if not isinstance(policy, dict):
        return False
    api = str(policy.get("apiVersion", ""))
    return (api.startswith("projectcalico.org/") or api.startswith("crd.projectcalico.org/")) and policy.get(
        "kind") in ("NetworkPolicy", "GlobalNetworkPolicy")


# --- endpoints -----------------------------------------------------------------

@dataclass
class _Endpoint:
    """A flow end as Calico sees it; ``namespace`` None for a peer outside the cluster."""

    raw: dict
    namespace: Any
    labels: Any              # the pod labels plus Calico's own (projectcalico.org/*, pcns.*, pcsa.*)
    namespace_labels: Any    # what a namespaceSelector reads
    service_account: Any     # {"name", "labels"} or None when not given
    sa_labels: Any           # what a serviceAccountSelector reads (Unknown when not given)
    network_sets: Any = ()   # outside peers: the network sets whose nets hold its IP (None if unknown)
    is_set: bool = False     # this is a (Global)NetworkSet standing for an outside address


def _endpoint(raw: dict, namespaces: dict) -> _Endpoint:
    namespace = raw.get("namespace")
    if namespace is None:
        return _Endpoint(raw, None, None, None, None, None)
    ns_labels = namespace_labels(namespace, namespaces)
    if isinstance(ns_labels, dict):
        ns_labels = type(ns_labels)(ns_labels, **{"projectcalico.org/name": namespace})
    account = raw.get("serviceAccount")
    if isinstance(account, dict) and isinstance(account.get("labels") or {}, dict):
        sa_labels: Any = dict(account.get("labels") or {}, **{"projectcalico.org/name": account.get("name")})
    else:
        sa_labels = Unknown("the pod's service account is not known")
    pod_labels = raw.get("labels") or {}
    if not isinstance(pod_labels, dict):
        labels: Any = pod_labels if isinstance(pod_labels, Unknown) else Unknown("the pod labels are not readable")
    else:
        # Felix adds these to every workload endpoint; pcns./pcsa. carry namespace and
        # service account labels so one selector can read them.
        labels = type(pod_labels)(pod_labels)  # OpenLabels stay open
        labels["projectcalico.org/namespace"] = namespace
        labels["projectcalico.org/orchestrator"] = "k8s"
        if isinstance(account, dict):
            labels["projectcalico.org/serviceaccount"] = account.get("name")
        if isinstance(ns_labels, dict):
            labels.update({f"pcns.{k}": v for k, v in ns_labels.items()})
        if isinstance(sa_labels, dict):
            labels.update({f"pcsa.{k}": v for k, v in sa_labels.items()})
    return _Endpoint(raw, namespace, labels, ns_labels, account, sa_labels)


def is_network_set(item: Any) -> bool:
    return (isinstance(item, dict) and item.get("kind") in ("GlobalNetworkSet", "NetworkSet")
            and "projectcalico.org/" in str(item.get("apiVersion", "")))


def _network_sets_holding(ip: Any, sets: list, namespaces: dict) -> Any:
    """The network sets (as endpoints) whose ``nets`` hold ``ip``; None when that cannot be told.

    Rule selectors match outside addresses only through network sets
    (https://docs.tigera.io/calico/latest/reference/resources/globalnetworkset).
    """
    if not sets:
        return ()
    if ip is None or isinstance(ip, Unknown):
        return None
    found = []
    for item in sets:
        metadata = item.get("metadata") or {}
        spec = item.get("spec") or {}
        if not isinstance(spec, dict) or not isinstance(metadata, dict):
            return None
        labels = metadata.get("labels") or {}
        if not isinstance(labels, dict):
            labels = labels if isinstance(labels, Unknown) else Unknown("the network set's labels are not readable")
        holds = _in_nets(spec.get("nets") or [], ip)
        if holds is None:
            return None
        if not holds:
            continue
        if item["kind"] == "GlobalNetworkSet":
            found.append(_Endpoint(item, None, labels, {}, None, None, is_set=True))
        else:
            namespace = metadata.get("namespace") or "default"
            ns_labels = namespace_labels(namespace, namespaces)
            if isinstance(ns_labels, dict):
                ns_labels = type(ns_labels)(ns_labels, **{"projectcalico.org/name": namespace})
            found.append(_Endpoint(item, namespace, labels, ns_labels, None, None, is_set=True))
    return found


def _selector(text: Any, labels: Any, default: bool | None = True, global_scope: bool = False) -> bool | None:
    """Evaluate a Calico selector; a missing one is ``default``, a malformed or Unknown one None."""
    if text is None:
        return default
    if isinstance(text, Unknown) or not isinstance(text, str):
        return None
    try:
        matcher = compile_selector(text)
    except ValueError:
        return None
    return matcher(labels if labels is not None else {}, global_scope)


# --- rules ---------------------------------------------------------------------

def _entity_matches(entity: Any, ep: _Endpoint, policy_ns: Any, is_destination: bool, port: int,
                    protocol: str, destination_raw: dict) -> bool | None:
    """One EntityRule (source or destination) against one flow end; all criteria must match."""
    if entity is None:
        return True
    if not isinstance(entity, dict):
        return None
    entity = {key: value for key, value in entity.items() if value is not None}  # null is absent
    results: list[bool | None] = []
    ip = ep.raw.get("ip")
    if "nets" in entity:
        results.append(_in_nets(entity["nets"], ip))
    if "notNets" in entity:
        results.append(t_not(_in_nets(entity["notNets"], ip)))
    identity = [key for key in ("selector", "namespaceSelector", "serviceAccounts") if key in entity]
    if identity:
        results.append(_identity_matches(entity, ep, policy_ns))
    if "notSelector" in entity:
        # negates the packet match: anything but the selected endpoints and network sets
        results.append(t_not(_selected(entity, "notSelector", ep, policy_ns)))
    if "services" in entity:
        results.append(None)  # Kubernetes Service matching is not modelled
    for key, negate in (("ports", False), ("notPorts", True)):
        if key in entity:
            if not is_destination:
                results.append(None)  # a source port is ephemeral: unknown before the flow
                continue
            found = _ports_match(entity[key], port, protocol, destination_raw)
            results.append(t_not(found) if negate else found)
    return t_and(results)


def _scope_matches(entity: dict, ep: _Endpoint, policy_ns: Any) -> bool | None:
    """Is the endpoint (or network set) in the namespaces a rule's selectors range over?"""
    is_global = ep.is_set and ep.namespace is None
    if "namespaceSelector" in entity:
        # global() in a namespaceSelector brings non-namespaced resources in scope
        return _selector(entity["namespaceSelector"], {} if is_global else ep.namespace_labels,
                         global_scope=is_global)
    if policy_ns is None:
        return True  # GlobalNetworkPolicy: all endpoints and network sets
    if is_global:
        return False  # a namespaced policy reaches global sets only through namespaceSelector: global()
    if isinstance(ep.namespace, Unknown) or isinstance(policy_ns, Unknown):
        return None
    return ep.namespace == policy_ns


def _selected(entity: dict, key: str, ep: _Endpoint, policy_ns: Any) -> bool | None:
    """Does ``entity[key]`` (selector or notSelector, in its scope) pick this endpoint or network set?"""
    if ep.namespace is None and not ep.is_set:  # an outside address: through its network sets
        if ep.network_sets is None:
            return None
        return t_or(_selected(entity, key, item, policy_ns) for item in ep.network_sets)
    return t_and((_scope_matches(entity, ep, policy_ns), _selector(entity.get(key), ep.labels)))


def _identity_matches(entity: dict, ep: _Endpoint, policy_ns: Any) -> bool | None:
    if ep.namespace is None and not ep.is_set:
        if "serviceAccounts" in entity:
            return False  # only pods run under service accounts
        return _selected(entity, "selector", ep, policy_ns)
    results = [_selected(entity, "selector", ep, policy_ns)]
    accounts = entity.get("serviceAccounts")
    if accounts is not None:
        results.append(_service_account_matches(accounts, ep))
    return t_and(results)


def _service_account_matches(accounts: Any, ep: _Endpoint) -> bool | None:
    if not isinstance(accounts, dict):
        return None
    results: list[bool | None] = []
    names = accounts.get("names")
    if names:
        account = ep.service_account
        if not isinstance(account, dict) or isinstance(account.get("name"), Unknown) or isinstance(names, Unknown):
            results.append(None)
        else:
            results.append(account.get("name") in names)
    if "selector" in accounts:
        results.append(_selector(accounts["selector"], ep.sa_labels))
    return t_and(results)


def _in_nets(nets: Any, ip: Any) -> bool | None:
    if not isinstance(nets, list) or ip is None or isinstance(ip, Unknown):
        return None
    results: list[bool | None] = []
    for net in nets:
        if isinstance(net, Unknown):
            results.append(None)
            continue
        try:
            results.append(ip_in(ip, net))
        except ValueError:
            results.append(None)
    return t_or(results)


def _ports_match(ports: Any, port: int, protocol: str, destination: dict) -> bool | None:
    """Calico ports: ints, "start:end" ranges and named ports of the destination endpoint."""
    if not isinstance(ports, list):
        return None
    results: list[bool | None] = []
    for spec in ports:
        if isinstance(spec, Unknown) or isinstance(spec, bool):
            results.append(None)
        elif isinstance(spec, int):
            results.append(spec == port)
        elif isinstance(spec, str) and spec.replace(":", "", 1).isdigit():
            low, _, high = spec.partition(":")
            results.append(int(low) <= port <= int(high or low))
        elif isinstance(spec, str):
            results.append(named_port_matches(spec, port, protocol, destination))
        else:
            results.append(None)
    return t_or(results)


def _protocol_matches(value: Any, protocol: str) -> bool | None:
    if isinstance(value, Unknown):
        return None
    wanted = PROTOCOL_NUMBERS.get(protocol)
    if isinstance(value, int) and not isinstance(value, bool):
        return value == wanted
    if isinstance(value, str):
        if value.isdigit():
            return int(value) == wanted
        return PROTOCOL_NUMBERS.get(value.upper(), -1) == wanted
    return None


def _rule_matches(rule: dict, local: _Endpoint, peer: _Endpoint, policy_ns: Any, direction: str, port: int,
                  protocol: str) -> bool | None:
    source, destination = (peer, local) if direction == "ingress" else (local, peer)
    results: list[bool | None] = []
    if "protocol" in rule:
        results.append(_protocol_matches(rule["protocol"], protocol))
    if "notProtocol" in rule:
        results.append(t_not(_protocol_matches(rule["notProtocol"], protocol)))
    if rule.get("icmp") is not None:
        results.append(False)  # the flows asked about are TCP, UDP or SCTP
    if "ipVersion" in rule:
        results.append(_ip_version_matches(rule["ipVersion"], peer.raw.get("ip")))
    if rule.get("http") is not None:
        results.append(None)  # application layer policy is not modelled
    if t_and(results) is False:
        return False
    results.append(_entity_matches(rule.get("source"), source, policy_ns, False, port, protocol, destination.raw))
    results.append(_entity_matches(rule.get("destination"), destination, policy_ns, True, port, protocol,
                                   destination.raw))
    return t_and(results)


def _ip_version_matches(version: Any, ip: Any) -> bool | None:
    if ip is None or isinstance(ip, Unknown) or isinstance(version, Unknown):
        return None
    try:
        return parse_ip(ip).version == int(version)
    except (ValueError, TypeError):
        return None


def _number(value: Any) -> float:
    """An ``order``: absent is infinite (evaluated last); Unknown or unreadable is NaN."""
    if value is None:
        return math.inf
    if isinstance(value, bool) or isinstance(value, Unknown):
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _action(value: Any) -> str | None:
    if isinstance(value, str) and value.capitalize() in ("Allow", "Deny", "Pass", "Log"):
        return value.capitalize()
    return None


def calico_types(spec: dict) -> set | None:
    """Effective ``types``: Calico's own defaulting table, which differs from Kubernetes.

    No rules or ingress rules only: Ingress; egress rules only: Egress; both:
    Ingress and Egress.  https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#spec
    """
    types = spec.get("types")
    if isinstance(types, Unknown):
        return None
    if types:
        if not isinstance(types, list) or any(t not in ("Ingress", "Egress") for t in types):
            return None
        return set(types)
    ingress, egress = spec.get("ingress"), spec.get("egress")
    if isinstance(ingress, Unknown) or isinstance(egress, Unknown):
        return None
    if egress and not ingress:
        return {"Egress"}
    return {"Ingress", "Egress"} if egress else {"Ingress"}


# --- policies ------------------------------------------------------------------

def _calico_policy(policy: dict, local: _Endpoint, peer: _Endpoint, direction: str, port: int, protocol: str,
                   reasons: list) -> tuple[str, _Policy]:
    metadata = policy.get("metadata") or {}
    spec = policy.get("spec") or {}
    if not isinstance(metadata, dict):
        metadata = {}
    spec_known = isinstance(spec, dict)  # an Unknown spec may or may not select, with unknown rules
    if not spec_known:
        spec = {}
    tier = spec.get("tier") or "default"
    if not isinstance(tier, str):
        tier = "default"
        reasons.append(f"the tier of policy {metadata.get('name')} is not known")
    ref = PolicyRef(kind=policy["kind"], name=metadata.get("name"), tier=str(tier),
                    namespace=metadata.get("namespace") if policy["kind"] == "NetworkPolicy" else None,
                    location=policy.get("__location__"))
    is_global = policy["kind"] == "GlobalNetworkPolicy"
    policy_ns = None if is_global else (metadata.get("namespace") or "default")
    order = _number(spec.get("order")) if spec_known else math.nan
    if math.isnan(order):
        reasons.append(f"the order of {ref} is not known")
    sort_name = str(ref.name) if is_global else f"{policy_ns}/{ref.name}"
    types = calico_types(spec) if spec_known else None
    wanted = "Ingress" if direction == "ingress" else "Egress"
    checks: list[bool | None] = [None if types is None else wanted in types]
    if is_global:
        checks.append(_selector(spec.get("namespaceSelector"), local.namespace_labels))
    else:
        checks.append(None if isinstance(local.namespace, Unknown) else local.namespace == policy_ns)
    checks.append(_selector(spec.get("selector"), local.labels))
    if spec.get("serviceAccountSelector"):
        checks.append(_selector(spec["serviceAccountSelector"], local.sa_labels))
    selects = t_and(checks)
    if selects is not False and (spec.get("doNotTrack") or spec.get("preDNAT")):
        # documented as meaningful only for host endpoints; whether Felix also applies
        # them to pods is not stated, so both possibilities are explored
        reasons.append(f"{ref} is doNotTrack/preDNAT, which is not modelled for pods")
        selects = None
    rules = []
    raw_rules = spec.get(direction) if spec_known else None
    if not spec_known or not isinstance(raw_rules or [], list):
        rules.append(_Rule(0, None, None))  # rules not known: any outcome is possible
    elif selects is not False:
        for index, rule in enumerate(raw_rules or []):
            if not isinstance(rule, dict):
                rules.append(_Rule(index, None, None))
                continue
            rules.append(_Rule(index, _action(rule.get("action")),
                               _rule_matches(rule, local, peer, policy_ns, direction, port, protocol)))
    return str(tier), _Policy(ref, order, sort_name, selects, rules)


def _kubernetes_policy(policy: dict, local: _Endpoint, peer: _Endpoint, direction: str, port: int,
                       protocol: str, namespaces: dict) -> tuple[str, _Policy]:
    metadata = policy.get("metadata") if isinstance(policy.get("metadata"), dict) else {}
    ref = PolicyRef(kind="NetworkPolicy", name=metadata.get("name"), namespace=metadata.get("namespace"),
                    tier="default", location=policy.get("__location__"))
    destination = peer.raw if direction == "egress" else local.raw
    # Calico renders ipBlock as nets, which match pod IPs too
    found = match_kubernetes_policy(policy, local.raw, peer.raw, destination, namespaces, port, protocol,
                                    direction, ipblock_matches_pods=True)
    rules = [_Rule(index, "Allow", match) for index, match in enumerate(found.rules)]
    sort_name = f"{metadata.get('namespace') or 'default'}/knp.default.{ref.name}"
    return "default", _Policy(ref, KUBERNETES_POLICY_ORDER, sort_name, found.selects, rules)


def _tiers(policies: list, tiers: list | None, local: _Endpoint, peer: _Endpoint, namespaces: dict,
           direction: str, port: int, protocol: str, reasons: list) -> list[_Tier] | None:
    """The tiers holding a policy that may select ``local``, in evaluation order; None if that order is unknown."""
    declared: dict[str, _Tier] = {}
    for name, (order, action) in BUILTIN_TIERS.items():
        declared[name] = _Tier(name, order, action, PolicyRef("Tier", name, tier=name))
    for tier in tiers or []:
        if not isinstance(tier, dict):
            continue
        metadata, spec = tier.get("metadata") or {}, tier.get("spec") or {}
        name = metadata.get("name") if isinstance(metadata, dict) else None
        if not isinstance(name, str):
            continue
        if not isinstance(spec, dict):  # order and default action unknown
            spec = {"order": math.nan, "defaultAction": spec}
        if name == "default":
            continue  # its order is fixed at 1,000,000
        order = _number(spec.get("order"))
        action = spec.get("defaultAction") or "Deny"
        declared[name] = _Tier(name, order, _action(action) if action in ("Deny", "Pass") else None,
                               PolicyRef("Tier", name, tier=name, location=tier.get("__location__")))
    if isinstance(policies, Unknown):
        reasons.append(f"the policies are not known: {policies}")
        return None
    for policy in policies or []:
        if is_calico_policy(policy):
            tier_name, item = _calico_policy(policy, local, peer, direction, port, protocol, reasons)
        elif is_kubernetes_policy(policy):
            tier_name, item = _kubernetes_policy(policy, local, peer, direction, port, protocol, namespaces)
        else:
            continue
        if item.selects is False:
            continue
        if tier_name not in declared:
            reasons.append(f"tier {tier_name!r} of {item.ref} is not declared: its order is unknown")
            declared[tier_name] = _Tier(tier_name, math.nan, None, PolicyRef("Tier", tier_name, tier=tier_name))
        declared[tier_name].policies.append(item)
    used = [tier for tier in declared.values() if tier.policies]
    if any(math.isnan(tier.order) for tier in used) and len(used) > 1:
        return None
    if any(math.isnan(p.order) for tier in used if len(tier.policies) > 1 for p in tier.policies):
        return None
    for tier in used:
        tier.policies.sort(key=lambda p: (p.order, p.sort_name))
    return sorted(used, key=lambda t: (t.order, t.name))


class _Search:
    """Walk tiers, policies and rules; at each undecided point follow both branches.

    Iterative (an explicit stack) because a walk is as deep as there are
    policies; each state is visited once since what follows it does not
    depend on how it was reached.
    """

    def __init__(self, tiers: list[_Tier]):
        self.tiers = tiers
        self.outcomes: list[tuple[bool | None, tuple]] = []
        self.values: set = set()

    def add(self, value: bool | None, path: tuple) -> None:
        self.outcomes.append((value, path))
        self.values.add(value)

    def run(self) -> None:
        stack = [(0, 0, -1, False, ())]
        seen: set = set()
        steps = 0
        while stack:
            if None in self.values or len(self.values) == 2:
                return  # the answer is already "cannot decide"
            steps += 1
            if steps > _SEARCH_BUDGET:
                self.add(None, ())
                return
            ti, pi, ri, selected, path = stack.pop()
            if (ti, pi, ri, selected) in seen:
                continue
            seen.add((ti, pi, ri, selected))
            # successors are pushed last-first so the certain branch is explored first
            stack.extend(reversed(self._step(ti, pi, ri, selected, path)))

    def _step(self, ti: int, pi: int, ri: int, selected: bool, path: tuple) -> list:
        """Record an outcome or return the next states."""
        if ti == len(self.tiers):
            self.add(True, path)  # the namespace profile allows
            return []
        tier = self.tiers[ti]
        if pi == len(tier.policies):
            if not selected or tier.default_action == "Pass":
                return [(ti + 1, 0, -1, False, path)]
            self.add(False if tier.default_action == "Deny" else None, path + ((tier.ref, None, "Deny"),))
            return []
        policy = tier.policies[pi]
        if ri == -1:
            nexts = []
            if policy.selects is not False:
                nexts.append((ti, pi, 0, True, path))
            if policy.selects is not True:
                nexts.append((ti, pi + 1, -1, selected, path))
            return nexts
        if ri == len(policy.rules):
            return [(ti, pi + 1, -1, True, path)]
        rule = policy.rules[ri]
        nexts = []
        if rule.match is not False:
            step = path + ((policy.ref, rule.index, rule.action),)
            if rule.action in ("Allow", "Deny"):
                self.add(rule.action == "Allow", step)
            elif rule.action == "Pass":
                nexts.append((ti + 1, 0, -1, False, step))
            elif rule.action == "Log":
                nexts.append((ti, pi, ri + 1, True, path))
            else:
                self.add(None, step)
        if rule.match is not True:
            nexts.append((ti, pi, ri + 1, True, path))
        return nexts


def _explain_direction(policies: list, namespaces: dict, source: dict, destination: dict, port: int,
                       protocol: str, direction: str, tiers: list | None) -> Verdict:
    verdict = Verdict(allowed=True, direction=direction, engine="Calico policy",
                      flow=describe_flow(direction, source, destination, port, protocol))
    local_raw, peer_raw = (destination, source) if direction == "ingress" else (source, destination)
    if local_raw.get("namespace") is None:
        verdict.reasons.append(f"{describe_endpoint(local_raw)} is outside the cluster: no Calico policy applies")
        return verdict
    local, peer = _endpoint(local_raw, namespaces), _endpoint(peer_raw, namespaces)
    if peer.namespace is None and not isinstance(policies, Unknown):
        sets = [item for item in policies or [] if is_network_set(item)]
        peer.network_sets = _network_sets_holding(peer_raw.get("ip"), sets, namespaces)
    ordered = _tiers(policies, tiers, local, peer, namespaces, direction, port, protocol, verdict.reasons)
    if ordered is None:
        verdict.allowed = None
        return verdict
    verdict.isolating = [policy.ref for tier in ordered for policy in tier.policies]
    search = _Search(ordered)
    search.run()
    values = {value for value, _ in search.outcomes}
    if len(values) != 1 or None in values:
        verdict.allowed = None
        return verdict
    verdict.allowed = values.pop()
    path = search.outcomes[0][1]
    verdict.decided_by = [(ref, index) for ref, index, action in path if action != "Pass"]
    verdict.passed_by = [(ref, index) for ref, index, action in path if action == "Pass"]
    # keep only the reasons for undecided points that could have mattered
    verdict.reasons = [r for r in verdict.reasons if "not modelled" not in r]
    if not verdict.decided_by and verdict.allowed and verdict.isolating:
        verdict.reasons.append("no tier decided: the Kubernetes namespace profile allows it")
    return verdict


def explain_flow(policies: list, namespaces: dict, source: dict, destination: dict, port: int, protocol: str,
                 direction: str, tiers: list | None = None) -> Verdict:
    """Explain whether Calico (with any Kubernetes NetworkPolicies) allows one flow.

    Same shapes as :func:`validator.network.netpol.explain_flow`; a source may
    carry ``serviceAccount: {"name", "labels"}``.  ``tiers`` are Calico Tier
    objects; the built-in tiers (``default`` at 1,000,000, admin and baseline
    tiers) need not be given.  ``decided_by`` holds the final Allow or Deny
    rule, or the tier whose end denied it (rule index None); ``passed_by`` the
    Pass rules followed on the way.  Unknowns give ``allowed=None`` only when
    the answer depends on them.
    """
    port = flow_port(port)
    return by_direction(direction, source, destination, port, protocol, lambda way, proto: _explain_direction(
        policies, namespaces, source, destination, port, proto, way, tiers))


def calico_allows(policies: list, namespaces: dict, source: dict, destination: dict, port: int, protocol: str,
                  direction: str, tiers: list | None = None) -> bool | None:
    """True if Calico allows the flow, False if it denies it, None if that cannot be decided.

    See :func:`explain_flow`.
    """
    return explain_flow(policies, namespaces, source, destination, port, protocol, direction, tiers).allowed
