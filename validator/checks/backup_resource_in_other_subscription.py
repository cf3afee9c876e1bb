"""A backup vault, or the backup extension's storage account, is in another subscription than the cluster."""
from __future__ import annotations

from collections.abc import Iterator

from validator.checks.backup_extension_settings import CONFIG, SETTINGS, setting, storage_account_id
from validator.graph import CLUSTER, InfraGraph, same_subscription
from validator.graph import resource_ids as ids
from validator.model import Finding, Related


def _subscription(value: object) -> str:
    return ids.subscription_of(str(value)) or str(value)  # as written: normalized ids are lower case


def backup_resource_in_other_subscription(graph: InfraGraph) -> Iterator[Finding]:
    """Yield a finding per backup instance whose vault, and per backup extension whose storage account, is outside the cluster's subscription."""
    for instance in graph.backup_instances():
        cluster_value, path = graph.datasource_cluster(instance)
        vault_id = graph.vault_id_of(instance)
        same = same_subscription(vault_id, cluster_value)
        if same is True or vault_id is None or ids.normalize(cluster_value) is None:
            continue
        cluster = graph.declared(cluster_value, instance.unit, CLUSTER)
        cluster_name = cluster.display_name if cluster is not None else ids.short(cluster_value)
        vault_name = ids.short(vault_id)
        instance_id = str(instance.id)
        if same is False:
            yield Finding(
                message=f"backup vault '{vault_name}' (subscription '{_subscription(instance_id)}') backs up cluster '{cluster_name}' of subscription '{_subscription(cluster_value)}' through backup instance '{instance.display_name}'",
                location=instance.location_of(*path), severity="warning", subject=instance,
                fix=f"Back up cluster '{cluster_name}' with a vault in its subscription '{_subscription(cluster_value)}' (az dataprotection enable-backup requires it).")
        else:
            yield Finding(
                message=f"subscription of backup vault '{vault_name}' ({_subscription(instance_id)}) or of cluster '{cluster_name}' ({_subscription(cluster_value)}) is not known statically; cannot tell whether they share a subscription",
                location=instance.location_of(*path), severity="info", subject=instance,
                fix=f"Keep backup vault '{vault_name}' in the subscription of cluster '{cluster_name}'.")
    for ext in graph.backup_extensions():
        cluster_id = ids.normalize(ext.scope)
        account, where = storage_account_id(ext)
        same = same_subscription(account, cluster_id)
        if same is True or cluster_id is None or ids.normalize(account) is None:
            continue
        cluster = graph.declared(cluster_id, ext.unit, CLUSTER)
        cluster_name = cluster.display_name if cluster is not None else ids.short(cluster_id)
        account_name = ids.short(account)
        # point at the subscription setting when it is written among the configuration settings
        at = SETTINGS + (CONFIG + "subscriptionId",) if setting(ext, CONFIG + "subscriptionId") is not None else where
        related = ((Related(cluster.location, f"cluster '{cluster_name}' declared here"),) if cluster is not None else ())
        if same is False:
            yield Finding(
                message=f"storage account '{account_name}' of backup extension '{ext.display_name}' is in subscription '{_subscription(account)}', cluster '{cluster_name}' in subscription '{_subscription(ext.scope)}'",
                location=ext.location_of(*at), severity="warning", subject=ext, related=related,
                fix=f"Use a storage account in subscription '{_subscription(ext.scope)}' of cluster '{cluster_name}' for extension '{ext.display_name}'.")
        else:
            yield Finding(
                message=f"subscription of storage account '{account_name}' ({_subscription(account)}) or of cluster '{cluster_name}' ({_subscription(ext.scope)}) is not known statically; cannot tell whether backup extension '{ext.display_name}' uses an account of the cluster's subscription",
                location=ext.location_of(*at), severity="info", subject=ext, related=related,
                fix=f"Keep the storage account of extension '{ext.display_name}' in the subscription of cluster '{cluster_name}'.")
