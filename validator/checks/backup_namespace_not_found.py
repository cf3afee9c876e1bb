"""A backup instance includes a namespace the manifests never create, or a system namespace backup always skips."""
from __future__ import annotations

import difflib
from collections.abc import Iterator

from validator.graph import InfraGraph
from validator.graph.kubernetes_view import SYSTEM_NAMESPACES, known_str, manifests, namespace_names, scope_entries
from validator.model import Finding


def backup_namespace_not_found(graph: InfraGraph) -> Iterator[Finding]:
    """Yield a warning per included namespace that is a system namespace or absent from the manifests."""
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
                yield Finding(
                    message=f"backup instance '{instance.display_name}' includes namespace '{name}', which AKS backup always skips",
                    location=where, subject=instance,
                    fix=f"Remove '{name}' from includedNamespaces of backup instance '{instance.display_name}'; back up its objects from a namespace of your own")
            elif scanned and name not in known:
                close = difflib.get_close_matches(name, sorted(known), n=1)
                hint = f"; did you mean '{close[0]}'" if close else ""
                yield Finding(
                    message=f"backup instance '{instance.display_name}' includes namespace '{name}', but no Namespace manifest or namespaced object in the manifests creates it{hint}",
                    location=where, subject=instance,
                    fix=f"Correct '{name}' in includedNamespaces of backup instance '{instance.display_name}'"
                        + (f" to '{close[0]}'" if close else "") + f", or add a Namespace manifest named '{name}'")
