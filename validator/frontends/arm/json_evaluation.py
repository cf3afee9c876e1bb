"""Evaluating JSON trees of a template: expression leaves, ``copy`` loops and errors.

An expression that fails becomes an Unknown and a diagnostic, so one bad
property never hides the rest of a resource.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable

from validator.frontends.arm.expressions import EvalContext, evaluate_string
from validator.frontends.arm.syntax import ExpressionError, parse_expression
from validator.frontends.arm.values import is_int, short
from validator.model import Unknown

MAX_COPY = 800  # ARM rejects copy loops with more iterations (documented limit)
MAX_TOTAL_ITERATIONS = 100_000  # all loops of one evaluation together

Reporter = Callable[[str, tuple, str], None]


@lru_cache(maxsize=8192)
def _parsed(body: str) -> Any:
    return parse_expression(body)  # copy loops evaluate the same strings again and again


@dataclass
class Budget:
    """Work left for copy iterations across one template evaluation."""

    iterations: int = MAX_TOTAL_ITERATIONS
    exhausted_reported: bool = False
    seen: set = field(default_factory=set)


def evaluate_text(text: str, ctx: EvalContext) -> Any:
    """Evaluate one template string (raises ``ExpressionError``)."""
    return evaluate_string(text, ctx, _parsed)


def evaluate_leaf(text: str, ctx: EvalContext, path: tuple, report: Reporter) -> Any:
    """Evaluate one string; a failure is reported at ``path`` and yields an Unknown."""
    try:
        return evaluate_text(text, ctx)
    except ExpressionError as error:
        report(str(error), path, error.kind)
        return Unknown(f"expression error: {error}")
    except RecursionError:  # defensive: the parser caps depth, but values can nest deeply
        report("expression too deeply nested to evaluate", path, "expression-error")
        return Unknown("expression too deeply nested")


def _is_property_copy(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(
        isinstance(item, dict) and "name" in item and "input" in item for item in value)


def copy_count(copy: dict, ctx: EvalContext, path: tuple, report: Reporter, budget: Budget) -> Any:
    """The iteration count of a ``copy`` block: an int within limits, or an Unknown."""
    count = copy.get("count")
    if isinstance(count, str):
        count = evaluate_leaf(count, ctx, path + ("count",), report)
    if isinstance(count, Unknown):
        return count
    if not is_int(count):
        report(f"copy count must be an integer, not {short(count)}", path + ("count",), "template-error")
        return Unknown("invalid copy count")
    if count < 0:
        report(f"copy count must not be negative ({count})", path + ("count",), "template-error")
        return 0
    if count > MAX_COPY:
        report(f"copy count {count} exceeds ARM's limit of {MAX_COPY}; evaluated the first {MAX_COPY}",
               path + ("count",), "copy-capped")
        count = MAX_COPY
    if count > budget.iterations:
        if not budget.exhausted_reported:
            report(f"copy loops exceed {MAX_TOTAL_ITERATIONS} iterations in total; the rest were not evaluated",
                   path + ("count",), "copy-capped")
            budget.exhausted_reported = True
        count = max(budget.iterations, 0)
    budget.iterations -= count
    return count


def with_index(ctx: EvalContext, loop: Any, index: Any, current: bool) -> EvalContext:
    """``ctx`` inside iteration ``index`` of loop ``loop`` (``current``: copyIndex() without a name too)."""
    indexes = dict(ctx.copy_index)
    if isinstance(loop, str):
        indexes[loop.lower()] = index
    if current:
        indexes[None] = index
    return ctx.derive(copy_index=indexes)


def expand_copy(copy: dict, ctx: EvalContext, path: tuple, report: Reporter, budget: Budget,
                current: bool) -> Any:
    """Evaluate a ``{name, count, input}`` copy block into the list it produces (or an Unknown)."""
    count = copy_count(copy, ctx, path, report, budget)
    if isinstance(count, Unknown):
        return Unknown(f"copy '{copy.get('name', '')}' with an unknown count ({count.origin})")
    name = copy.get("name")
    return [evaluate_tree(copy.get("input"), with_index(ctx, name, i, current), path + ("input",), report, budget)
            for i in range(count)]


def evaluate_tree(value: Any, ctx: EvalContext, path: tuple, report: Reporter, budget: Budget,
                  skip: frozenset = frozenset()) -> Any:
    """Evaluate a JSON value: expression strings, and property ``copy`` arrays into lists.

    ``skip`` names top-level keys to leave out.  Object keys may be expressions too
    (``"[variables('identityId')]": {}`` in ``userAssignedIdentities``); a key that
    evaluates to something other than a string stays as written.
    """
    if isinstance(value, str):
        if not value.startswith("["):
            return value
        return evaluate_leaf(value, ctx, path, report)
    if isinstance(value, list):
        return [evaluate_tree(item, ctx, path + (i,), report, budget) for i, item in enumerate(value)]
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            if key in skip:
                continue
            if key == "copy" and _is_property_copy(item):
                for i, block in enumerate(item):
                    target = block.get("name")
                    if isinstance(target, str):
                        result[target] = expand_copy(block, ctx, path + ("copy", i), report, budget, current=False)
                continue
            name = key
            if isinstance(key, str) and key.startswith("[") and not key.startswith("[["):
                evaluated = evaluate_leaf(key, ctx, path + (key,), report)
                name = evaluated if isinstance(evaluated, str) else key
            result[name] = evaluate_tree(item, ctx, path + (key,), report, budget)
        return result
    return value
