"""A backup instance includes a namespace the manifests never create."""
from __future__ import annotations

import difflib
from collections.abc import Iterator

from validator.graph import InfraGraph
from validator.graph.kubernetes_view import SYSTEM_NAMESPACES, known_str, manifests, namespace_names, scope_entries
from validator.model import Finding


def backup_namespace_not_found(graph: InfraGraph) -> Iterator[Finding]:
    """Yield a warning per included namespace absent from the manifests (system namespaces: AKSB-BI-002)."""
    known = namespace_names(graph)
    scanned = bool(manifests(graph))
    for entry in scope_entries(graph):
        included = entry.included_namespaces()
        if not isinstance(included, list):
            continue
        instance = entry.instance
        for index, value in enumerate(included):
            name = known_str(value)
            if not name:
                continue
            where = instance.location_of(*entry.path, "includedNamespaces", index)
            if name in SYSTEM_NAMESPACES:
                continue  # they always exist; including them is AKSB-BI-002's finding (always skipped)
            if scanned and name not in known:
                close = difflib.get_close_matches(name, sorted(known), n=1)
                hint = f"; did you mean '{close[0]}'" if close else ""
                yield Finding(
                    message=f"backup instance '{instance.display_name}' includes namespace '{name}', but no Namespace manifest or namespaced object in the manifests creates it{hint}",
                    location=where, subject=instance,
                    fix=f"Correct '{name}' in includedNamespaces of backup instance '{instance.display_name}'"
                        + (f" to '{close[0]}'" if close else "") + f", or add a Namespace manifest named '{name}'")
