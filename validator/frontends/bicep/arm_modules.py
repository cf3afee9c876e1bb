"""ARM JSON templates used as Bicep modules (``module m './nested.json' = {...}``), through the ARM evaluator."""
from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING, Any

from validator.frontends.arm.scopes import Target
from validator.model import Location, Resource, Unknown

if TYPE_CHECKING:
    from validator.frontends.bicep.frames import BicepFrame


def evaluate_arm_module(unit: Any, frame: "BicepFrame", rel: str, line: int, target: Target, name: Any,
                        params: dict, condition: Any, deployed_by: tuple) -> tuple[list[Resource], dict] | None:
    """(resources, outputs) of the ARM template ``rel`` deployed to ``target`` with ``params``; None when unreadable.

    ``deployed_by`` are the ids of the deployments around the module's (its own last)."""
    from validator.frontends.arm.template import DeploymentContext, evaluate_template
    from validator.frontends.deployment_units import json_role
    from validator.frontends.positions import JsonPositions
    from validator.frontends.text import ReadError, parse_json

    documents: dict[str, Any] = {}
    positions: dict[str, JsonPositions] = {}

    def document(path: str) -> tuple[Any, str | None]:
        if path not in documents:
            text = unit.texts.get(path)
            if text is None:
                return None, "not found among the scanned files"
            try:
                documents[path] = parse_json(text)[0]
            except ReadError as error:
                return None, str(error)
        return documents[path], None

    def read_linked(path: str) -> tuple[Any, str | None]:
        if path.startswith("../") or path == ".." or posixpath.isabs(path):
            return None, "it is outside the scanned root; not read"
        return document(path)

    template, error = document(rel)
    if error is not None or json_role(template) != "template":
        unit.report(frame.file, f"module '{rel}' is not a readable ARM template ({error or 'no template schema'})",
                    line, "module")
        return None

    def locate(path: str, json_path: tuple) -> tuple[int, int]:
        if path not in positions:
            positions[path] = JsonPositions(unit.texts.get(path, ""))
        return positions[path].locate(json_path)

    text_or = lambda value, default: value if isinstance(value, str) else default  # noqa: E731
    context = DeploymentContext(
        subscription_id=text_or(target.subscription_id, unit.context.subscription_id),
        resource_group=text_or(target.resource_group, unit.context.resource_group),
        management_group=text_or(target.management_group, unit.context.management_group),
        tenant_id=unit.context.tenant_id, location=None,
        deployment_name=text_or(name, unit.context.deployment_name),
        subscription_display_name=unit.context.subscription_display_name)
    evaluated = evaluate_template(template, parameter_values=params, context=context, file=rel,
                                  read_linked=read_linked)
    for message, json_path, kind in evaluated.diagnostics:
        where = locate(rel, tuple(json_path))[0] if json_path else 0
        unit.report(rel, message, where, kind, "info" if kind != "parse-error" else "warning")
    resources = []
    # a nested deployment's resources sit under its properties.template in the same file
    inline = [(item.file, tuple(item.json_path) + ("properties", "template"), item.id) for item in evaluated.resources
              if isinstance(item.type, str) and item.type.lower() == "microsoft.resources/deployments"]
    for item in evaluated.resources:
        file = item.file or rel
        resources.append(Resource(
            type=item.type, name=item.name, id=item.id, body=item.body if isinstance(item.body, dict) else {},
            file=file, unit=unit.plan.name, scope=item.scope_id, source_format="arm",
            locator=lambda path, _f=file, _b=tuple(item.json_path): Location(_f, *locate(_f, _b + tuple(path))),
            depends_on=tuple(item.depends_on or ()),
            condition=_both(condition, item.condition),
            deployed_by=deployed_by + tuple(ident for where, prefix, ident in sorted(inline, key=lambda d: len(d[1]))
                                            if where == file and tuple(item.json_path)[: len(prefix)] == prefix)))
    return resources, dict(evaluated.outputs)


def _both(outer: Any, inner: Any) -> Any:
    if outer is False or inner is False:
        return False
    if isinstance(outer, Unknown):
        return outer
    return inner
