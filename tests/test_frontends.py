"""Front-ends: Kubernetes manifests, extension Helm values and deployment units."""
from __future__ import annotations

from pathlib import Path

from validator.config import Config
from validator.engine import Result, load_resources
from validator.frontends.deployment_units import UnitLinks, UnitPlan, environment, plan_units


def load(tmp_path: Path, files: dict) -> tuple[list, Result]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    result = Result()
    resources, _ = load_resources(tmp_path, Config(), result)
    return resources, result


def test_multi_document_yaml_and_lists(tmp_path):
    resources, result = load(tmp_path, {"k8s.yaml": (
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n"
        "apiVersion: v1\nkind: List\nitems:\n"
        "  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: c, namespace: a}\n"
        "  - apiVersion: networking.k8s.io/v1\n    kind: NetworkPolicy\n    metadata: {name: np, namespace: a}\n    spec: {podSelector: {}}\n")})
    assert sorted(r.type for r in resources) == ["k8s:ConfigMap", "k8s:Namespace", "k8s:networking.k8s.io/NetworkPolicy"]
    policy = next(r for r in resources if r.name == "np")
    assert policy.scope == "a" and policy.location.line == 11
    assert policy.location_of("spec", "podSelector").line == 14


def test_other_yaml_is_not_an_input(tmp_path):
    resources, result = load(tmp_path, {".github/workflows/ci.yml": "on: push\njobs: {}\n"})
    assert resources == [] and result.diagnostics == []


def test_extension_helm_values_nested_and_flat(tmp_path):
    resources, _ = load(tmp_path, {"values/backup.yaml": (
        "configuration:\n  backupStorageLocation:\n    bucket: aks-backup\n    config:\n      useAAD: true\n"
        "resources.limits.memory: 4400Mi\n")})
    (extension,) = resources
    settings = extension.properties["configurationSettings"]
    assert settings["configuration.backupStorageLocation.bucket"] == "aks-backup"
    assert settings["configuration.backupStorageLocation.config.useAAD"] == "true"
    assert extension.location_of("properties", "configurationSettings", "resources.limits.memory").line == 6
    assert extension.location_of("properties", "configurationSettings", "configuration.backupStorageLocation.bucket").line == 3


def test_parameter_files_pair_with_their_template():
    units, unmatched = plan_units(
        ["infra/main.json", "infra/net.json", "infra/modules/lock.json"],
        ["infra/main.parameters.dev.json", "infra/main.prod.parameters.json", "infra/parameters-net.json", "infra/orphan.parameters.json"],
        {"infra/modules/lock.json"})
    assert [(u.template, u.parameters) for u in units] == [
        ("infra/main.json", "infra/main.parameters.dev.json"), ("infra/main.json", "infra/main.prod.parameters.json"),
        ("infra/net.json", "infra/parameters-net.json")]
    assert unmatched == ["infra/orphan.parameters.json"]


def test_environments_never_link():
    dev = UnitPlan("main.json", "main.parameters.dev.json")
    prod = UnitPlan("main.json", "main.parameters.prod.json")
    net_dev = UnitPlan("net.json", "net.parameters.dev.json")
    net_prod = UnitPlan("net.json", "net.parameters.prod.json")
    shared = UnitPlan("rg.json", None)
    links = UnitLinks([dev, prod, net_dev, net_prod, shared])
    assert environment("main.parameters.dev.json") == "dev" and environment("main.parameters.json") is None
    assert not links(dev.name, prod.name)
    assert links(dev.name, net_dev.name) and not links(dev.name, net_prod.name)
    assert links(dev.name, shared.name) and links(dev.name, "kubernetes")
