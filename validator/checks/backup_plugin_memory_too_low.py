"""The backup extension's memory limit is left at the default for more than 1000 objects in scope, or its resources are invalid."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from validator.graph import InfraGraph
from validator.graph.kubernetes_view import backup_scope, is_templated, manifests, parse_quantity
from validator.model import Finding, Unknown

SETTINGS = ("properties", "configurationSettings")


@dataclass(frozen=True)
class Params:
    max_objects: int = 1000
    default_limits: dict | None = None  # {'cpu': '1000m', 'memory': '1280Mi'} (RULES.md R-7)
    example_memory: str = "4400Mi"


def _limits(params: Params) -> dict:
    return params.default_limits or {"cpu": "1000m", "memory": "1280Mi"}


def objects_in_scope(graph: InfraGraph) -> tuple[int, int]:
    """(objects a backup surely reads, objects it may read) among the manifests."""
    scope = backup_scope(graph)
    cluster_scope = scope.includes_cluster_scope()
    sure = maybe = 0
    for resource in manifests(graph):
        verdict = scope.covers(resource.scope, resource.get("metadata", "labels")) if resource.scope else cluster_scope
        sure += verdict is True
        maybe += verdict is None
    return sure, maybe


def backup_plugin_memory_too_low(graph: InfraGraph, params: Params) -> Iterator[Finding]:
    """Yield a warning per backup extension left at the default memory limit for a large scope, an error per invalid resource setting."""
    counts = None  # counting the scope is the costly part: only when an extension needs it
    default_memory = parse_quantity(_limits(params)["memory"])
    for extension in graph.backup_extensions():
        settings = extension.get(*SETTINGS)
        if isinstance(settings, Unknown):
            continue
        settings = settings if isinstance(settings, dict) else {}
        yield from _invalid_resources(extension, settings, params)
        memory = settings.get("resources.limits.memory")
        if is_templated(memory):
            continue
        configured = parse_quantity(memory) if memory is not None else default_memory
        if configured is None or configured > default_memory:
            continue
        counts = counts or objects_in_scope(graph)
        sure, maybe = counts
        if sure + maybe <= params.max_objects:
            continue
        where = extension.location_of(*SETTINGS, "resources.limits.memory") if memory is not None else \
            (extension.location_of(*SETTINGS) if settings else extension.location_of("properties"))
        shown = f"resources.limits.memory {memory}" if memory is not None else f"the default memory limit {_limits(params)['memory']}"
        counted = f"{sure} Kubernetes objects" if sure > params.max_objects else f"up to {sure + maybe} Kubernetes objects"
        yield Finding(
            message=f"backup extension '{extension.display_name}' runs with {shown} while the backups read {counted} from the manifests "
                    f"(more than {params.max_objects}); the backup plugin pod may be OOM-killed and restarted mid-backup",
            location=where, severity="" if sure > params.max_objects else "info", subject=extension,
            fix=f"Set configurationSettings 'resources.limits.memory' of extension '{extension.display_name}' to e.g. '{params.example_memory}' "
                f"(and raise 'resources.limits.cpu' if backups still restart)")


def _invalid_resources(extension, settings: dict, params: Params) -> Iterator[Finding]:
    values = {}
    for resource in ("cpu", "memory"):
        for kind in ("requests", "limits"):
            key = f"resources.{kind}.{resource}"
            value = settings.get(key)
            if value is None or is_templated(value):
                continue
            parsed = parse_quantity(value)
            if parsed is None or parsed <= 0:
                yield Finding(
                    message=f"backup extension '{extension.display_name}' sets {key} to '{value}', which is not a positive Kubernetes quantity",
                    location=extension.location_of(*SETTINGS, key), severity="error", subject=extension,
                    fix=f"Write {key} of extension '{extension.display_name}' as a quantity such as "
                        f"{'500m or 1' if resource == 'cpu' else '512Mi or 4Gi'}")
                continue
            values[(kind, resource)] = (parsed, value)
        request = values.get(("requests", resource))
        if request is None:
            continue
        limit = values.get(("limits", resource))
        if limit is None and f"resources.limits.{resource}" not in settings:
            default = _limits(params)[resource]
            limit = (parse_quantity(default), f"{default} (the default)")
        if limit is not None and request[0] > limit[0]:
            yield Finding(
                message=f"backup extension '{extension.display_name}' requests {resource} {request[1]}, more than its limit {limit[1]}; "
                        f"Kubernetes rejects the pod",
                location=extension.location_of(*SETTINGS, f"resources.requests.{resource}"), severity="error", subject=extension,
                fix=f"Set resources.limits.{resource} of extension '{extension.display_name}' to at least {request[1]}, or lower the request")
