"""Module declarations: deployments of another Bicep file, their scope, parameters and outputs.

``mod.outputs.x`` is the module's output expression evaluated in the module's
own frame, so an output of ``vault.identity.principalId`` stays an Unknown that
names the vault.  Registry modules (``br:``, ``ts:``) are not read: their
outputs are Unknown and a diagnostic says so.
"""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from validator.frontends.arm.functions_scope import LOCATION_ORIGIN
from validator.frontends.arm.scopes import Target
from validator.frontends.arm.syntax import ExpressionError
from validator.frontends.bicep import ast as A
from validator.frontends.bicep.evaluate import Env, View, resolve_path
from validator.frontends.bicep.resources import (
    ResourceInstance, ResourceView, as_list, build_id, collect_dependencies, combine, instances, scope_of,
)
from validator.model import Unknown

if TYPE_CHECKING:
    from validator.frontends.bicep.frames import BicepFrame

DEPLOYMENTS = "Microsoft.Resources/deployments"
DEPLOYMENTS_API = "2022-09-01"  # what the Bicep compiler emits for modules
REGISTRY_PREFIXES = ("br:", "br/", "ts:", "ts/")


class ModuleView(View):
    __slots__ = ("instance",)

    def __init__(self, instance: "ModuleInstance") -> None:
        self.instance = instance

    def describe(self) -> str:
        return f"module '{self.instance.declaration.name}'"

    def member(self, name: Any, env: Env, safe: bool) -> Any:
        if name == "outputs":
            return OutputsView(self.instance)
        if name == "name":
            return self.instance.name
        raise ExpressionError(f"a module has 'name' and 'outputs', not '{name}'")

    def plain(self) -> Any:
        return Unknown(f"module '{self.instance.declaration.name}'")

    def dependency(self, owner: Any) -> Any:
        return None if self.instance is owner else self.instance.deployment_id


class OutputsView(View):
    __slots__ = ("instance",)

    def __init__(self, instance: "ModuleInstance") -> None:
        self.instance = instance

    def describe(self) -> str:
        return f"outputs of module '{self.instance.declaration.name}'"

    def member(self, name: Any, env: Env, safe: bool) -> Any:
        return self.instance.output(name, safe)

    def dependency(self, owner: Any) -> Any:
        return None if self.instance is owner else self.instance.deployment_id

    def plain(self) -> Any:
        frame = self.instance.frame_or_none()
        if self.instance.arm is not None:
            return dict(self.instance.arm[1])
        if frame is None:
            return Unknown(f"outputs of module '{self.instance.declaration.name}'")
        return {name: frame.output(name) for name in frame.outputs}


def module_views(declaration: A.ModuleDecl, frame: BicepFrame, env: Env) -> Any:
    return instances(declaration, frame, env,
                      lambda e, body, filter_: ModuleView(ModuleInstance(declaration, frame, e, body, filter_)))


class ModuleInstance:
    """One deployment of a module (one per loop iteration); its frame is built on first use."""

    def __init__(self, declaration: A.ModuleDecl, frame: BicepFrame, env: Env, body: A.Node, filter_: Any) -> None:
        self.declaration = declaration
        self.frame = frame
        self.env = env
        self.filter = filter_
        self.if_node = None
        if isinstance(body, A.IfExpr):
            self.if_node, body = body.condition, body.body
        self.obj = body if isinstance(body, A.ObjectLit) else A.ObjectLit(body.line, body.column, [])
        self.touched: list = []
        self._name: Any = None
        self._target: Target | None = None
        self._params: dict | None = None
        self._frame: Any = False  # False: not built yet; None: not readable
        self._condition: Any = None
        self.registry = declaration.path.startswith(REGISTRY_PREFIXES)
        self.arm: Any = None  # (resources, outputs) of an ARM JSON module

    condition = ResourceInstance.condition
    lexical_parent = None

    @property
    def name(self) -> Any:
        if self._name is None:
            node = self.obj.get("name")
            if node is not None:
                self._name = self.frame.safe(node, self.env.tracking(self.touched))
            else:
                # Bicep names unnamed module deployments after the symbol and the parent deployment
                from validator.frontends.arm.functions_string import FUNCTIONS as strings
                deployment = self.frame.ctx.deployment_name
                self._name = Unknown(f"the generated name of module '{self.declaration.name}'") \
                    if isinstance(deployment, Unknown) else \
                    f"{self.declaration.name}-{strings['uniquestring'](self.frame.ctx, [self.declaration.name, deployment])}"
        return self._name

    @property
    def target(self) -> Target:
        if self._target is None:
            scope_node = self.obj.get("scope")
            target = self.frame.target
            if scope_node is not None:
                target, extension = scope_of(self.frame, scope_node, self.env.tracking(self.touched))
                if extension is not None:
                    self.frame.report("a module's scope must be a resource group, subscription, management group "
                                      "or tenant", scope_node.line, "template-error")
            self._target = target
        return self._target

    @property
    def deployment_id(self) -> Any:
        target = self.target
        prefix = target.id_prefix
        return build_id(self.frame, prefix, DEPLOYMENTS, self.name, self.declaration)

    def params(self) -> dict:
        """Evaluated parameter values passed to the module (errors are diagnostics and Unknowns)."""
        if self._params is None:
            self._params = {}
            node = self.obj.get("params")
            env = self.env.tracking(self.touched)
            if isinstance(node, A.ObjectLit) and not any(isinstance(e, A.Spread) for e in node.properties):
                for entry in node.properties:
                    if isinstance(entry, A.ObjectProperty):
                        key = entry.key_text or str(self.frame.safe(entry.key, env))
                        self._params[key] = self.frame.safe(entry.value, env)
            elif node is not None:
                value = self.frame.safe(node, env)
                if isinstance(value, dict):
                    self._params = value
                else:
                    self._params = {}
                    self.frame.report("module params must be an object", node.line, "template-error")
        return self._params

    def frame_or_none(self) -> BicepFrame | None:
        if self._frame is False:
            self._frame = None
            self._frame = self._build_frame()
        return self._frame

    def _build_frame(self) -> BicepFrame | None:
        from validator.frontends.bicep.frames import MAX_MODULE_DEPTH, new_frame, target_scope

        frame, declaration, unit = self.frame, self.declaration, self.frame.unit
        line = declaration.line
        if self.registry:
            unit.report(frame.file, f"module '{declaration.path}' comes from a registry and is not read; "
                        "its resources are not evaluated and its outputs are Unknown", line, "unsupported", "info")
            return None
        rel = resolve_path(frame.file, declaration.path)
        if rel is None:
            unit.report(frame.file, f"module '{declaration.path}' is outside the scanned root; not read", line,
                        "module")
            return None
        if rel not in unit.texts:
            unit.report(frame.file, f"module '{declaration.path}' is not among the scanned files; not read", line,
                        "module")
            return None
        if frame.depth + 1 > MAX_MODULE_DEPTH:
            unit.report(frame.file, f"modules nested deeper than {MAX_MODULE_DEPTH} levels were not evaluated",
                        line, "nesting-limit")
            return None
        if rel.endswith(".json"):
            from validator.frontends.bicep.arm_modules import evaluate_arm_module

            self.arm = evaluate_arm_module(unit, frame, rel, line, self.target, self.name, self.params(),
                                           combine(frame.condition, self.condition()),
                                           frame.deployed_by + (self.deployment_id,))
            return None
        if not rel.endswith(".bicep"):
            unit.report(frame.file, f"module '{declaration.path}' is neither a .bicep nor an ARM .json file; "
                        "not evaluated", line, "unsupported", "info")
            return None
        ast = unit.parse(rel)
        if ast is None:
            return None
        target = self.target
        if self.obj.get("scope") is None:
            target = dataclasses.replace(target, kind=target_scope(ast))
        location = _group_location(frame, target)
        params = self.params()
        makers = {name: (lambda v=value: v) for name, value in params.items()}
        child = new_frame(unit, rel, ast, target, location, self.name, makers,
                          combine(frame.condition, self.condition()), frame.depth + 1)
        child.deployed_by = frame.deployed_by + (self.deployment_id,)
        return child

    def output(self, name: str, safe: bool = False) -> Any:
        if self.registry:
            return Unknown(f"output '{name}' of registry module {self.declaration.path}")
        frame = self.frame_or_none()
        if self.arm is not None:
            outputs = self.arm[1]
            if name in outputs:
                return outputs[name]
            if safe:
                return None
            raise ExpressionError(f"{self.declaration.path} has no output '{name}'")
        if frame is None:
            return Unknown(f"output '{name}' of module '{self.declaration.name}' (not read)")
        if name not in frame.outputs and safe:
            return None
        return frame.output(name)

    def depends_on(self) -> tuple:
        self.params()
        return tuple(collect_dependencies(self, []))


def _group_location(frame: BicepFrame, target: Target) -> Any:
    """resourceGroup().location inside a module deployed to ``target``."""
    if target.kind != "resourceGroup":
        return Unknown("the module deployment's location")
    if (target.subscription_id, target.resource_group) == (frame.target.subscription_id, frame.target.resource_group):
        return frame.ctx.location if frame.target.kind == "resourceGroup" and frame.ctx.location is not None \
            else Unknown(LOCATION_ORIGIN)
    for statement in frame.ast.statements:  # a group the same file creates
        if isinstance(statement, A.ResourceDecl) and not statement.existing \
                and statement.resource_type.lower() == "microsoft.resources/resourcegroups":
            for view in as_list(frame.lookup(statement.name)):
                if isinstance(view, ResourceView) and view.instance.short_name == target.resource_group:
                    found, location = view.instance.declared(("location",))
                    if found:
                        return location
    return Unknown(f"location of resource group '{target.resource_group}'")
