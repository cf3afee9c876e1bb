"""FQDN wildcard matching as Azure Firewall application rules do it.

Azure Firewall accepts one asterisk, only at the left-most side of a target
FQDN, and it means "literally anything to the left": ``*.contoso.com`` matches
``any.contoso.com`` and ``sub1.any.contoso.com`` (any depth) but not the apex
``contoso.com``; ``*contoso.com`` matches ``contoso.com`` and also
``anycontoso.com``; a bare ``*`` matches every name.  Patterns with an asterisk
anywhere else (``www.contoso.*``, ``*.contoso.*``) are rejected by the service,
so they match nothing here.
Source: https://learn.microsoft.com/azure/firewall/firewall-faq
("How do wildcards work in target URLs and target FQDNs in application rules?").
"""
from __future__ import annotations


def _normalise(name: str) -> str:
    # DNS names are case-insensitive; a trailing dot is the fully qualified form.
    return name.strip().rstrip(".").lower()


def is_valid_pattern(pattern: str) -> bool:
    """True when Azure Firewall would accept ``pattern`` as a target FQDN."""
    if not isinstance(pattern, str) or not pattern.strip():
        return False
    text = _normalise(pattern)
    return "*" not in text[1:]


def fqdn_matches(pattern: str, fqdn: str) -> bool:
    """True when the application-rule target ``pattern`` covers ``fqdn``.

    Case-insensitive.  A leading ``*`` matches any characters (dots included),
    so ``*.example.com`` covers sub-domains at every depth but not
    ``example.com`` itself.  Invalid patterns (an asterisk not at the
    left-most position) match nothing.  Non-string input matches nothing.
    """
    if not isinstance(fqdn, str) or not is_valid_pattern(pattern):
        return False
    text, name = _normalise(pattern), _normalise(fqdn)
    if not name:
        return False
    if text == "*":
        return True
    if text.startswith("*"):
        suffix = text[1:]
        if suffix.startswith("."):
            # "*.x" needs a non-empty label before ".x": never the apex "x".
            return name.endswith(suffix) and len(name) > len(suffix)
        return name.endswith(suffix)  # "*x" also matches "x" itself (FAQ table)
    return name == text
