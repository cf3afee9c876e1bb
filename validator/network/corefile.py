"""CoreDNS Corefiles and the AKS ``coredns-custom`` ConfigMap.

:func:`parse_corefile` reads the Caddyfile syntax CoreDNS uses
(https://coredns.io/manual/configuration/): server blocks ``ZONE:PORT {...}``,
directives with arguments and nested blocks, ``#`` comments, quoted tokens,
snippets ``(name) {...}`` expanded by ``import name``; ``{$VAR}`` stays text.

:func:`resolve_name` answers which plugin would answer a name, given the
``data`` of the AKS ``coredns-custom`` ConfigMap: keys ending ``.server``
hold whole server blocks, keys ending ``.override`` hold directives added to
the default ``.:53`` block (https://learn.microsoft.com/azure/aks/coredns-custom).
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any

# Plugins run in this compiled-in order, whatever their order in the Corefile
# (https://github.com/coredns/coredns/blob/master/plugin.cfg).
PLUGIN_ORDER = (
    "metadata", "geoip", "cancel", "tls", "timeouts", "multisocket", "reload", "nsid", "bufsize", "root", "bind",
    "debug", "trace", "ready", "health", "pprof", "prometheus", "errors", "log", "dnstap", "local", "dns64", "acl",
    "any", "chaos", "loadbalance", "tsig", "cache", "rewrite", "header", "dnssec", "autopath", "minimal", "template",
    "transfer", "hosts", "route53", "azure", "clouddns", "k8s_external", "kubernetes", "file", "auto", "secondary",
    "etcd", "loop", "forward", "grpc", "erratic", "whoami", "on", "sign", "view",
)
_RANK = {name: index for index, name in enumerate(PLUGIN_ORDER)}
# Plugins that answer from data this validator cannot see.
_OPAQUE = {"route53", "azure", "clouddns", "k8s_external", "file", "auto", "secondary", "etcd", "erratic",
           "whoami", "chaos", "local", "any"}
_DEFAULT_PORTS = {"dns": 53, "tls": 853, "grpc": 443, "https": 443, "quic": 853}

# The default AKS server block (``kubectl get configmap coredns -n kube-system``, recent
# versions); ``import custom/*.override`` marks where overrides go.
AKS_DEFAULT_COREFILE = """\
.:53 {
    errors
    ready
    health {
        lameduck 5s
    }
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf
    cache 30
    loop
    reload
    loadbalance
    import custom/*.override
    template ANY ANY internal.cloudapp.net {
        match "^(?:[^.]+\\.){4,}internal\\.cloudapp\\.net\\.$"
        rcode NXDOMAIN
        fallthrough
    }
    template ANY ANY reddog.microsoft.com {
        rcode NXDOMAIN
    }
}
import custom/*.server
"""


class _Record:
    """Attribute access plus ``obj["field"]`` for callers that treat results as dicts."""

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self, key, default)


@dataclass
class Directive(_Record):
    """One directive line: ``name args...`` with an optional nested ``{ ... }`` block."""

    name: str
    args: list
    line: int
    block: list = field(default_factory=list)
    source: str | None = None  # the ConfigMap key it came from, when known


@dataclass
class ServerBlock(_Record):
    """A server block: its keys as written, normalized zones (``example.com.``), port and directives."""

    keys: list
    zones: list
    port: int
    line: int
    directives: list = field(default_factory=list)
    source: str | None = None


# --- lexer ---------------------------------------------------------------------

@dataclass
class _Token:
    text: str
    line: int
    quoted: bool = False
    newline_before: bool = False


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, line, n = 0, 1, len(text)
    newline = True
    while i < n:
        ch = text[i]
        if ch == "\n":
            line += 1
            newline = True
            i += 1
        elif ch in " \t\r":
            i += 1
        elif ch == "#":
            while i < n and text[i] != "\n":
                i += 1
        elif ch == '"':
            start_line, i, buf = line, i + 1, []
            while i < n and text[i] != '"':
                if text[i] == "\\" and i + 1 < n:
                    # a backslash escapes the next character, but only a quote loses it:
                    # "\\." stays two backslashes and a dot (Caddyfile lexer, as in CoreDNS)
                    escaped = text[i + 1]
                    buf.append(escaped if escaped == '"' else "\\" + escaped)
                    line += escaped == "\n"
                    i += 2
                    continue
                if text[i] == "\n":
                    line += 1
                buf.append(text[i])
                i += 1
            if i >= n:
                raise ValueError(f"line {start_line}: unterminated quoted string")
            i += 1
            tokens.append(_Token("".join(buf), start_line, True, newline))
            newline = False
        else:
            start = i
            # '#' starts a comment even inside a word (the Caddyfile lexer CoreDNS uses)
            while i < n and text[i] not in " \t\r\n#":
                if text[i] == '"' and i == start:
                    break
                i += 1
            word = text[start:i]
            # "name{" (no space before the brace) still opens a block; "{$VAR}" does not
            if len(word) > 1 and word.endswith("{") and "{$" not in word:
                tokens.append(_Token(word[:-1], line, False, newline))
                tokens.append(_Token("{", line))
            else:
                tokens.append(_Token(word, line, False, newline))
            newline = False
    return tokens


def _is(token: _Token, text: str) -> bool:
    return not token.quoted and token.text == text


# --- parser --------------------------------------------------------------------

class _Parser:
    def __init__(self, text: str, source: str | None):
        self.tokens = _tokenize(text)
        self.pos = 0
        self.source = source
        self.snippets: dict[str, list[Directive]] = {}
        self.imports: list[Directive] = []  # top-level imports of files

    def at_end(self) -> bool:
        return self.pos >= len(self.tokens)

    def directives(self, closing: bool, opened_at: int = 0) -> list[Directive]:
        """Directive lines up to the matching ``}`` (or the end when ``closing`` is False)."""
        result: list[Directive] = []
        while not self.at_end():
            token = self.tokens[self.pos]
            if _is(token, "}"):
                if not closing:
                    raise ValueError(f"line {token.line}: unexpected '}}' with no open block")
                self.pos += 1
                return result
            if _is(token, "{"):
                raise ValueError(f"line {token.line}: '{{' without a directive")
            self.pos += 1
            directive = Directive(token.text, [], token.line, source=self.source)
            while not self.at_end() and not self.tokens[self.pos].newline_before:
                arg = self.tokens[self.pos]
                if _is(arg, "}"):
                    break
                self.pos += 1
                if _is(arg, "{"):
                    directive.block = self.directives(True, arg.line)
                    break
                directive.args.append(arg.text)
            result.append(directive)
        if closing:
            raise ValueError(f"line {opened_at}: '{{' is never closed")
        return result

    def server_blocks(self) -> list[ServerBlock]:
        blocks: list[ServerBlock] = []
        while not self.at_end():
            first = self.tokens[self.pos]
            if _is(first, "}"):
                raise ValueError(f"line {first.line}: unexpected '}}' with no open block")
            if _is(first, "import"):
                # a top-level import of files (AKS: custom/*.server) is not a server block itself;
                # the blocks of those files are read from where they come from (aks_server_blocks)
                self.pos += 1
                self.imports.append(Directive("import", self._rest_of_line(), first.line, source=self.source))
                continue
            keys = self._keys()
            if not self.at_end() and _is(self.tokens[self.pos], "{"):
                opened = self.tokens[self.pos].line
                self.pos += 1
                body = self.directives(True, opened)
            elif not blocks:
                body = self.directives(False)  # one block may leave out its braces (Caddyfile)
            else:
                raise ValueError(f"line {first.line}: expected '{{' after server block keys")
            if len(keys) == 1 and keys[0].startswith("(") and keys[0].endswith(")"):
                self.snippets[keys[0][1:-1]] = body
                continue
            zones, port = _zones_and_port(keys)
            blocks.append(ServerBlock(keys, zones, port, first.line, body, self.source))
        return [self._expand(block) for block in blocks]

    def _rest_of_line(self) -> list[str]:
        args = []
        while not self.at_end() and not self.tokens[self.pos].newline_before:
            args.append(self.tokens[self.pos].text)
            self.pos += 1
        return args

    def _keys(self) -> list[str]:
        """Server block keys: one line, or several lines joined by trailing commas."""
        keys: list[str] = []
        continued = True
        while not self.at_end():
            token = self.tokens[self.pos]
            if _is(token, "{") or (keys and token.newline_before and not continued):
                break
            self.pos += 1
            continued = token.text.endswith(",")
            keys.extend(part for part in token.text.split(",") if part)
        return keys

    def _expand(self, block: ServerBlock) -> ServerBlock:
        block.directives = self._expand_list(block.directives, depth=0)
        return block

    def _expand_list(self, directives: list[Directive], depth: int) -> list[Directive]:
        result = []
        for directive in directives:
            if directive.name == "import" and len(directive.args) == 1 and directive.args[0] in self.snippets:
                if depth > 10:
                    raise ValueError(f"line {directive.line}: snippet {directive.args[0]!r} imports itself")
                result.extend(self._expand_list(self.snippets[directive.args[0]], depth + 1))
            else:
                directive.block = self._expand_list(directive.block, depth)
                result.append(directive)
        return result


def normalize_zone(name: str) -> str:
    """Lower case with a trailing dot; ``.`` stays the root."""
    name = name.strip().lower()
    return name if name.endswith(".") else name + "."


def _zones_and_port(keys: list[str]) -> tuple[list[str], int]:
    zones, port = [], 53
    for key in keys:
        scheme, _, rest = key.rpartition("://")
        host, port_text = rest, ""
        if rest.count(":") == 1:  # an IPv6 zone has more colons and no port here
            host, port_text = rest.split(":")
        if port_text.isdigit():
            port = int(port_text)
        elif scheme:
            port = _DEFAULT_PORTS.get(scheme.lower(), 53)
        reverse = _reverse_zones(host)
        zones.extend(reverse if reverse is not None else [normalize_zone(host or ".")])
    return zones, port


def _reverse_zones(host: str) -> list[str] | None:
    """A CIDR key (``10.0.0.0/24``) as its reverse zones (``0.0.10.in-addr.arpa.``), else None.

    "10.0.0.0/24 { whoami }" serves 0.0.10.in-addr.arpa (https://coredns.io/manual/configuration/,
    reverse zones); a prefix off the label boundary (/8, /16, /24 for IPv4, nibbles for IPv6) is split
    into the boundary subnets that make it up, as CoreDNS does.
    """
    if "/" not in host:
        return None
    try:
        network = ipaddress.ip_network(host, strict=False)
    except ValueError:
        return None
    step = 8 if network.version == 4 else 4
    boundary = -(-network.prefixlen // step) * step
    if boundary - network.prefixlen > 8:
        return None
    subnets = list(network.subnets(new_prefix=boundary)) if boundary != network.prefixlen else [network]
    zones = []
    for subnet in subnets:
        labels = subnet.network_address.reverse_pointer.split(".")
        keep = subnet.prefixlen // step
        suffix = 2  # in-addr.arpa / ip6.arpa
        host_labels = labels[: len(labels) - suffix]
        zones.append(".".join(host_labels[len(host_labels) - keep:] + labels[-suffix:]) + ".")
    return zones


def parse_corefile(text: str, source: str | None = None) -> list[ServerBlock]:
    """Parse a Corefile into server blocks, expanding ``import`` of snippets defined in it.

    A top-level ``import`` of files (a glob such as ``custom/*.server``) is
    not a server block and is left out: the imported files' blocks are not
    in the text (for AKS, :func:`aks_server_blocks` reads them from the
    ``coredns-custom`` ConfigMap).  Raises ``ValueError`` naming the line on unbalanced braces or an
    unterminated quote.  ``source`` (e.g. the ConfigMap key) is recorded on
    every block and directive.
    """
    try:
        return _Parser(text, source).server_blocks()
    except RecursionError:
        raise ValueError("blocks nested too deeply") from None


def parse_directives(text: str, source: str | None = None) -> list[Directive]:
    """Parse a list of directives with no server block around them (an AKS ``.override`` value)."""
    parser = _Parser(text, source)
    try:
        return parser._expand_list(parser.directives(False), 0)
    except RecursionError:
        raise ValueError("blocks nested too deeply") from None


# --- AKS coredns-custom --------------------------------------------------------

def aks_server_blocks(configmap_data: dict) -> list[ServerBlock]:
    """The server blocks CoreDNS on AKS runs with this ``coredns-custom`` data.

    The default ``.:53`` block comes first, with every ``*.override`` value's
    directives in place of its ``import custom/*.override`` (keys in sorted
    order, as the glob expands); then the blocks of every ``*.server`` value.
    Raises ``ValueError`` (prefixed with the key) when a value does not parse.
    """
    default = parse_corefile(AKS_DEFAULT_COREFILE, source=None)[0]
    overrides: list[Directive] = []
    servers: list[ServerBlock] = []
    for key in sorted(configmap_data or {}):
        value = configmap_data[key]
        if not isinstance(value, str):
            continue
        try:
            if key.endswith(".override"):
                overrides.extend(parse_directives(value, source=key))
            elif key.endswith(".server"):
                servers.extend(b for b in parse_corefile(value, source=key) if b.zones)
        except ValueError as error:
            raise ValueError(f"{key}: {error}") from None
    directives = []
    for directive in default.directives:
        if directive.name == "import" and directive.args == ["custom/*.override"]:
            directives.extend(overrides)
        else:
            directives.append(directive)
    default.directives = directives
    return [default] + servers


def is_subdomain(name: str, zone: str) -> bool:
    """True when ``name`` equals ``zone`` or lies below it (label-wise, case-insensitive)."""
    name, zone = normalize_zone(name), normalize_zone(zone)
    return zone == "." or name == zone or name.endswith("." + zone)


def select_server_block(blocks: list[ServerBlock], fqdn: str, port: int = 53) -> tuple[ServerBlock, str] | None:
    """The block CoreDNS picks: the longest zone containing the name among blocks on ``port``."""
    best: tuple[ServerBlock, str] | None = None
    for block in blocks:
        if block.port != port:
            continue
        for zone in block.zones:
            if is_subdomain(fqdn, zone) and (best is None or len(zone) > len(best[1])):
                best = (block, zone)
    return best


def resolve_name(configmap_data: dict, fqdn: str) -> dict:
    """How CoreDNS on AKS answers ``fqdn`` given the ``coredns-custom`` ConfigMap ``data``.

    Returns a dict with ``action`` and details, plus ``server`` (the chosen
    block's keys), ``source`` (the ConfigMap key, None for AKS defaults) and
    ``line`` (in that key's value):

    - ``{"action": "hosts", "addresses": [...], "fallthrough": False}``: the
      hosts plugin answers (an empty list means SERVFAIL for a name in its
      zones without ``fallthrough``);
    - ``{"action": "forward", "to": [...]}``: forwarded to those upstreams;
    - ``{"action": "rewrite", "from", "to", "then": {...}}``: the name is
      rewritten, ``then`` says how the new name is answered;
    - ``{"action": "default"}``: the AKS defaults answer (cluster names, or
      forward to the node's resolvers in /etc/resolv.conf);
    - ``{"action": "template", "rcode", "answers"}``: a template answers;
    - ``{"action": "kubernetes"}``, ``{"action": "unknown", "plugin": ...}``
      (a plugin whose data is not visible, or a hosts file), or
      ``{"action": "servfail"}`` when no plugin answers.
      Unknown ConfigMap values give ``{"action": "unknown"}``.  ``problems``
      lists what would stop CoreDNS from starting.

    Raises ``ValueError`` when a ConfigMap value does not parse.
    """
    if not isinstance(configmap_data, dict):
        return _unknown_data(f"the ConfigMap data is not known ({configmap_data})")
    for key, value in sorted(configmap_data.items()):
        if key.endswith((".server", ".override")) and not isinstance(value, str):
            return _unknown_data(f"the value of {key} is not known ({value})", key)
    blocks = aks_server_blocks(configmap_data)
    name = normalize_zone(fqdn)
    chosen = select_server_block(blocks, name)
    if chosen is None:
        return {"action": "servfail", "reason": "no server block serves this name", "server": None,
                "source": None, "line": 0}
    block, _ = chosen
    result = _run_plugins(block, name, name)
    result["problems"] = server_block_problems(blocks)
    return result


def _unknown_data(reason: str, key: str | None = None) -> dict:
    return {"action": "unknown", "plugin": None, "reason": reason, "server": None, "source": key, "line": 0,
            "problems": []}


def server_block_problems(blocks: list[ServerBlock]) -> list[str]:
    """Configurations CoreDNS refuses to start with: a zone and port served twice, hosts used twice in a block."""
    problems, seen = [], {}
    for block in blocks:
        for zone in block.zones:
            where = seen.setdefault((zone, block.port), block)
            if where is not block:
                problems.append(f"zone {zone} port {block.port} is served by two server blocks "
                                f"({where.source or 'AKS default'} and {block.source or 'AKS default'})")
        hosts = [d for d in block.directives if d.name == "hosts"]
        if len(hosts) > 1:  # "This plugin can only be used once per Server Block" (hosts README)
            sources = ", ".join(f"{d.source or 'AKS default'} line {d.line}" for d in hosts)
            problems.append(f"hosts is used {len(hosts)} times in server block {' '.join(block.keys)}: {sources}")
    return problems


def _run_plugins(block: ServerBlock, original: str, name: str) -> dict:
    ordered = sorted(block.directives, key=lambda d: _RANK.get(d.name, len(PLUGIN_ORDER)))
    rewrites = [d for d in ordered if d.name == "rewrite"]
    if rewrites and name == original:
        rewritten, directive = _apply_rewrites(rewrites, name)
        if rewritten != name:
            then = _run_plugins(block, original, rewritten)
            return _result(block, directive, "rewrite", **{"from": name, "to": rewritten, "then": then})
    for directive in ordered:
        plugin = directive.name
        if plugin == "import":
            continue  # an import of a file this validator cannot read
        if plugin not in _RANK:
            return _result(block, directive, "unknown", plugin=plugin, reason="plugin not built into CoreDNS")
        if plugin == "hosts":
            answer = _hosts(block, directive, name)
            if answer is not None:
                return answer
        elif plugin == "template":
            answer = _template(block, directive, name)
            if answer is not None:
                return answer
        elif plugin == "kubernetes":
            zones = [a for a in directive.args] or block.zones
            if any(is_subdomain(name, zone) for zone in zones):
                fall = _fallthrough(directive)
                if fall is None or not any(is_subdomain(name, zone) for zone in fall):
                    return _result(block, directive, "default" if directive.source is None else "kubernetes")
        elif plugin in ("forward", "grpc"):
            answer = _forward(block, directive, name)
            if answer is not None:
                return answer
        elif plugin in _OPAQUE:
            return _result(block, directive, "unknown", plugin=plugin,
                           reason=f"the {plugin} plugin answers from data not in the ConfigMap")
    return _result(block, None, "servfail", reason="no plugin in the server block answers this name")


def _result(block: ServerBlock, directive: Directive | None, action: str, **details: Any) -> dict:
    result = {"action": action, "server": " ".join(block.keys),
              "source": directive.source if directive else block.source,
              "line": directive.line if directive else block.line}
    result.update(details)
    return result


def _fallthrough(directive: Directive) -> list[str] | None:
    """Zones a plugin falls through for (``["."]`` when bare), None without ``fallthrough``."""
    for sub in directive.block:
        if sub.name == "fallthrough":
            return sub.args or ["."]
    return None


def _hosts(block: ServerBlock, directive: Directive, name: str) -> dict | None:
    """The hosts plugin (https://coredns.io/plugins/hosts/); None when it passes the query on."""
    file = directive.args[0] if directive.args else "/etc/hosts"
    zones = directive.args[1:] or block.zones
    if not any(is_subdomain(name, zone) for zone in zones):
        return None  # outside its zones it always passes the query on
    addresses: list[str] = []
    entry_line = directive.line
    for sub in directive.block:
        if sub.name in ("fallthrough", "ttl", "no_reverse", "reload"):
            continue
        if any(normalize_zone(host) == name for host in sub.args):
            addresses.append(sub.name)
            entry_line = sub.line
    fall = _fallthrough(directive)
    falls = fall is not None and any(is_subdomain(name, zone) for zone in fall)
    if addresses:
        return _result(block, directive, "hosts", addresses=addresses, fallthrough=falls, line=entry_line)
    if file != "/etc/hosts":
        # the file's content is not in the ConfigMap
        return _result(block, directive, "unknown", plugin="hosts", reason=f"hosts file {file} is not visible")
    # /etc/hosts of the CoreDNS pod holds only localhost and the pod's own name
    if falls:
        return None
    return _result(block, directive, "hosts", addresses=[], fallthrough=False, rcode="SERVFAIL")


def _template(block: ServerBlock, directive: Directive, name: str) -> dict | None:
    """The template plugin (https://coredns.io/plugins/template/) for an address (A) query; None to pass on."""
    args = [arg.upper() for arg in directive.args[:2]]
    # "TYPE the query type (A, PTR, ... can be ANY to match all types)": a template for AAAA
    # (the common "disable IPv6" override) passes A queries on (https://coredns.io/plugins/template/)
    if len(args) < 2 or args[0] not in ("IN", "ANY") or args[1] not in ("A", "ANY"):
        return None
    zones = directive.args[2:] or block.zones
    if not any(is_subdomain(name, zone) for zone in zones):
        return None
    patterns = [arg for sub in directive.block if sub.name == "match" for arg in sub.args] or [".*"]
    try:
        matched = any(re.search(pattern, name) for pattern in patterns)
    except re.error:
        return _result(block, directive, "unknown", plugin="template", reason="a match regex does not compile")
    action = "default" if directive.source is None else "template"
    if not matched:
        fall = _fallthrough(directive)
        if fall is not None and any(is_subdomain(name, zone) for zone in fall):
            return None
        return _result(block, directive, action, plugin="template", rcode="SERVFAIL")
    rcode = next((sub.args[0].upper() for sub in directive.block if sub.name == "rcode" and sub.args), "NOERROR")
    answers = [" ".join(sub.args) for sub in directive.block if sub.name == "answer"]
    return _result(block, directive, action, plugin="template", rcode=rcode, answers=answers)


def _forward(block: ServerBlock, directive: Directive, name: str) -> dict | None:
    """The forward plugin (https://coredns.io/plugins/forward/): FROM, TO..., ``except`` names."""
    if not directive.args:
        return None
    base, upstreams = directive.args[0], directive.args[1:]
    if not is_subdomain(name, base):
        return None
    for sub in directive.block:
        if sub.name == "except" and any(is_subdomain(name, ignored) for ignored in sub.args):
            return None
    if directive.source is None and upstreams == ["/etc/resolv.conf"]:
        return _result(block, directive, "default", to=upstreams)
    return _result(block, directive, "forward", to=upstreams, plugin=directive.name)


def _apply_rewrites(rewrites: list[Directive], name: str) -> tuple[str, Directive | None]:
    """Apply ``rewrite name`` rules in order; ``stop`` (the default) ends at the first match."""
    last = None
    for directive in rewrites:
        args = list(directive.args)
        mode = "stop"
        if args and args[0] in ("stop", "continue"):
            mode = args.pop(0)
        rules = [args] if args else [sub_args for sub_args in ([s.name] + s.args for s in directive.block)]
        for rule in rules:
            if not rule or rule[0] != "name":
                continue
            new = _rewrite_name(rule[1:], name)
            if new is not None and new != name:
                name, last = new, directive
                if mode == "stop":
                    return name, last
    return name, last


def _rewrite_name(args: list[str], name: str) -> str | None:
    """One ``rewrite name [exact|prefix|suffix|substring|regex] FROM TO`` rule (https://coredns.io/plugins/rewrite/)."""
    if len(args) == 2:
        kind, source, target = "exact", args[0], args[1]
    elif len(args) >= 3 and args[0].lower() in ("exact", "prefix", "suffix", "substring", "regex"):
        kind, source, target = args[0].lower(), args[1], args[2]
    else:
        return None
    if kind != "regex":
        source = source.lower()
    target = target.lower()
    if kind in ("exact", "suffix"):  # CoreDNS adds the closing dot to both sides
        source, target = normalize_zone(source), normalize_zone(target)
    if kind == "exact":
        return target if name == source else None
    if kind == "prefix":
        return target + name[len(source):] if name.startswith(source) else None
    if kind == "suffix":
        return name[: len(name) - len(source)] + target if name.endswith(source) else None
    if kind == "substring":
        return name.replace(source, target, 1) if source in name else None
    try:
        match = re.search(source, name)
    except re.error:
        return None
    if not match:
        return None
    result = target
    for index, group in enumerate((match.group(0),) + match.groups()):
        result = result.replace("{%d}" % index, group or "")
    return normalize_zone(result)
