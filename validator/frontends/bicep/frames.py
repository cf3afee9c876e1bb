"""Frames: the symbols of one Bicep file deployed somewhere (the unit's file, a module instance, an imported file).

Parameters, variables, resources, modules and imports are defined lazily: a
symbol is evaluated on first use, so declarations may refer to each other in
any order; a cycle is an ``ExpressionError``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from validator.frontends.arm.expressions import EvalContext
from validator.frontends.arm.scopes import Target
from validator.frontends.arm.syntax import ExpressionError
from validator.frontends.bicep import ast as A
from validator.frontends.bicep.evaluate import Env, Frame, View, apply_user_function, evaluate, plain, resolve_path
from validator.frontends.bicep.modules import REGISTRY_PREFIXES, module_views
from validator.frontends.bicep.resources import ResourceView, resource_object, resource_views
from validator.model import Unknown

if TYPE_CHECKING:
    from validator.frontends.bicep.units import _Unit

MAX_MODULE_DEPTH = 10


def target_scope(ast: A.BicepFile) -> str:
    """The deployment scope kind a file's ``targetScope`` names (resource group when absent)."""
    for statement in ast.statements:
        if isinstance(statement, A.TargetScope) and isinstance(statement.value, A.StringLiteral):
            return {"resourcegroup": "resourceGroup", "subscription": "subscription",
                    "managementgroup": "managementGroup", "tenant": "tenant"}.get(statement.value.value.lower(),
                                                                                 "resourceGroup")
    return "resourceGroup"


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
        self.deployed_by: tuple = ()  # ids of the module deployments around this file, outermost first
        self.outputs: dict[str, A.OutputDecl] = {}
        # Bicep extensions the file declares ('kubernetes@1.0.0', 'br:.../microsoftgraph/v1.0:0.1'), lower case
        self.extensions = [s.spec.lower() for s in ast.statements if isinstance(s, A.ExtensionDecl)]
        self.output_values: dict[str, Any] = {}

    def spend(self, count: int, line: int) -> int:
        return self.unit.spend(count, self, line)

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
            frame.define(statement.name, lambda s=statement: _variable_value(frame, s.value, env))
        elif isinstance(statement, A.FuncDecl):
            frame.functions[statement.name] = (statement, frame)
        elif isinstance(statement, A.ResourceDecl):
            frame.define(statement.name, lambda s=statement: resource_views(s, frame, env, None))
        elif isinstance(statement, A.ModuleDecl):
            frame.define(statement.name, lambda s=statement: module_views(s, frame, env))
        elif isinstance(statement, A.OutputDecl):
            frame.outputs[statement.name] = statement
        elif isinstance(statement, A.ImportDecl):
            _import(frame, statement)
    for statement in frame.ast.statements:  # after the file's own symbols, which win
        if isinstance(statement, A.ResourceDecl):
            _declare_nested(frame, statement, statement.name)


def _variable_value(frame: BicepFrame, node: A.Node, env: Env) -> Any:
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
    body = resource_object(declaration.body)
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
