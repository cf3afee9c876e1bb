"""Several backup instances of one cluster in one vault with one policy (RULES.md P-22)."""
from __future__ import annotations

from collections.abc import Iterator

from validator.graph import InfraGraph
from validator.graph import resource_ids as ids
from validator.model import Finding, Related, Resource


def _key(graph: InfraGraph, instance: Resource) -> tuple:
    value, _ = graph.datasource_cluster(instance)
    _, policy, _ = graph.policy_of(instance)
    return graph.vault_id_of(instance), ids.normalize(value), ids.normalize(policy), policy


def duplicate_backup_instances(graph: InfraGraph) -> Iterator[Finding]:
    """A warning per backup instance that repeats an earlier one's vault, cluster and policy; info when the
    vault and cluster match but a policy id is not known statically."""
    instances = graph.backup_instances()  # in declaration order
    keys = {id(i): _key(graph, i) for i in instances}
    for index, instance in enumerate(instances):
        vault, cluster, policy, raw = keys[id(instance)]
        if vault is None or cluster is None:
            continue
        for earlier in instances[:index]:
            other_vault, other_cluster, other_policy, other_raw = keys[id(earlier)]
            if (other_vault, other_cluster) != (vault, cluster) or not graph.links(instance.unit, earlier.unit):
                continue
            if ids.normalize(earlier.id) == ids.normalize(instance.id):
                continue  # the same resource declared twice, not a second instance
            cluster_name, vault_name = ids.last_name(cluster), ids.last_name(vault)
            where = instance.location_of("properties", "policyInfo", "policyId")
            related = (Related(earlier.location_of("properties", "policyInfo", "policyId"), f"backup instance '{earlier.display_name}'"),)
            if policy is None or other_policy is None:
                hidden = instance if policy is None else earlier
                yield Finding(
                    message=f"backup instances '{earlier.display_name}' and '{instance.display_name}' both back up cluster '{cluster_name}' in "
                            f"vault '{vault_name}'; the policy of '{hidden.display_name}' is not known statically "
                            f"({ids.short(raw if hidden is instance else other_raw)}), so whether they share one cannot be told",
                    location=where, severity="info", subject=instance, related=related,
                    fix=f"Give backup instances '{earlier.display_name}' and '{instance.display_name}' of cluster '{cluster_name}' different "
                        f"policies, or move one to another vault.")
                break
            if policy != other_policy:
                continue
            yield Finding(
                message=f"backup instances '{earlier.display_name}' and '{instance.display_name}' both back up cluster '{cluster_name}' in "
                        f"vault '{vault_name}' with policy '{ids.last_name(policy)}'; multiple backup instances of one cluster must use "
                        f"different vaults or different policies",
                location=where, severity="warning", subject=instance, related=related,
                fix=f"Remove backup instance '{instance.display_name}', or give it a policy other than '{ids.last_name(policy)}' "
                    f"or move it to a vault other than '{vault_name}'.")
            break
