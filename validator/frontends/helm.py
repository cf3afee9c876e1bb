"""Helm values for the backup extension, mapped onto the extension's configuration settings.

A values file (nested ``configuration: {backupStorageLocation: ...}`` or flat
``"configuration.backupStorageLocation.bucket": ...`` keys, both as the chart reads them)
becomes a ``Microsoft.KubernetesConfiguration/extensions`` resource of type
``microsoft.dataprotection.kubernetes`` whose cluster is not known from the file.
"""
from __future__ import annotations

from typing import Any

from validator.model import Location, Resource, Unknown

MARKERS = ("configuration.backupStorageLocation", "credentials.tenantId")
UNIT = "helm"


def _flatten(value: Any, prefix: str = "", out: dict | None = None) -> dict:
    out = {} if out is None else out
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{prefix}.{key}" if prefix else str(key), out)
    else:
        # configuration settings are strings; Helm renders booleans in lower case
        out[prefix] = str(value).lower() if isinstance(value, bool) else ("" if value is None else str(value))
    return out


def is_extension_values(document: Any) -> bool:
    """True for a values mapping that configures the backup extension's storage location."""
    if not isinstance(document, dict) or "apiVersion" in document or "kind" in document:
        return False
    keys = _flatten(document)
    return any(key.startswith(MARKERS) for key in keys)


def values_to_resource(rel: str, document: dict, locate) -> Resource:
    """The synthetic extension resource a values file stands for; ``locate(path)`` gives (line, column)."""
    settings = _flatten(document)
    # a flat key "a.b.c" lives at path ("a.b.c",), a nested one at ("a", "b", "c")
    paths = {key: (tuple(key.split(".")) if key not in document else (key,)) for key in settings}

    def locator(path: tuple, _rel=rel) -> Location:
        if len(path) >= 3 and path[:2] == ("properties", "configurationSettings"):
            path = paths.get(path[2], ())
        elif path:
            path = ()
        line, column = locate(path)
        return Location(_rel, line, column)

    return Resource(
        type="Microsoft.KubernetesConfiguration/extensions",
        name=rel.rsplit("/", 1)[-1],
        id=Unknown(f"the extension configured by values file {rel}"),
        body={"properties": {"extensionType": "microsoft.dataprotection.kubernetes", "configurationSettings": settings}},
        file=rel,
        unit=UNIT,
        scope=Unknown(f"the cluster {rel} is installed on"),
        source_format="helm",
        locator=locator,
    )
