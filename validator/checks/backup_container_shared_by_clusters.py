"""One blob container holds the backups of more than one cluster."""
from __future__ import annotations

from collections.abc import Iterator

from validator.checks.backup_extension_settings import BUCKET, SETTINGS, bucket_of, storage_account_of
from validator.graph import InfraGraph
from validator.graph import resource_ids as ids
from validator.model import Finding, Related


def backup_container_shared_by_clusters(graph: InfraGraph) -> Iterator[Finding]:
    """Yield a finding per backup extension whose (account, container) another cluster's backup extension also uses."""
    groups: dict[tuple, list] = {}
    for ext in graph.backup_extensions():
        account, _, _ = storage_account_of(graph, ext)
        bucket = bucket_of(ext)
        cluster = ids.normalize(ext.scope)
        if isinstance(account, str) and isinstance(bucket, str) and bucket.strip() and cluster:
            groups.setdefault((account, bucket.strip().lower()), []).append((ext, cluster))
    for (account, bucket), members in sorted(groups.items()):
        for ext, cluster in members:
            others = [(o, c) for o, c in members if c != cluster and graph.links(ext.unit, o.unit)]
            if not others:
                continue
            names = sorted({ids.short(c) for _, c in others})
            yield Finding(
                message=f"blob container '{bucket}' in storage account '{ids.short(account)}' of backup extension '{ext.display_name}' on cluster '{ids.short(cluster)}' is also used by the backup extension of cluster(s) {', '.join(repr(n) for n in names)}",
                location=ext.location_of(*SETTINGS, BUCKET), severity="", subject=ext,
                related=tuple(Related(o.location_of(*SETTINGS, BUCKET), f"backup extension on cluster '{ids.short(c)}'") for o, c in others),
                fix=f"Give cluster '{ids.short(cluster)}' its own empty blob container (e.g. '{bucket}-{ids.short(cluster)}') in {BUCKET}.")
