"""An Azure Policy assignment over the snapshot resource group denies Microsoft.Compute/snapshots
(UserErrorPVSnapshotDisallowedByPolicy)."""
from __future__ import annotations

import re
from collections.abc import Iterator
from fnmatch import fnmatchcase
from typing import Any

from validator.graph import InfraGraph
from validator.graph import resource_ids as ids
from validator.model import Finding, Related, Resource, Unknown

ASSIGNMENT = "microsoft.authorization/policyassignments"
DEFINITION = "microsoft.authorization/policydefinitions"
EXEMPTION = "microsoft.authorization/policyexemptions"
SNAPSHOTS = "microsoft.compute/snapshots"
DENYING = ("deny", "denyaction")
MANAGEMENT_GROUP = "/providers/microsoft.management/managementgroups/"
PARAMETER = re.compile(r"^\[\s*parameters\(\s*'([^']+)'\s*\)\s*\]$", re.IGNORECASE)


def _type_matches(operator: str, value: Any) -> bool | None:
    """Whether a condition on field 'type' with ``operator`` (equals, in, like) holds for snapshots."""
    values = value if operator == "in" else [value]
    if isinstance(values, Unknown) or not isinstance(values, list):
        return None
    unknown = False
    for item in values:
        if not isinstance(item, str) or isinstance(item, Unknown) or item.startswith("["):
            unknown = True  # a parameter of the definition, or not known statically
        elif (fnmatchcase(SNAPSHOTS, item.lower()) if operator == "like" else item.strip().lower() == SNAPSHOTS):
            return True
    return None if unknown else False


POSITIVE = {"equals": "equals", "in": "in", "like": "like"}
NEGATIVE = {"notequals": "equals", "notin": "in", "notlike": "like"}


def targets_snapshots(condition: Any, negated: bool = False) -> bool | None:
    """True when a policyRule.if names Microsoft.Compute/snapshots in a condition on field 'type' (walking allOf,
    anyOf and not; under not, notEquals/notIn/notLike name it); None when a part is not known statically."""
    if isinstance(condition, Unknown):
        return None
    if not isinstance(condition, dict):
        return False
    lowered = {str(k).lower(): v for k, v in condition.items()}
    verdicts: list[bool | None] = []
    for key in ("allof", "anyof"):
        if key in lowered:
            children = lowered[key]
            if isinstance(children, Unknown):
                return None
            verdicts += [targets_snapshots(c, negated) for c in children] if isinstance(children, list) else []
    if "not" in lowered:
        verdicts.append(targets_snapshots(lowered["not"], not negated))
    field = lowered.get("field")
    if isinstance(field, Unknown):
        verdicts.append(None)
    elif isinstance(field, str) and field.strip().lower() == "type":
        operators = NEGATIVE if negated else POSITIVE
        for name, value in lowered.items():
            if name in operators:
                verdicts.append(_type_matches(operators[name], value))
    if True in verdicts:
        return True
    return None if None in verdicts else False


def _lookup(mapping: Any, name: str) -> tuple[bool, Any]:
    if isinstance(mapping, dict):
        for key, value in mapping.items():
            if str(key).lower() == name.lower():
                return True, value
    return False, None


def effect_of(assignment: Resource, definition: Resource) -> tuple[Any, str]:
    """(effect, where it comes from): a literal then.effect, or a parameterized one resolved from the assignment's
    parameters, else the definition's defaultValue; the effect is Unknown or None when not known statically."""
    effect = definition.get("properties", "policyRule", "then", "effect")
    if not isinstance(effect, str) or isinstance(effect, Unknown):
        return effect, "the definition's then.effect"
    match = PARAMETER.match(effect.strip())
    if not match:
        return effect, "the definition's then.effect"
    name = match.group(1)
    given = assignment.get("properties", "parameters")
    if isinstance(given, Unknown):
        return given, f"parameter '{name}' of assignment '{assignment.display_name}'"
    found, entry = _lookup(given, name)
    if found:
        value = entry.get("value") if isinstance(entry, dict) else entry
        return value, f"parameter '{name}' of assignment '{assignment.display_name}'"
    found, declared = _lookup(definition.get("properties", "parameters"), name)
    default = declared.get("defaultValue") if found and isinstance(declared, dict) else None
    return default, f"the default of parameter '{name}' of definition '{definition.display_name}'"


def effect_override(assignment: Resource) -> tuple[Any, bool] | None:
    """(value, applies to every resource) of the assignment's policyEffect override (properties.overrides, API
    2022-06-01+), which replaces the definition's effect; None without one. An override with selectors (e.g.
    resourceLocation) applies only to the resources they pick."""
    overrides = assignment.get("properties", "overrides")
    if isinstance(overrides, Unknown):
        return overrides, False
    for override in overrides if isinstance(overrides, list) else ():
        kind = override.get("kind") if isinstance(override, dict) else None
        if isinstance(kind, Unknown):
            return kind, False
        if isinstance(kind, str) and kind.strip().lower() == "policyeffect":
            selectors = override.get("selectors")
            return override.get("value"), not selectors and not isinstance(selectors, Unknown)
    return None


def _three(values: list) -> bool | None:
    return True if values and all(v is True for v in values) else False if False in values else None


def selects_snapshots(assignment: Resource) -> bool | None:
    """Whether the assignment's resourceSelectors (API 2022-06-01+) let it evaluate Microsoft.Compute/snapshots: any
    selector entry whose selectors all match; only resourceType selectors are decided, resourceLocation ones are not
    known statically (a snapshot's region is its disk's). True without resourceSelectors."""
    entries = assignment.get("properties", "resourceSelectors")
    if isinstance(entries, Unknown):
        return None
    if not isinstance(entries, list) or not entries:
        return True
    verdicts = []
    for entry in entries:
        selectors = entry.get("selectors") if isinstance(entry, dict) else None
        if not isinstance(selectors, list):
            verdicts.append(None)
            continue
        matches = []
        for selector in selectors:
            kind = selector.get("kind") if isinstance(selector, dict) else None
            if not isinstance(kind, str) or isinstance(kind, Unknown) or kind.strip().lower() != "resourcetype":
                matches.append(None)
                continue
            for operator, wanted in (("in", True), ("notIn", False)):
                listed = selector.get(operator)
                if listed is None:
                    continue
                if not isinstance(listed, list) or any(not isinstance(t, str) or isinstance(t, Unknown) for t in listed):
                    matches.append(None)
                else:
                    matches.append((SNAPSHOTS in [t.strip().lower() for t in listed]) == wanted)
        verdicts.append(_three(matches))
    return True if True in verdicts else None if None in verdicts else False


def _covers(scope: str, group: str) -> bool | None:
    """Whether an assignment at ``scope`` applies to resource group ``group`` (both normalized); None for a
    management group, whose subscriptions are not known. Ids are compared as written, as locks are: the
    deployment's own subscription or group placeholder matches only itself."""
    if scope.startswith(MANAGEMENT_GROUP):
        return None
    return ids.covers(scope, group)


def _scope_text(scope: str) -> str:
    if scope.startswith(MANAGEMENT_GROUP):
        return f"management group '{ids.last_name(scope)}'"
    if ids.resource_group_id(scope) == scope:
        return f"resource group '{ids.short(scope)}'"
    if scope == f"/subscriptions/{ids.subscription_of(scope)}":
        return f"subscription '{ids.subscription_of(scope)}'"
    return f"'{scope}'"


def _exemption(graph: InfraGraph, assignment_id: str, group: str, unit: str) -> tuple[Resource | None, bool]:
    """(an exemption at or above ``group`` for the assignment, whether it is certain)."""
    maybe = None
    for exemption in graph.linked(EXEMPTION, unit):
        scope = ids.normalize(exemption.scope)
        if exemption.get("existing") or scope is None or _covers(scope, group) is False:
            continue
        target = exemption.get("properties", "policyAssignmentId")
        if isinstance(target, Unknown):
            maybe = maybe or exemption
        elif ids.normalize(target) == assignment_id:
            if _covers(scope, group) is True:
                return exemption, True
            maybe = maybe or exemption
    return maybe, False


def snapshot_denied_by_azure_policy(graph: InfraGraph) -> Iterator[Finding]:
    """Per backup instance and policy assignment over its snapshot resource group whose declared definition denies
    Microsoft.Compute/snapshots (deny or denyAction) without an exemption: a warning; info where the scope, the
    definition's rule, the effect or an exemption is not known statically. Built-in definitions are not seen."""
    for instance in graph.backup_instances():
        for value, path in graph.snapshot_groups(instance):
            group = ids.normalize(value)
            if group is None:
                continue  # not known statically: AKSB-LOCK-001 and AKSB-BI-003 look at the group itself
            group_name = ids.short(group)
            for assignment in graph.linked(ASSIGNMENT, instance.unit):
                if assignment.get("existing"):
                    continue
                yield from _judge(graph, instance, path, group, group_name, assignment)


def _judge(graph: InfraGraph, instance: Resource, path: tuple, group: str, group_name: str, assignment: Resource) -> Iterator[Finding]:
    definition = graph.find(assignment.get("properties", "policyDefinitionId"), assignment.unit, DEFINITION)
    if definition is None or definition.get("existing"):
        return  # a built-in, a policy set or a definition deployed elsewhere: its rule is not visible
    mode = assignment.get("properties", "enforcementMode")
    if isinstance(mode, str) and mode.strip().lower() == "donotenforce":
        return
    name, definition_name = assignment.display_name, definition.display_name
    where = instance.location_of(*path)
    related = [Related(assignment.location_of("properties", "policyDefinitionId"), f"policy assignment '{name}'"),
               Related(definition.location_of("properties", "policyRule", "if"), f"policy definition '{definition_name}'")]
    about = f"policy assignment '{name}' (definition '{definition_name}')"
    fix = (f"Add a Microsoft.Authorization/policyExemptions for assignment '{name}' at resource group '{group_name}', "
           f"or choose a snapshot resource group outside its scope.")
    targets = targets_snapshots(definition.get("properties", "policyRule", "if"))
    if targets is False:
        return
    selected = selects_snapshots(assignment)
    if selected is False:
        return  # its resource selectors leave snapshots out
    effect, source = effect_of(assignment, definition)
    override = effect_override(assignment)
    doubts = []
    if override is not None and override[1]:
        effect, source = override[0], f"the policyEffect override of assignment '{name}'"
    elif override is not None:
        value = override[0]
        if not (isinstance(value, str) and not isinstance(value, Unknown) and value.strip().lower() in DENYING):
            doubts.append(f"whether the policyEffect override of assignment '{name}' (with selectors) applies to the snapshots")
    if isinstance(effect, str) and not isinstance(effect, Unknown) and effect.strip().lower() not in DENYING:
        return
    scope = ids.normalize(assignment.scope)
    covers = _covers(scope, group) if scope is not None else None
    if covers is False:
        return
    for excluded in assignment.get("properties", "notScopes") or []:
        key = ids.normalize(excluded)
        if key is not None and ids.covers(key, group):
            return
    exemption, certain = _exemption(graph, ids.normalize(assignment.id) or "", group, assignment.unit)
    if certain:
        return
    if selected is None:
        doubts.append(f"whether the resource selectors of assignment '{name}' pick Microsoft.Compute/snapshots")
    if targets is None:
        doubts.append("whether its rule names Microsoft.Compute/snapshots")
    if not isinstance(effect, str) or isinstance(effect, Unknown):
        doubts.append(f"its effect ({source}: {effect if effect is not None else 'no value'})")
    if covers is None:
        where_text = _scope_text(scope) if scope is not None else str(assignment.scope)
        doubts.append(f"whether its scope {where_text} contains resource group '{group_name}'")
    if exemption is not None:
        doubts.append(f"whether exemption '{exemption.display_name}' covers it")
        related.append(Related(exemption.location, f"policy exemption '{exemption.display_name}'"))
    if doubts:
        yield Finding(
            message=f"{about} may deny disk snapshots in snapshot resource group '{group_name}' of backup instance "
                    f"'{instance.display_name}'; not known statically: {'; '.join(doubts)}",
            location=where, severity="info", subject=instance, related=tuple(related), fix=fix)
        return
    yield Finding(
        message=f"{about} at {_scope_text(scope)} denies Microsoft.Compute/snapshots (effect {effect.strip()}, from {source}) "
                f"over snapshot resource group '{group_name}' of backup instance '{instance.display_name}'; volume snapshots "
                f"are disallowed by policy",
        location=where, severity="warning", subject=instance, related=tuple(related), fix=fix)
