"""Parameter values for a Bicep unit: a JSON parameters file or a ``.bicepparam`` file."""
from __future__ import annotations

from typing import Any

from validator.frontends.bicep import ast as A
from validator.frontends.bicep.evaluate import resolve_path
from validator.model import Unknown

MAX_EXTENDS = 10


def parameter_values(unit: Any, rel: str) -> dict:
    """{name: value} from the parameters file ``rel``; problems are diagnostics on that file.

    ``.bicepparam`` assignments are evaluated (``readEnvironmentVariable()``
    and ``getSecret()`` are Unknown); a JSON file's Key Vault references are Unknown.
    """
    if rel.endswith(".bicepparam"):
        return _bicepparam(unit, rel, 0)
    return _json(unit, rel)


def _json(unit: Any, rel: str) -> dict:
    from validator.frontends.deployment_units import parameter_values as json_values
    from validator.frontends.text import ReadError, parse_json

    text = unit.texts.get(rel)
    if text is None:
        unit.report(rel, "parameters file is not among the scanned files", 0, "parameters")
        return {}
    try:
        document, _ = parse_json(text)
    except ReadError as error:
        diagnostic = error.diagnostic(rel)
        unit.report(rel, diagnostic.message, diagnostic.line, "parse-error", "warning")
        return {}
    if not isinstance(document, dict):
        unit.report(rel, "a parameters file must be a JSON object", 0, "parameters")
        return {}
    values, problems = json_values(document)
    for problem in problems:
        unit.report(rel, problem, 0, "parameters")
    return values


def _bicepparam(unit: Any, rel: str, depth: int) -> dict:
    from validator.frontends.arm.scopes import Target
    from validator.frontends.bicep.frames import new_frame

    ast = unit.parse(rel)
    if ast is None:
        return {}
    values: dict = {}
    for statement in ast.statements:
        if isinstance(statement, A.ExtendsDecl):
            base = resolve_path(rel, statement.path)
            if base is None or base not in unit.texts or depth >= MAX_EXTENDS:
                unit.report(rel, f"extends '{statement.path}' is not a scanned parameters file; not read",
                            statement.line, "parameters")
            else:
                values.update(_bicepparam(unit, base, depth + 1))
    context = unit.context
    target = Target("resourceGroup", context.subscription_id, context.resource_group, context.management_group)
    frame = new_frame(unit, rel, ast, target, context.location, context.deployment_name, {}, True, 0)
    for statement in ast.statements:
        if isinstance(statement, A.ParamAssign):
            value = frame.lookup(statement.name)
            values[statement.name] = value if not isinstance(value, Unknown) or value.ref is not None else \
                Unknown(f"parameter '{statement.name}' from {rel}: {value.origin}")
    return values
