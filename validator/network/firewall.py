"""Azure Firewall evaluation: would a classic rule set or a firewall policy let a request through?

Semantics (https://learn.microsoft.com/azure/firewall/rule-processing,
https://learn.microsoft.com/azure/firewall/policy-rule-sets,
https://learn.microsoft.com/azure/firewall/firewall-faq,
https://learn.microsoft.com/azure/firewall/fqdn-filtering-network-rules,
https://learn.microsoft.com/azure/firewall/fqdn-tags):

- DNAT rules first, then network rules, then application rules, whatever the
  collection or group priorities; rules are terminating (first match decides) and
  traffic no rule matches is denied.
- Classic rules: collections by priority (100 first) within each rule type.
- Firewall policy: rule collection groups of a parent (base) policy always come
  before the child's; then by group priority, then by collection priority.
- A DNAT match allows the translated traffic through an implicit network rule,
  unless an explicit network rule denies the translated traffic.
- Application rules apply to HTTP, HTTPS and MSSQL only and not to inbound
  (DNAT) connections; target FQDN wildcards follow ``validator.network.fqdn``.
- FQDN tags (``AzureKubernetesService``...) have no documented full contents: a
  rule using one is undecidable (None, "coverage unknown") unless the caller maps
  the tag to FQDN patterns in ``fqdn_tags``.
- Network rules with ``destinationFqdns`` match by DNS resolution; without ``dns``
  (name -> addresses) they are undecidable unless the request names the same FQDN.

Not modelled: threat-intelligence filtering, IDPS, the built-in infrastructure
rule collection (Azure platform FQDNs evaluated after application rules), TLS
inspection of target URLs (a ``targetUrls`` rule whose host matches is None).
Answers are three-valued: True, False, or None when an Unknown value, an unknown
IP group, FQDN tag or DNS answer could change the result.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urlsplit

from validator.model import Unknown
from validator.network.fqdn import fqdn_matches
from validator.network.netpol import t_and, t_or
from validator.network.nsg import ServiceTags, address_matches, first_match, port_matches

APP_PROTOCOLS = ("http", "https", "mssql")
_FQDN_TAG_PROTOCOLS = (("http", 80), ("https", 443))  # ports an FQDN-tag rule opens


@dataclass
class FirewallVerdict:
    """The outcome for one request and the rule that decided it.

    ``kind`` is "dnat", "network" or "application" (None: default deny or no rule
    decided); ``group``/``collection``/``rule`` name the deciding rule collection group
    (policies only), collection and rule; ``location`` is the rule's ``__location__``
    (else its collection's) carried through untouched.  When ``allowed`` is None they
    name the first rule whose match could not be decided and ``reason`` says why.
    """

    allowed: "bool | None"
    kind: str | None = None
    group: Any = None
    collection: Any = None
    collection_priority: Any = None
    rule: Any = None
    location: Any = None
    reason: str = ""


@dataclass
class _Entry:
    kind: str  # dnat | network | application
    order: tuple
    group_priority: Any
    group: Any
    collection: Any
    priority: Any
    action: Any
    rule: dict
    location: Any


def _props(item: Any) -> dict:
    if not isinstance(item, dict):
        return {}
    inner = item.get("properties")
    return inner if isinstance(inner, dict) else item


_UNREADABLE: dict = {"__unknown__": True}


def _items(value: Any) -> list:
    """Objects of a JSON list; None is []; an unreadable list or item (an Unknown) is ``_UNREADABLE``."""
    if value is None:
        return []
    if not isinstance(value, list):
        return [_UNREADABLE]
    return [item if isinstance(item, dict) else _UNREADABLE for item in value]


def _children(item: dict, key: str) -> list:
    return [_UNREADABLE] if item is _UNREADABLE else _items(_props(item).get(key))


def _priority(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 65001  # unknown priorities sort last; see _unknown_priority below


def _action(value: Any) -> Any:
    if isinstance(value, dict):
        value = value.get("type")
    return value.strip().lower() if isinstance(value, str) else value


def _classic_entries(props: dict) -> list[_Entry]:
    entries = []
    for key, kind in (("natRuleCollections", "dnat"), ("networkRuleCollections", "network"),
                      ("applicationRuleCollections", "application")):
        for index, collection in enumerate(_items(props.get(key))):
            body = _props(collection)
            for rule_index, rule in enumerate(_children(collection, "rules")):
                entries.append(_Entry(
                    kind, (0, 0, _priority(body.get("priority")), index, rule_index), 0, None,
                    collection.get("name"), body.get("priority"),
                    _action(body.get("action")) or ("dnat" if kind == "dnat" else None),
                    rule, _location(rule, collection)))
    return entries


def _location(rule: Any, collection: Any) -> Any:
    for item in (rule, collection):
        if isinstance(item, dict):
            if "__location__" in item:
                return item["__location__"]
            inner = item.get("properties")
            if isinstance(inner, dict) and "__location__" in inner:
                return inner["__location__"]
    return None


_RULE_KIND = {"networkrule": "network", "applicationrule": "application", "natrule": "dnat"}


def _rule_kinds(collection: dict, rule: dict) -> list[str]:
    """The stages a policy rule takes part in; an unreadable type is tried in each it could be."""
    rtype = rule.get("ruleType")
    if isinstance(rtype, str) and rtype.lower() in _RULE_KIND:
        return [_RULE_KIND[rtype.lower()]]
    ctype = collection.get("ruleCollectionType")
    ctype = ctype.lower() if isinstance(ctype, str) else ""
    if ctype == "firewallpolicynatrulecollection":
        return ["dnat"]
    # without ruleType, the fields only one kind of rule has tell which it is
    if any(key in rule for key in ("targetFqdns", "fqdnTags", "targetUrls", "webCategories", "terminateTLS")):
        return ["application"]
    if any(key in rule for key in ("translatedAddress", "translatedFqdn", "translatedPort")):
        return ["dnat"]
    if ctype == "firewallpolicyfilterrulecollection":
        if any(key in rule for key in ("ipProtocols", "destinationFqdns", "destinationIpGroups")):
            return ["network"]
        return ["network", "application"]
    return ["dnat", "network", "application"]


def _policy_entries(policy: dict, depth: int) -> list[_Entry]:
    entries = []
    base = policy.get("basePolicy")
    if isinstance(base, dict):
        entries.extend(_policy_entries(base, depth + 1))
    # The parent's groups come first whatever the priorities: a larger depth sorts first.
    level = -depth
    for group_index, group in enumerate(_items(policy.get("ruleCollectionGroups"))):
        body = _props(group)
        for index, collection in enumerate(_children(group, "ruleCollections")):
            for rule_index, rule in enumerate(_children(collection, "rules")):
                for kind in _rule_kinds(collection, rule):
                    entries.append(_Entry(
                        kind, (level, _priority(body.get("priority")), group_index,
                               _priority(collection.get("priority")), index, rule_index),
                        body.get("priority"), group.get("name"), collection.get("name"),
                        collection.get("priority"),
                        _action(collection.get("action")) or ("dnat" if kind == "dnat" else None),
                        rule, _location(rule, collection)))
    return entries


class _Context:
    def __init__(self, service_tags, ip_groups, fqdn_tags, dns):
        self.tags = ServiceTags(service_tags)
        self.ip_groups = {str(k).lower(): v for k, v in (ip_groups or {}).items()}
        self.fqdn_tags = {str(k).lower(): v for k, v in (fqdn_tags or {}).items()}
        self.dns = {str(k).lower().rstrip("."): v for k, v in (dns or {}).items()}
        self.notes: list[str] = []

    def ip_group(self, ref: Any):
        if not isinstance(ref, str):
            return None
        key = ref.lower()
        if key in self.ip_groups:
            return self.ip_groups[key]
        return self.ip_groups.get(key.rstrip("/").rsplit("/", 1)[-1])

    def resolve(self, name: Any):
        if not isinstance(name, str):
            return None
        value = self.dns.get(name.lower().rstrip("."))
        if value is None or isinstance(value, Unknown):
            return None
        return [value] if isinstance(value, str) else list(value)


def _list(rule: dict, *keys: str) -> list:
    for key in keys:
        value = rule.get(key)
        if isinstance(value, Unknown):
            return [value]
        if isinstance(value, list) and value:
            return value
        if isinstance(value, str) and value:
            return [value]
    return []


def _addresses_match(prefixes: list, address: Any, ctx: _Context) -> "bool | None":
    return t_or(address_matches(p, address, ctx.tags) for p in prefixes)


def _ip_groups_match(refs: list, address: Any, ctx: _Context) -> "bool | None":
    results = []
    for ref in refs:
        prefixes = ctx.ip_group(ref)
        if prefixes is None:
            ctx.notes.append(f"IP group {ref} is not known")
            results.append(None)
        else:
            results.append(_addresses_match(list(prefixes), address, ctx))
    return t_or(results)


def _sources_match(rule: dict, request: dict, ctx: _Context) -> "bool | None":
    addresses = _list(rule, "sourceAddresses")
    groups = _list(rule, "sourceIpGroups")
    if not addresses and not groups:
        return True
    return t_or([_addresses_match(addresses, request.get("src_ip"), ctx) if addresses else False,
                 _ip_groups_match(groups, request.get("src_ip"), ctx) if groups else False])


def _destination_ips(request: dict, ctx: _Context) -> list | None:
    """The request's destination addresses: dst_ip, else the DNS answer for its FQDN."""
    dst = request.get("dst_ip")
    if dst is not None:
        return [dst]
    return ctx.resolve(request.get("fqdn"))


def _over_addresses(check: Callable[[Any], "bool | None"], addresses: list | None) -> "bool | None":
    """A rule part matched against every address the request may go to: all or nothing."""
    if addresses is None:
        return check(None)
    results = [check(a) for a in addresses]
    if results and all(r is True for r in results):
        return True
    if all(r is False for r in results):
        return False
    return None


def _network_fqdn_match(rule_fqdn: Any, request: dict, ctx: _Context) -> "bool | None":
    if isinstance(rule_fqdn, str) and "*" in rule_fqdn:
        # "By design, FQDN filtering in network rules doesn't support wildcards"
        # (https://learn.microsoft.com/azure/firewall/fqdn-filtering-network-rules): no name matches
        return False
    name = request.get("fqdn")
    if isinstance(rule_fqdn, str) and isinstance(name, str) and (
            fqdn_matches(rule_fqdn, name)):
        return True
    targets = ctx.resolve(rule_fqdn)
    addresses = _destination_ips(request, ctx)
    if targets is None or addresses is None:
        ctx.notes.append(f"destination FQDN {rule_fqdn} needs DNS resolution (pass dns=)")
        return None
    return _over_addresses(lambda a: _addresses_match(targets, a, ctx), addresses)


def _network_protocol(request: dict) -> Any:
    protocol = request.get("protocol")
    if not isinstance(protocol, str):
        return None
    text = protocol.strip().lower()
    return "tcp" if text in APP_PROTOCOLS else text


def _protocols_match(values: list, request: dict) -> "bool | None":
    wanted = _network_protocol(request)
    results = []
    for value in values or ["Any"]:
        if not isinstance(value, str):
            results.append(None)
            continue
        text = value.strip().lower()
        results.append(True if text in ("any", "*") else (None if wanted is None else text == wanted))
    return t_or(results)


def _ports_match(values: list, port: Any) -> "bool | None":
    if not values:
        return True
    return t_or(port_matches(v, port) for v in values)


def _network_rule_matches(rule: dict, request: dict, ctx: _Context) -> "bool | None":
    if "__unknown__" in rule:
        return None
    addresses = _list(rule, "destinationAddresses")
    groups = _list(rule, "destinationIpGroups")
    fqdns = _list(rule, "destinationFqdns")
    dst = _destination_ips(request, ctx)
    destination = True if not (addresses or groups or fqdns) else t_or([
        _over_addresses(lambda a: _addresses_match(addresses, a, ctx), dst) if addresses else False,
        _over_addresses(lambda a: _ip_groups_match(groups, a, ctx), dst) if groups else False,
        t_or(_network_fqdn_match(f, request, ctx) for f in fqdns) if fqdns else False,
    ])
    return t_and([
        _protocols_match(_list(rule, "ipProtocols", "protocols"), request),
        _sources_match(rule, request, ctx),
        _ports_match(_list(rule, "destinationPorts"), request.get("port")),
        destination,
    ])


def _app_protocols_match(rule: dict, request: dict) -> "bool | None":
    protocol = request.get("protocol")
    if not isinstance(protocol, str):
        return None
    wanted = protocol.strip().lower()
    declared = rule.get("protocols")
    if isinstance(declared, Unknown):
        return None
    pairs = []
    for item in declared or []:
        if not isinstance(item, dict):
            pairs.append((None, None))
            continue
        kind = item.get("protocolType")
        pairs.append((kind.lower() if isinstance(kind, str) else None, item.get("port")))
    if not pairs and _list(rule, "fqdnTags"):
        pairs = list(_FQDN_TAG_PROTOCOLS)
    results = []
    for kind, port in pairs:
        if kind is None:
            results.append(None)
        elif kind != wanted:
            results.append(False)
        elif port is None:
            results.append(True)
        else:
            results.append(port_matches(port, request.get("port")) if not isinstance(port, str)
                           or port.strip() else None)
    return t_or(results)


def _url_host(url: Any) -> str | None:
    if not isinstance(url, str):
        return None
    text = url if "://" in url else "//" + url
    try:
        return urlsplit(text).hostname
    except ValueError:
        return None


def _app_rule_matches(rule: dict, request: dict, ctx: _Context) -> "bool | None":
    if "__unknown__" in rule:
        return None
    name = request.get("fqdn")
    targets = []
    for pattern in _list(rule, "targetFqdns"):
        if not isinstance(pattern, str) or isinstance(name, Unknown):
            targets.append(None)
        elif name is None:
            targets.append(True if pattern.strip() == "*" else None)
        else:
            targets.append(fqdn_matches(pattern, name))
    for tag in _list(rule, "fqdnTags"):
        patterns = ctx.fqdn_tags.get(tag.lower()) if isinstance(tag, str) else None
        if patterns is None:
            ctx.notes.append(f"FQDN tag {tag}: Microsoft does not document its full contents, "
                             "coverage unknown")
            targets.append(None)
        elif not isinstance(name, str):
            targets.append(None)
        else:
            targets.append(any(fqdn_matches(p, name) for p in patterns))
    for url in _list(rule, "targetUrls"):
        host = _url_host(url)
        if host is None or not isinstance(name, str):
            targets.append(None)
        elif fqdn_matches(host, name):
            ctx.notes.append(f"target URL {url} matches on path (TLS inspection): not decided")
            targets.append(None)
        else:
            targets.append(False)
    if _list(rule, "webCategories"):
        ctx.notes.append("web categories are not modelled")
        targets.append(None)
    addresses = _list(rule, "destinationAddresses")
    if addresses:
        targets.append(_over_addresses(lambda a: _addresses_match(addresses, a, ctx),
                                       _destination_ips(request, ctx)))
    return t_and([
        _app_protocols_match(rule, request),
        _sources_match(rule, request, ctx),
        t_or(targets),
    ])


def _dnat_rule_matches(rule: dict, request: dict, ctx: _Context) -> "bool | None":
    if "__unknown__" in rule:
        return None
    return t_and([
        _protocols_match(_list(rule, "ipProtocols", "protocols"), request),
        _sources_match(rule, request, ctx),
        _ports_match(_list(rule, "destinationPorts"), request.get("port")),
        _over_addresses(lambda a: _addresses_match(_list(rule, "destinationAddresses") or ["*"], a, ctx),
                        [request.get("dst_ip")]),
    ])


def _translated(rule: dict, request: dict) -> dict:
    translated = dict(request)
    address = rule.get("translatedAddress")
    if address is None and rule.get("translatedFqdn") is not None:
        translated["fqdn"] = rule.get("translatedFqdn")
        translated["dst_ip"] = None
    else:
        translated["dst_ip"] = address
    if rule.get("translatedPort") is not None:
        translated["port"] = rule.get("translatedPort")
    return translated


_MATCHERS = {"dnat": _dnat_rule_matches, "network": _network_rule_matches,
             "application": _app_rule_matches}
_ACTIONS = {"allow": True, "deny": False}


def _first_match(entries: list[_Entry], request: dict, ctx: _Context) -> FirewallVerdict:
    notes: dict[int, list[str]] = {}

    def matches(entry: _Entry) -> "bool | None":
        before = len(ctx.notes)
        matched = _MATCHERS[entry.kind](entry.rule, request, ctx)
        notes[id(entry)] = ctx.notes[before:]
        return matched

    # No rule matching: denied by default (rule-processing).
    result = first_match(entries, matches, lambda e: _outcome(e, request, ctx, entries), False)
    entry = result.decided_by
    if result.allowed is not None:
        if entry is None:
            return FirewallVerdict(False, reason="no rule matches: denied by default")
        verb = "allows" if result.allowed else "denies"
        reason = f"{entry.kind} rule '{entry.rule.get('name')}' in collection '{entry.collection}' {verb}"
        if result.undecided is not None:
            reason += "; earlier undecided rules lead to the same result"
        return _verdict(result.allowed, entry, reason)
    culprit = result.undecided if result.undecided is not None else entry
    return _verdict(None, culprit, _undecided_reason(culprit, notes.get(id(culprit), [])))


def _undecided_reason(entry: _Entry, notes: list[str]) -> str:
    text = f"whether {entry.kind} rule '{entry.rule.get('name')}' in collection '{entry.collection}' applies " \
           "cannot be decided statically"
    return text + (": " + "; ".join(dict.fromkeys(notes)) if notes else "")


def _verdict(allowed, entry: _Entry, reason: str) -> FirewallVerdict:
    return FirewallVerdict(allowed, entry.kind, entry.group, entry.collection, entry.priority,
                           entry.rule.get("name"), entry.location, reason)


def _outcome(entry: _Entry, request: dict, ctx: _Context, entries: list[_Entry]) -> "bool | None":
    action = entry.action
    if entry.kind == "dnat":
        if action not in ("dnat", None):
            return None
        # The implicit network rule allows the translated traffic unless an explicit
        # network rule denies it (rule-processing, "NAT rules").
        translated = _translated(entry.rule, request)
        network = [e for e in entries if e.kind == "network"]
        # an explicit network rule decides; the implicit one allows the rest
        return first_match(network, lambda e: _network_rule_matches(e.rule, translated, ctx),
                           lambda e: _ACTIONS.get(e.action), True).allowed
    return _ACTIONS.get(action)


def _entries(firewall: dict) -> tuple[list[_Entry] | None, str]:
    if "ruleCollectionGroups" in firewall or "basePolicy" in firewall:
        return _policy_entries(firewall, 0), ""
    props = _props(firewall)
    if "ruleCollectionGroups" in props:
        return _policy_entries(props, 0), ""
    keys = ("natRuleCollections", "networkRuleCollections", "applicationRuleCollections")
    if not any(props.get(k) for k in keys) and props.get("firewallPolicy"):
        ref = props["firewallPolicy"]
        ident = ref.get("id") if isinstance(ref, dict) else ref
        return None, f"the rules live in firewall policy {ident}, which was not given"
    return _classic_entries(props), ""


_KIND_ORDER = {"dnat": 0, "network": 1, "application": 2}


def firewall_explain(firewall: Any, request: dict, service_tags: dict | None = None,
                     ip_groups: dict | None = None, fqdn_tags: dict | None = None,
                     dns: dict | None = None) -> FirewallVerdict:
    """Evaluate ``request`` against a firewall's rules and name the deciding rule.

    ``firewall``: the ``properties`` of a classic ``Microsoft.Network/azureFirewalls``,
    or a policy ``{"properties": ..., "ruleCollectionGroups": [...], "basePolicy": {...}}``.
    ``request``: {"direction", "src_ip", "protocol" (TCP/UDP/ICMP, or Http/Https/Mssql for
    application rules), "fqdn", "port", "dst_ip"}; ``dst_ip`` may be a service tag name.
    ``service_tags`` {tag: prefixes}, ``ip_groups`` {id or name: prefixes}, ``fqdn_tags``
    {tag: [FQDN patterns]}, ``dns`` {name: address or [addresses]} fill in what the
    templates cannot show.  Unknown values give None only when they could change the result.
    """
    if not isinstance(firewall, dict):
        return FirewallVerdict(None, reason="firewall configuration unknown")
    ctx = _Context(service_tags, ip_groups, fqdn_tags, dns)
    entries, why = _entries(firewall)
    if entries is None:
        return FirewallVerdict(None, reason=why)
    direction = str(request.get("direction", "")).lower()
    protocol = request.get("protocol")
    app_protocol = isinstance(protocol, str) and protocol.strip().lower() in APP_PROTOCOLS
    kept = []
    for entry in entries:
        if entry.kind == "dnat" and direction == "outbound":
            continue  # DNAT translates inbound traffic sent to the firewall's public IPs
        if entry.kind == "application" and (direction == "inbound" or not app_protocol):
            continue  # application rules: outbound HTTP/HTTPS/MSSQL only
        kept.append(entry)
    kept.sort(key=lambda e: (_KIND_ORDER[e.kind],) + e.order)
    floating = [e for e in kept if not _priority_known(e)]
    verdict = _first_match(kept, request, ctx)
    if floating and verdict.allowed is not None:
        # A collection priority unknown before deployment: try its rules first too.
        early = sorted(kept, key=lambda e: (_KIND_ORDER[e.kind], _priority_known(e)) + e.order)
        if _first_match(early, request, ctx).allowed != verdict.allowed:
            entry = floating[0]
            return _verdict(None, entry, f"collection '{entry.collection}' has a priority unknown "
                                         "before deployment")
    return verdict


def _priority_known(entry: _Entry) -> bool:
    try:
        int(entry.priority)
        int(entry.group_priority)
    except (TypeError, ValueError):
        return False
    return True


def firewall_allows(firewall: Any, request: dict, service_tags: dict | None = None,
                    ip_groups: dict | None = None, fqdn_tags: dict | None = None,
                    dns: dict | None = None) -> "bool | None":
    """True when the firewall lets ``request`` through, False when it denies it, None when unknown.

    See :func:`firewall_explain` for the arguments and the rule order.
    """
    return firewall_explain(firewall, request, service_tags, ip_groups, fqdn_tags, dns).allowed
