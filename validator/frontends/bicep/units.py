"""Bicep deployment units: a ``.bicep`` file, its parameters and its modules, evaluated into model Resources.

The Bicep twin of :func:`validator.frontends.deployment_units.evaluate_arm_unit`:
the same placeholders, ids, bodies and Unknowns as the ARM template the Bicep
compiles to, but every Resource points at its Bicep line.  Modules are read
from the scanned files only (registry modules are not read: their outputs are
Unknown); work is bounded (module depth, loop sizes, resource count).
"""
from __future__ import annotations

import dataclasses
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from validator.frontends.arm.scopes import Target
from validator.frontends.arm.template import DeploymentContext
from validator.frontends.bicep import ast as A
from validator.frontends.bicep.errors import BicepSyntaxError
from validator.frontends.bicep.evaluate import MAX_LOOP
from validator.frontends.bicep.frames import BicepFrame, new_frame, target_scope
from validator.frontends.bicep.locations import module_locator, resource_locator
from validator.frontends.bicep.modules import DEPLOYMENTS, DEPLOYMENTS_API, ModuleInstance, ModuleView
from validator.frontends.bicep.parser import parse_bicep
from validator.frontends.bicep.resources import ResourceInstance, ResourceView, as_list
from validator.model import Diagnostic, Resource

if TYPE_CHECKING:
    from validator.frontends.deployment_units import UnitPlan

__all__ = ["evaluate_bicep_unit", "MAX_RESOURCES"]

MAX_RESOURCES = 50_000
MAX_TOTAL_ITERATIONS = 100_000


@lru_cache(maxsize=1024)
def _parse(rel: str, text: str) -> Any:
    """A parsed file, or the BicepSyntaxError (several units share modules; the str hash is cached)."""
    try:
        return parse_bicep(text, rel)
    except BicepSyntaxError as error:
        return error


def evaluate_bicep_unit(plan: UnitPlan, texts: dict[str, str], facts: dict) -> tuple[list[Resource], list[Diagnostic]]:
    """Evaluate ``plan.template`` (a ``.bicep`` file) with ``plan.parameters`` into Resources of unit ``plan.name``.

    ``texts`` maps relative paths to the text of every scanned file: modules,
    imports, ``load*Content`` files and parameter files are read from there
    and nowhere else.  ``facts`` are deployment facts (``DeploymentContext``
    fields); missing ones are the ARM front-end's placeholders, the resource
    group unit-local.  Values only deploy time knows are Unknown; problems are
    Diagnostics on the Bicep line; nothing in the files makes this raise.
    """
    fields = {f.name for f in dataclasses.fields(DeploymentContext)}
    known = {k: v for k, v in facts.items() if v is not None and k in fields}
    known.setdefault("resource_group", "{resourceGroup of " + plan.template.replace("/", "|") + "}")
    unit = _Unit(plan, texts, DeploymentContext(**known))
    try:
        unit.run()
    except RecursionError:
        unit.report(plan.template, "template too deeply nested to evaluate", 0, "too-deep", "warning")
    except Exception as exc:  # our bug: report it, keep scanning
        unit.report(plan.template, f"internal error evaluating Bicep: {exc.__class__.__name__}: {exc}", 0,
                    "internal-error", "error")
    return unit.resources, unit.diagnostics


class _Unit:
    """One unit's evaluation: parsed files, diagnostics, resources and budgets."""

    def __init__(self, plan: UnitPlan, texts: dict[str, str], context: DeploymentContext) -> None:
        self.plan = plan
        self.texts = texts
        self.context = context
        self.resources: list[Resource] = []
        self.diagnostics: list[Diagnostic] = []
        self.seen: set = set()
        self.iterations = MAX_TOTAL_ITERATIONS
        self.imported: dict[str, BicepFrame] = {}
        self.capped = False

    def report(self, file: str, message: str, line: int, kind: str, severity: str | None = None) -> None:
        key = (file, line, message)
        if key in self.seen:
            return
        self.seen.add(key)
        if severity is None:
            severity = "warning" if kind == "parse-error" else "info"
        self.diagnostics.append(Diagnostic(file, message, line, severity, kind))

    def parse(self, rel: str) -> A.BicepFile | None:
        text = self.texts.get(rel)
        if text is None:
            return None
        parsed = _parse(rel, text)
        if isinstance(parsed, BicepSyntaxError):
            diagnostic = parsed.to_diagnostic(rel)
            self.report(rel, diagnostic.message, diagnostic.line, "parse-error", "warning")
            return None
        return parsed

    def run(self) -> None:
        from validator.frontends.bicep.params import parameter_values

        plan = self.plan
        ast = self.parse(plan.template)
        if ast is None:
            return
        values = parameter_values(self, plan.parameters) if plan.parameters else {}
        context = self.context
        target = Target(target_scope(ast), context.subscription_id, context.resource_group,
                        context.management_group)
        declared = {s.name for s in ast.statements if isinstance(s, A.ParamDecl)}
        given = self.parse(plan.parameters) if plan.parameters and plan.parameters.endswith(".bicepparam") else None
        lines = {s.name: s.line for s in given.statements if isinstance(s, A.ParamAssign)} if given else {}
        for name in values:
            if name not in declared:
                self.report(plan.parameters, f"a value is given for parameter '{name}', which {plan.template} "
                            "does not declare", lines.get(name, 0), "parameter-error")
        frame = new_frame(self, plan.template, ast, target, context.location, context.deployment_name,
                          {k: (lambda v=v: v) for k, v in values.items()}, True, 0)
        emit_frame(self, frame)

    def add(self, resource: Resource, frame: "BicepFrame", line: int) -> bool:
        if len(self.resources) >= MAX_RESOURCES:
            if not self.capped:
                self.capped = True
                self.report(frame.file, f"more than {MAX_RESOURCES} resources; the rest were not evaluated", line,
                            "copy-capped")
            return False
        self.resources.append(resource)
        return True

    def spend(self, count: int, frame: "BicepFrame", line: int) -> int:
        """Iterations a loop of ``count`` items may run (ARM's per-loop limit, and a total budget)."""
        if count > MAX_LOOP:
            frame.report(f"loop of {count} items exceeds ARM's limit of {MAX_LOOP}; evaluated the first {MAX_LOOP}",
                         line, "copy-capped")
            count = MAX_LOOP
        if count > self.iterations:
            frame.report(f"loops exceed {MAX_TOTAL_ITERATIONS} iterations in total; the rest were not evaluated",
                         line, "copy-capped")
            count = max(self.iterations, 0)
        self.iterations -= count
        return count


# ------------------------------------------------------------------- emission

def emit_frame(unit: _Unit, frame: BicepFrame) -> None:
    """Turn every resource and module of ``frame`` (and of its modules) into Resources."""
    for statement in frame.ast.statements:
        if isinstance(statement, A.ResourceDecl):
            for view in as_list(frame.lookup(statement.name)):
                if isinstance(view, ResourceView):
                    emit_resource(unit, view.instance)
        elif isinstance(statement, A.ModuleDecl):
            for view in as_list(frame.lookup(statement.name)):
                if isinstance(view, ModuleView):
                    emit_module(unit, view.instance)


def emit_resource(unit: _Unit, instance: ResourceInstance) -> None:
    condition = instance.condition()
    if condition is False:
        return
    frame = instance.frame
    body = instance.body()
    resource = Resource(
        type=instance.type, name=instance.full_name, id=instance.id, body=body, file=frame.file,
        unit=unit.plan.name, scope=instance.scope_id, source_format="bicep",
        locator=resource_locator(frame.file, instance.declaration, instance.obj, instance.extension is not None),
        depends_on=instance.depends_on(), condition=condition, deployed_by=frame.deployed_by)
    if not unit.add(resource, frame, instance.declaration.line):
        return
    for entry in instance.obj.properties:
        if isinstance(entry, A.ResourceDecl):
            for view in as_list(instance.nested(entry.name)):
                emit_resource(unit, view.instance)


def emit_module(unit: _Unit, instance: ModuleInstance) -> None:
    condition = instance.condition()
    if condition is False:
        return
    frame = instance.frame
    target = instance.target
    properties = {"expressionEvaluationOptions": {"scope": "inner"}, "mode": "Incremental",
                  "parameters": {name: {"value": value} for name, value in instance.params().items()}}
    body: dict = {"type": DEPLOYMENTS, "apiVersion": DEPLOYMENTS_API, "name": instance.name}
    if target.kind == "resourceGroup" and target.resource_group is not frame.target.resource_group and \
            target.resource_group != frame.target.resource_group:
        body["resourceGroup"] = target.resource_group
    if target.subscription_id != frame.target.subscription_id:
        body["subscriptionId"] = target.subscription_id
    body["properties"] = properties
    resource = Resource(
        type=DEPLOYMENTS, name=instance.name, id=instance.deployment_id, body=body, file=frame.file,
        unit=unit.plan.name, scope=target.scope_id,
        source_format="bicep", locator=module_locator(frame.file, instance.declaration, instance.obj),
        depends_on=instance.depends_on(), condition=condition, deployed_by=frame.deployed_by)
    if not unit.add(resource, frame, instance.declaration.line):
        return
    child = instance.frame_or_none()
    if child is not None:
        emit_frame(unit, child)
    elif instance.arm is not None:
        for item in instance.arm[0]:
            if not unit.add(item, frame, instance.declaration.line):
                return
