"""A backup instance declared without properties.dataSourceSetInfo."""
from __future__ import annotations

from collections.abc import Iterator

from validator.graph import InfraGraph
from validator.graph import resource_ids as ids
from validator.model import Finding, Unknown


def backup_instance_missing_datasource_set(graph: InfraGraph) -> Iterator[Finding]:
    """Yield a finding per declared backup instance whose properties have no dataSourceSetInfo."""
    for instance in graph.backup_instances():
        props = instance.body.get("properties")
        if not isinstance(props, dict) or "dataSourceSetInfo" in props:
            continue  # properties not known statically (or fine)
        cluster = props.get("dataSourceInfo", {}).get("resourceID") if isinstance(props.get("dataSourceInfo"), dict) else None
        target = f" of cluster '{ids.short(cluster)}'" if cluster is not None and not isinstance(cluster, Unknown) else ""
        yield Finding(
            message=f"backup instance '{instance.display_name}'{target} has no properties.dataSourceSetInfo",
            location=instance.location_of("properties", "dataSourceInfo") if "dataSourceInfo" in props else instance.location_of("properties"),
            subject=instance,
            fix=f"Add properties.dataSourceSetInfo to backup instance '{instance.display_name}' with the same resourceID, resourceName, resourceType, resourceLocation and datasourceType as dataSourceInfo (objectType 'DatasourceSet').")
