"""The backup extension's agent pod requests more CPU or memory than a node of any eligible pool can allocate.

A heuristic estimate (RULES.md 1.1 Scenario 1, R-7, R-9): per-node allocatable is the VM size's
vCPUs and memory (validator/data/vm_sizes.yaml) minus AKS kube-reserved and the eviction threshold.
The requests of the pods already on the node (system pods, the extension's other deployments) are
not documented and are not subtracted, so a pod that "fits" here may still not schedule.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from validator import reference_data
from validator.checks.node_pools import Pool, critical_addons_only, is_arm64, is_windows, pools_of
from validator.graph import InfraGraph
from validator.graph.kubernetes_view import is_templated, parse_quantity
from validator.model import Finding, Related, Unknown

SETTINGS = ("properties", "configurationSettings")
MIB = 2 ** 20
GIB = 2 ** 30
_VERSION = re.compile(r"^\s*v?(\d+)\.(\d+)")


@dataclass(frozen=True)
class Params:
    # R-7 defaults of dataprotection-microsoft-kubernetes-agent; memory: MANAGE/FAQ say 256Mi, the TSG 128Mi: the larger
    default_cpu_request: str = "500m"
    default_memory_request: str = "256Mi"
    small_vcpus: int = 2  # a single-node pool below this many vCPUs is "small" (warning)


@dataclass
class Allocatable:
    pool: Pool
    size: str
    vcpus: float
    cpu_millicores: float
    memory_bytes: float
    notes: tuple  # assumptions made (version, maxPods)

    def describe(self) -> str:
        return f"'{self.pool.name}' {self.size}: {self.cpu_millicores:.0f}m CPU, {self.memory_bytes / MIB:.0f}Mi memory"


def _cpu_reserved(cores: float, table: dict) -> float:
    rows = sorted((int(k), v) for k, v in table.items())
    reserved = rows[0][1]
    for count, value in rows:
        if cores >= count:
            reserved = value
    return float(reserved)


def _version(value: Any) -> tuple[int, int] | None:
    if not isinstance(value, str) or is_templated(value):
        return None
    match = _VERSION.match(value)
    return (int(match.group(1)), int(match.group(2))) if match else None


def _max_pods(pool: Pool, cluster, data: dict) -> tuple[int | None, str]:
    """maxPods of a pool: its own, or the documented default for the cluster's network plugin; None when not known."""
    value = pool.get("maxPods")
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value, ""
    if value is not None:
        return None, f"maxPods of pool '{pool.name}' is not known statically"
    defaults = data["max_pods"]
    plugin = cluster.get("properties", "networkProfile", "networkPlugin")
    mode = cluster.get("properties", "networkProfile", "networkPluginMode")
    if plugin is None:
        return None, "the cluster sets no networkPlugin (its default depends on the API version)"
    if not isinstance(plugin, str) or not isinstance(mode, (str, type(None))):
        return None, "the cluster's network plugin is not known statically"
    plugin = plugin.lower()
    if plugin == "kubenet":
        return defaults["kubenet"], "default maxPods 110 (kubenet)"
    if plugin == "azure":
        if isinstance(mode, str) and mode.lower() == "overlay":
            return defaults["overlay"], "default maxPods 250 (Azure CNI Overlay)"
        subnet = pool.get("podSubnetID")
        if isinstance(subnet, Unknown):
            return None, f"podSubnetID of pool '{pool.name}' is not known statically"
        if subnet:
            return defaults["pod_subnet"], "default maxPods 250 (Azure CNI pod subnet)"
        return defaults["node_subnet"], "default maxPods 30 (Azure CNI node subnet)"
    return None, f"no documented default maxPods for network plugin '{plugin}'"


def allocatable(pool: Pool, cluster) -> Allocatable | str:
    """The per-node allocatable CPU/memory of a pool (R-9), or why it cannot be estimated."""
    data = reference_data.load("vm_sizes")
    size = pool.get("vmSize")
    if isinstance(size, Unknown) or not isinstance(size, str) or is_templated(size):
        return f"VM size of pool '{pool.name}' is not known statically"
    spec = next((v for k, v in data["sizes"].items() if k.lower() == size.strip().lower()), None)
    if spec is None:
        return f"VM size {size} of pool '{pool.name}' is not in the bundled size catalogue"
    reservations = data["reservations"]
    vcpus, memory_mib = float(spec["vcpus"]), float(spec["memory_gib"]) * 1024
    cpu = vcpus * 1000 - _cpu_reserved(vcpus, reservations["cpu_millicores"])
    notes = []
    raw_version = pool.get("orchestratorVersion") or cluster.get("properties", "kubernetesVersion")
    version = _version(raw_version)
    modern_since = _version(reservations["modern_since"])
    if version is None:
        notes.append("Kubernetes version not known statically: the AKS >= 1.29 reservation formula is used")
    if version is None or version >= modern_since:
        rule = reservations["modern"]
        pods, why = _max_pods(pool, cluster, data)
        if pods is None:
            pods = data["max_pods"]["minimum"]
            notes.append(f"{why}: the documented minimum maxPods {pods} is used, the most allocatable")
        reserved = min(rule["per_pod_mib"] * pods + rule["base_mib"], rule["cap_fraction"] * memory_mib) + rule["eviction_mib"]
    else:
        rule = reservations["legacy"]
        reserved, lower = float(rule["eviction_mib"]), 0.0
        for upper, fraction in rule["bands"]:  # regressive: each band of memory reserves its fraction
            top = memory_mib if upper is None else min(memory_mib, upper * 1024.0)
            if top > lower:
                reserved += (top - lower) * fraction
            if upper is None or memory_mib <= upper * 1024:
                break
            lower = upper * 1024.0
    return Allocatable(pool, size, vcpus, cpu, (memory_mib - reserved) * MIB, tuple(notes))


def _requests(extension, params: Params) -> tuple[dict, dict, list]:
    """({resource: bytes or millicores}, {resource: text}, [overridden setting keys]); a value is None when unknown."""
    settings = extension.get(*SETTINGS) if extension is not None else None
    values, texts, overridden = {}, {}, []
    for resource, default in (("cpu", params.default_cpu_request), ("memory", params.default_memory_request)):
        key = f"resources.requests.{resource}"
        raw = settings.get(key) if isinstance(settings, dict) else (settings if isinstance(settings, Unknown) else None)
        if raw is None:
            raw, text = default, f"{default} (the default)"
        else:
            overridden.append(key)
            text = str(raw)
        parsed = None if isinstance(raw, Unknown) or is_templated(raw) else parse_quantity(raw)
        values[resource] = None if parsed is None or parsed <= 0 else (parsed * 1000 if resource == "cpu" else parsed)
        texts[resource] = text
    return values, texts, overridden


def _node_count(pool: Pool) -> Any:
    """Nodes a pool keeps at least: minCount with the autoscaler on, else count (default 1); Unknown kept."""
    auto = pool.get("enableAutoScaling")
    if isinstance(auto, Unknown):
        return auto
    value = pool.get("minCount") if auto is True else pool.get("count")
    if value is None:
        return 1 if auto is not True else None
    return value


def extension_pods_do_not_fit(graph: InfraGraph, params: Params) -> Iterator[Finding]:
    """Yield an error when the agent's requests exceed every eligible pool's per-node allocatable, a warning when
    the only eligible pools are single small nodes, info when the verdict depends on a size not known."""
    for target in graph.protected_clusters():
        cluster = target.resource
        pools = pools_of(graph, cluster)
        if not pools:
            continue
        verdicts = [(p, is_windows(p), is_arm64(p), critical_addons_only(p)) for p in pools]
        if any(isinstance(v, Unknown) for _, *vs in verdicts for v in vs[:2]):
            continue  # eligibility not known (AKSB-CLUSTER-003 reports it)
        eligible = [p for p, windows, arm, tainted in verdicts if windows is False and arm is False and tainted is not True]
        if not eligible:
            continue  # no pool can host the pods at all: AKSB-CLUSTER-003
        extensions, _ = graph.backup_extensions_on(target.key, cluster.unit)
        extension = extensions[0] if extensions else None
        requests, texts, overridden = _requests(extension, params)
        estimates = [allocatable(p, cluster) for p in eligible]
        known = [e for e in estimates if isinstance(e, Allocatable)]
        unknown = [e for e in estimates if isinstance(e, str)]
        name = cluster.display_name
        related = (target.related,) + tuple(Related(p.location_of("vmSize"), f"node pool '{p.name}'") for p in eligible)
        where_pools = cluster.location_of("properties", "agentPoolProfiles") if isinstance(cluster.get("properties", "agentPoolProfiles"), list) else eligible[0].resource.location
        who = f"backup extension '{extension.display_name}'" if extension is not None else "the backup extension's agent pod"
        asks = f"CPU {texts['cpu']} and memory {texts['memory']}"
        caveat = "; the estimate ignores the requests of pods already on the node (not documented)"
        notes = sorted({n for e in known for n in e.notes})
        noted = f" ({'; '.join(notes)})" if notes else ""
        if None not in requests.values():
            fits = [e for e in known if e.cpu_millicores >= requests["cpu"] and e.memory_bytes >= requests["memory"]]
            if not fits and known and not unknown:
                short = [r for r in ("cpu", "memory") if all((e.cpu_millicores if r == "cpu" else e.memory_bytes) < requests[r] for e in known)]
                key = next((f"resources.requests.{r}" for r in short if f"resources.requests.{r}" in overridden), None)
                where = extension.location_of(*SETTINGS, key) if key else where_pools
                codes = ("InstallScenario1", "KubernetesBackupCustomResourcesTrackingTimeOutError")
                if overridden:
                    codes += ("UserErrorBackupPluginPodRestartedDuringBackup", "UserErrorBackupPluginPodRestartedDuringRestore")
                resource = key.rsplit(".", 1)[1] if key else None
                biggest = max(known, key=lambda e: e.cpu_millicores if resource == "cpu" else e.memory_bytes)
                most = (f"{biggest.cpu_millicores:.0f}m" if resource == "cpu" else f"{biggest.memory_bytes / MIB:.0f}Mi") if resource else ""
                fix = (f"Lower configurationSettings '{key}' of extension '{extension.display_name}' to at most {most} (what a "
                       f"{biggest.size} node of pool '{biggest.pool.name}' can allocate), or add a Linux x86-64 node pool with a larger "
                       f"VM size to cluster '{name}'."
                       if key else f"Add a Linux x86-64 node pool with a larger VM size (e.g. Standard_D4s_v5) to cluster '{name}'.")
                yield Finding(
                    message=f"{who} on cluster '{name}' ({target.reason}) requests {asks}, more than a node of any eligible pool can allocate "
                            f"(after AKS reservations: {'; '.join(e.describe() for e in known)}{noted}); the extension pods cannot schedule",
                    location=where, severity="error", codes=codes, subject=cluster, related=related, fix=fix)
                continue
            if not fits and unknown:
                yield Finding(
                    message=f"cannot tell whether {who} on cluster '{name}' ({target.reason}) fits a node: {unknown[0]}"
                            + (f"; the known pools cannot hold CPU {texts['cpu']} and memory {texts['memory']}" if known else ""),
                    location=where_pools, severity="info", subject=cluster, related=related,
                    fix=f"Make sure a Linux x86-64 node pool of cluster '{name}' has nodes that can allocate the extension's requests (CPU {texts['cpu']}, memory {texts['memory']}) after AKS reservations.")
                continue
        if unknown or not known:
            continue
        counts = [_node_count(e.pool) for e in known]
        if all(isinstance(c, int) and not isinstance(c, bool) and c <= 1 for c in counts) and all(e.vcpus < params.small_vcpus for e in known):
            yield Finding(
                message=f"the only node pools of cluster '{name}' ({target.reason}) able to host the backup extension are single small nodes "
                        f"(after AKS reservations: {'; '.join(e.describe() for e in known)}{noted}); {who} requests {asks}{caveat}",
                location=where_pools, severity="warning", subject=cluster, related=related,
                fix=f"Give cluster '{name}' a Linux x86-64 node pool of at least two nodes with {params.small_vcpus} or more vCPUs (e.g. Standard_D2s_v5, count 2).")
