"""Corefile parsing and name resolution, from https://coredns.io/manual/configuration/,
the hosts/forward/rewrite plugin pages and https://learn.microsoft.com/azure/aks/coredns-custom."""
import pytest

from validator.network.corefile import (aks_server_blocks, is_subdomain, parse_corefile, parse_directives,
                                        resolve_name, select_server_block)

DP = "westeurope.dp.kubernetesconfiguration.azure.com"

COREFILE = """\
# snippets are expanded where imported
(common) {
    errors
    log
}

example.com:53, example.org {
    import common
    hosts /etc/hosts example.com {
        10.0.0.1 a.example.com b.example.com   # two names, one address
        fallthrough
    }
    forward . 1.2.3.4 "5.6.7.8" {
        except internal.example.com
    }
}

dns://.:5353 {
    whoami
}

tls://secure.example {
    forward . {$UPSTREAM}
}
"""


def test_parse_server_blocks():
    blocks = parse_corefile(COREFILE)
    assert [(b.keys, b.zones, b.port, b.line) for b in blocks] == [
        (["example.com:53", "example.org"], ["example.com.", "example.org."], 53, 7),
        (["dns://.:5353"], ["."], 5353, 18),
        (["tls://secure.example"], ["secure.example."], 853, 22),
    ]
    first = blocks[0]
    assert [(d.name, d.args, d.line) for d in first.directives] == [
        ("errors", [], 3), ("log", [], 4), ("hosts", ["/etc/hosts", "example.com"], 9),
        ("forward", [".", "1.2.3.4", "5.6.7.8"], 13)]
    hosts = first.directives[2]
    assert [(d.name, d.args, d.line) for d in hosts.block] == [
        ("10.0.0.1", ["a.example.com", "b.example.com"], 10), ("fallthrough", [], 11)]
    assert first.directives[3].block[0].args == ["internal.example.com"]
    assert blocks[2].directives[0].args == [".", "{$UPSTREAM}"]  # env vars stay text
    assert first["keys"] == first.keys and first.get("port") == 53  # dict-style access too


def test_keys_continued_with_commas_and_brace_without_space():
    blocks = parse_corefile("a.com,\nb.com {\n whoami\n}\nc.com{\n whoami\n}\n")
    assert [b.zones for b in blocks] == [["a.com.", "b.com."], ["c.com."]]


def test_single_block_without_braces():
    (block,) = parse_corefile("example.org\nwhoami\nlog\n")
    assert block.zones == ["example.org."] and [d.name for d in block.directives] == ["whoami", "log"]


def test_quoted_tokens_and_escapes():
    (block,) = parse_corefile('. {\n  template IN A "a b" {\n    answer "{{ .Name }} 60 IN A \\"1.2.3.4\\""\n  }\n}\n')
    template = block.directives[0]
    assert template.args == ["IN", "A", "a b"]
    assert template.block[0].args == ['{{ .Name }} 60 IN A "1.2.3.4"']


@pytest.mark.parametrize("text,line", [
    (". {\n  whoami\n", 1), (". {\n}\n}\n", 3), ('. {\n  log "open\n}\n', 2), (". {\n  hosts {\n    1.1.1.1 a\n}\n", 1),
])
def test_unbalanced_braces_name_the_line(text, line):
    with pytest.raises(ValueError, match=f"line {line}"):
        parse_corefile(text)


def test_parse_directives_of_an_override():
    directives = parse_directives("log\nhosts {\n  1.2.3.4 a.com\n  fallthrough\n}\n", source="x.override")
    assert [(d.name, d.line, d.source) for d in directives] == [("log", 1, "x.override"), ("hosts", 2, "x.override")]


@pytest.mark.parametrize("name,zone,expected", [
    ("a.example.com", "example.com", True), ("example.com.", "EXAMPLE.com", True), ("badexample.com", "example.com",
                                                                                    False),
    ("anything", ".", True), ("example.com", "a.example.com", False),
])
def test_is_subdomain(name, zone, expected):
    assert is_subdomain(name, zone) is expected


def test_longest_zone_wins():
    blocks = parse_corefile(". {\n whoami\n}\nazure.com {\n whoami\n}\n"
                            "kubernetesconfiguration.azure.com {\n whoami\n}\n")
    block, zone = select_server_block(blocks, DP)
    assert zone == "kubernetesconfiguration.azure.com."
    assert select_server_block(blocks, "example.org")[1] == "."
    assert select_server_block(blocks, "x", port=5353) is None


def test_aks_overrides_go_into_the_default_block():
    blocks = aks_server_blocks({"a.override": "log\n", "b.server": "corp.local {\n forward . 10.0.0.10\n}\n",
                                "ignored.txt": "not a corefile {"})
    default = blocks[0]
    assert default.keys == [".:53"]
    assert "log" in [d.name for d in default.directives] and "import" not in [d.name for d in default.directives]
    assert [(b.keys, b.source) for b in blocks[1:]] == [(["corp.local"], "b.server")]


def test_aks_value_that_does_not_parse_names_the_key():
    with pytest.raises(ValueError, match=r"bad.server: line 1"):
        aks_server_blocks({"bad.server": "corp.local {\n"})


HOSTS_FIX = {"dp.override": f"hosts {{\n  20.50.1.10 {DP}\n  fallthrough\n}}\n"}
HOSTS_NO_FALLTHROUGH = {"dp.override": f"hosts {{\n  20.50.1.10 {DP}\n}}\n"}
PRIVATE_HOSTS = {"dp.override": f"hosts {{\n  10.1.2.3 {DP}\n  fallthrough\n}}\n"}
FORWARD_SERVER = {"arc.server": "kubernetesconfiguration.azure.com:53 {\n  errors\n  forward . 10.0.0.4 10.0.0.5 {\n"
                                "    except eastus.dp.kubernetesconfiguration.azure.com\n  }\n}\n"}
REWRITE_SERVER = {"rw.server": "azure.com:53 {\n  rewrite name suffix .dp.kubernetesconfiguration.azure.com "
                               ".privatelink.dp.kubernetesconfiguration.azure.com\n  forward . 10.0.0.4\n}\n"}

RESOLVE = [
    # (id, configmap data, name, expected subset)
    ("no customisation: AKS default forward", {}, DP, {"action": "default", "source": None}),
    ("cluster names: AKS default kubernetes", {}, "kubernetes.default.svc.cluster.local", {"action": "default"}),
    ("documented fix: hosts override with fallthrough", HOSTS_FIX, DP,
     {"action": "hosts", "addresses": ["20.50.1.10"], "fallthrough": True, "source": "dp.override", "line": 2}),
    ("hosts override, other names fall through", HOSTS_FIX, "mcr.microsoft.com", {"action": "default"}),
    ("hosts without fallthrough: SERVFAIL for other names", HOSTS_NO_FALLTHROUGH, "mcr.microsoft.com",
     {"action": "hosts", "addresses": [], "fallthrough": False, "rcode": "SERVFAIL"}),
    ("hosts entry to a private address", PRIVATE_HOSTS, DP.upper(), {"action": "hosts", "addresses": ["10.1.2.3"]}),
    ("server block forwards the zone", FORWARD_SERVER, DP,
     {"action": "forward", "to": ["10.0.0.4", "10.0.0.5"], "source": "arc.server", "line": 3,
      "server": "kubernetesconfiguration.azure.com:53"}),
    ("forward except: no plugin answers", FORWARD_SERVER, "eastus.dp.kubernetesconfiguration.azure.com",
     {"action": "servfail"}),
    ("other zones still use the default block", FORWARD_SERVER, "login.microsoftonline.com", {"action": "default"}),
    ("rewrite then forward", REWRITE_SERVER, DP,
     {"action": "rewrite", "from": DP + ".", "to": "westeurope.privatelink.dp.kubernetesconfiguration.azure.com.",
      "source": "rw.server", "line": 2}),
    ("rewrite not matching", REWRITE_SERVER, "management.azure.com", {"action": "forward", "to": ["10.0.0.4"]}),
    ("exact rewrite in an override", {"x.override": f"rewrite name {DP} dp.example.com\n"}, DP,
     {"action": "rewrite", "to": "dp.example.com."}),
    ("regex rewrite", {"x.override": r"rewrite stop name regex (.*)\.dp\.(.*) {1}.pl.{2}" + "\n"}, DP,
     {"action": "rewrite", "to": "westeurope.pl.kubernetesconfiguration.azure.com."}),
    ("hosts file not visible", {"x.server": "azure.com {\n  hosts /etc/custom.hosts\n  forward . 8.8.8.8\n}\n"}, DP,
     {"action": "unknown", "plugin": "hosts"}),
    ("hosts restricted to other zones passes the query on", {"x.override": "hosts /etc/hosts example.com {\n"
                                                                           "  1.1.1.1 a.example.com\n}\n"}, DP,
     {"action": "default"}),
    ("file plugin data is not visible", {"x.server": "azure.com {\n  file db.azure.com\n}\n"}, DP,
     {"action": "unknown", "plugin": "file"}),
    ("override forward after the default forward never runs", {"x.override": f"forward {DP} 10.0.0.9\n"}, DP,
     {"action": "default"}),
    ("server block on another port is not used by pods", {"x.server": "azure.com:5353 {\n  forward . 8.8.8.8\n}\n"},
     DP, {"action": "default"}),
]


@pytest.mark.parametrize("data,name,expected", [c[1:] for c in RESOLVE], ids=[c[0] for c in RESOLVE])
def test_resolve_name(data, name, expected):
    result = resolve_name(data, name)
    assert {key: result.get(key) for key in expected} == expected


def test_rewrite_result_says_what_follows():
    result = resolve_name(REWRITE_SERVER, DP)
    assert result["then"]["action"] == "forward" and result["then"]["to"] == ["10.0.0.4"]


def test_problems_coredns_refuses():
    result = resolve_name({"a.override": "hosts {\n 1.1.1.1 a.com\n fallthrough\n}\n",
                           "b.override": "hosts {\n 2.2.2.2 b.com\n fallthrough\n}\n",
                           "c.server": ".:53 {\n whoami\n}\n"}, "a.com")
    assert any("hosts is used 2 times" in p for p in result["problems"])
    assert any("served by two server blocks" in p for p in result["problems"])


def test_unknown_configmap_values():
    from validator.model import Unknown
    assert resolve_name({"dp.override": Unknown("parameter 'hosts'")}, DP)["action"] == "unknown"
    assert resolve_name(Unknown("configmap"), DP)["action"] == "unknown"
    assert resolve_name({"note.txt": Unknown("x")}, DP)["action"] == "default"  # not a key CoreDNS reads


def test_deep_nesting_is_an_error_not_a_crash():
    with pytest.raises(ValueError):
        parse_corefile(". {\n" + "a {\n" * 5000 + "}\n" * 5001)


TEMPLATE_CASES = [
    ("AKS default template: deep internal.cloudapp.net names are NXDOMAIN", {},
     "a.b.c.d.internal.cloudapp.net", {"action": "default", "plugin": "template", "rcode": "NXDOMAIN"}),
    ("AKS default template falls through for short names", {}, "vm1.internal.cloudapp.net", {"action": "default",
                                                                                          "plugin": None}),
    ("a template answering the zone", {"x.server": "azure.com {\n  template IN A dp.kubernetesconfiguration.azure.com {\n"
                                                   "    answer \"{{ .Name }} 60 IN A 10.9.9.9\"\n  }\n}\n"}, DP,
     {"action": "template", "rcode": "NOERROR", "answers": ["{{ .Name }} 60 IN A 10.9.9.9"]}),
    ("a template for another type passes on", {"x.server": "azure.com {\n  template IN MX {\n    rcode NXDOMAIN\n  }\n"
                                                           "  forward . 8.8.8.8\n}\n"}, DP, {"action": "forward"}),
    ("a template whose regex misses, no fallthrough: SERVFAIL", {"x.server": "azure.com {\n  template ANY ANY {\n"
                                                                             "    match ^nothing\\.$\n  }\n}\n"}, DP,
     {"action": "template", "rcode": "SERVFAIL"}),
]


@pytest.mark.parametrize("data,name,expected", [c[1:] for c in TEMPLATE_CASES], ids=[c[0] for c in TEMPLATE_CASES])
def test_template(data, name, expected):
    result = resolve_name(data, name)
    assert {key: result.get(key) for key in expected} == expected
