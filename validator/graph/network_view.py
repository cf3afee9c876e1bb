"""Graph queries the network rules ask: which clusters are backed up, their node subnets, NSGs,
route tables, firewalls, private DNS zones and the Kubernetes objects that shape their traffic.

Every function reads an :class:`InfraGraph` and returns plain data; nothing here decides
reachability (that is ``validator.network``).  Rule lists handed to the network layer carry
``__location__`` (a :class:`Location`) so verdicts can name the rule that decided.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from validator import reference_data
from validator.graph import BACKUP_EXTENSION_TYPE, CLUSTER, InfraGraph, ProtectedCluster, region_of
from validator.graph import resource_ids as ids
from validator.model import LazyLocation, Location, Resource, Unknown

EXTENSION_NAMESPACE = "dataprotection-microsoft"
VNET = "microsoft.network/virtualnetworks"
SUBNET = "microsoft.network/virtualnetworks/subnets"
NSG = "microsoft.network/networksecuritygroups"
NSG_RULE = "microsoft.network/networksecuritygroups/securityrules"
ROUTE_TABLE = "microsoft.network/routetables"
ROUTE = "microsoft.network/routetables/routes"
FIREWALL = "microsoft.network/azurefirewalls"
FIREWALL_POLICY = "microsoft.network/firewallpolicies"
RULE_COLLECTION_GROUP = "microsoft.network/firewallpolicies/rulecollectiongroups"
PRIVATE_DNS_ZONE = "microsoft.network/privatednszones"
VNET_LINK = "microsoft.network/privatednszones/virtualnetworklinks"
AGENT_POOL = "microsoft.containerservice/managedclusters/agentpools"


@dataclass
class Subnet:
    """A node subnet of a cluster, with what is attached to it (None: not in the scan or none attached)."""

    id: str  # normalized
    written_at: Location  # where the cluster names it
    vnet: Resource | None = None
    body: dict | None = None  # the subnet's declaration (inline in the VNet or a subnet resource)
    declared_in: Resource | None = None  # the resource whose body holds ``body``
    path: tuple = ()  # path of ``body`` inside ``declared_in``
    nsg_id: Any = None
    nsg: Resource | None = None
    route_table_id: Any = None
    route_table: Resource | None = None
    prefixes: list = field(default_factory=list)

    @property
    def name(self) -> str:
        return ids.last_name(self.id)

    @property
    def vnet_id(self) -> str:
        return self.id.split("/subnets/")[0]


# --- clusters the backup touches: InfraGraph.protected_clusters() ------------------------

def extension_manifests(graph: InfraGraph) -> list[Resource]:
    """Kubernetes objects in the extension's namespace (or that Namespace itself)."""
    found = []
    for resource in graph.resources():
        if resource.source_format != "kubernetes":
            continue
        if resource.scope == EXTENSION_NAMESPACE or (resource.type == "k8s:Namespace"
                                                      and resource.name == EXTENSION_NAMESPACE):
            found.append(resource)
    return found


def backup_extension_expected(graph: InfraGraph) -> bool:
    """True when the scan shows the extension will run: a backed-up cluster, a backup extension
    resource, or manifests written for its namespace."""
    if graph.protected_clusters() or extension_manifests(graph):
        return True
    return any(isinstance(e.properties.get("extensionType"), str)
               and e.properties["extensionType"].lower() == BACKUP_EXTENSION_TYPE
               for e in graph.resources("Microsoft.KubernetesConfiguration/extensions"))


def cluster_regions(graph: InfraGraph) -> list[str]:
    """Known locations (lower case, no spaces) of the backed-up clusters."""
    regions = []
    for cluster in graph.protected_clusters():
        region = region_of(cluster.resource)
        if region and region not in regions:
            regions.append(region)
    return regions


def extension_storage_accounts(graph: InfraGraph, cluster: ProtectedCluster) -> list[str]:
    """Storage account names the cluster's backup extension is configured with (known ones only)."""
    names = []
    for ext in graph.extensions_on(cluster.key, cluster.resource.unit):
        settings = ext.properties.get("configurationSettings")
        if isinstance(settings, dict):
            name = settings.get("configuration.backupStorageLocation.config.storageAccount")
            if isinstance(name, str) and name and name not in names:
                names.append(name)
    return names


def cloud_of(region: str) -> str:
    """The Azure cloud a region name belongs to (egress.yaml keys FQDNs by cloud)."""
    if region.startswith(("usgov", "usdod")):
        return "usgov"
    if region.startswith("china"):
        return "china"
    return "public"


def extension_fqdns(region: str, accounts: list[str], wanted: tuple) -> list[tuple[str, tuple]]:
    """(concrete FQDN, codes) the extension reaches over HTTPS 443 from ``region`` (validator/data/egress.yaml)."""
    names: list[tuple[str, tuple]] = []
    for flow in reference_data.load("egress")["flows"]:
        if flow["id"] not in wanted or flow.get("destination") != "fqdn":
            continue
        for pattern in (flow.get("fqdns") or {}).get(cloud_of(region), []):
            # a wildcard stands for the regional names behind it (westeurope.data.mcr.microsoft.com)
            pattern = pattern.replace("*", "<region>", 1) if pattern.startswith("*.") else pattern
            targets = [pattern.replace("<account>", account) for account in accounts] if "<account>" in pattern else [pattern]
            for target in targets:
                name = target.replace("<region>", region).replace("<location>", region)
                if name not in [n for n, _ in names]:
                    names.append((name, tuple(flow.get("codes") or ())))
    return names


def dp_endpoint(region: str | None) -> str:
    """The cluster-extensions data-plane FQDN of a region (``westeurope.dp.kubernetesconfiguration.azure.com``);
    with the region unknown, the pattern itself (``<region>.dp.kubernetesconfiguration.azure.com``)."""
    return extension_fqdns(region or "<region>", [], ("cluster-extensions-dataplane",))[0][0]


def coredns_custom(graph: InfraGraph) -> list[Resource]:
    """The AKS ``coredns-custom`` ConfigMaps (namespace kube-system)."""
    return configmap(graph, "kube-system", "coredns-custom")


# --- node subnets, NSGs, route tables ---------------------------------------------------

def node_subnet_refs(graph: InfraGraph, cluster: Resource) -> list[tuple[Any, Location]]:
    """(vnetSubnetID, where written) of every node pool: ``agentPoolProfiles`` and agentPools children."""
    refs = []
    pools = cluster.get("properties", "agentPoolProfiles")
    if isinstance(pools, list):
        for index, pool in enumerate(pools):
            if isinstance(pool, dict) and "vnetSubnetID" in pool:
                refs.append((pool["vnetSubnetID"],
                             cluster.location_of("properties", "agentPoolProfiles", index, "vnetSubnetID")))
    key = ids.normalize(cluster.id)
    for pool in graph.linked(AGENT_POOL, cluster.unit):
        pool_key = ids.normalize(pool.id)
        if key and pool_key and pool_key.startswith(key + "/agentpools/") and "vnetSubnetID" in pool.properties:
            refs.append((pool.properties["vnetSubnetID"], pool.location_of("properties", "vnetSubnetID")))
    return refs


def node_subnets(graph: InfraGraph, cluster: Resource) -> tuple[list[Subnet], list[tuple[Any, Location]]]:
    """The cluster's node subnets (one per distinct id) and the subnet references not known statically."""
    subnets: dict[str, Subnet] = {}
    unknown = []
    for value, where in node_subnet_refs(graph, cluster):
        key = ids.normalize(value)
        if key is None or "/subnets/" not in key:
            unknown.append((value, where))
            continue
        if key not in subnets:
            subnets[key] = _subnet(graph, key, where, cluster.unit)
    return list(subnets.values()), unknown


def _subnet(graph: InfraGraph, key: str, where: Location, unit: str) -> Subnet:
    subnet = Subnet(key, where)
    subnet.vnet = graph.find(subnet.vnet_id, unit, VNET)
    declared = graph.find(key, unit, SUBNET)
    if declared is not None:
        subnet.body, subnet.declared_in, subnet.path = declared.body, declared, ()
    elif subnet.vnet is not None:
        inline = subnet.vnet.get("properties", "subnets")
        if isinstance(inline, list):
            for index, item in enumerate(inline):
                if isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"].lower() == subnet.name:
                    subnet.body, subnet.declared_in = item, subnet.vnet
                    subnet.path = ("properties", "subnets", index)
    props = subnet.body.get("properties") if isinstance(subnet.body, dict) else None
    if isinstance(props, dict):
        subnet.nsg_id = _ref_id(props.get("networkSecurityGroup"))
        subnet.route_table_id = _ref_id(props.get("routeTable"))
        prefixes = props.get("addressPrefixes") or ([props["addressPrefix"]] if "addressPrefix" in props else [])
        subnet.prefixes = prefixes if isinstance(prefixes, list) else [prefixes]
        subnet.nsg = graph.find(subnet.nsg_id, unit, NSG)
        subnet.route_table = graph.find(subnet.route_table_id, unit, ROUTE_TABLE)
    return subnet


def _ref_id(value: Any) -> Any:
    if isinstance(value, dict):
        return value.get("id")
    return value


def vnet_prefixes(vnet: Resource | None) -> list | None:
    """The VNet's address space (what the VirtualNetwork tag stands for); None when not known."""
    if vnet is None:
        return None
    prefixes = vnet.get("properties", "addressSpace", "addressPrefixes")
    if isinstance(prefixes, list) and all(isinstance(p, str) for p in prefixes):
        return prefixes
    return None


def vnet_dns_servers(vnet: Resource) -> Any:
    """``dhcpOptions.dnsServers`` of a VNet: a list, an Unknown, or [] (Azure-provided DNS)."""
    value = vnet.get("properties", "dhcpOptions", "dnsServers")
    if value is None:
        return []
    return value


def _located_children(graph: InfraGraph, parent: Resource, inline_key: str, child_type: str) -> list:
    """Inline ``properties.<inline_key>`` items plus child resources, each copied with ``__location__``."""
    items: list = []
    inline = parent.get("properties", inline_key)
    if isinstance(inline, Unknown):
        items.append(inline)
    elif isinstance(inline, list):
        for index, item in enumerate(inline):
            if isinstance(item, dict):
                items.append(dict(item, __location__=_name_location(parent, ("properties", inline_key, index), item)))
            else:
                items.append(item)
    key = ids.normalize(parent.id)
    for child in graph.linked(child_type, parent.unit):
        child_key = ids.normalize(child.id)
        if key and child_key and child_key.rsplit("/", 2)[0] == key:
            items.append({"name": ids.last_name(child_key), "properties": child.properties,
                          "__location__": child.site()})
    return items


def _name_location(owner: Resource, path: tuple, item: dict) -> LazyLocation:
    """Where a list item is written: its ``name`` line when it has one (what users search for)."""
    return owner.site(*path, "name") if "name" in item else owner.site(*path)


def nsg_rules(graph: InfraGraph, nsg: Resource) -> list:
    """The NSG's security rules (inline and child resources), located."""
    return _located_children(graph, nsg, "securityRules", NSG_RULE)


def routes(graph: InfraGraph, table: Resource) -> list:
    """The route table's routes (inline and child resources), located."""
    return _located_children(graph, table, "routes", ROUTE)


# --- firewalls ----------------------------------------------------------------------------

def firewalls(graph: InfraGraph, unit: str) -> list[Resource]:
    return graph.linked(FIREWALL, unit)


def firewall_at(graph: InfraGraph, next_hop_ip: Any, unit: str) -> Resource | None:
    """The Azure Firewall a route's next hop names: by private IP, or by the resource a
    ``reference(firewall).ipConfigurations[0].privateIPAddress`` expression points at."""
    from validator.network.routes import firewall_for_next_hop

    if isinstance(next_hop_ip, Unknown) and next_hop_ip.ref is not None:
        return graph.find(next_hop_ip.ref, unit, FIREWALL)
    return firewall_for_next_hop(next_hop_ip, firewalls(graph, unit))


def firewall_rules(graph: InfraGraph, firewall: Resource) -> tuple[dict | None, str]:
    """What ``firewall_explain`` reads for this firewall: its classic rule collections, or its
    firewall policy with rule collection groups (and base policy); (None, why) when not in the scan."""
    props = firewall.properties
    policy_ref = _ref_id(props.get("firewallPolicy"))
    classic = {key: _locate_collections(firewall, ("properties", key), props.get(key))
               for key in ("natRuleCollections", "networkRuleCollections", "applicationRuleCollections")
               if key in props}
    if policy_ref is None or any(classic.values()):
        return classic, ""
    policy = graph.find(policy_ref, firewall.unit, FIREWALL_POLICY)
    if policy is None:
        return None, f"its firewall policy '{ids.short(policy_ref)}' is not in the scan"
    return policy_rules(graph, policy)


def policy_rules(graph: InfraGraph, policy: Resource, depth: int = 0) -> tuple[dict | None, str]:
    """A firewall policy as ``firewall_explain`` reads it: groups from child resources, base policy
    inlined; (None, why) when its base policy is not in the scan (its groups come first)."""
    key = ids.normalize(policy.id) or ""
    groups = []
    for group in graph.linked(RULE_COLLECTION_GROUP, policy.unit):
        group_key = ids.normalize(group.id)
        if group_key and group_key.startswith(key + "/rulecollectiongroups/"):
            collections = _locate_collections(group, ("properties", "ruleCollections"),
                                              group.properties.get("ruleCollections"))
            groups.append({"name": ids.last_name(group_key),
                           "properties": dict(group.properties, ruleCollections=collections)})
    result: dict = {"properties": policy.properties, "ruleCollectionGroups": groups}
    base = _ref_id(policy.properties.get("basePolicy"))
    if base is not None:
        parent = graph.find(base, policy.unit, FIREWALL_POLICY) if depth < 5 else None
        if parent is None:
            return None, f"its base policy '{ids.short(base)}' is not in the scan"
        inherited, why = policy_rules(graph, parent, depth + 1)
        if inherited is None:
            return None, why
        result["basePolicy"] = inherited
    return result, ""


def _locate_collections(owner: Resource, path: tuple, collections: Any) -> Any:
    if not isinstance(collections, list):
        return collections
    located = []
    for index, collection in enumerate(collections):
        if not isinstance(collection, dict):
            located.append(collection)
            continue
        inner = collection.get("properties") if isinstance(collection.get("properties"), dict) else None
        rules_path = path + (index,) + (("properties",) if inner is not None else ()) + ("rules",)
        body = inner if inner is not None else collection
        rules = body.get("rules")
        if isinstance(rules, list):
            rules = [dict(rule, __location__=_name_location(owner, rules_path + (n,), rule)) if isinstance(rule, dict)
                     else rule for n, rule in enumerate(rules)]
            body = dict(body, rules=rules)
        copy = dict(collection, properties=body) if inner is not None else body
        copy["__location__"] = _name_location(owner, path + (index,), collection)
        located.append(copy)
    return located


# --- private DNS --------------------------------------------------------------------------

def private_dns_zones(graph: InfraGraph, name: str) -> list[Resource]:
    """Private DNS zones with that name (case-insensitive)."""
    return [zone for zone in graph.resources(PRIVATE_DNS_ZONE)
            if isinstance(zone.name, str) and zone.name.lower() == name.lower()]


def zone_links(graph: InfraGraph, zone: Resource) -> list[tuple[Resource, Any]]:
    """(virtualNetworkLinks child, linked VNet id or Unknown) of a private DNS zone."""
    key = ids.normalize(zone.id)
    found = []
    for link in graph.linked(VNET_LINK, zone.unit):
        link_key = ids.normalize(link.id)
        if key and link_key and link_key.startswith(key + "/virtualnetworklinks/"):
            found.append((link, _ref_id(link.properties.get("virtualNetwork"))))
    return found


# --- Kubernetes ---------------------------------------------------------------------------

def _located(resource: Resource) -> dict:
    return dict(resource.body, __location__=resource.site())


def configmap(graph: InfraGraph, namespace: str, name: str) -> list[Resource]:
    return [r for r in graph.resources("k8s:ConfigMap") if r.scope == namespace and r.name == name]


def namespaces(graph: InfraGraph) -> dict:
    """{name: {"labels": ...}} of the Namespace objects in the scan; a namespace the scan does not
    declare has its automatic kubernetes.io/metadata.name label and others not known (OpenNamespaces)."""
    from validator.network.netpol import OpenNamespaces

    result = OpenNamespaces()
    for resource in graph.resources("k8s:Namespace"):
        if isinstance(resource.name, str):
            labels = resource.get("metadata", "labels")
            result[resource.name] = {"labels": labels if isinstance(labels, (dict, Unknown)) else {}}
    return result


def network_policies(graph: InfraGraph) -> tuple[list[dict], list[dict], dict]:
    """(Kubernetes and Calico policy objects, Calico tiers, {id(object): Resource}), bodies located."""
    from validator.network.calico import is_calico_policy
    from validator.network.netpol import is_kubernetes_policy

    policies, tiers, owners = [], [], {}
    for resource in graph.resources():
        if resource.source_format != "kubernetes":
            continue
        body = resource.body
        if is_kubernetes_policy(body) or is_calico_policy(body):
            located = _located(resource)
            policies.append(located)
            owners[id(located)] = resource
        elif body.get("kind") == "Tier" and "projectcalico.org/" in str(body.get("apiVersion", "")):
            tiers.append(_located(resource))
    return policies, tiers, owners


def has_calico_policies(policies: list[dict]) -> bool:
    from validator.network.calico import is_calico_policy

    return any(is_calico_policy(p) for p in policies)


def pod_identity_exceptions(graph: InfraGraph) -> list[Resource]:
    """``AzurePodIdentityException`` objects (aadpodidentity.k8s.io)."""
    return [r for r in graph.resources() if r.source_format == "kubernetes"
            and str(r.body.get("apiVersion", "")).startswith("aadpodidentity.k8s.io/")
            and r.body.get("kind") == "AzurePodIdentityException"]


def find_cluster(graph: InfraGraph, cluster_id: Any, unit: str) -> Resource | None:
    return graph.find(cluster_id, unit, CLUSTER)


def pinned_publicly(graph: InfraGraph, fqdn: str) -> Resource | None:
    """The coredns-custom ConfigMap whose hosts entry answers ``fqdn`` with public addresses only
    (the troubleshooting guide's fix), or None."""
    import ipaddress

    from validator.network.corefile import resolve_name

    for resource in coredns_custom(graph):
        data = resource.get("data")
        if not isinstance(data, dict):
            continue
        try:
            answer = resolve_name(data, fqdn)
        except ValueError:
            continue
        addresses = answer.get("addresses") if answer.get("action") == "hosts" else None
        try:
            if addresses and all(ipaddress.ip_address(a).is_global for a in addresses):
                return resource
        except ValueError:
            continue
    return None


IP_GROUP = "microsoft.network/ipgroups"


def ip_groups(graph: InfraGraph, unit: str) -> dict:
    """{ip group id: its addresses} of the IP groups declared in the scan (firewall rules name them by id);
    a group whose addresses are not known statically is left out, so rules naming it stay undecided."""
    groups = {}
    for group in graph.linked(IP_GROUP, unit):
        addresses = group.properties.get("ipAddresses")
        key = ids.normalize(group.id)
        if key is not None and isinstance(addresses, list) and all(isinstance(a, str) for a in addresses):
            groups[key] = addresses
    return groups

