"""Kubernetes NetworkPolicy (networking.k8s.io/v1) reachability.

Answers "would this flow be allowed?" for one source, destination, port and
protocol, with the semantics of
https://kubernetes.io/docs/concepts/services-networking/network-policies/ and
the API reference (NetworkPolicySpec, NetworkPolicyPeer, NetworkPolicyPort).

Answers are three-valued: ``True`` (allowed), ``False`` (denied) or ``None``
(cannot decide: an Unknown value, a malformed selector, a named port the
destination does not declare, or behaviour the docs leave to the CNI).
The :class:`Verdict` and three-valued helpers here are shared with ``calico``.

Endpoints are dicts ``{"namespace", "pod", "labels", "ip"}``; a peer outside
the cluster carries only ``ip``.  A destination may carry ``named_ports``
(``{"http": 8080}`` or ``{"dns": {"port": 53, "protocol": "UDP"}}``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from validator.model import Unknown
from validator.network.cidr import ip_in

DIRECTIONS = ("ingress", "egress", "both")
NS_NAME_LABEL = "kubernetes.io/metadata.name"  # set on every namespace by the API server



# --- three-valued logic -----------------------------------------------------

def _kleene(values: Iterable[bool | None], dominant: bool) -> bool | None:
    unknown = False
    for value in values:
        if value is dominant:
            return dominant
        if value is None:
            unknown = True
    return None if unknown else not dominant


def t_and(values: Iterable[bool | None]) -> bool | None:
    """Kleene AND: False wins, then None, else True."""
    return _kleene(values, False)


def t_or(values: Iterable[bool | None]) -> bool | None:
    """Kleene OR: True wins, then None, else False."""
    return _kleene(values, True)


def t_not(value: bool | None) -> bool | None:
    return None if value is None else not value


# --- verdicts ------------------------------------------------------------------

@dataclass(frozen=True)
class PolicyRef:
    """Which policy object took part; ``location`` is the manifest's ``__location__``, untouched."""

    kind: str
    name: Any
    namespace: Any = None
    tier: str | None = None
    location: Any = field(default=None, compare=False)

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"


@dataclass
class Verdict:
    """The answer for one flow and its explanation.

    ``allowed`` is True, False or None (undecidable).  ``decided_by`` lists
    ``(policy, rule index)`` pairs that decided: the rules that allow it, or
    (Calico) the Deny/Pass rule; the index is None when a default decided
    (Calico end of tier).  ``isolating`` lists the policies that select the
    endpoint for this direction.  ``reasons`` says why the answer is None or
    notes an assumption.  ``parts`` holds the egress and ingress verdicts when
    ``direction`` is "both".
    """

    allowed: bool | None
    direction: str
    flow: str = ""
    decided_by: list = field(default_factory=list)
    isolating: list = field(default_factory=list)
    reasons: list = field(default_factory=list)
    parts: list = field(default_factory=list)
    engine: str = "NetworkPolicy"
    passed_by: list = field(default_factory=list)  # Calico Pass rules followed, as (policy, rule index)

    def message(self) -> str:
        """One sentence for a finding, e.g. "... denied by NetworkPolicy default-deny; no policy allows it"."""
        if self.parts:
            # "both": say only what decided (the denying or undecided direction)
            parts = [part for part in self.parts if part.allowed is self.allowed] or self.parts
            return "; ".join(part.message() for part in parts)
        if self.allowed is None:
            why = "; ".join(self.reasons) or "undecidable"
            return f"{self.flow} cannot be decided: {why}"
        names = ", ".join(_rule_text(ref, idx) for ref, idx in self.decided_by)
        selected = ", ".join(dict.fromkeys(str(ref) for ref in self.isolating))
        if self.allowed:
            if self.decided_by:
                return f"{self.flow} allowed by {names}"
            if self.passed_by:
                passes = ", ".join(_rule_text(ref, idx) for ref, idx in self.passed_by)
                return f"{self.flow} allowed: passed on by {passes}, then no policy denies it"
            if self.isolating:
                return f"{self.flow} allowed: selected by {selected}, none of which decides"
            return f"{self.flow} allowed: no {self.engine} selects the endpoint"
        if self.decided_by:
            if any(index is None for _, index in self.decided_by):
                return f"{self.flow} denied by {names}; selected by {selected}, no rule allows it"
            return f"{self.flow} denied by {names}"
        return f"{self.flow} denied by {selected}; no policy allows it"


def _rule_text(ref: PolicyRef, index: int | None) -> str:
    if index is None:
        return f"the end of tier {ref.tier or ref.name} (default action Deny)"
    return f"{ref} rule {index}"


def describe_endpoint(endpoint: dict) -> str:
    """``namespace/pod`` (``*`` for any pod) for a pod, the IP for an outside peer."""
    if endpoint.get("namespace") is not None:
        return f"{endpoint['namespace']}/{endpoint.get('pod') or '*'}"
    return str(endpoint.get("ip", "?"))


def describe_flow(direction: str, source: dict, destination: dict, port: Any, protocol: str) -> str:
    return f"{direction} from {describe_endpoint(source)} to {describe_endpoint(destination)}:{port}/{protocol}"


def unknown_flow(direction: str, source: dict, destination: dict, port: Any, protocol: Any) -> Verdict:
    """The verdict when the port or protocol asked about is itself Unknown."""
    return Verdict(allowed=None, direction=direction,
                   flow=describe_flow(direction, source, destination, port, protocol),
                   reasons=[f"the port or protocol ({port}/{protocol}) is not known before deployment"])


def by_direction(direction: str, source: dict, destination: dict, port: Any, protocol: Any,
                 evaluate: Callable[[str, str], Verdict]) -> Verdict:
    """Check the arguments, then ``evaluate(direction, PROTOCOL)`` once, or for egress and ingress ("both")."""
    if isinstance(direction, str) and direction.strip().lower() in DIRECTIONS:
        direction = direction.strip().lower()  # "Egress" as the API spells policyTypes
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, not {direction!r}")
    if isinstance(port, Unknown) or isinstance(protocol, Unknown):
        return unknown_flow(direction, source, destination, port, protocol)
    protocol = str(protocol).upper()
    if direction == "both":
        return combine_both(evaluate("egress", protocol), evaluate("ingress", protocol))
    return evaluate(direction, protocol)


def flow_port(port: Any) -> Any:
    """The port asked about as a number: "443" (as YAML or a template may give it) is 443."""
    if isinstance(port, str) and port.strip().isdigit():
        return int(port)
    return port


def combine_both(egress: Verdict, ingress: Verdict) -> Verdict:
    """A flow is allowed when the source may send it and the destination may receive it."""
    return Verdict(
        allowed=t_and((egress.allowed, ingress.allowed)),
        direction="both",
        flow=egress.flow.replace("egress", "traffic", 1),
        decided_by=egress.decided_by + ingress.decided_by,
        passed_by=egress.passed_by + ingress.passed_by,
        isolating=egress.isolating + ingress.isolating,
        reasons=egress.reasons + ingress.reasons,
        parts=[egress, ingress],
        engine=egress.engine,
    )


# --- selectors -----------------------------------------------------------------

class OpenLabels(dict):
    """Labels known only in part: a key not listed is Unknown, not absent.

    For a namespace the scanned files do not declare (kube-system, the extension's own
    namespace): only its automatic ``kubernetes.io/metadata.name`` label is certain, so a
    selector on another label is undecidable rather than false.
    """

    def get(self, key: Any, default: Any = None) -> Any:
        if key in self:
            return self[key]
        return Unknown(f"label {key} of a namespace the files do not declare")


class OpenNamespaces(dict):
    """``namespaces`` for which a namespace not listed has labels not known (``OpenLabels``)."""

    def get(self, key: Any, default: Any = None) -> Any:
        if key in self:
            return self[key]
        return {"labels": OpenLabels()}


def namespace_labels(name: Any, namespaces: dict) -> Any:
    """A namespace's labels plus the automatic ``kubernetes.io/metadata.name`` label.

    A namespace missing from ``namespaces`` has only the automatic label
    (https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#automatic-labelling),
    unless ``namespaces`` is an :class:`OpenNamespaces` (its other labels are then not known).
    """
    if isinstance(name, Unknown):
        return name
    if namespaces is not None and not isinstance(namespaces, dict):
        return namespaces if isinstance(namespaces, Unknown) else Unknown("the namespaces are not readable")
    entry = (namespaces if namespaces is not None else {}).get(name) or {}
    labels = entry.get("labels") if isinstance(entry, dict) else None
    if isinstance(labels, Unknown):
        return labels
    if labels is not None and not isinstance(labels, dict):
        return Unknown(f"the labels of namespace {name} are not readable")
    result = (OpenLabels if isinstance(labels, OpenLabels) else dict)(labels if labels is not None else {})
    result[NS_NAME_LABEL] = name
    return result


def label_selector_matches(selector: Any, labels: Any) -> bool | None:
    """Kubernetes LabelSelector semantics: matchLabels AND matchExpressions; ``{}`` matches all.

    None when the selector is malformed (unknown operator, In without values)
    or a value it needs is Unknown.
    https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#resources-that-support-set-based-requirements
    """
    if isinstance(selector, Unknown) or isinstance(labels, Unknown) or not isinstance(selector, dict):
        return None
    labels = labels if labels is not None else {}
    if not isinstance(labels, dict):
        return None
    results: list[bool | None] = []
    match_labels = selector.get("matchLabels") or {}
    if not isinstance(match_labels, dict):
        return None
    for key, want in match_labels.items():
        have = labels.get(key, _MISSING)
        if isinstance(want, Unknown) or isinstance(have, Unknown):
            results.append(None)
        else:
            results.append(have is not _MISSING and str(have) == str(want))
    expressions = selector.get("matchExpressions") or []
    if not isinstance(expressions, list):
        return None
    for expression in expressions:
        results.append(_expression_matches(expression, labels))
    return t_and(results)


_MISSING = object()


def _expression_matches(expression: Any, labels: dict) -> bool | None:
    if not isinstance(expression, dict):
        return None
    key, operator, values = expression.get("key"), expression.get("operator"), expression.get("values")
    if isinstance(key, Unknown) or isinstance(values, Unknown) or not isinstance(key, str):
        return None
    have = labels.get(key, _MISSING)
    if isinstance(have, Unknown):
        return None
    if operator in ("In", "NotIn"):
        # the API rejects In/NotIn without values
        if not isinstance(values, list) or not values or any(isinstance(v, Unknown) for v in values):
            return None
        found = have is not _MISSING and str(have) in {str(v) for v in values}
        return found if operator == "In" else not found
    if operator in ("Exists", "DoesNotExist"):
        if values:  # the API rejects values here
            return None
        return (have is not _MISSING) == (operator == "Exists")
    return None


# --- rules -----------------------------------------------------------------------

def _peer_matches(peer: Any, policy_ns: Any, other: dict, namespaces: dict,
                  ipblock_matches_pods: bool | None) -> bool | None:
    """Does one NetworkPolicyPeer select ``other``?"""
    if not isinstance(peer, dict):
        return None
    peer = {key: value for key, value in peer.items() if value is not None}  # null is absent
    if not peer:
        return None  # the API requires one of podSelector, namespaceSelector, ipBlock
    is_pod = other.get("namespace") is not None
    if "ipBlock" in peer:
        if "podSelector" in peer or "namespaceSelector" in peer:
            return None  # "If this field is set then neither of the other fields can be."
        inside = _in_ip_block(peer["ipBlock"], other.get("ip"))
        if not is_pod or inside is False:
            return inside
        # ipBlock "should be cluster-external IPs, since Pod IPs are ephemeral"
        # (https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource);
        # whether it matches a pod's IP is up to the CNI: Calico renders it as
        # nets that do, Cilium matches known pods by identity instead
        # (https://github.com/cilium/cilium/issues/16308). Undecided unless the caller knows.
        return t_and((inside, ipblock_matches_pods))
    if not is_pod:
        return False  # pod and namespace selectors select pods only
    if "namespaceSelector" in peer:
        ns_match = label_selector_matches(peer["namespaceSelector"] or {},
                                          namespace_labels(other.get("namespace"), namespaces))
    else:  # podSelector alone selects in the policy's own namespace
        ns_match = _same(other.get("namespace"), policy_ns)
    if "podSelector" in peer:
        pod_match = label_selector_matches(peer["podSelector"] or {}, other.get("labels") or {})
    else:
        pod_match = True
    return t_and((ns_match, pod_match))


def _same(a: Any, b: Any) -> bool | None:
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return None
    return a == b


def _in_ip_block(block: Any, ip: Any) -> bool | None:
    if isinstance(block, dict) and (ip is None or isinstance(ip, Unknown)):
        # An address not known statically is still an IPv4 address for the peers we ask about
        # (the AKS API server, public endpoints): 0.0.0.0/0 with no except covers it.
        if block.get("cidr") == "0.0.0.0/0" and not block.get("except"):
            return True
        return None
    if not isinstance(block, dict):
        return None
    cidr, excepts = block.get("cidr"), block.get("except") or []
    if isinstance(cidr, Unknown) or isinstance(excepts, Unknown) or not isinstance(excepts, list):
        return None
    try:
        if not ip_in(ip, cidr):
            return False
        results = [None if isinstance(e, Unknown) else ip_in(ip, e) for e in excepts]
    except ValueError:
        return None
    return t_not(t_or(results))


def ports_match(ports: Any, port: int, protocol: str, destination: dict) -> bool | None:
    """NetworkPolicyPort list semantics: absent or empty matches all; entries are ORed.

    ``protocol`` defaults to TCP; ``port`` absent matches every port of that
    protocol; ``endPort`` makes a range; a named port is looked up on the
    destination's ``named_ports`` (it always names a destination port, also in
    egress rules) and is undecided when the destination does not declare it.
    """
    if ports is None or ports == []:
        return True
    if not isinstance(ports, list):
        return None
    return t_or(_port_matches(entry, port, protocol, destination) for entry in ports)


def _port_matches(entry: Any, port: int, protocol: str, destination: dict) -> bool | None:
    if not isinstance(entry, dict):
        return None
    rule_protocol = entry.get("protocol") or "TCP"
    if isinstance(rule_protocol, Unknown):
        return None
    if str(rule_protocol).upper() != protocol:
        return False
    value, end = entry.get("port"), entry.get("endPort")
    if value is None:
        return True if end is None else None  # endPort needs port
    if isinstance(value, Unknown) or isinstance(end, Unknown):
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if end is None:
            return port == value
        if not isinstance(end, int) or end < value:
            return None  # the API requires endPort >= port
        return value <= port <= end
    if isinstance(value, str):
        if end is not None:
            return None  # endPort is only valid with a numeric port
        return named_port_matches(value, port, protocol, destination)
    return None


def named_port_matches(name: str, port: int, protocol: str, destination: dict) -> bool | None:
    """Resolve a named port on the destination pod; None when the pod does not declare it."""
    if destination.get("namespace") is None:
        return False  # outside the cluster there are no container ports to name
    named = destination.get("named_ports")
    if not isinstance(named, dict) or name not in named:
        return None
    target = named[name]
    if isinstance(target, dict):
        number, proto = target.get("port"), target.get("protocol") or "TCP"
        if isinstance(number, Unknown) or isinstance(proto, Unknown):
            return None
        return number == port and str(proto).upper() == protocol
    if isinstance(target, Unknown) or not isinstance(target, int):
        return None
    return target == port  # the plain form states no protocol: the number decides


def policy_types(spec: dict) -> set | None:
    """Effective policyTypes: when unset, Ingress always and Egress if egress rules exist.

    "Unset" includes an empty list, and "egress rules exist" means a non-empty
    ``egress`` list, as the API server's defaulting does.
    """
    types = spec.get("policyTypes")
    if isinstance(types, Unknown):
        return None
    if not types:
        result = {"Ingress"}
        egress = spec.get("egress")
        if isinstance(egress, Unknown):
            return None
        if egress:
            result.add("Egress")
        return result
    if not isinstance(types, list) or any(t not in ("Ingress", "Egress") for t in types):
        return None
    return set(types)


def is_kubernetes_policy(policy: Any) -> bool:
    return (isinstance(policy, dict) and policy.get("kind") == "NetworkPolicy"
            and str(policy.get("apiVersion", "networking.k8s.io/v1")).startswith("networking.k8s.io/"))


def policy_ref(policy: dict, default_kind: str = "NetworkPolicy", tier: str | None = None) -> PolicyRef:
    metadata = policy.get("metadata") or {}
    return PolicyRef(kind=policy.get("kind") or default_kind, name=metadata.get("name"),
                     namespace=metadata.get("namespace"), tier=tier,
                     location=policy.get("__location__"))


@dataclass
class KubernetesPolicyMatch:
    """How one Kubernetes policy bears on one direction of a flow."""

    selects: bool | None          # does the policy select the local pod for this direction
    allowing_rules: list          # indexes of rules that certainly match
    match: bool | None            # does any rule match (three-valued)
    rules: list = field(default_factory=list)  # each rule's three-valued match, in order


def match_kubernetes_policy(policy: dict, local: dict, peer: dict, destination: dict, namespaces: dict,
                            port: int, protocol: str, direction: str,
                            ipblock_matches_pods: bool | None) -> KubernetesPolicyMatch:
    """Evaluate one Kubernetes NetworkPolicy for ``local`` (the pod it may isolate)."""
    metadata = policy.get("metadata") or {}
    spec = policy.get("spec") or {}
    if not isinstance(metadata, dict) or not isinstance(spec, dict):
        return KubernetesPolicyMatch(None, [], None)
    policy_ns = metadata.get("namespace") or "default"
    in_namespace = _same(local.get("namespace"), policy_ns)
    if in_namespace is False:
        return KubernetesPolicyMatch(False, [], False)
    # podSelector is a required, non-pointer field: absent behaves as {} (all pods)
    selected = label_selector_matches(spec.get("podSelector") or {}, local.get("labels") or {})
    types = policy_types(spec)
    wanted = "Ingress" if direction == "ingress" else "Egress"
    applies = None if types is None else wanted in types
    selects = t_and((in_namespace, selected, applies))
    if selects is False:
        return KubernetesPolicyMatch(False, [], False)
    rules = spec.get(direction) or []
    if not isinstance(rules, list):
        return KubernetesPolicyMatch(selects, [], None)
    peers_key = "from" if direction == "ingress" else "to"
    results, allowing = [], []
    for index, rule in enumerate(rules):
        result = _rule_matches(rule, peers_key, policy_ns, peer, destination, namespaces, port, protocol,
                               ipblock_matches_pods)
        results.append(result)
        if result is True:
            allowing.append(index)
    return KubernetesPolicyMatch(selects, allowing, t_or(results), results)


def _rule_matches(rule: Any, peers_key: str, policy_ns: Any, peer: dict, destination: dict,
                  namespaces: dict, port: int, protocol: str, ipblock_matches_pods: bool | None) -> bool | None:
    if not isinstance(rule, dict):
        return None
    peers = rule.get(peers_key)
    if peers is None or peers == []:
        peer_match: bool | None = True  # "empty or missing" matches all peers (API reference)
    elif isinstance(peers, list):
        peer_match = t_or(_peer_matches(p, policy_ns, peer, namespaces, ipblock_matches_pods) for p in peers)
    else:
        peer_match = None
    if peer_match is False:
        return False
    return t_and((peer_match, ports_match(rule.get("ports"), port, protocol, destination)))


def _explain_direction(policies: list, namespaces: dict, source: dict, destination: dict, port: int,
                       protocol: str, direction: str, ipblock_matches_pods: bool | None) -> Verdict:
    local, peer = (destination, source) if direction == "ingress" else (source, destination)
    verdict = Verdict(allowed=True, direction=direction,
                      flow=describe_flow(direction, source, destination, port, protocol))
    if local.get("namespace") is None:
        verdict.reasons.append(f"{describe_endpoint(local)} is outside the cluster: no NetworkPolicy applies")
        return verdict
    outcomes: list[tuple[bool | None, bool | None]] = []
    if isinstance(policies, Unknown):
        verdict.allowed = None
        verdict.reasons.append(f"the policies are not known: {policies}")
        return verdict
    for policy in policies or []:
        if not is_kubernetes_policy(policy):
            continue
        found = match_kubernetes_policy(policy, local, peer, destination, namespaces, port, protocol,
                                        direction, ipblock_matches_pods)
        if found.selects is False:
            continue
        ref = policy_ref(policy)
        verdict.isolating.append(ref)
        outcomes.append((found.selects, found.match))
        if found.selects is True:
            verdict.decided_by.extend((ref, index) for index in found.allowing_rules)
        if found.selects is None:
            verdict.reasons.append(f"cannot tell whether {ref} selects {describe_endpoint(local)}")
        elif found.match is None:
            verdict.reasons.append(f"cannot tell whether {ref} allows it")
    verdict.allowed = union_of_policies(outcomes)
    if verdict.allowed is not True:
        verdict.decided_by = []
    return verdict


def union_of_policies(outcomes: list) -> bool | None:
    """Allowed when no policy selects the pod, or a selecting policy has a matching rule.

    ``outcomes`` holds one ``(selects, matches)`` pair of three-valued answers
    per policy.  Plain Kleene logic would lose that both halves depend on the
    same ``selects``, so decide by whether True and False are each reachable.
    """
    certain = [match for selects, match in outcomes if selects is True]
    can_allow = not certain or any(
        selects is not False and match is not False for selects, match in outcomes)
    can_deny = any(selects is not False and match is not True for selects, match in outcomes) and all(
        match is not True for match in certain)
    if can_allow and not can_deny:
        return True
    if can_deny and not can_allow:
        return False
    return None


def explain_flow(policies: list, namespaces: dict, source: dict, destination: dict, port: int,
                 protocol: str, direction: str, *, ipblock_matches_pods: bool | None = True) -> Verdict:
    """Explain whether Kubernetes NetworkPolicies allow one flow.

    ``direction`` "ingress" evaluates only the destination's ingress
    policies, "egress" only the source's egress policies, "both" requires
    both.  Non-Kubernetes objects in ``policies`` are ignored.  Unknown values,
    malformed selectors and undeclared named ports give ``allowed=None``.
    ``ipblock_matches_pods`` says whether an ipBlock matches a pod's IP.  The API reference
    says ipBlocks "should be cluster-external IPs", but the upstream conformance tests
    (test/e2e/network/netpol, "should allow egress access to server in CIDR block") select
    server pods by their pod IP, and Calico and Azure NPM match them: True by default;
    False for CNIs that do not (Cilium), None when the CNI is not known.  hostNetwork
    pods are not modelled.
    """
    port = flow_port(port)
    return by_direction(direction, source, destination, port, protocol, lambda way, proto: _explain_direction(
        policies, namespaces, source, destination, port, proto, way, ipblock_matches_pods))


def networkpolicy_allows(policies: list, namespaces: dict, source: dict, destination: dict, port: int,
                         protocol: str, direction: str, *, ipblock_matches_pods: bool | None = True
                         ) -> bool | None:
    """True if Kubernetes NetworkPolicies allow the flow, False if they deny it, None if undecidable.

    See :func:`explain_flow` for the arguments and which policies are evaluated.
    """
    return explain_flow(policies, namespaces, source, destination, port, protocol, direction,
                        ipblock_matches_pods=ipblock_matches_pods).allowed
