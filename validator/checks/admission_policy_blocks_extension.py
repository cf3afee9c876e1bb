"""An enforcing Kyverno, Gatekeeper or ValidatingAdmissionPolicy rule covers the backup extension's namespace."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from validator.graph import InfraGraph
from validator.graph.kubernetes_view import (backup_scope, known_str, manifests, namespace_labels, qualified, selector_matches)
from validator.graph.network_view import EXTENSION_NAMESPACE
from validator.model import Finding


@dataclass(frozen=True)
class Params:
    namespace: str = EXTENSION_NAMESPACE
    # kinds the extension creates in its namespace (Helm release, pre-install job, Velero objects)
    kinds: tuple = ("Pod", "Deployment", "ReplicaSet", "Job", "ServiceAccount", "Secret", "ConfigMap", "Service",
                    "Role", "RoleBinding", "BackupStorageLocation", "VolumeSnapshotLocation")


def _all(verdicts: list) -> bool | None:
    if any(v is False for v in verdicts):
        return False
    return None if any(v is None for v in verdicts) else True


def _any(verdicts: list) -> bool | None:
    if any(v is True for v in verdicts):
        return True
    return None if any(v is None for v in verdicts) else False


def _names_match(patterns: Any, name: str) -> bool | None:
    """Kyverno and Gatekeeper namespace lists take wildcards (``prod-*``)."""
    if not isinstance(patterns, list):
        return None
    if any(known_str(p) is None for p in patterns):
        return None if not any(isinstance(p, str) and fnmatchcase(name, p) for p in patterns) else True
    return any(fnmatchcase(name, p) for p in patterns)


def _kinds_match(kinds: Any, wanted: tuple) -> bool | None:
    if kinds is None:
        return True
    if not isinstance(kinds, list):
        return None
    names = [k.rsplit("/", 1)[-1] for k in kinds if isinstance(k, str)]
    return "*" in names or any(k in wanted for k in names)


class _Namespace:
    def __init__(self, graph: InfraGraph, params: Params):
        self.name = params.namespace
        self.labels, self.complete = namespace_labels(graph, params.namespace)
        self.kinds = tuple(params.kinds)

    def selected(self, selector: Any) -> bool | None:
        return True if selector is None else selector_matches(selector, self.labels, self.complete)


# --- Kyverno ------------------------------------------------------------------------------

_REQUESTERS = {"subjects", "roles", "clusterRoles"}

def _kyverno_filter(block: Any, ns: _Namespace) -> bool | None:
    """One ResourceFilter ({resources: {...}}) or a bare ResourceDescription."""
    if not isinstance(block, dict):
        return None
    resources = block.get("resources", {} if "resources" not in block and set(block) & _REQUESTERS else block)
    if not isinstance(resources, dict):
        return None
    verdicts = [_kinds_match(resources.get("kinds"), ns.kinds)]
    if "namespaces" in resources:
        verdicts.append(_names_match(resources.get("namespaces"), ns.name))
    if "namespaceSelector" in resources:
        verdicts.append(ns.selected(resources.get("namespaceSelector")))
    if "selector" in resources or set(block) & _REQUESTERS:
        verdicts.append(None)  # which of the extension's objects carry those labels, or who sends them, is not known
    return _all(verdicts)


def _kyverno_clause(clause: Any, ns: _Namespace, empty: bool | None) -> bool | None:
    if not isinstance(clause, dict) or not clause:
        return empty
    if isinstance(clause.get("any"), list):
        return _any([_kyverno_filter(f, ns) for f in clause["any"]])
    if isinstance(clause.get("all"), list):
        return _all([_kyverno_filter(f, ns) for f in clause["all"]])
    return _kyverno_filter(clause, ns)


def _kyverno(resource, ns: _Namespace) -> Iterator[tuple[bool | None, tuple, str]]:
    spec = resource.get("spec")
    if not isinstance(spec, dict) or not isinstance(spec.get("rules"), list):
        return
    if resource.body.get("kind") == "Policy" and resource.scope != ns.name:
        return  # a namespaced Policy applies to its own namespace only
    default_action = str(spec.get("validationFailureAction") or spec.get("failureAction") or "Audit")
    for override in spec.get("validationFailureActionOverrides") or []:
        if isinstance(override, dict) and _names_match(override.get("namespaces"), ns.name) is True:
            default_action = str(override.get("action", default_action))
    for index, rule in enumerate(spec["rules"]):
        if not isinstance(rule, dict):
            continue
        checks = [key for key in ("validate", "verifyImages") if key in rule]
        if not checks:
            continue
        action = default_action
        if isinstance(rule.get("validate"), dict) and rule["validate"].get("failureAction"):
            action = str(rule["validate"]["failureAction"])
        if action.lower() != "enforce":
            continue
        matched = _kyverno_clause(rule.get("match"), ns, None)
        excluded = _kyverno_clause(rule.get("exclude"), ns, False)
        verdict = _all([matched, None if excluded is None else not excluded])
        yield verdict, ("spec", "rules", index, "name"), f"rule '{rule.get('name', index)}', failure action {action}"


# --- Gatekeeper ---------------------------------------------------------------------------

def _gatekeeper_excluded(graph: InfraGraph, ns: _Namespace) -> bool:
    """The Gatekeeper Config excludes the namespace from the webhook."""
    for config in manifests(graph):
        if str(config.body.get("apiVersion", "")).startswith("config.gatekeeper.sh/") and config.body.get("kind") == "Config":
            for item in config.get("spec", "match") or []:
                if isinstance(item, dict) and _names_match(item.get("excludedNamespaces"), ns.name) is True \
                        and any(p in ("*", "webhook") for p in item.get("processes") or []):
                    return True
    return False


def _gatekeeper(resource, ns: _Namespace) -> Iterator[tuple[bool | None, tuple, str]]:
    action = resource.get("spec", "enforcementAction", default="deny")
    if not isinstance(action, str) or action.lower() != "deny":
        return
    match = resource.get("spec", "match", default={})
    if not isinstance(match, dict):
        yield None, ("spec", "match"), "enforcementAction deny"
        return
    verdicts = []
    kinds = match.get("kinds")
    if isinstance(kinds, list):
        verdicts.append(_any([_kinds_match(k.get("kinds"), ns.kinds) if isinstance(k, dict) else None for k in kinds]))
    if "namespaces" in match:
        verdicts.append(_names_match(match.get("namespaces"), ns.name))
    if "excludedNamespaces" in match:
        excluded = _names_match(match.get("excludedNamespaces"), ns.name)
        verdicts.append(None if excluded is None else not excluded)
    if "namespaceSelector" in match:
        verdicts.append(ns.selected(match.get("namespaceSelector")))
    if "labelSelector" in match or "name" in match:
        verdicts.append(None)  # object labels and names of the extension's objects are not all known
    yield _all(verdicts), ("spec", "enforcementAction") if "enforcementAction" in (resource.get("spec") or {}) else ("metadata", "name"), \
        f"enforcementAction {action}"


# --- ValidatingAdmissionPolicy ------------------------------------------------------------

def _binding(graph: InfraGraph, resource, ns: _Namespace) -> Iterator[tuple[bool | None, tuple, str]]:
    actions = resource.get("spec", "validationActions")
    if not isinstance(actions, list) or "Deny" not in actions:
        return
    verdicts = [ns.selected(resource.get("spec", "matchResources", "namespaceSelector"))]
    if resource.get("spec", "matchResources", "objectSelector"):
        verdicts.append(None)
    if resource.get("spec", "matchResources", "resourceRules") is not None:
        verdicts.append(_resource_rules_match(resource.get("spec", "matchResources", "resourceRules"), ns))
    policy_name = resource.get("spec", "policyName")
    for policy in manifests(graph):
        if policy.body.get("kind") == "ValidatingAdmissionPolicy" and policy.name == policy_name \
                and str(policy.body.get("apiVersion", "")).startswith("admissionregistration.k8s.io/"):
            verdicts.append(ns.selected(policy.get("spec", "matchConstraints", "namespaceSelector")))
            verdicts.append(_resource_rules_match(policy.get("spec", "matchConstraints", "resourceRules"), ns))
    named = f"policy '{policy_name}', " if isinstance(policy_name, str) else ""
    yield _all(verdicts), ("spec", "validationActions"), f"{named}validationActions Deny"


def _resource_rules_match(rules: Any, ns: _Namespace) -> bool | None:
    """Do ``resourceRules`` name a resource the extension creates? "The policy cares about an operation
    if it matches any Rule"; '*' is every resource, 'pods/*' or '*/status' only subresources
    (https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/)."""
    if not isinstance(rules, list):
        return None
    wanted = {_plural(kind) for kind in ns.kinds}
    verdicts = []
    for rule in rules:
        resources = rule.get("resources") if isinstance(rule, dict) else None
        if not isinstance(resources, list) or any(known_str(r) is None for r in resources):
            verdicts.append(None)
            continue
        verdicts.append(any(r == "*" or r.lower() in wanted for r in resources))
    return _any(verdicts)


def _plural(kind: str) -> str:
    """The resource name of a kind, as API rules spell it (Deployment -> deployments, Policy -> policies)."""
    lower = kind.lower()
    return lower[:-1] + "ies" if lower.endswith("y") else lower + "s"


def admission_policy_blocks_extension(graph: InfraGraph, params: Params) -> Iterator[Finding]:
    """Yield a warning per enforcing admission rule whose match covers the extension's namespace."""
    ns = _Namespace(graph, params)
    expected = backup_scope(graph).mode != "unknown"
    gatekeeper_off = _gatekeeper_excluded(graph, ns)
    for resource in manifests(graph):
        api, kind = str(resource.body.get("apiVersion", "")), resource.body.get("kind")
        if api.startswith("kyverno.io/") and kind in ("ClusterPolicy", "Policy"):
            engine, verdicts = "Kyverno", _kyverno(resource, ns)
            exclude = f"add namespace {ns.name} to the rule's exclude.any[].resources.namespaces, or set its failure action to Audit"
        elif api.startswith("constraints.gatekeeper.sh/") and not gatekeeper_off:
            engine, verdicts = "Gatekeeper", _gatekeeper(resource, ns)
            exclude = f"add {ns.name} to spec.match.excludedNamespaces, or set spec.enforcementAction to dryrun or warn"
        elif api.startswith("admissionregistration.k8s.io/") and kind == "ValidatingAdmissionPolicyBinding":
            engine, verdicts = "Kubernetes", _binding(graph, resource, ns)
            exclude = (f"exclude it with spec.matchResources.namespaceSelector (matchExpressions kubernetes.io/metadata.name NotIn [{ns.name}]), "
                       f"or use validationActions [Warn, Audit]")
        else:
            continue
        for verdict, path, detail in verdicts:
            if verdict is False:
                continue
            severity, note = "", ""
            if verdict is None:
                severity, note = "info", "; whether it covers the extension's objects there is not known statically (namespace or object selectors, requester filters, templated names)"
            elif not expected:
                severity, note = "info", f"; {backup_scope(graph).reason}"
            yield Finding(
                message=f"{engine} {kind} '{qualified(resource)}' ({detail}) applies to namespace {ns.name}, where the AKS backup extension "
                        f"creates its pods and jobs; it may reject them and fail the install or the backups{note}",
                location=resource.location_of(*path), severity=severity, subject=resource,
                fix=f"In {kind} '{qualified(resource)}', {exclude}")
