"""Azure Firewall target-FQDN wildcards, from the FAQ table
https://learn.microsoft.com/azure/firewall/firewall-faq (wildcards in target FQDNs)."""
import pytest

from validator.network.fqdn import fqdn_matches, is_valid_pattern

CASES = [
    # pattern, fqdn, expected
    ("www.contoso.com", "www.contoso.com", True),
    ("www.contoso.com", "WWW.Contoso.COM", True),  # case-insensitive
    ("www.contoso.com", "www.contoso.com.", True),  # fully qualified trailing dot
    ("www.contoso.com", "contoso.com", False),
    ("*.contoso.com", "any.contoso.com", True),
    ("*.contoso.com", "sub1.any.contoso.com", True),  # any depth
    ("*.contoso.com", "contoso.com", False),  # never the apex
    ("*.contoso.com", "anycontoso.com", False),
    ("*contoso.com", "contoso.com", True),
    ("*contoso.com", "example.anycontoso.com", True),
    ("*contoso.com", "th3re4lcontoso.com", True),  # the FAQ's warning
    ("*", "westeurope.dp.kubernetesconfiguration.azure.com", True),
    ("*.dp.kubernetesconfiguration.azure.com", "westeurope.dp.kubernetesconfiguration.azure.com", True),
    ("*.azure.com", "westeurope.dp.kubernetesconfiguration.azure.com", True),
    ("*.data.mcr.microsoft.com", "mcr.microsoft.com", False),
    ("www.contoso.*", "www.contoso.com", False),  # unsupported pattern
    ("*.contoso.*", "a.contoso.com", False),  # unsupported pattern
    ("", "contoso.com", False),
]


@pytest.mark.parametrize("pattern,fqdn,expected", CASES)
def test_fqdn_matches(pattern, fqdn, expected):
    assert fqdn_matches(pattern, fqdn) is expected


@pytest.mark.parametrize("pattern,valid", [
    ("*.contoso.com", True), ("*contoso.com", True), ("*", True), ("a.b", True),
    ("www.contoso.*", False), ("*.contoso.*", False), ("", False), (None, False),
])
def test_is_valid_pattern(pattern, valid):
    assert is_valid_pattern(pattern) is valid


def test_non_string_fqdn_matches_nothing():
    assert fqdn_matches("*", None) is False
