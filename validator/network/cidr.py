"""Addresses, networks and port specifications shared by the network layers.

Used by NetworkPolicy/Calico (ipBlock, nets, ports) and by NSG/firewall/route
evaluation.  Every function is pure; malformed input raises ``ValueError`` so
callers can turn it into a located diagnostic.
"""
from __future__ import annotations

import ipaddress
from functools import lru_cache

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_network(text: str) -> IPNetwork:
    """Parse ``"10.0.0.0/8"``, ``"10.0.0.1"`` (a /32 or /128) or ``"*"`` into a network.

    Host bits are tolerated (``10.0.0.1/8`` is ``10.0.0.0/8``) as Kubernetes and
    Azure both normalise them.  Raises ``ValueError`` on anything else.
    """
    if not isinstance(text, str):
        raise ValueError(f"not a network: {text!r}")
    return _parse_network(text)


@lru_cache(maxsize=4096)
def _parse_network(text: str) -> IPNetwork:
    value = text.strip()
    if value.lower() in ("*", "any"):
        return ipaddress.ip_network("0.0.0.0/0")
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError as exc:
        raise ValueError(f"not a CIDR or IP address: {text!r}") from exc


def parse_ip(text: str) -> IPAddress:
    """Parse one IP address; raises ``ValueError`` otherwise."""
    if not isinstance(text, str):
        raise ValueError(f"not an IP address: {text!r}")
    return _parse_ip(text)


@lru_cache(maxsize=4096)
def _parse_ip(text: str) -> IPAddress:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError as exc:
        raise ValueError(f"not an IP address: {text!r}") from exc


def _network(value: str | IPNetwork) -> IPNetwork:
    if isinstance(value, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
        return value
    return parse_network(value)  # raises ValueError on anything but a string


def _address(value: str | IPAddress) -> IPAddress:
    if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return value
    return parse_ip(value)


def ip_in(ip: str | IPAddress, cidr: str | IPNetwork) -> bool:
    """True when ``ip`` lies inside ``cidr``; addresses of another family never match."""
    address, network = _address(ip), _network(cidr)
    return address.version == network.version and address in network


def network_within(inner: str | IPNetwork, outer: str | IPNetwork) -> bool:
    """True when every address of ``inner`` lies inside ``outer``."""
    a, b = _network(inner), _network(outer)
    return a.version == b.version and a.subnet_of(b)  # type: ignore[arg-type]


def networks_overlap(first: str | IPNetwork, second: str | IPNetwork) -> bool:
    """True when the two networks share at least one address."""
    a, b = _network(first), _network(second)
    return a.version == b.version and a.overlaps(b)  # type: ignore[arg-type]


def parse_port_range(spec: str | int) -> tuple[int, int]:
    """Parse a port spec into an inclusive ``(low, high)`` range.

    Accepts an int, ``"80"``, ``"1000-2000"`` (NSG/firewall), ``"1000:2000"``
    (Calico) and ``"*"``/``"any"`` (all ports, 0-65535).  Raises ``ValueError``
    for anything else, including a reversed range or a port above 65535.
    """
    if isinstance(spec, bool) or not isinstance(spec, (int, str)):
        raise ValueError(f"not a port: {spec!r}")
    return _parse_port_range(spec)


@lru_cache(maxsize=4096)
def _parse_port_range(spec: str | int) -> tuple[int, int]:
    if isinstance(spec, int):
        low = high = spec
    elif isinstance(spec, str):
        text = spec.strip()
        if text.lower() in ("*", "any"):
            return (0, 65535)
        sep = "-" if "-" in text else (":" if ":" in text else None)
        try:
            if sep:
                left, right = text.split(sep, 1)
                low, high = int(left), int(right)
            else:
                low = high = int(text)
        except ValueError as exc:
            raise ValueError(f"not a port or port range: {spec!r}") from exc
    else:
        raise ValueError(f"not a port: {spec!r}")
    if not (0 <= low <= high <= 65535):
        raise ValueError(f"port range out of bounds: {spec!r}")
    return (low, high)


def port_in_range(port: int, spec: str | int) -> bool:
    """True when ``port`` falls in ``spec`` (see :func:`parse_port_range`)."""
    low, high = parse_port_range(spec)
    return low <= port <= high


def port_in_any(port: int, specs: list | tuple | str) -> bool:
    """True when ``port`` falls in any of ``specs``; a string may be comma separated."""
    if isinstance(specs, str):
        specs = [part for part in specs.split(",") if part.strip()]
    return any(port_in_range(port, spec) for spec in specs)
