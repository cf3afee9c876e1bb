"""A backed-up cluster authenticates with a service principal instead of a managed identity."""
from __future__ import annotations

from collections.abc import Iterator

from validator.graph import InfraGraph
from validator.model import Finding, Unknown

MANAGED = ("systemassigned", "userassigned")


def cluster_uses_service_principal(graph: InfraGraph) -> Iterator[Finding]:
    """Yield a finding per backed-up cluster with a service principal (clientId not 'msi') or no managed identity."""
    for target in graph.protected_clusters():
        cluster = target.resource
        name = cluster.display_name
        client = cluster.get("properties", "servicePrincipalProfile", "clientId")
        kind = cluster.get("identity", "type")
        if isinstance(client, Unknown) or (client is None and isinstance(kind, Unknown)):
            what = client if isinstance(client, Unknown) else kind
            yield Finding(
                message=f"cluster '{name}' ({target.reason}): whether it uses a managed identity is not known statically ({what.origin})",
                location=cluster.location_of(*(("properties", "servicePrincipalProfile", "clientId") if isinstance(client, Unknown) else ("identity", "type"))),
                severity="info", subject=cluster, related=(target.related,),
                fix=f"Give cluster '{name}' identity.type 'SystemAssigned' or 'UserAssigned' and no servicePrincipalProfile.")
        elif isinstance(client, str) and client.strip() and client.strip().lower() != "msi":
            yield Finding(
                message=f"cluster '{name}' ({target.reason}) authenticates with service principal '{client}' (servicePrincipalProfile.clientId); the backup extension needs a managed-identity cluster",
                location=cluster.location_of("properties", "servicePrincipalProfile", "clientId"), subject=cluster, related=(target.related,),
                fix=f"Remove servicePrincipalProfile from cluster '{name}' and set identity.type 'SystemAssigned' (or 'UserAssigned'); an existing cluster is moved with 'az aks update --enable-managed-identity'.")
        elif not any(mode in str(kind).lower() for mode in MANAGED):
            shown = "absent" if kind is None else f"'{kind}'"
            yield Finding(
                message=f"cluster '{name}' ({target.reason}) has no managed identity (identity.type {shown}); the backup extension needs a managed-identity cluster",
                location=cluster.location_of("identity", "type") if kind is not None else cluster.location, subject=cluster, related=(target.related,),
                fix=f"Set identity.type 'SystemAssigned' (or 'UserAssigned') on cluster '{name}'.")
