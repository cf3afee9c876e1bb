"""Deployment units: one template evaluated with one parameter file is one environment.

Pairs templates with their parameter files by the usual naming conventions, evaluates
each pair through the ARM evaluator and turns what it declares into model Resources.
Resources of two units are never linked by the graph (dev's lock must not flag prod).
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from validator.model import Diagnostic, Location, Resource, Unknown

TEMPLATE_SCHEMA = re.compile(r"deploymenttemplate\.json", re.I)
PARAMETERS_SCHEMA = re.compile(r"deploymentparameters\.json", re.I)


def json_role(document: Any) -> str | None:
    """'template', 'parameters' or None for a parsed JSON document."""
    if not isinstance(document, dict):
        return None
    schema = document.get("$schema")
    if isinstance(schema, str):
        if TEMPLATE_SCHEMA.search(schema):
            return "template"
        if PARAMETERS_SCHEMA.search(schema):
            return "parameters"
    if "resources" in document and "contentVersion" in document:
        return "template"
    if "parameters" in document and "contentVersion" in document and "resources" not in document:
        return "parameters"
    return None


@dataclass
class ArmSource:
    rel: str
    document: dict
    role: str  # template | parameters


@dataclass
class UnitPlan:
    """A template (ARM JSON or Bicep) and the parameter file that completes it, if any."""

    template: str
    parameters: str | None

    @property
    def name(self) -> str:
        return f"{self.template}+{self.parameters}" if self.parameters else self.template


def environment(parameters_rel: str | None) -> str | None:
    """'dev' for main.parameters.dev.json / main.dev.parameters.json; None when unnamed."""
    if not parameters_rel:
        return None
    stem = posixpath.basename(parameters_rel).rsplit(".", 1)[0]
    parts = [p for p in stem.lower().split(".") if p not in ("parameters", "params", "parameter")]
    return parts[-1] if len(parts) > 1 else None


class UnitLinks:
    """Which units' resources may be linked: never two environments of one template, never two
    differently named environments; units of no unit plan (Kubernetes manifests) link with all."""

    def __init__(self, units: list[UnitPlan]):
        self._facts = {u.name: (u.template, environment(u.parameters)) for u in units}

    def __call__(self, unit: str, other: str) -> bool:
        if unit == other:
            return True
        first, second = self._facts.get(unit), self._facts.get(other)
        if first is None or second is None:
            return True
        if first[0] == second[0]:
            return False
        return not (first[1] and second[1] and first[1] != second[1])


def _stem(rel: str) -> str:
    base = posixpath.basename(rel)
    for suffix in (".json", ".bicep", ".bicepparam"):
        if base.lower().endswith(suffix):
            return base[: -len(suffix)]
    return base


def _parameter_file_target_stems(rel: str) -> list[str]:
    """Template stems a parameter file may complete: main.parameters.dev.json -> main."""
    stem = _stem(rel)
    parts = stem.split(".")
    stems = []
    for marker in ("parameters", "params", "parameter"):
        lowered = [p.lower() for p in parts]
        if marker in lowered:
            index = lowered.index(marker)
            stems.append(".".join(parts[:index]))
            if index >= 2:  # main.dev.parameters.json: the environment sits before the marker
                stems.append(".".join(parts[: index - 1]))
    for separator in ("-", "_"):
        for marker in ("parameters", "params"):
            if stem.lower().startswith(marker + separator):
                stems.append(stem[len(marker) + 1:])
            if stem.lower().endswith(separator + marker):
                stems.append(stem[: -len(marker) - 1])
    if stem.lower().startswith("azuredeploy"):
        stems.append("azuredeploy")
    return [s for s in stems if s] or ([] if stem.lower() not in ("parameters", "params") else [""])


def plan_units(templates: list[str], parameter_files: list[str], linked: set[str],
               using: dict[str, str] | None = None) -> tuple[list[UnitPlan], list[str]]:
    """Pair templates with parameter files in the same folder; return (units, unmatched parameter files).

    A template that is only linked from another template is not a unit of its own.
    ``using`` pairs ``.bicepparam`` files with the template their ``using`` statement names.
    """
    by_dir: dict[str, list[str]] = {}
    for rel in templates:
        by_dir.setdefault(posixpath.dirname(rel), []).append(rel)
    matched: dict[str, list[str]] = {rel: [] for rel in templates}
    unmatched = []
    for rel in parameter_files:
        if using and rel in using:
            if using[rel] in matched:
                matched[using[rel]].append(rel)
            else:
                unmatched.append(rel)
            continue
        folder = posixpath.dirname(rel)
        candidates = by_dir.get(folder, [])
        stems = _parameter_file_target_stems(rel)
        targets = [t for t in candidates if _stem(t) in stems and not t.endswith(".bicepparam")]
        if targets:  # the most specific template name wins (main.prod.json over main.json)
            longest = max(len(_stem(t)) for t in targets)
            targets = [t for t in targets if len(_stem(t)) == longest]
        if not targets and "" in stems:
            roots = [t for t in candidates if t not in linked]
            targets = roots if len(roots) == 1 else []
        if not targets:
            unmatched.append(rel)
            continue
        # prefer a JSON template over a Bicep one of the same stem only when both exist
        for target in sorted(targets):
            matched[target].append(rel)
    units = []
    for rel in sorted(templates):
        if rel in linked:
            continue
        if matched[rel]:
            units.extend(UnitPlan(rel, p) for p in sorted(matched[rel]))
        else:
            units.append(UnitPlan(rel, None))
    return units, unmatched


def parameter_values(document: dict) -> tuple[dict, list[str]]:
    """{name: value} from a parameters file; Key Vault references become Unknown."""
    values: dict = {}
    problems: list[str] = []
    params = document.get("parameters")
    if not isinstance(params, dict):
        return values, ["parameters file has no 'parameters' object"]
    for name, entry in params.items():
        if isinstance(entry, dict) and "value" in entry:
            values[name] = entry["value"]
        elif isinstance(entry, dict) and "reference" in entry:
            values[name] = Unknown(f"parameter '{name}' is a Key Vault reference")
        else:
            problems.append(f"parameter '{name}' has no 'value'")
    return values, problems


def linked_template_paths(rel: str, document: Any) -> set[str]:
    """Relative paths named by ``templateLink.relativePath`` literals in a template."""
    found: set[str] = set()
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            link = node.get("templateLink")
            if isinstance(link, dict) and isinstance(link.get("relativePath"), str) and not link["relativePath"].startswith("["):
                found.add(posixpath.normpath(posixpath.join(posixpath.dirname(rel), link["relativePath"])))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


_BICEP_MODULE = re.compile(r"^[ \t]*module[ \t]+\w+[ \t]+'([^'$]+)'", re.M)
_BICEP_USING = re.compile(r"^[ \t]*using[ \t]+'([^'$]+)'", re.M)


def bicep_links(rels: list[str], texts: dict[str, str]) -> tuple[set[str], dict[str, str]]:
    """(local files used as Bicep modules, .bicep or ARM .json; {.bicepparam file: the template its ``using`` names}).

    A cheap line scan rather than a parse: registry modules (``br:``, ``ts:``) are
    not files; a file that a ``.bicepparam`` names stays a unit even when it is
    also a module elsewhere.
    """
    modules: set[str] = set()
    using: dict[str, str] = {}
    for rel in rels:
        text = texts.get(rel, "")
        folder = posixpath.dirname(rel)
        if rel.endswith(".bicepparam"):
            match = _BICEP_USING.search(text)
            if match:
                using[rel] = posixpath.normpath(posixpath.join(folder, match[1]))
            continue
        for path in _BICEP_MODULE.findall(text):
            if not path.startswith(("br:", "br/", "ts:", "ts/")):
                modules.add(posixpath.normpath(posixpath.join(folder, path)))
    return modules - set(using.values()), using


@dataclass
class UnitResult:
    resources: list[Resource] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def evaluate_arm_unit(plan: UnitPlan, sources: dict[str, ArmSource], positions: Callable[[str], Any],
                      context_facts: dict) -> UnitResult:
    """Evaluate one ARM template (+ parameter file) into Resources of unit ``plan.name``."""
    from validator.frontends.arm.template import DeploymentContext, evaluate_template

    result = UnitResult()
    template = sources[plan.template].document
    values = None
    if plan.parameters:
        values, problems = parameter_values(sources[plan.parameters].document)
        for problem in problems:
            result.diagnostics.append(Diagnostic(plan.parameters, problem, severity="info", kind="parameters"))

    def read_linked(target: str) -> tuple[dict | None, str | None]:
        # ``target`` is already resolved against the linking file, relative to the scanned root
        if target.startswith("../") or target == ".." or posixpath.isabs(target):
            return None, "it is outside the scanned root; not read"
        source = sources.get(target)
        if source is None:
            return None, "not found among the scanned files"
        return source.document, None

    facts = {k: v for k, v in context_facts.items() if v is not None}
    # Without a configured resource group, each unit deploys into a group of its own: two
    # templates are not known to share one, so their resource-group-relative ids must not meet.
    facts.setdefault("resource_group", "{resourceGroup of " + plan.template.replace("/", "|") + "}")
    context = DeploymentContext(**facts)
    evaluated = evaluate_template(template, parameter_values=values, context=context, file=plan.template,
                                  read_linked=read_linked)
    for diagnostic in evaluated.diagnostics:
        message, json_path, kind = diagnostic
        file = getattr(diagnostic, "file", None) or plan.template  # a linked template names its own file
        line = positions(file).locate(tuple(json_path))[0] if json_path else 0
        # what makes a template undeployable is a warning; what we chose not to read is info
        severity = "warning" if kind in ("expression-error", "unknown-function", "template-error", "parameter-error") else "info"
        result.diagnostics.append(Diagnostic(file, message, line, severity, kind))
    # a nested deployment's resources sit under its properties.template in the same file
    deployments = [(item.file, tuple(item.json_path) + ("properties", "template"), item.id) for item in evaluated.resources
                   if isinstance(item.type, str) and item.type.lower() == "microsoft.resources/deployments"]
    for item in evaluated.resources:
        resource = _to_resource(item, plan, positions)
        path = tuple(item.json_path)
        resource.deployed_by = tuple(ident for file, prefix, ident in sorted(deployments, key=lambda d: len(d[1]))
                                     if file == resource.file and path[: len(prefix)] == prefix)
        result.resources.append(resource)
    return result


def _to_resource(item: Any, plan: UnitPlan, positions: Callable[[str], Any]) -> Resource:
    file = getattr(item, "file", None) or plan.template
    base = tuple(item.json_path)

    def locator(path: tuple, _file=file, _base=base) -> Location:
        line, column = positions(_file).locate(_base + tuple(path))
        return Location(_file, line, column)

    return Resource(
        type=item.type,
        name=item.name,
        id=item.id,
        body=item.body if isinstance(item.body, dict) else {},
        file=file,
        unit=plan.name,
        scope=item.scope_id,
        source_format="arm",
        locator=locator,
        depends_on=tuple(item.depends_on or ()),
        condition=item.condition,
    )
