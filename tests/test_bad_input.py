"""Bad input never crashes the scan: each case is a diagnostic naming the file, and the scan goes on."""
from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

import pytest

from validator.config import Config
from validator.engine import scan

GOOD_MANIFEST = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fine\n  namespace: default\ndata: {a: b}\n"
TEMPLATE_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


def template(resources: list, **extra) -> str:
    return json.dumps({"$schema": TEMPLATE_SCHEMA, "contentVersion": "1.0.0.0", "resources": resources, **extra})


def run(tmp_path: Path, files: dict, budget: float = 10.0):
    """Scan a tree holding ``files`` next to a good manifest; the good one must still be read."""
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    (tmp_path / "good.yaml").write_text(GOOD_MANIFEST, encoding="utf-8")
    started = time.perf_counter()
    result = scan(tmp_path, Config())
    assert time.perf_counter() - started < budget
    assert result.internal_errors == 0, result.diagnostics
    assert result.resources >= 1  # the good file was still read
    return result


def diagnostics_for(result, name: str) -> list:
    return [d for d in result.diagnostics if d.path == name]


@pytest.mark.parametrize("name, content, words", [
    ("truncated.json", '{"$schema": "' + TEMPLATE_SCHEMA + '", "resources": [', "invalid JSON"),
    ("malformed.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n", "YAML error"),
    ("binary.json", b"\x00\x01\x02\xff" * 100, "binary"),
    ("latin1.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: caf\xe9}\n".encode("latin-1"), "not UTF-8"),
    ("python-tag.yaml", "apiVersion: v1\nkind: ConfigMap\ndata: !!python/object/apply:os.system ['echo pwned']\n", "constructor"),
    ("deep.json", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
])
def test_unreadable_content_is_a_diagnostic(tmp_path, name, content, words):
    result = run(tmp_path, {name: content})
    found = diagnostics_for(result, name)
    assert found and any(words in d.message for d in found), result.diagnostics


def test_malformed_json_names_the_line(tmp_path):
    result = run(tmp_path, {"bad.json": '{\n  "a": 1,\n  "b": ,\n}'})
    (diagnostic,) = diagnostics_for(result, "bad.json")
    assert diagnostic.line == 3


def test_python_tags_are_never_constructed(tmp_path):
    marker = tmp_path / "pwned"
    run(tmp_path, {"evil.yaml": f"a: !!python/object/apply:os.system ['touch {marker}']\n"})
    assert not marker.exists()


def test_duplicate_keys_are_reported(tmp_path):
    result = run(tmp_path, {
        "dup.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n",
        "dup.json": '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "Name": "b"}}',
    })
    assert any("duplicate YAML key 'name'" in d.message and d.line == 5 for d in diagnostics_for(result, "dup.yaml"))
    assert any("duplicate JSON key" in d.message for d in diagnostics_for(result, "dup.json"))


def test_yaml_alias_bomb_is_refused_quickly(tmp_path):
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ",".join(f"*{prev}" for _ in range(9)) + "]")
    result = run(tmp_path, {"bomb.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n" + "\n".join(lines) + "\n"}, budget=5)
    assert any("alias" in d.message for d in diagnostics_for(result, "bomb.yaml"))


def test_huge_template_is_skipped_without_reading(tmp_path):
    big = tmp_path / "huge.json"
    with open(big, "wb") as handle:
        handle.truncate(60 * 1024 * 1024)  # sparse: 60 MB on paper, no time to write
    result = run(tmp_path, {}, budget=5)
    assert any("limit" in d.message for d in diagnostics_for(result, "huge.json"))


def test_ten_megabyte_line_is_parsed(tmp_path):
    value = "x" * (10 * 1024 * 1024)
    result = run(tmp_path, {"long.yaml": f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: long}}\ndata: {{big: {value}}}\n"})
    assert not diagnostics_for(result, "long.yaml")
    assert result.resources == 2


def test_utf8_bom_is_valid(tmp_path):
    result = run(tmp_path, {"bom.yaml": "\ufeff" + GOOD_MANIFEST.replace("fine", "bom"),
                            "bom.json": "\ufeff" + template([])})
    assert not diagnostics_for(result, "bom.yaml") and not diagnostics_for(result, "bom.json")
    assert result.resources == 2


def test_unrendered_helm_template_is_reported_not_parsed(tmp_path):
    helm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n{{- if .Values.x }}\ndata: {}\n{{- end }}\n"
    result = run(tmp_path, {"chart/templates/cm.yaml": helm})
    found = diagnostics_for(result, "chart/templates/cm.yaml")
    assert found and "template" in found[0].message


def test_template_with_unknown_function_and_nested_expression(tmp_path):
    nested = "[" + "concat(" * 500 + "'a'" + ")" * 500 + "]"
    result = run(tmp_path, {
        "unknown-fn.json": template([{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01",
                                      "name": "[notAFunction('x')]", "location": "westeurope"}]),
        "nested.json": template([{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01",
                                  "name": nested, "location": "westeurope"}]),
    })
    assert diagnostics_for(result, "unknown-fn.json")
    assert diagnostics_for(result, "nested.json")


def test_linked_template_outside_root_is_not_read(tmp_path):
    outside = tmp_path.parent / f"{tmp_path.name}-outside.json"
    outside.write_text(template([{"type": "Microsoft.Authorization/locks", "apiVersion": "2020-05-01",
                                  "name": "secret", "properties": {"level": "ReadOnly"}}]), encoding="utf-8")
    link = {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "linked",
            "properties": {"mode": "Incremental", "templateLink": {"relativePath": f"../{outside.name}"}}}
    result = run(tmp_path, {"main.json": template([link])})
    assert any("outside" in d.message for d in diagnostics_for(result, "main.json")), result.diagnostics
    assert not any(r for r in result.findings if "secret" in r.message)


def test_links_fifos_and_loops(tmp_path):
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "self.yaml").symlink_to(tmp_path / "self.yaml")
    (tmp_path / "passwd.yaml").symlink_to("/etc/passwd")
    (tmp_path / "null.yaml").symlink_to("/dev/null")
    os.mkfifo(tmp_path / "pipe.yaml")
    result = run(tmp_path, {}, budget=5)
    for name in ("self.yaml", "passwd.yaml", "null.yaml", "pipe.yaml"):
        assert diagnostics_for(result, name), (name, result.diagnostics)


def test_unreadable_file(tmp_path, monkeypatch):
    import builtins

    real_open = builtins.open

    def guarded(path, *args, **kwargs):
        if str(path).endswith("secret.yaml"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    (tmp_path / "secret.yaml").write_text(GOOD_MANIFEST, encoding="utf-8")
    monkeypatch.setattr(builtins, "open", guarded)
    result = run(tmp_path, {})
    assert any("cannot read" in d.message for d in diagnostics_for(result, "secret.yaml"))


def test_scan_writes_nothing_and_opens_no_socket(tmp_path, monkeypatch):
    example = Path(__file__).resolve().parents[1] / "fixtures" / "example-infra"

    def no_network(*args, **kwargs):
        raise AssertionError("the scan opened a socket")

    monkeypatch.setattr(socket, "socket", no_network)
    before = {p: p.stat().st_mtime_ns for p in example.rglob("*")}
    scan(example, Config())
    after = {p: p.stat().st_mtime_ns for p in example.rglob("*")}
    assert before == after
