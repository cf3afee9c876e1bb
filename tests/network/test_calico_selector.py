"""Calico selector language, from the operator table of
https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#selectors."""
import time

import pytest

from validator.model import Unknown
from validator.network.calico_selector import calico_selector_matches, compile_selector

LABELS = {"app": "agent", "role": "frontend", "my-label": "production", "projectcalico.org/namespace": "kube-system",
          "empty": ""}

CASES = [
    ("", True), ("   ", True), ("all()", True), ("!all()", False), ("global()", False), ("!global()", True),
    ("app == 'agent'", True), ('app == "agent"', True), ("app == 'other'", False), ("missing == 'x'", False),
    ("app != 'other'", True), ("app != 'agent'", False), ("missing != 'x'", True),
    ("has(app)", True), ("has(missing)", False), ("!has(missing)", True), ("! has(app)", False),
    ("has(empty)", True), ("empty == ''", True),
    ("role in {'frontend', 'business'}", True), ("role in {'business'}", False), ("role in {}", False),
    ("missing in {'x'}", False), ("role not in {'business'}", True), ("role not in {'frontend'}", False),
    ("missing not in {'x'}", True),
    ("my-label contains 'duct'", True), ("my-label contains 'x'", False), ("missing contains ''", False),
    ("my-label starts with 'prod'", True), ("my-label starts with 'duct'", False),
    ("my-label ends with 'tion'", True), ("my-label ends with 'prod'", False),
    ("projectcalico.org/namespace == 'kube-system'", True),
    ("app == 'agent' && role == 'frontend'", True), ("app == 'agent' && role == 'x'", False),
    ("app == 'x' || role == 'frontend'", True), ("app == 'x' || role == 'y'", False),
    # precedence: ! over && over ||, from the docs' worked example
    ("! has(my-label) || my-label starts with 'prod' && role in {'frontend','business'}", True),
    ("! has(my-label) || my-label starts with 'dev' && role in {'frontend','business'}", False),
    ("has(x) && has(y) || has(app)", True), ("has(app) || has(x) && has(y)", True),
    ("(has(app) || has(x)) && has(y)", False), ("!(app == 'agent')", False), ("!!has(app)", True),
    ("((app == 'agent'))", True),
]


@pytest.mark.parametrize("selector,expected", CASES, ids=[c[0] or "<empty>" for c in CASES])
def test_selector_matches(selector, expected):
    assert calico_selector_matches(selector, LABELS) is expected


def test_global_matches_non_namespaced_resources():
    assert calico_selector_matches("global()", {}, global_scope=True) is True


@pytest.mark.parametrize("bad", [
    "app ==", "app = 'agent'", "has(app", "app in {'x'", "app == agent", "(app == 'x'", "a == 'b' c == 'd'",
    "&&", "app not 'x'", "app starts 'x'", "app in {'x' 'y'}", "app == 'unterminated", "app ~ 'x'", "|| has(a)",
    "has()", "all(", 3,
])
def test_malformed_selectors_raise(bad):
    with pytest.raises(ValueError):
        calico_selector_matches(bad, LABELS)


def test_unknown_label_values_give_none():
    labels = {"app": Unknown("parameter 'app'")}
    assert calico_selector_matches("app == 'x'", labels) is None
    assert calico_selector_matches("app != 'x'", labels) is None
    assert calico_selector_matches("has(app)", labels) is True
    assert calico_selector_matches("app == 'x' || all()", labels) is True
    assert calico_selector_matches("app == 'x' && !all()", labels) is False


def test_selectors_are_compiled_once():
    assert compile_selector("app == 'agent'") is compile_selector("app == 'agent'")


def test_speed_many_evaluations():
    selectors = [f"app == 'a{i}' || (role in {{'x', 'y{i}'}} && !has(z{i}))" for i in range(1000)]
    start = time.perf_counter()
    for _ in range(3):
        for selector in selectors:
            calico_selector_matches(selector, LABELS)
    assert time.perf_counter() - start < 1.0


def test_deep_nesting_is_a_malformed_selector_not_a_crash():
    with pytest.raises(ValueError):
        calico_selector_matches("!" * 5000 + "all()", {})
    with pytest.raises(ValueError):
        calico_selector_matches("(" * 5000 + "all()" + ")" * 5000, {})
