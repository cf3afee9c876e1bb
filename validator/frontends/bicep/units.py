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
from typing import Any, Callable

from validator.frontends.arm.expressions import EvalContext
from validator.frontends.arm.functions_scope import LOCATION_ORIGIN
from validator.frontends.arm.resource_ids import resource_id
from validator.frontends.arm.scopes import Target, target_from_scope_string
from validator.frontends.arm.syntax import ExpressionError
from validator.frontends.arm.template import DeploymentContext
from validator.frontends.arm.values import get_member, short, unknown_from
from validator.frontends.bicep import ast as A
from validator.frontends.bicep.errors import BicepSyntaxError
from validator.frontends.bicep.evaluate import (
    MAX_LOOP, Env, Frame, View, apply_user_function, evaluate, loop_env, loop_items, plain, resolve_path, truth,
)
from validator.frontends.bicep.parser import parse_bicep
from validator.model import Diagnostic, Location, Resource, Unknown

__all__ = ["evaluate_bicep_unit", "MAX_MODULE_DEPTH", "MAX_RESOURCES"]

MAX_MODULE_DEPTH = 10
MAX_RESOURCES = 50_000
MAX_TOTAL_ITERATIONS = 100_000
DEPLOYMENTS = "Microsoft.Resources/deployments"
DEPLOYMENTS_API = "2022-09-01"  # what the Bicep compiler emits for modules
REGISTRY_PREFIXES = ("br:", "br/", "ts:", "ts/")
_SCOPE_FUNCTIONS = {"resourcegroup", "subscription", "managementgroup", "tenant"}
_NOT_IN_BODY = {"parent", "dependson", "scope", "name"}


@lru_cache(maxsize=1024)
def _parse(rel: str, text: str) -> Any:
    """A parsed file, or the BicepSyntaxError (several units share modules; the str hash is cached)."""
    try:
        return parse_bicep(text, rel)
    except BicepSyntaxError as error:
        return error


def evaluate_bicep_unit(plan: Any, texts: dict[str, str], facts: dict) -> tuple[list[Resource], list[Diagnostic]]:
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

    def __init__(self, plan: Any, texts: dict[str, str], context: DeploymentContext) -> None:
        self.plan = plan
        self.texts = texts
        self.context = context
        self.resources: list[Resource] = []
        self.diagnostics: list[Diagnostic] = []
        self.seen: set = set()
        self.iterations = MAX_TOTAL_ITERATIONS
        self.imported: dict[str, Frame] = {}
        self.capped = False

    def report(self, file: str, message: str, line: int, kind: str, severity: str | None = None) -> None:
        key = (file, line, message)
        if key in self.seen:
            return
        self.seen.add(key)
        if severity is None:
            severity = "warning" if kind == "parse-error" else "info"
        self.diagnostics.append(Diagnostic(file, message, line, severity, kind))

    def parse(self, rel: str, line_of_use: tuple | None = None) -> A.BicepFile | None:
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
        target = Target(_target_scope(ast), context.subscription_id, context.resource_group,
                        context.management_group)
        declared = {s.name for s in ast.statements if isinstance(s, A.ParamDecl)}
        for name in values:
            if name not in declared:
                self.report(plan.parameters, f"a value is given for parameter '{name}', which {plan.template} "
                            "does not declare", 0, "parameter-error")
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


def _target_scope(ast: A.BicepFile) -> str:
    for statement in ast.statements:
        if isinstance(statement, A.TargetScope) and isinstance(statement.value, A.StringLiteral):
            return {"resourcegroup": "resourceGroup", "subscription": "subscription",
                    "managementgroup": "managementGroup", "tenant": "tenant"}.get(statement.value.value.lower(),
                                                                                 "resourceGroup")
    return "resourceGroup"


# --------------------------------------------------------------------- frames

class BicepFrame(Frame):
    """One Bicep file evaluated for one deployment (the unit's file, a module instance or an imported file)."""

    def __init__(self, unit: _Unit, file: str, ast: A.BicepFile, target: Target, ctx: EvalContext,
                 condition: Any, depth: int) -> None:
        super().__init__(file, ctx, self._report, self._read)
        self.unit = unit
        self.ast = ast
        self.target = target
        self.condition = condition
        self.depth = depth
        self.outputs: dict[str, A.OutputDecl] = {}
        self.output_values: dict[str, Any] = {}

    def _report(self, message: str, line: int, kind: str) -> None:
        self.unit.report(self.file, message, line, kind)

    def _read(self, relative: str) -> tuple[str, str]:
        rel = resolve_path(self.file, relative)
        if rel is None:
            raise ExpressionError(f"'{relative}' is outside the scanned root; not read")
        text = self.unit.texts.get(rel)
        if text is None:
            raise ExpressionError(f"'{relative}' is not among the scanned files")
        return rel, text

    def safe(self, node: A.Node, env: Env) -> Any:
        """``node``'s plain value; an error is a diagnostic on its line and an Unknown."""
        try:
            return plain(evaluate(node, env))
        except ExpressionError as error:
            self.report(str(error), getattr(error, "line", node.line), error.kind)
            return Unknown(f"expression error: {error}")
        except RecursionError:
            self.report("expression too deeply nested to evaluate", node.line, "expression-error")
            return Unknown("expression too deeply nested")

    def output(self, name: str) -> Any:
        if name not in self.output_values:
            declaration = self.outputs.get(name)
            if declaration is None:
                raise ExpressionError(f"{self.file} has no output '{name}'")
            self.output_values[name] = Unknown(f"output '{name}' refers to itself")
            self.output_values[name] = self.safe(declaration.value, Env(self))
        return self.output_values[name]


def new_frame(unit: _Unit, file: str, ast: A.BicepFile, target: Target, location: Any, deployment_name: Any,
              params: dict[str, Callable[[], Any]], condition: Any, depth: int) -> BicepFrame:
    """A frame for ``ast`` deployed to ``target`` with parameter values from ``params`` (name -> maker)."""
    context = unit.context
    ctx = EvalContext(subscription_id=target.subscription_id, resource_group=target.resource_group,
                      location=location, tenant_id=context.tenant_id, management_group=target.management_group,
                      deployment_name=deployment_name,
                      subscription_display_name=context.subscription_display_name, scope=target.kind)
    frame = BicepFrame(unit, file, ast, target, ctx, condition, depth)
    declare(frame, params)
    return frame


def declare(frame: BicepFrame, params: dict[str, Callable[[], Any]]) -> None:
    """Define every symbol of the frame's file (values are computed on first use)."""
    env = Env(frame)
    for statement in frame.ast.statements:
        if isinstance(statement, A.ParamDecl):
            frame.define(statement.name, _param_maker(frame, statement, params.get(statement.name), env))
        elif isinstance(statement, (A.VarDecl, A.ParamAssign)):
            frame.define(statement.name, lambda s=statement: _strict(frame, s.value, env))
        elif isinstance(statement, A.FuncDecl):
            frame.functions[statement.name] = (statement, frame)
        elif isinstance(statement, A.ResourceDecl):
            frame.define(statement.name, lambda s=statement: resource_views(s, frame, env, None))
            _declare_nested(frame, statement, statement.name)
        elif isinstance(statement, A.ModuleDecl):
            frame.define(statement.name, lambda s=statement: module_views(s, frame, env))
        elif isinstance(statement, A.OutputDecl):
            frame.outputs[statement.name] = statement
        elif isinstance(statement, A.ImportDecl):
            _import(frame, statement)


def _strict(frame: BicepFrame, node: A.Node, env: Env) -> Any:
    """A variable's value; views stay views so ``var v = vault`` still reads ``v.id``."""
    try:
        return evaluate(node, env)
    except ExpressionError as error:
        frame.report(str(error), getattr(error, "line", node.line), error.kind)
        return Unknown(f"expression error: {error}")


def _param_maker(frame: BicepFrame, declaration: A.ParamDecl, given: Callable | None, env: Env) -> Callable:
    if given is not None and declaration.default is not None:
        # ARM deploys a parameter passed as null with its default (AVM modules rely on it)
        return lambda: _or_default(given(), frame, declaration.default, env)
    if given is not None:
        return given
    if declaration.default is not None:
        return lambda: frame.safe(declaration.default, env)
    secure = any(d.name == "secure" for d in declaration.decorators)
    what = "secure parameter" if secure else "parameter"
    return lambda: Unknown(f"{what} '{declaration.name}' has no value")


def _or_default(value: Any, frame: BicepFrame, default: A.Node, env: Env) -> Any:
    return frame.safe(default, env) if value is None else value


def _declare_nested(frame: BicepFrame, declaration: A.ResourceDecl, path: str) -> None:
    """Nested resources answer to their own name inside the file too (and to ``parent::child``)."""
    body = _resource_object(declaration.body)
    if body is None or isinstance(declaration.body, A.ForExpr):
        return
    for entry in body.properties:
        if isinstance(entry, A.ResourceDecl):
            parent_name = path
            frame.define(entry.name, lambda p=parent_name, c=entry.name: _nested_by_path(frame, p, c))
            _declare_nested(frame, entry, f"{path}::{entry.name}")


def _nested_by_path(frame: BicepFrame, path: str, child: str) -> Any:
    names = path.split("::")
    view = frame.lookup(names[0])
    for name in names[1:] + [child]:
        if not isinstance(view, ResourceView):
            raise ExpressionError(f"'{child}' is nested in a resource loop")
        view = view.nested(name)
    return view


def _import(frame: BicepFrame, statement: A.ImportDecl) -> None:
    unit = frame.unit
    line = statement.line
    if statement.source.startswith(REGISTRY_PREFIXES):
        def unread(name: str) -> Unknown:
            # reported on use: most registry imports bring types, which carry no values
            unit.report(frame.file, f"import from registry '{statement.source}' is not read; "
                        f"'{name}' is Unknown", line, "unsupported", "info")
            return Unknown(f"'{name}' imported from {statement.source}")
        for symbol in statement.symbols:
            frame.define(symbol.alias or symbol.name, lambda s=symbol: unread(s.name))
        if statement.wildcard_alias:
            frame.define(statement.wildcard_alias, lambda: unread(statement.wildcard_alias))
        return
    rel = resolve_path(frame.file, statement.source)
    ast = unit.parse(rel) if rel is not None and rel.endswith(".bicep") else None
    if ast is None:
        where = "outside the scanned root" if rel is None else "not a scanned, valid .bicep file"
        unit.report(frame.file, f"import '{statement.source}' is {where}; its symbols are Unknown", line, "import")
        for symbol in statement.symbols:
            frame.define(symbol.alias or symbol.name,
                         lambda s=symbol: Unknown(f"'{s.name}' imported from {statement.source}"))
        return
    source = unit.imported.get(rel)
    if source is None:
        # Exported variables and functions are compile-time values: they see the importer's deployment.
        source = BicepFrame(unit, rel, ast, frame.target, frame.ctx, frame.condition, frame.depth)
        unit.imported[rel] = source
        declare(source, {})
    if statement.wildcard_alias:
        frame.define(statement.wildcard_alias, lambda: NamespaceView(source))
        return
    for symbol in statement.symbols:
        alias = symbol.alias or symbol.name
        if symbol.name in source.functions:
            frame.functions[alias] = source.functions[symbol.name]
        elif symbol.name in source:
            frame.define(alias, lambda n=symbol.name: source.lookup(n))
        # anything else is a type: types carry no values


# ---------------------------------------------------------------------- views

def _unknown_child(instance: "ResourceInstance", path: tuple) -> Unknown:
    """What ARM's ``reference(<id>, '<api>', 'Full')`` followed by ``path`` gives."""
    target = instance.id
    shown = short(target, 120) if isinstance(target, Unknown) else f"'{target}'"
    return Unknown(f"reference({shown}, Full)", ref=target, path=path)


class ResourceView(View):
    """A resource symbol (or a property object inside it) used in an expression."""

    __slots__ = ("instance", "path")

    def __init__(self, instance: "ResourceInstance", path: tuple = ()) -> None:
        self.instance = instance
        self.path = path

    def describe(self) -> str:
        return f"resource '{self.instance.declaration.name}'"

    def member(self, name: Any, env: Env, safe: bool) -> Any:
        instance = self.instance
        if not self.path:
            if name == "id":
                return instance.id
            if name == "name":
                return instance.short_name
            if name == "type":
                return instance.type
            if name == "apiVersion":
                return instance.api_version
        path = self.path + (name,)
        found, value = instance.declared(path)
        if not found:
            return _unknown_child(instance, path)
        if isinstance(value, (dict, list)):
            return ResourceView(instance, path)  # deploy time may add members: keep the reference
        return value

    def method(self, name: str, args: list, env: Env) -> Any:
        return Unknown(f"{name}(...) of {self.describe()}")

    def nested(self, name: str) -> Any:
        return self.instance.nested(name)

    def plain(self) -> Any:
        # The whole object (or a property object) is only known after deployment.
        return _unknown_child(self.instance, self.path)


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


class OutputsView(View):
    __slots__ = ("instance",)

    def __init__(self, instance: "ModuleInstance") -> None:
        self.instance = instance

    def describe(self) -> str:
        return f"outputs of module '{self.instance.declaration.name}'"

    def member(self, name: Any, env: Env, safe: bool) -> Any:
        return self.instance.output(name, safe)

    def plain(self) -> Any:
        frame = self.instance.frame_or_none()
        if frame is None:
            return Unknown(f"outputs of module '{self.instance.declaration.name}'")
        return {name: frame.output(name) for name in frame.outputs}


class NamespaceView(View):
    """``import * as ns from 'file.bicep'``."""

    __slots__ = ("source",)

    def __init__(self, source: BicepFrame) -> None:
        self.source = source

    def describe(self) -> str:
        return f"imported file '{self.source.file}'"

    def member(self, name: Any, env: Env, safe: bool) -> Any:
        return self.source.lookup(name)

    def method(self, name: str, args: list, env: Env) -> Any:
        found = self.source.functions.get(name)
        if found is None:
            raise ExpressionError(f"{self.source.file} exports no function '{name}'")
        return apply_user_function(found[0], found[1], args, env)


# ------------------------------------------------------------------ resources

def _resource_object(body: A.Node) -> A.ObjectLit | None:
    while isinstance(body, (A.ForExpr, A.IfExpr)):
        body = body.body
    return body if isinstance(body, A.ObjectLit) else None


def _combine(*conditions: Any) -> Any:
    if any(c is False for c in conditions):
        return False
    for condition in conditions:
        if isinstance(condition, Unknown):
            return condition
    return True


def _instances(declaration: Any, frame: BicepFrame, env: Env, make: Callable) -> Any:
    """One instance, or a list of them for a loop (one representative when the count is unknown)."""
    body = declaration.body
    if not isinstance(body, A.ForExpr):
        return make(env, body, None)
    try:
        pairs = loop_items(body, env)
    except ExpressionError as error:
        frame.report(str(error), getattr(error, "line", body.line), error.kind)
        pairs = Unknown(f"expression error: {error}")
    if isinstance(pairs, Unknown):
        inner = loop_env(body, env, Unknown(f"an item of {pairs.origin}"), Unknown(f"an index into {pairs.origin}"))
        return [make(inner, body.body, Unknown(f"a loop over {pairs.origin}"))]
    count = frame.unit.spend(len(pairs), frame, body.line)
    views = []
    for index, item in pairs[:count]:
        inner = loop_env(body, env, item, index)
        views.append(make(inner, body.body, body.condition))
    return views


def resource_views(declaration: A.ResourceDecl, frame: BicepFrame, env: Env, parent: "ResourceInstance | None") -> Any:
    return _instances(declaration, frame, env,
                      lambda e, body, filter_: ResourceView(ResourceInstance(declaration, frame, e, body, filter_,
                                                                             parent)))


class ResourceInstance:
    """One resource a declaration deploys (one per loop iteration); identity and body computed on first use."""

    def __init__(self, declaration: A.ResourceDecl, frame: BicepFrame, env: Env, body: A.Node, filter_: Any,
                 parent: "ResourceInstance | None") -> None:
        self.declaration = declaration
        self.frame = frame
        self.env = env
        self.filter = filter_  # None, a filter node, or an Unknown (loop over an unknown array)
        self.if_node = None
        if isinstance(body, A.IfExpr):
            self.if_node, body = body.condition, body.body
        self.obj = body if isinstance(body, A.ObjectLit) else A.ObjectLit(body.line, body.column, [])
        self.lexical_parent = parent
        self.touched: list = []
        self._identity: tuple | None = None
        self._condition: Any = None
        self._body: dict | None = None
        self._evaluating = False
        self._nested: dict[str, Any] = {}

    # -- identity --------------------------------------------------------
    def _compute_identity(self) -> tuple:
        """(type, short name, full name, id, scope id, target)."""
        frame, declaration = self.frame, self.declaration
        env = self.env.tracking(self.touched)
        type_ = declaration.resource_type
        parent = self.lexical_parent
        parent_node = self.obj.get("parent")
        if parent_node is not None:
            value = _evaluate_or_report(frame, parent_node, env)
            if isinstance(value, ResourceView) and not value.path:
                parent = value.instance
            elif not isinstance(value, Unknown):
                frame.report("parent must be a resource symbol", parent_node.line, "template-error")
        name_node = self.obj.get("name")
        name = frame.safe(name_node, env) if name_node is not None else Unknown("a resource without a name")
        if not isinstance(name, (str, Unknown)):
            frame.report(f"resource name must be a string, not {short(name)}", name_node.line, "template-error")
            name = Unknown(f"invalid name {short(name)}")
        if parent is not None:
            if "/" not in type_:
                type_ = f"{parent.type}/{type_}"
            segment = type_.rsplit("/", 1)[1]
            full = _join(parent.full_name, name)
            return type_, name, full, _join(parent.id, _join(segment, name)), parent.scope_id, parent.target
        if "/" not in type_:
            frame.report(f"'{type_}' is not a full resource type and the resource has no parent", declaration.line,
                         "template-error")
            type_ = f"Unknown.Namespace/{type_}"
        target, scope_id = frame.target, None
        scope_node = self.obj.get("scope")
        if scope_node is not None and not _is_text(scope_node):
            target, scope_id = _scope(frame, scope_node, env)
        if scope_id is None:
            scope_id = target.scope_id
            prefix = target.id_prefix
        else:
            prefix = scope_id
        return type_, name, name, _build(frame, prefix, type_, name, declaration), scope_id, target

    @property
    def identity(self) -> tuple:
        if self._identity is None:
            self._identity = ("", Unknown("resource identity refers to itself"), Unknown("a resource name"),
                              Unknown("a resource id"), None, self.frame.target)
            self._identity = self._compute_identity()
        return self._identity

    type = property(lambda self: self.identity[0])
    short_name = property(lambda self: self.identity[1])
    full_name = property(lambda self: self.identity[2])
    id = property(lambda self: self.identity[3])
    scope_id = property(lambda self: self.identity[4])
    target = property(lambda self: self.identity[5])

    @property
    def api_version(self) -> str:
        """A nested resource may leave the version out: its parent's applies."""
        if self.declaration.api_version or self.lexical_parent is None:
            return self.declaration.api_version
        return self.lexical_parent.api_version

    def condition(self) -> Any:
        if self._condition is None:
            self._condition = True
            parts = [self.frame.condition]
            if self.lexical_parent is not None:
                parts.append(self.lexical_parent.condition())  # Bicep gives nested resources their parent's condition
            if isinstance(self.filter, Unknown):
                parts.append(self.filter)
            for node in (self.filter if isinstance(self.filter, A.Node) else None, self.if_node):
                if node is not None:
                    value = self.frame.safe(node, self.env)
                    try:
                        parts.append(truth(value, "a condition"))
                    except ExpressionError as error:
                        self.frame.report(str(error), node.line, "template-error")
                        parts.append(Unknown(f"invalid condition {short(value)}"))
            self._condition = _combine(*parts)
        return self._condition

    # -- body ------------------------------------------------------------
    def body(self) -> dict:
        if self._body is None:
            if self._evaluating:
                return {}
            self._evaluating = True
            try:
                self._body = self._evaluate_body()
            finally:
                self._evaluating = False
        return self._body

    def _evaluate_body(self) -> dict:
        frame, declaration = self.frame, self.declaration
        env = self.env.tracking(self.touched)
        body: dict = {"type": self.type, "apiVersion": self.api_version, "name": self.full_name}
        if declaration.existing:
            body["existing"] = True
        if self.obj.get("scope") is not None and self.scope_id is not None and self.lexical_parent is None \
                and self.obj.get("parent") is None and self.scope_id != self.frame.target.scope_id:
            body["scope"] = self.scope_id
        for entry in self.obj.properties:
            if not isinstance(entry, A.ObjectProperty):
                continue
            key = entry.key_text
            if key is not None and key.lower() in _NOT_IN_BODY and not (key.lower() == "scope" and _is_text(entry.value)):
                continue
            if key is None:
                key = frame.safe(entry.key, env)
                key = key if isinstance(key, str) else str(key)
            body[key] = frame.safe(entry.value, env)
        return body

    def declared(self, path: tuple) -> tuple[bool, Any]:
        """(found, value) of ``path`` in the evaluated declaration."""
        if self._evaluating:
            return False, None  # a cycle through this resource's own body: deploy time tells
        node: Any = self.body()
        for key in path:
            if isinstance(node, Unknown):
                return True, node.child(key)
            if isinstance(node, dict) and isinstance(key, str):
                found, node = get_member(node, key)
                if not found:
                    return False, None
            elif isinstance(node, list) and isinstance(key, int) and -len(node) <= key < len(node):
                node = node[key]
            else:
                return False, None
        return True, node

    def depends_on(self) -> tuple:
        ids: list = []
        parent = self.lexical_parent
        parent_node = self.obj.get("parent")
        if parent is None and parent_node is not None:
            value = _evaluate_or_report(self.frame, parent_node, self.env, quiet=True)
            parent = value.instance if isinstance(value, ResourceView) else None
        if parent is not None and not parent.declaration.existing:
            ids.append(parent.id)
        explicit = self.obj.get("dependsOn")
        touched = list(self.touched)
        if explicit is not None:
            value = _evaluate_or_report(self.frame, explicit, self.env, quiet=True)
            touched = (value if isinstance(value, list) else [value]) + touched
        for item in _flatten(touched):
            _add_dependency(ids, item, self)
        return tuple(ids)

    def nested(self, name: str) -> Any:
        if name not in self._nested:
            declaration = next((e for e in self.obj.properties if isinstance(e, A.ResourceDecl) and e.name == name),
                               None)
            if declaration is None:
                raise ExpressionError(f"resource '{self.declaration.name}' has no nested resource '{name}'")
            self._nested[name] = resource_views(declaration, self.frame, self.env, self)
        return self._nested[name]


def _is_text(node: A.Node) -> bool:
    """A string written as ``scope:`` is a property of an extensibility resource (Microsoft Graph), not a scope."""
    return isinstance(node, (A.StringLiteral, A.InterpolatedString))


def _flatten(items: list) -> list:
    flat: list = []
    for item in items:
        if isinstance(item, list):
            flat.extend(_flatten(item))
        else:
            flat.append(item)
    return flat


def _add_dependency(ids: list, item: Any, owner: Any) -> None:
    if isinstance(item, ResourceView):
        instance = item.instance
        if instance is owner or instance.declaration.existing:
            return  # Bicep leaves existing resources out of dependsOn
        value = instance.id
    elif isinstance(item, (ModuleView, OutputsView)):
        if item.instance is owner:
            return
        value = item.instance.deployment_id
    else:
        return
    if not any(value is known or (isinstance(value, str) and value == known) for known in ids):
        ids.append(value)


def _evaluate_or_report(frame: BicepFrame, node: A.Node, env: Env, quiet: bool = False) -> Any:
    try:
        return evaluate(node, env)
    except ExpressionError as error:
        if not quiet:
            frame.report(str(error), getattr(error, "line", node.line), error.kind)
        return Unknown(f"expression error: {error}")


def _join(parent: Any, child: Any) -> Any:
    if isinstance(parent, Unknown):
        return parent
    if isinstance(child, Unknown):
        return child
    return f"{parent}/{child}"


def _build(frame: BicepFrame, prefix: Any, type_: str, name: Any, declaration: A.Node) -> Any:
    for part in (prefix, name):
        if isinstance(part, Unknown):
            return Unknown(f"id of a {type_} ({part.origin})")
    try:
        return resource_id("" if prefix in ("/", None) else prefix, type_, [name])
    except ExpressionError as error:
        frame.report(str(error), declaration.line, "template-error")
        return Unknown(f"id of a {type_} ({error})")


def _scope(frame: BicepFrame, node: A.Node, env: Env) -> tuple[Target, Any]:
    """(target, extension scope id or None) named by a ``scope:`` value."""
    target = frame.target
    if isinstance(node, A.Call) and node.name.lower() in _SCOPE_FUNCTIONS and (
            node.namespace is None or (isinstance(node.namespace, A.Identifier) and node.namespace.name == "az")):
        args = [frame.safe(a, env) for a in node.args]
        if any(not isinstance(a, (str, Unknown)) for a in args):
            frame.report(f"{node.name}() takes names (strings)", node.line, "template-error")
            return target, Unknown("an invalid scope")
        kind = node.name.lower()
        if kind == "resourcegroup":
            if not args:
                return dataclasses.replace(target, kind="resourceGroup"), None
            subscription = args[0] if len(args) == 2 else target.subscription_id
            return dataclasses.replace(target, kind="resourceGroup", subscription_id=subscription,
                                       resource_group=args[-1]), None
        if kind == "subscription":
            return dataclasses.replace(target, kind="subscription",
                                       subscription_id=args[0] if args else target.subscription_id), None
        if kind == "managementgroup":
            return dataclasses.replace(target, kind="managementGroup",
                                       management_group=args[0] if args else target.management_group), None
        return dataclasses.replace(target, kind="tenant"), None
    value = _evaluate_or_report(frame, node, env)
    if isinstance(value, ResourceView) and not value.path:
        instance = value.instance
        kind = instance.type.lower()
        if kind == "microsoft.resources/resourcegroups":  # a group symbol: deploy into that group
            return dataclasses.replace(target, kind="resourceGroup", subscription_id=instance.target.subscription_id,
                                       resource_group=instance.short_name), None
        if kind == "microsoft.management/managementgroups":
            return dataclasses.replace(target, kind="managementGroup", management_group=instance.short_name), None
        return target, instance.id
    value = plain(value)
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        found = target_from_scope_string(target, value["id"])
        if found is not None:
            return found, None
    if isinstance(value, str) and value.startswith("/"):
        found = target_from_scope_string(target, value)
        return (found, None) if found is not None else (target, value.rstrip("/"))
    if isinstance(value, Unknown):
        return target, Unknown(f"the scope named by {value.origin}")
    frame.report(f"scope must be a resource or a scope (resourceGroup(), subscription()...), not {short(value)}",
                 node.line, "template-error")
    return target, Unknown("an invalid scope")


# -------------------------------------------------------------------- modules

def module_views(declaration: A.ModuleDecl, frame: BicepFrame, env: Env) -> Any:
    return _instances(declaration, frame, env,
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
                target, extension = _scope(self.frame, scope_node, self.env.tracking(self.touched))
                if extension is not None:
                    self.frame.report("a module's scope must be a resource group, subscription, management group "
                                      "or tenant", scope_node.line, "template-error")
            self._target = target
        return self._target

    @property
    def deployment_id(self) -> Any:
        target = self.target
        prefix = target.id_prefix
        return _build(self.frame, prefix, DEPLOYMENTS, self.name, self.declaration)

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
        if not rel.endswith(".bicep"):
            unit.report(frame.file, f"module '{declaration.path}' is not a .bicep file; not evaluated", line,
                        "unsupported", "info")
            return None
        if frame.depth + 1 > MAX_MODULE_DEPTH:
            unit.report(frame.file, f"modules nested deeper than {MAX_MODULE_DEPTH} levels were not evaluated",
                        line, "nesting-limit")
            return None
        ast = unit.parse(rel)
        if ast is None:
            return None
        target = self.target
        if self.obj.get("scope") is None:
            target = dataclasses.replace(target, kind=_target_scope(ast))
        location = self.frame.ctx.location if (target.kind, target.subscription_id, target.resource_group) == \
            (frame.target.kind, frame.target.subscription_id, frame.target.resource_group) else \
            Unknown(f"location of resource group '{target.resource_group}'") if target.kind == "resourceGroup" \
            else Unknown("the module deployment's location")
        if location is None and target.kind == "resourceGroup":
            location = Unknown(LOCATION_ORIGIN)
        params = self.params()
        makers = {name: (lambda v=value: v) for name, value in params.items()}
        return new_frame(unit, rel, ast, target, location, self.name, makers,
                         _combine(frame.condition, self.condition()), frame.depth + 1)

    def output(self, name: str, safe: bool = False) -> Any:
        if self.registry:
            return Unknown(f"output '{name}' of registry module {self.declaration.path}")
        frame = self.frame_or_none()
        if frame is None:
            return Unknown(f"output '{name}' of module '{self.declaration.name}' (not read)")
        if name not in frame.outputs and safe:
            return None
        return frame.output(name)

    def depends_on(self) -> tuple:
        ids: list = []
        self.params()
        explicit = self.obj.get("dependsOn")
        touched = list(self.touched)
        if explicit is not None:
            value = _evaluate_or_report(self.frame, explicit, self.env, quiet=True)
            touched = (value if isinstance(value, list) else [value]) + touched
        for item in _flatten(touched):
            _add_dependency(ids, item, self)
        return tuple(ids)


# ------------------------------------------------------------------- emission

def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def emit_frame(unit: _Unit, frame: BicepFrame) -> None:
    """Turn every resource and module of ``frame`` (and of its modules) into Resources."""
    for statement in frame.ast.statements:
        if isinstance(statement, A.ResourceDecl):
            for view in _as_list(frame.lookup(statement.name)):
                if isinstance(view, ResourceView):
                    emit_resource(unit, view.instance)
        elif isinstance(statement, A.ModuleDecl):
            for view in _as_list(frame.lookup(statement.name)):
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
        locator=_locator(frame.file, instance.declaration, instance.obj),
        depends_on=instance.depends_on(), condition=condition)
    if not unit.add(resource, frame, instance.declaration.line):
        return
    for entry in instance.obj.properties:
        if isinstance(entry, A.ResourceDecl):
            for view in _as_list(instance.nested(entry.name)):
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
        unit=unit.plan.name, scope=target.scope_id if target.kind == "resourceGroup" else frame.target.scope_id,
        source_format="bicep", locator=_module_locator(frame.file, instance.declaration, instance.obj),
        depends_on=instance.depends_on(), condition=condition)
    if not unit.add(resource, frame, instance.declaration.line):
        return
    child = instance.frame_or_none()
    if child is not None:
        emit_frame(unit, child)


# ------------------------------------------------------------------- locations

def _walk(obj: A.Node, path: tuple, fallback: A.Node) -> A.Node:
    """The node of the property at ``path`` below ``obj`` (or of its nearest existing parent)."""
    best, node = fallback, obj
    for key in path:
        while isinstance(node, (A.ForExpr, A.IfExpr)):
            node = node.body
        if isinstance(node, A.ObjectLit) and isinstance(key, str):
            lowered, found = key.lower(), None
            for entry in node.properties:
                if isinstance(entry, A.ObjectProperty):
                    text = entry.key_text
                    if text is not None and text.lower() == lowered:
                        found = entry
            if found is None:
                break
            best, node = found, found.value
        elif isinstance(node, A.ArrayLit) and isinstance(key, int) and 0 <= key < len(node.items) \
                and not any(isinstance(i, A.Spread) for i in node.items):
            best = node = node.items[key]
        else:
            break
    return best


def _locator(file: str, declaration: A.Node, obj: A.ObjectLit) -> Callable[[tuple], Location]:
    def locate(path: tuple) -> Location:
        node = _walk(obj, path, declaration)
        return Location(file, node.line, node.column)
    return locate


def _module_locator(file: str, declaration: A.Node, obj: A.ObjectLit) -> Callable[[tuple], Location]:
    def locate(path: tuple) -> Location:
        if path[:2] == ("properties", "parameters") and len(path) >= 3:
            # properties.parameters.<name>.value.<rest> is written params.<name>.<rest>
            path = ("params", path[2]) + tuple(path[4:])
        elif path[:1] == ("properties",):
            path = ()
        node = _walk(obj, path, declaration)
        return Location(file, node.line, node.column)
    return locate
