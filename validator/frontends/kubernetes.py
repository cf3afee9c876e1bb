"""Kubernetes manifests (multi-document YAML, ``List`` objects, JSON manifests) to Resources."""
from __future__ import annotations

from typing import Any, Iterable

from validator.model import Diagnostic, Location, Resource

UNIT = "kubernetes"


def k8s_type(api_version: str, kind: str) -> str:
    """``k8s:<group>/<Kind>``; the core group has no prefix (``k8s:ConfigMap``)."""
    group = api_version.rsplit("/", 1)[0] if "/" in api_version else ""
    return f"k8s:{group}/{kind}" if group else f"k8s:{kind}"


def is_manifest(document: Any) -> bool:
    return isinstance(document, dict) and isinstance(document.get("apiVersion"), str) and isinstance(document.get("kind"), str)


def manifests_to_resources(rel: str, documents: list, locate) -> tuple[list[Resource], list[Diagnostic]]:
    """One Resource per object; ``locate(document_index, path)`` gives (line, column)."""
    resources: list[Resource] = []
    diagnostics: list[Diagnostic] = []
    if not any(is_manifest(document) for document in documents):
        return resources, diagnostics  # some other YAML (CI, compose, Helm values): not an input
    for index, document in enumerate(documents):
        if document is None:
            continue
        if not is_manifest(document):
            line, _ = locate(index, ())
            diagnostics.append(Diagnostic(rel, "YAML document is not a Kubernetes object (no apiVersion/kind); not used", line, "info", "not-an-input"))
            continue
        for path, obj in _objects(document):
            if not is_manifest(obj):
                line, _ = locate(index, path)
                diagnostics.append(Diagnostic(rel, "List item is not a Kubernetes object; not used", line, "info", "not-an-input"))
                continue
            resources.append(_resource(rel, index, path, obj, locate))
    return resources, diagnostics


def _objects(document: dict) -> Iterable[tuple[tuple, Any]]:
    if document.get("kind") == "List" or (document.get("kind", "").endswith("List") and isinstance(document.get("items"), list)):
        for position, item in enumerate(document.get("items") or []):
            yield ("items", position), item
    else:
        yield (), document


def _resource(rel: str, index: int, base: tuple, obj: dict, locate) -> Resource:
    metadata = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    name = metadata.get("name", "")
    namespace = metadata.get("namespace")
    kind = obj["kind"]
    ident = f"k8s:{namespace or ''}/{kind}/{name}"

    def locator(path: tuple, _index=index, _base=base) -> Location:
        found_line, found_column = locate(_index, _base + tuple(path))
        return Location(rel, found_line, found_column)

    return Resource(
        type=k8s_type(obj["apiVersion"], kind),
        name=name,
        id=ident,
        body=obj,
        file=rel,
        unit=UNIT,
        scope=namespace,
        source_format="kubernetes",
        locator=locator,
    )
