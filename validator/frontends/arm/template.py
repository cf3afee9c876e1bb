"""Static evaluation of whole ARM templates into resources.

``evaluate_template`` expands parameters, variables, ``copy`` loops,
conditions, child resources, extension resources, languageVersion 2.0
symbolic resources, nested and linked (``relativePath``) deployments and
outputs, without network access and without deploying anything.  What only
deploy time knows is ``validator.model.Unknown``; an expression that fails is
an Unknown plus a diagnostic.  Work is bounded: copy loops (ARM's limit of
800, and a total budget), nested deployment depth and resource count.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from validator.frontends.arm.declarations import LazyScope, provided_value, user_functions
from validator.frontends.arm.dependencies import DEPLOYMENTS, RESOURCE_GROUPS, deployments_first, resolve_depends
from validator.frontends.arm.deployments import inner_parameters, nested_template, outputs_as_properties
from validator.frontends.arm.expressions import (
    PLACEHOLDER_DEPLOYMENT, PLACEHOLDER_MANAGEMENT_GROUP, PLACEHOLDER_RESOURCE_GROUP,
    PLACEHOLDER_SUBSCRIPTION, PLACEHOLDER_TENANT, EvalContext,
)
from validator.frontends.arm.functions_scope import LOCATION_ORIGIN
from validator.frontends.arm.json_evaluation import (
    Budget, copy_count, evaluate_leaf, evaluate_tree, expand_copy, with_index,
)
from validator.frontends.arm.resource_identity import Identity, identify
from validator.frontends.arm.scopes import Target, scope_from_schema
from validator.frontends.arm.values import get_member, short
from validator.model import Unknown

__all__ = ["DeploymentContext", "EvaluatedResource", "TemplateDiagnostic", "TemplateResult", "evaluate_template",
           "PLACEHOLDER_SUBSCRIPTION", "PLACEHOLDER_RESOURCE_GROUP", "PLACEHOLDER_TENANT",
           "PLACEHOLDER_MANAGEMENT_GROUP", "PLACEHOLDER_DEPLOYMENT", "MAX_DEPLOYMENT_DEPTH",
           "MAX_RESOURCES"]

MAX_DEPLOYMENT_DEPTH = 10
MAX_RESOURCES = 50_000
ReadLinked = Callable[[str], "tuple[dict | None, str | None]"]


@dataclass
class DeploymentContext:
    """The deployment target, as far as configuration tells it.

    Unconfigured ids are the ``PLACEHOLDER_*`` strings (ids built in one
    deployment stay comparable); an unconfigured ``location`` makes the
    resource group's (and deployment's) location Unknown.
    """

    subscription_id: str = PLACEHOLDER_SUBSCRIPTION
    resource_group: str = PLACEHOLDER_RESOURCE_GROUP
    location: str | None = None
    tenant_id: str = PLACEHOLDER_TENANT
    management_group: str = PLACEHOLDER_MANAGEMENT_GROUP
    deployment_name: str = PLACEHOLDER_DEPLOYMENT
    subscription_display_name: str | None = None


@dataclass
class EvaluatedResource:
    """One resource a template deploys (or, with ``existing``, refers to).

    ``type``/``name`` are full (``Microsoft.Storage/storageAccounts/blobServices``,
    ``sa/default``); ``id`` the resolved resource id; ``body`` the evaluated
    declaration (without ``copy``, ``condition``, ``dependsOn`` and nested
    ``resources``; a nested deployment's ``properties.template`` is left out);
    ``json_path`` locates the declaration in ``file``; ``scope_id`` is the
    containing scope's id (the target resource's id for extension resources).
    Any of these may be, or contain, Unknown.
    """

    type: str
    name: Any
    id: Any
    body: dict
    json_path: tuple
    file: str
    depends_on: tuple = ()
    condition: Any = True
    scope_id: Any = None
    existing: bool = False
    symbolic_name: str | None = None


class TemplateDiagnostic(tuple):
    """``(message, json_path, kind)``, plus ``.file``: the file the path is in (linked templates differ)."""

    file: str

    def __new__(cls, message: str, json_path: tuple, kind: str, file: str) -> "TemplateDiagnostic":
        item = super().__new__(cls, (message, json_path, kind))
        item.file = file
        return item


@dataclass
class TemplateResult:
    """Resources, diagnostics ``(message, json_path, kind)`` and evaluated outputs of a template.

    Diagnostic kinds: ``expression-error``, ``unknown-function``,
    ``template-error``, ``parameter-error``, ``copy-capped``,
    ``linked-template``, ``nesting-limit``.  A diagnostic from a linked
    template names that file at the start of its message; its path is
    within that file, which ``.file`` of the diagnostic (a ``TemplateDiagnostic``)
    also gives.
    """

    resources: list = field(default_factory=list)
    diagnostics: list = field(default_factory=list)
    outputs: dict = field(default_factory=dict)


@dataclass
class _Entry:
    resource: EvaluatedResource
    depends: list
    parent_id: Any
    loop: Any


@dataclass
class _Frame:
    """One template being evaluated: the top one, a nested or a linked one."""

    template: dict
    file: str
    root: tuple  # path of the template inside its file
    target: Target
    ctx: EvalContext
    depth: int
    condition: Any  # True, or the Unknown condition of the deployment that holds it
    report: Callable
    owns_declarations: bool  # False for nested templates evaluated in the outer scope
    order: tuple = ()  # where the frame's declarations sit among all, as written
    entries: list = field(default_factory=list)


class _LazySymbols:
    """Symbol table computed on first use: most templates never call reference() by name."""

    def __init__(self, compute: Callable[[], dict]):
        self._compute = compute
        self._table: dict | None = None

    def _get(self) -> dict:
        if self._table is None:
            self._table = {}  # while computing, names that need the table see it empty
            self._table = self._compute()
        return self._table

    def __contains__(self, key: object) -> bool:
        return key in self._get()

    def __getitem__(self, key: str) -> Any:
        return self._get()[key]

    def items(self):
        return self._get().items()


class _Evaluator:
    def __init__(self, context: DeploymentContext, read_linked: ReadLinked, top_file: str):
        self.context = context
        self.read_linked = read_linked
        self.top_file = top_file
        self.result = TemplateResult()
        self.budget = Budget()
        self.seen: set = set()
        self.deployment_outputs: dict[str, dict] = {}
        self.group_locations: dict[tuple, Any] = {}
        self.capped = False
        self.order: dict[int, tuple] = {}  # id(resource) -> position as written

    # -- diagnostics -------------------------------------------------------
    def reporter(self, file: str, root: tuple) -> Callable:
        def report(message: str, path: tuple, kind: str) -> None:
            if file != self.top_file:
                message = f"{file}: {message}"
            key = (message, root + tuple(path), kind)
            if key not in self.seen:
                self.seen.add(key)
                self.result.diagnostics.append(TemplateDiagnostic(*key, file))
        return report

    # -- frames ------------------------------------------------------------
    def frame(self, template: dict, file: str, root: tuple, target: Target, depth: int, condition: Any,
              parameter_values: dict, deployment_name: Any, location: Any,
              outer_ctx: EvalContext | None, order: tuple = ()) -> _Frame:
        report = self.reporter(file, root)
        if outer_ctx is not None:
            # expressionEvaluationOptions.scope 'outer': the nested template is
            # expanded in its parent's context (parameters, variables and even
            # resourceGroup() are the parent's), only its resources target the
            # nested deployment's scope.
            return _Frame(template, file, root, target, outer_ctx, depth, condition, report, False, order)
        parameters, variables = LazyScope("parameter"), LazyScope("variable")
        ctx = EvalContext(
            subscription_id=target.subscription_id, resource_group=target.resource_group,
            location=location, tenant_id=self.context.tenant_id,
            management_group=target.management_group, deployment_name=deployment_name,
            subscription_display_name=self.context.subscription_display_name, scope=target.kind,
            parameters=parameters, variables=variables, user_functions=user_functions(template),
            symbols={}, template=template, reference_hook=self.known_reference)
        frame = _Frame(template, file, root, target, ctx, depth, condition, report, True, order)
        self.declare_parameters(frame, parameters, parameter_values)
        self.declare_variables(frame, variables)
        ctx.symbols = _LazySymbols(lambda: self.symbols(frame))
        return frame

    def declare_parameters(self, frame: _Frame, scope: LazyScope, values: dict) -> None:
        declared = frame.template.get("parameters")
        declared = declared if isinstance(declared, dict) else {}
        for name in values:
            if not get_member(declared, name)[0]:
                frame.report(f"a value is given for parameter '{name}', which the template does not declare",
                             ("parameters",), "parameter-error")
        for name, definition in declared.items():
            found, value = get_member(values, name)
            if found and value is None and isinstance(definition, dict) and "defaultValue" in definition:
                # a null value takes the default: Bicep compiles unset optional module parameters to null
                scope.define(name, self.lazy_tree(frame, definition["defaultValue"], ("parameters", name, "defaultValue")))
            elif found:
                scope.define_value(name, provided_value(name, value))
            elif isinstance(definition, dict) and "defaultValue" in definition:
                scope.define(name, self.lazy_tree(frame, definition["defaultValue"], ("parameters", name, "defaultValue")))
            else:
                scope.define_value(name, Unknown(f"parameter '{name}' has no value"))

    def declare_variables(self, frame: _Frame, scope: LazyScope) -> None:
        declared = frame.template.get("variables")
        if not isinstance(declared, dict):
            return
        for name, raw in declared.items():
            if name == "copy" and isinstance(raw, list):
                for i, block in enumerate(raw):
                    if isinstance(block, dict) and isinstance(block.get("name"), str):
                        scope.define(block["name"], self.lazy_copy(frame, block, ("variables", "copy", i)))
            else:
                scope.define(name, self.lazy_tree(frame, raw, ("variables", name)))

    def lazy_tree(self, frame: _Frame, raw: Any, path: tuple) -> Callable:
        return lambda: evaluate_tree(raw, frame.ctx, path, frame.report, self.budget)

    def lazy_copy(self, frame: _Frame, block: dict, path: tuple) -> Callable:
        return lambda: expand_copy(block, frame.ctx, path, frame.report, self.budget, current=False)

    def symbols(self, frame: _Frame) -> dict:
        """Symbolic names (languageVersion 2.0) or names of single resources -> ids, for reference()."""
        found = {}
        silent = lambda *args: None  # noqa: E731 - the main pass reports these errors
        for symbol, declaration, path in self.declarations(frame.template):
            if not isinstance(declaration, dict) or "copy" in declaration:
                continue
            identity = identify(declaration, frame.ctx, None, frame.target, path, silent, {})
            if identity is None:
                continue
            key = symbol if symbol is not None else identity.name
            if isinstance(key, str):
                found[key] = identity.id
        return found

    @staticmethod
    def declarations(template: dict) -> list:
        resources = template.get("resources")
        if isinstance(resources, dict):  # languageVersion 2.0: symbolic names
            return [(name, item, ("resources", name)) for name, item in resources.items()]
        if isinstance(resources, list):
            return [(None, item, ("resources", i)) for i, item in enumerate(resources)]
        return []

    def run(self, frame: _Frame) -> dict:
        """Evaluate a frame's resources and outputs; return the outputs."""
        numbered = [(symbol, declaration, path, frame.order + (i,))
                    for i, (symbol, declaration, path) in enumerate(self.declarations(frame.template))]
        for symbol, declaration, path, order in deployments_first(numbered):
            self.declaration(frame, symbol, declaration, path, None, frame.ctx, order)
        resolve_depends(frame.entries)
        if frame.owns_declarations:
            frame.ctx.variables.evaluate_all()  # surfaces errors in variables nothing uses
        return self.outputs(frame)

    # -- resources ---------------------------------------------------------
    def declaration(self, frame: _Frame, symbol: Any, declaration: Any, path: tuple,
                    parent: Identity | None, ctx: EvalContext, order: tuple) -> None:
        if not isinstance(declaration, dict):
            frame.report("a resource declaration must be an object", path, "template-error")
            return
        copy = declaration.get("copy")
        if not isinstance(copy, dict):
            self.instance(frame, symbol, declaration, path, parent, ctx, None, True, order)
            return
        loop = copy.get("name")
        count = copy_count(copy, ctx, path + ("copy",), frame.report, self.budget)
        if isinstance(count, Unknown):
            # One representative instance whose index, and so deployment, is unknown.
            index = Unknown(f"copyIndex() of loop '{loop}' with an unknown count")
            self.instance(frame, symbol, declaration, path, parent, with_index(ctx, loop, index, True), loop,
                          Unknown(f"copy loop '{loop}' has an unknown count ({count.origin})"), order)
            return
        for i in range(count):
            self.instance(frame, symbol, declaration, path, parent, with_index(ctx, loop, i, True), loop, True,
                          order)

    def condition(self, frame: _Frame, declaration: dict, path: tuple, ctx: EvalContext) -> Any:
        if "condition" not in declaration:
            return True
        value = declaration["condition"]
        if isinstance(value, str):
            value = evaluate_leaf(value, ctx, path + ("condition",), frame.report)
        if isinstance(value, bool) or isinstance(value, Unknown):
            return value
        frame.report(f"condition must be a bool, not {short(value)}", path + ("condition",), "template-error")
        return Unknown(f"invalid condition {short(value)}")

    def instance(self, frame: _Frame, symbol: Any, declaration: dict, path: tuple, parent: Identity | None,
                 ctx: EvalContext, loop: Any, loop_condition: Any, order: tuple) -> None:
        condition = self.condition(frame, declaration, path, ctx)
        if condition is False:
            return
        for inherited in (loop_condition, frame.condition):
            if condition is True and isinstance(inherited, Unknown):
                condition = inherited
        identity = identify(declaration, ctx, parent, frame.target, path, frame.report, ctx.symbols)
        if identity is None:
            return
        existing = declaration.get("existing") is True
        is_deployment = identity.type.lower() == DEPLOYMENTS and not existing
        skip = {"copy", "condition", "dependsOn"}
        if isinstance(declaration.get("resources"), list):
            skip.add("resources")
        if is_deployment:
            skip.add("properties")
        body = evaluate_tree(declaration, ctx, path, frame.report, self.budget, frozenset(skip))
        if is_deployment and isinstance(declaration.get("properties"), dict):
            body["properties"] = evaluate_tree(declaration["properties"], ctx, path + ("properties",),
                                               frame.report, self.budget, frozenset({"template"}))
        depends = []
        raw_depends = declaration.get("dependsOn")
        if isinstance(raw_depends, list):
            for i, item in enumerate(raw_depends):
                depends.append(evaluate_leaf(item, ctx, path + ("dependsOn", i), frame.report)
                               if isinstance(item, str) else item)
        resource = EvaluatedResource(
            type=identity.type, name=identity.name, id=identity.id, body=body,
            json_path=frame.root + path, file=frame.file, condition=condition,
            scope_id=identity.scope_id, existing=existing,
            symbolic_name=symbol if isinstance(symbol, str) else None)
        if not self.emit(frame, resource, depends, parent, loop):
            return
        self.order[id(resource)] = order
        if identity.type.lower() == RESOURCE_GROUPS and isinstance(identity.name, str):
            self.group_locations[(str(identity.target.subscription_id).lower(), identity.name.lower())] = \
                body.get("location", Unknown(f"location of resource group '{identity.name}'"))
        if is_deployment:
            self.nested(frame, declaration, resource, identity, ctx, path, condition, order)
        children = declaration.get("resources")
        if isinstance(children, list):
            # A parent's condition does not cascade to its children (documented in
            # https://learn.microsoft.com/azure/azure-resource-manager/templates/conditional-resource-deployment).
            for j, child in enumerate(children):
                self.declaration(frame, None, child, path + ("resources", j), identity, ctx, order + (j,))

    def emit(self, frame: _Frame, resource: EvaluatedResource, depends: list, parent: Identity | None,
             loop: Any) -> bool:
        if len(self.result.resources) >= MAX_RESOURCES:
            if not self.capped:
                self.capped = True
                frame.report(f"more than {MAX_RESOURCES} resources; the rest were not evaluated",
                             resource.json_path[len(frame.root):], "copy-capped")
            return False
        self.result.resources.append(resource)
        frame.entries.append(_Entry(resource, depends, parent.id if parent else None, loop))
        return True

    # -- nested deployments --------------------------------------------------
    def nested(self, frame: _Frame, declaration: dict, resource: EvaluatedResource, identity: Identity,
               ctx: EvalContext, path: tuple, condition: Any, order: tuple) -> None:
        properties = declaration.get("properties")
        if not isinstance(properties, dict):
            return
        if frame.depth + 1 > MAX_DEPLOYMENT_DEPTH:
            frame.report(f"nested deployments deeper than {MAX_DEPLOYMENT_DEPTH} levels were not evaluated",
                         path, "nesting-limit")
            return
        options = properties.get("expressionEvaluationOptions")
        scope = options.get("scope") if isinstance(options, dict) else None
        inner = isinstance(scope, str) and scope.lower() == "inner"
        loaded = nested_template(frame.file, frame.root, properties, resource.body.get("properties", {}), path,
                                 self.read_linked, frame.report)
        if loaded is None:
            return
        template, file, root, linked = loaded
        inner = inner or linked  # a linked template always has its own scope
        values = inner_parameters(resource.body.get("properties", {}), resource.name) if inner else {}
        if inner and "parametersLink" in properties:
            frame.report("parameters from a parametersLink cannot be read offline; they are Unknown",
                         path + ("properties", "parametersLink"), "linked-template")
        target = identity.target
        if target.kind == "resourceGroup":
            location = self.group_location(target)
        else:
            location = resource.body.get("location", Unknown("the nested deployment's location"))
        inherited = condition if isinstance(condition, Unknown) else frame.condition
        child = self.frame(template, file, root, target, frame.depth + 1, inherited, values,
                           resource.name, location, None if inner else ctx, order + (-1,))
        outputs = self.run(child)
        if isinstance(resource.id, str):
            self.deployment_outputs[resource.id.lower()] = outputs_as_properties(template, outputs)

    def group_location(self, target: Target) -> Any:
        subscription, group = target.subscription_id, target.resource_group
        if isinstance(group, Unknown) or isinstance(subscription, Unknown):
            return Unknown("location of a resource group with an unknown name")
        key = (subscription.lower(), group.lower())
        if key in self.group_locations:
            return self.group_locations[key]
        if key == (self.context.subscription_id.lower(), self.context.resource_group.lower()):
            return self.context.location if self.context.location is not None else Unknown(LOCATION_ORIGIN)
        return Unknown(f"location of resource group '{group}'")

    def known_reference(self, resource_id: str, full: bool) -> Any:
        """reference() of a nested deployment evaluated here: its outputs; anything else: None."""
        outputs = self.deployment_outputs.get(resource_id.lower())
        if outputs is None:
            return None
        properties = {"outputs": outputs, "provisioningState": "Succeeded"}
        return {"id": resource_id, "properties": properties} if full else properties

    # -- outputs -------------------------------------------------------------
    def outputs(self, frame: _Frame) -> dict:
        declared = frame.template.get("outputs")
        result = {}
        if not isinstance(declared, dict):
            return result
        for name, output in declared.items():
            if not isinstance(output, dict):
                continue
            path = ("outputs", name)
            condition = self.condition(frame, output, path, frame.ctx)
            if condition is False:
                continue
            if isinstance(output.get("copy"), dict):
                value = expand_copy(output["copy"], frame.ctx, path + ("copy",), frame.report, self.budget,
                                    current=True)
            else:
                value = evaluate_tree(output.get("value"), frame.ctx, path + ("value",), frame.report, self.budget)
            result[name] = value
        return result


def evaluate_template(template: dict, *, parameter_values: dict | None = None,
                      context: DeploymentContext | None = None, file: str = "",
                      read_linked: ReadLinked | None = None) -> TemplateResult:
    """Evaluate an ARM template (JSON already parsed) statically into a ``TemplateResult``.

    ``parameter_values`` maps parameter names to values (``parameters.X.value``
    of a parameter file, already unwrapped; a Key Vault ``{"reference": ...}``
    becomes Unknown); unset parameters without a default are
    ``Unknown("parameter 'x' has no value")``.  ``read_linked(path)`` returns
    ``(template, error)`` for a linked template's path (relative paths are
    resolved against ``file``; the caller decides what may be read).
    Never raises on template content: problems become diagnostics.
    """
    context = context or DeploymentContext()
    evaluator = _Evaluator(context, read_linked or (lambda path: (None, "linked templates are not read")), file)
    if not isinstance(template, dict):
        evaluator.result.diagnostics.append(TemplateDiagnostic("a template must be a JSON object", (), "template-error", file))
        return evaluator.result
    target = Target(scope_from_schema(template.get("$schema")), context.subscription_id,
                    context.resource_group, context.management_group)
    try:
        frame = evaluator.frame(template, file, (), target, 0, True, dict(parameter_values or {}),
                                context.deployment_name, context.location, None)
        evaluator.result.outputs = evaluator.run(frame)
    except RecursionError:
        evaluator.result.diagnostics.append(
            TemplateDiagnostic("the template nests too deeply to evaluate", (), "template-error", file))
    # Evaluation order differs from the written one (groups and deployments go
    # first); report resources as written, a nested template's right after its
    # deployment, copies in iteration order (the sort is stable).
    evaluator.result.resources.sort(key=lambda r: evaluator.order.get(id(r), ()))
    return evaluator.result
