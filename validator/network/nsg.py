"""Network security group (NSG) evaluation: does a flow pass the subnet and NIC NSGs?

Semantics follow the Azure documentation:
https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview and
https://learn.microsoft.com/azure/virtual-network/network-security-group-how-it-works

- Rules are processed by priority, lowest number first; the first rule that matches
  decides and processing stops.  The six default rules (priorities 65000-65500) come
  after every custom rule.
- Inbound traffic is evaluated by the subnet NSG, then the NIC NSG; outbound traffic by
  the NIC NSG, then the subnet NSG.  A flow must be allowed by both; a missing NSG
  (``None``) allows everything at its level.
- NSGs are stateful: only the direction that opens the connection is evaluated.
- Traffic from a VM to the host virtual IPs 168.63.129.16 / 169.254.169.254 (DNS, IMDS,
  licensing, health) is not subject to NSG rules unless a rule names one of the
  AzurePlatformDNS / AzurePlatformIMDS / AzurePlatformLKM tags (section "Azure platform
  considerations" of the overview page).

Every answer is three-valued: ``True`` (allowed), ``False`` (denied), ``None`` (cannot be
decided statically: an ``Unknown`` value, an application security group, or a service tag
whose prefixes are not known stands in a rule that could change the result).

Service-tag handling (``ServiceTags``, ``address_matches``) is shared with the firewall and
route evaluators.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any, Callable

from validator import reference_data
from validator.model import Unknown
from validator.network.cidr import parse_ip, parse_network, parse_port_range
from validator.network.netpol import t_and, t_or

# Host virtual IPs not filtered by NSGs unless a platform tag is targeted (overview page,
# "Azure platform considerations").
PLATFORM_ADDRESSES = ("168.63.129.16", "169.254.169.254")
PLATFORM_TAGS = ("azureplatformdns", "azureplatformimds", "azureplatformlkm")


# --------------------------------------------------------------------------------------
# service tags


@dataclass(frozen=True)
class _Tag:
    name: str
    scope: str  # public | platform | special
    prefixes: tuple
    complete: bool


class ServiceTags:
    """Service tags known for one evaluation: the bundled subset plus caller overrides.

    Prefixes from ``validator/data/service_tags.yaml`` are an illustrative subset
    (``complete: false``): an address outside them is *unknown*, never "not in the
    tag".  Prefixes passed as ``overrides`` ({tag: [prefix, ...]}) replace the bundled
    ones for that tag and are treated as complete.
    """

    def __init__(self, overrides: dict | None = None):
        data = reference_data.load("service_tags")
        complete = bool(data.get("complete", False))
        self._tags: dict[str, _Tag] = {}
        for name, entry in (data.get("tags") or {}).items():
            entry = entry or {}
            self._tags[name.lower()] = _Tag(name, entry.get("scope", "public"),
                                            tuple(entry.get("prefixes") or ()),
                                            bool(entry.get("complete", complete)))
        for name, prefixes in (overrides or {}).items():
            if not isinstance(name, str):
                continue
            known = self._tags.get(name.lower())
            scope = known.scope if known else "public"
            values = tuple(p for p in (prefixes or ()) if isinstance(p, str))
            self._tags[name.lower()] = _Tag(name, scope, values, True)

    def get(self, name: str) -> "_Tag | None":
        tag = self._tags.get(name.lower())
        if tag is None and "." in name:
            # An unlisted region of a listed tag (Storage.southindia) is still that tag.
            parent = self._tags.get(name.split(".", 1)[0].lower())
            if parent is not None:
                return _Tag(name, parent.scope, (), False)
        return tag

    def is_tag(self, name: str) -> bool:
        return self.get(name) is not None


def _family(name: str) -> str:
    return name.split(".", 1)[0].lower()


def _as_ip_or_network(text: str):
    """An address, a network, or None when ``text`` is neither (a tag name, a range)."""
    try:
        return parse_ip(text)
    except ValueError:
        pass
    try:
        return parse_network(text)
    except ValueError:
        return None


def _as_network(text: Any):
    """A network (an address becomes a host network), or None for a tag name, a range, an Unknown."""
    value = _as_ip_or_network(text) if isinstance(text, str) else None
    if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return ipaddress.ip_network(value)
    return value


def _as_range(text: str):
    """``"10.0.0.1-10.0.0.9"`` (Azure Firewall address range) as (first, last), else None."""
    if text.count("-") != 1:
        return None
    left, right = text.split("-")
    try:
        first, last = parse_ip(left), parse_ip(right)
    except ValueError:
        return None
    return (first, last) if first.version == last.version and first <= last else None


def _network_relation(inner, outer) -> "bool | None":
    """Address/network ``inner`` against network ``outer``: True all inside, False none, None partly."""
    if isinstance(inner, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return inner.version == outer.version and inner in outer
    if inner.version != outer.version or not inner.overlaps(outer):
        return False
    return True if inner.subnet_of(outer) else None


def _is_public(value) -> bool:
    if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return value.is_global
    return value.network_address.is_global and value.broadcast_address.is_global


def _is_private_only(value) -> bool:
    """True when no address of ``value`` is public (RFC 1918, CGNAT, link-local...)."""
    if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return not value.is_global
    if value.version == 4:
        reserved = [ipaddress.ip_network(n) for n in (
            "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
            "169.254.0.0/16", "127.0.0.0/8")]
    else:
        reserved = [ipaddress.ip_network(n) for n in ("fc00::/7", "fe80::/10", "::1/128")]
    return any(value.subnet_of(net) for net in reserved if net.version == value.version)


def _vnet_relation(value, vnet_prefixes) -> "bool | None":
    if vnet_prefixes is None or isinstance(vnet_prefixes, Unknown):
        return None
    results = [None if net is None else _network_relation(value, net)
               for net in map(_as_network, vnet_prefixes)]
    if any(r is True for r in results):
        return True
    if all(r is False for r in results):
        return False
    return None


def _tag_contains_address(tag: str, value, tags: ServiceTags, vnet_prefixes) -> "bool | None":
    """Is the address/network ``value`` inside service tag ``tag``?"""
    key = tag.lower()
    if key == "virtualnetwork":
        in_vnet = _vnet_relation(value, vnet_prefixes)
        if in_vnet is None and vnet_prefixes is None and _is_public(value):
            # The assumption made for Internet below, from the other side: Internet is "the IP
            # address space that's outside the virtual network" (service-tags-overview), so a
            # public address taken as Internet is not VirtualNetwork, and DenyAllInBound decides.
            return False
        return in_vnet
    if key == "internet":
        # "The IP address space that's outside the virtual network and reachable by the
        # public internet"; it includes Azure-owned public space (service-tags-overview).
        # With the VNet prefixes unknown, a public address is taken as Internet: VNets
        # using public ranges as private space are rare and must pass vnet_prefixes.
        in_vnet = _vnet_relation(value, vnet_prefixes)
        if in_vnet is True:
            return False
        if _is_private_only(value):
            return False
        if _is_public(value):
            return True if in_vnet is False or vnet_prefixes is None else None
        return None
    info = tags.get(tag)
    if info is None:
        return None
    results = [_network_relation(value, net) for net in map(_as_network, info.prefixes) if net is not None]
    if any(r is True for r in results):
        return True
    if any(r is None for r in results):
        return None
    if info.scope == "public" and _is_private_only(value):
        return False  # public service tags hold public addresses only
    return False if info.complete else None


def _tag_relation(rule_tag: str, flow_tag: str, tags: ServiceTags, vnet_prefixes) -> "bool | None":
    """Does a rule naming ``rule_tag`` cover traffic described only as ``flow_tag``?

    Choices (service-tags-overview; where the docs are silent the answer is None):
    same tag -> True; a global tag covers its regional tags (Storage covers
    Storage.westeurope) -> True; a regional tag against its global tag or another
    tag's region -> None / False; Internet covers every public service tag; AzureCloud
    is "all datacenter public IP addresses" but is not documented to contain every
    other service tag -> None; two distinct public service families are taken as
    disjoint (they describe different services) -> False.
    """
    rule, flow = rule_tag.lower(), flow_tag.lower()
    if rule == flow:
        return True
    rule_info, flow_info = tags.get(rule_tag), tags.get(flow_tag)
    if rule == "internet":
        if flow_info is not None and flow_info.scope == "public":
            return True
        if flow in ("virtualnetwork", "azureloadbalancer") or (flow_info and flow_info.scope == "platform"):
            return False
        return None
    if rule == "virtualnetwork":
        if flow in ("azureloadbalancer",) or (flow_info and flow_info.scope == "platform"):
            return False
        if flow == "internet" or (flow_info and flow_info.scope == "public"):
            # The VirtualNetwork tag also holds UDR prefixes, possibly 0.0.0.0/0; with the VNet
            # prefixes not given, public space is taken as Internet (as in _tag_contains_address).
            if vnet_prefixes is None:
                return False
            if isinstance(vnet_prefixes, Unknown):
                return None
            nets = [_as_network(p) for p in vnet_prefixes]
            if any(n is None for n in nets):
                return None
            if any(n.prefixlen == 0 for n in nets):
                return True
            if all(_is_private_only(n) for n in nets):
                return False
            return None
        return None
    if flow == "internet":
        # A public service tag is only part of the Internet; platform VIPs are not in it.
        if rule == "azureloadbalancer" or (rule_info is not None and rule_info.scope == "platform"):
            return False
        return None
    if flow == "virtualnetwork":
        return False if rule_info is not None and rule_info.scope in ("public", "platform") else None
    if rule_info is None or flow_info is None:
        return None
    if rule_info.scope != "public" or flow_info.scope != "public":
        return False if rule_info.scope != flow_info.scope else None
    rule_family, flow_family = _family(rule), _family(flow)
    if rule_family == flow_family:
        if "." not in rule:
            return True  # global tag covers its regions
        if "." not in flow:
            return None  # a region is only part of the global tag
        return False  # two regions of one service
    if rule_family == "azurecloud" or flow_family == "azurecloud":
        return None
    return False


def _prefix_relation_to_tag(rule_net, flow_tag: str, tags: ServiceTags, vnet_prefixes) -> "bool | None":
    """Does a rule prefix (network) cover all traffic described as ``flow_tag``?"""
    key = flow_tag.lower()
    if rule_net.prefixlen == 0:
        return True
    info = tags.get(flow_tag)
    public = key == "internet" or (info is not None and info.scope == "public")
    if public and _is_private_only(rule_net):
        return False
    if key == "virtualnetwork":
        if vnet_prefixes is None or isinstance(vnet_prefixes, Unknown):
            return None
        nets = [_as_network(p) for p in vnet_prefixes]
        if any(net is None for net in nets):
            return None
        return _all_or_none([_network_relation(net, rule_net) for net in nets])
    if info is None or not info.complete or not info.prefixes:
        return None
    nets = [_as_network(prefix) for prefix in info.prefixes]
    if any(net is None for net in nets):
        return None
    return _all_or_none([_network_relation(net, rule_net) for net in nets])


def _all_or_none(relations: list) -> "bool | None":
    """True when every part is inside, False when none is, else None (partly covered)."""
    if relations and all(r is True for r in relations):
        return True
    if all(r is False for r in relations):
        return False
    return None


def address_matches(prefix: Any, address: Any, tags: ServiceTags | None = None,
                    vnet_prefixes: list | None = None) -> "bool | None":
    """Does the rule address ``prefix`` cover the flow endpoint ``address``?

    ``prefix``: ``*``/``Any``, an IP, a CIDR, an address range ``a-b`` (Azure Firewall),
    or a service tag name.  ``address``: an IP, a CIDR, a service tag name (the flow is
    described by the tag: "Storage.westeurope"), ``None`` (any address: unknown), or an
    ``Unknown``.  Returns None when the answer depends on something not known here.
    """
    tags = tags or ServiceTags()
    if isinstance(prefix, Unknown) or not isinstance(prefix, str):
        return None
    text = prefix.strip()
    if text.lower() in ("*", "any"):
        return True
    if address is None or isinstance(address, Unknown) or not isinstance(address, str):
        return None
    flow_value = _as_ip_or_network(address.strip())
    rule_value = _as_network(text)
    rule_range = _as_range(text) if rule_value is None else None
    if flow_value is not None:
        if rule_value is not None:
            return _network_relation(flow_value, rule_value)
        if rule_range is not None:
            first, last = rule_range
            if isinstance(flow_value, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
                return flow_value.version == first.version and first <= flow_value <= last
            lo, hi = flow_value.network_address, flow_value.broadcast_address
            if lo.version != first.version or hi < first or lo > last:
                return False
            return True if first <= lo and hi <= last else None
        return _tag_contains_address(text, flow_value, tags, vnet_prefixes)
    # the flow endpoint is a tag name
    if rule_value is not None:
        return _prefix_relation_to_tag(rule_value, address.strip(), tags, vnet_prefixes)
    if rule_range is not None:
        return None  # ranges appear in firewall rules for concrete addresses, not tags
    return _tag_relation(text, address.strip(), tags, vnet_prefixes)


def port_matches(spec: Any, port: Any) -> "bool | None":
    """Does the port spec (``80``, ``"1000-2000"``, ``"*"``) cover ``port``?

    A flow port of None (ephemeral, not given) or Unknown matches only ``*``; a spec
    that is Unknown or malformed gives None.
    """
    if isinstance(spec, Unknown):
        return None
    try:
        low, high = parse_port_range(spec.strip() if isinstance(spec, str) else spec)
    except ValueError:
        return None
    if low == 0 and high == 65535:
        return True
    if port is None or isinstance(port, Unknown):
        return None
    try:
        value = int(port)
    except (TypeError, ValueError):
        return None
    return low <= value <= high


# --------------------------------------------------------------------------------------
# rules


def _rule(name, priority, direction, access, source="*", destination="*") -> dict:
    return {"name": name, "properties": {
        "priority": priority, "direction": direction, "access": access, "protocol": "*",
        "sourceAddressPrefix": source, "sourcePortRange": "*",
        "destinationAddressPrefix": destination, "destinationPortRange": "*"}}


# The default rules every NSG carries, after all custom rules (overview page, "Default
# security rules").
DEFAULT_RULES = (
    _rule("AllowVnetInBound", 65000, "Inbound", "Allow", "VirtualNetwork", "VirtualNetwork"),
    _rule("AllowAzureLoadBalancerInBound", 65001, "Inbound", "Allow", "AzureLoadBalancer", "*"),
    _rule("DenyAllInBound", 65500, "Inbound", "Deny"),
    _rule("AllowVnetOutBound", 65000, "Outbound", "Allow", "VirtualNetwork", "VirtualNetwork"),
    _rule("AllowInternetOutBound", 65001, "Outbound", "Allow", "*", "Internet"),
    _rule("DenyAllOutBound", 65500, "Outbound", "Deny"),
)


@dataclass
class NsgRule:
    """One security rule, normalised from ARM (``properties`` nested or flat)."""

    name: Any
    priority: Any
    direction: Any
    access: Any
    protocol: Any
    sources: list
    destinations: list
    source_ports: list
    destination_ports: list
    source_asgs: list | None
    destination_asgs: list | None
    location: Any = None
    default: bool = False


def _plural(props: dict, plural: str, singular: str) -> list:
    many = props.get(plural)
    if isinstance(many, Unknown):
        return [many]
    if isinstance(many, list) and many:
        return list(many)
    one = props.get(singular)
    if one is None:
        return []
    return [one]


def _asgs(props: dict, key: str) -> list | None:
    value = props.get(key)
    if value is None or (isinstance(value, list) and not value):
        return None
    return value if isinstance(value, list) else [value]


def normalise_rule(rule: Any, default: bool = False) -> NsgRule:
    """Read one ARM security rule (with or without ``properties``)."""
    if not isinstance(rule, dict):
        unknown = rule if isinstance(rule, Unknown) else Unknown("security rule is not an object")
        return NsgRule(unknown, unknown, unknown, unknown, unknown, [unknown], [unknown],
                       [unknown], [unknown], None, None)
    props = rule.get("properties") if isinstance(rule.get("properties"), dict) else rule
    sources = _plural(props, "sourceAddressPrefixes", "sourceAddressPrefix")
    destinations = _plural(props, "destinationAddressPrefixes", "destinationAddressPrefix")
    source_asgs = _asgs(props, "sourceApplicationSecurityGroups")
    destination_asgs = _asgs(props, "destinationApplicationSecurityGroups")
    return NsgRule(
        name=rule.get("name", props.get("name")),
        priority=props.get("priority"),
        direction=props.get("direction"),
        access=props.get("access"),
        protocol=props.get("protocol", "*"),
        sources=sources or ([] if source_asgs else ["*"]),
        destinations=destinations or ([] if destination_asgs else ["*"]),
        source_ports=_plural(props, "sourcePortRanges", "sourcePortRange") or ["*"],
        destination_ports=_plural(props, "destinationPortRanges", "destinationPortRange") or ["*"],
        source_asgs=source_asgs,
        destination_asgs=destination_asgs,
        location=rule.get("__location__", props.get("__location__")),
        default=default,
    )


def resource_list(value: Any, key: str) -> list:
    """The list under ``properties.<key>`` of a resource body, its properties, or the list itself.

    Used for an NSG's ``securityRules`` and a route table's ``routes``; None gives [] and
    an Unknown gives [Unknown] (one unreadable item).
    """
    if value is None:
        return []
    if isinstance(value, dict):
        props = value.get("properties") if isinstance(value.get("properties"), dict) else value
        items = props.get(key, [])
        return items if isinstance(items, list) else [items]
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _text(value: Any) -> str | None:
    return value.strip().lower() if isinstance(value, str) else None


def _asg_matches(rule_asgs: list, flow_asgs: Any) -> "bool | None":
    if flow_asgs is None or isinstance(flow_asgs, Unknown):
        return None  # which ASGs the NIC belongs to is not known here
    wanted = set()
    for item in flow_asgs:
        if isinstance(item, str):
            wanted.add(item.lower())
            wanted.add(item.rstrip("/").rsplit("/", 1)[-1].lower())
    results = []
    for asg in rule_asgs:
        ident = asg.get("id") if isinstance(asg, dict) else asg
        if not isinstance(ident, str):
            results.append(None)
            continue
        results.append(ident.lower() in wanted or ident.rstrip("/").rsplit("/", 1)[-1].lower() in wanted)
    return t_or(results)


def _side_matches(prefixes, asgs, flow_address, flow_asgs, tags, vnet_prefixes) -> "bool | None":
    if asgs is not None:
        return _asg_matches(asgs, flow_asgs)
    return t_or(address_matches(p, flow_address, tags, vnet_prefixes) for p in prefixes)


def rule_matches(rule: NsgRule, flow: dict, tags: ServiceTags, vnet_prefixes=None) -> "bool | None":
    """Three-valued: does ``rule`` match ``flow``?"""
    direction = _text(rule.direction)
    flow_direction = _text(flow.get("direction"))
    if direction is None or flow_direction is None:
        direction_ok = None
    else:
        direction_ok = direction == flow_direction
    if direction_ok is False:
        return False
    protocol = _text(rule.protocol)
    flow_protocol = _text(flow.get("protocol"))
    if flow_protocol in ("http", "https", "mssql"):
        flow_protocol = "tcp"  # application protocols (firewall vocabulary) run over TCP
    if protocol in ("*", "any"):
        protocol_ok = True
    elif protocol is None or flow_protocol is None:
        protocol_ok = None
    else:
        protocol_ok = protocol == flow_protocol
    return t_and([
        direction_ok,
        protocol_ok,
        t_or(port_matches(s, flow.get("dst_port")) for s in rule.destination_ports),
        t_or(port_matches(s, flow.get("src_port")) for s in rule.source_ports),
        _side_matches(rule.sources, rule.source_asgs, flow.get("src_ip"), flow.get("src_asgs"),
                      tags, vnet_prefixes),
        _side_matches(rule.destinations, rule.destination_asgs, flow.get("dst_ip"),
                      flow.get("dst_asgs"), tags, vnet_prefixes),
    ])


# --------------------------------------------------------------------------------------
# evaluation


@dataclass
class NsgVerdict:
    """The outcome for one flow: ``allowed`` plus the rule that decided it.

    ``nsg`` is "subnet" or "nic" (None when no NSG is attached or none decided);
    ``rule``/``priority``/``location`` name the deciding rule (``location`` is the rule's
    ``__location__`` carried through untouched); when ``allowed`` is None they name the
    rule whose match could not be decided.  ``steps`` holds the per-NSG verdicts.
    """

    allowed: "bool | None"
    nsg: str | None = None
    rule: Any = None
    priority: Any = None
    location: Any = None
    default: bool = False
    reason: str = ""
    steps: list = field(default_factory=list)


def _access(value: Any) -> "bool | None":
    text = _text(value)
    if text == "allow":
        return True
    if text == "deny":
        return False
    return None


def _priority_key(rule: NsgRule) -> tuple:
    value = rule.priority
    try:
        return (0, int(value))
    except (TypeError, ValueError):
        return (0, 65535)


@dataclass
class FirstMatch:
    """Result of :func:`first_match`: the outcome, the item that matched for sure (None:
    the fallback applied) and the first item whose match could not be decided."""

    allowed: "bool | None"
    decided_by: Any = None
    undecided: Any = None


def first_match(items: list, matches: Callable[[Any], "bool | None"],
                outcome: Callable[[Any], "bool | None"], fallback: "bool | None") -> FirstMatch:
    """First-match-wins over ``items`` with three-valued matches.

    An item whose match is undecided (None) may or may not be the one that decides, so
    the result is known only when every candidate outcome (undecided items before the
    first sure match, then that match or ``fallback``) is the same.  Used by NSG and
    firewall evaluation alike.
    """
    possible: set = set()
    undecided = None
    for item in items:
        matched = matches(item)
        if matched is False:
            continue
        value = outcome(item)
        if matched is None:
            possible.add(value)
            undecided = item if undecided is None else undecided
            continue
        return FirstMatch(value if possible <= {value} else None, item, undecided)
    return FirstMatch(fallback if possible <= {fallback} else None, None, undecided)


def _first_match(rules: list[NsgRule], flow, tags, vnet_prefixes, fallback) -> NsgVerdict:
    result = first_match(rules, lambda r: rule_matches(r, flow, tags, vnet_prefixes),
                         lambda r: _access(r.access), fallback)
    rule = result.decided_by
    if result.allowed is not None:
        if rule is None:
            return NsgVerdict(result.allowed, reason="no rule applies")
        reason = f"rule '{rule.name}' (priority {rule.priority}) {'allows' if result.allowed else 'denies'}"
        if result.undecided is not None:
            reason += "; earlier undecided rules lead to the same result"
        return NsgVerdict(result.allowed, None, rule.name, rule.priority, rule.location, rule.default, reason)
    culprit = result.undecided if result.undecided is not None else rule
    if culprit is None:
        return NsgVerdict(None, reason="whether a rule applies cannot be decided statically")
    return NsgVerdict(None, None, culprit.name, culprit.priority, culprit.location, culprit.default,
                      f"whether rule '{culprit.name}' (priority {culprit.priority}) applies "
                      "cannot be decided statically")


def evaluate_nsg(rules: Any, flow: dict, service_tags: dict | None = None,
                 vnet_prefixes: list | None = None, tags: ServiceTags | None = None) -> NsgVerdict:
    """Evaluate one NSG (its ``securityRules``) against ``flow``; None rules allow all.

    The default rules are appended.  Rules with an Unknown priority are tried both
    before and after the others; if the outcome differs, the verdict is None.
    """
    if rules is None:
        return NsgVerdict(True, reason="no NSG attached")
    tags = tags or ServiceTags(service_tags)
    custom = [normalise_rule(r) for r in resource_list(rules, "securityRules")]
    defaults = [normalise_rule(r, default=True) for r in DEFAULT_RULES]
    flow_direction = _text(flow.get("direction"))
    fallback: "bool | None" = None  # unreachable: DenyAll* always match
    if flow_direction == "outbound" and _platform_destination(flow.get("dst_ip")):
        # Host VIP traffic bypasses NSGs unless a rule names a platform tag.
        custom = [r for r in custom if any(_text(p) in PLATFORM_TAGS for p in r.destinations)
                  or any(isinstance(p, Unknown) for p in r.destinations)]
        defaults, fallback = [], True
    known = sorted((r for r in custom if _priority_known(r)), key=_priority_key)
    floating = [r for r in custom if not _priority_known(r)]
    if not floating:
        return _first_match(known + defaults, flow, tags, vnet_prefixes, fallback)
    early = _first_match(floating + known + defaults, flow, tags, vnet_prefixes, fallback)
    late = _first_match(known + floating + defaults, flow, tags, vnet_prefixes, fallback)
    if early.allowed == late.allowed and early.allowed is not None:
        return late
    rule = floating[0]
    return NsgVerdict(None, None, rule.name, rule.priority, rule.location, False,
                      f"rule '{rule.name}' has a priority unknown before deployment")


def _priority_known(rule: NsgRule) -> bool:
    try:
        int(rule.priority)
    except (TypeError, ValueError):
        return False
    return True


def _platform_destination(address: Any) -> bool:
    return isinstance(address, str) and address.strip() in PLATFORM_ADDRESSES


def nsg_explain(subnet_rules: Any, nic_rules: Any, flow: dict, service_tags: dict | None = None,
                vnet_prefixes: list | None = None) -> NsgVerdict:
    """Evaluate ``flow`` through both NSGs and say which rule decided.

    Inbound: subnet NSG, then NIC NSG; outbound: NIC NSG, then subnet NSG
    (network-security-group-how-it-works).  Denied if either denies; None if neither
    denies and one is undecided; allowed if both allow.
    """
    tags = ServiceTags(service_tags)
    inbound = _text(flow.get("direction")) == "inbound"
    order = [("subnet", subnet_rules), ("nic", nic_rules)] if inbound else [
        ("nic", nic_rules), ("subnet", subnet_rules)]
    steps = []
    for label, rules in order:
        verdict = evaluate_nsg(rules, flow, vnet_prefixes=vnet_prefixes, tags=tags)
        verdict.nsg = label if rules is not None else None
        steps.append(verdict)
    for verdict in steps:
        if verdict.allowed is False:
            return _with_steps(verdict, steps, f"{verdict.nsg} NSG: {verdict.reason}")
    for verdict in steps:
        if verdict.allowed is None:
            return _with_steps(verdict, steps, f"{verdict.nsg} NSG: {verdict.reason}")
    deciding = next((v for v in reversed(steps) if v.nsg is not None), steps[-1])
    reason = "; ".join(f"{v.nsg} NSG: {v.reason}" for v in steps if v.nsg is not None) or "no NSG attached"
    return _with_steps(deciding, steps, reason)


def _with_steps(verdict: NsgVerdict, steps: list, reason: str) -> NsgVerdict:
    return NsgVerdict(verdict.allowed, verdict.nsg, verdict.rule, verdict.priority, verdict.location,
                      verdict.default, reason, steps)


def nsg_allows(subnet_rules: Any, nic_rules: Any, flow: dict, service_tags: dict | None = None,
               vnet_prefixes: list | None = None) -> "bool | None":
    """True when both NSGs allow ``flow``, False when one denies it, None when undecidable.

    ``subnet_rules``/``nic_rules``: ARM ``securityRules`` lists (or None: no NSG).
    ``flow``: {"direction", "protocol", "src_ip", "src_port", "dst_ip", "dst_port"}; an
    address may be a service tag name; optional "src_asgs"/"dst_asgs" list the ASG ids of
    the endpoints.  ``service_tags`` ({tag: prefixes}) overrides the bundled subset;
    ``vnet_prefixes`` is what the VirtualNetwork tag stands for.  Unknown values in rules
    or flow give None only when they could change the result.
    """
    return nsg_explain(subnet_rules, nic_rules, flow, service_tags, vnet_prefixes).allowed
