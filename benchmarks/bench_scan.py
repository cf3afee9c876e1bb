"""Speed of a scan, measured in one run (not a test): ``python benchmarks/bench_scan.py``.

1. One small file, wall time of the whole ``validate`` process (interpreter start included);
   target < 0.3 s.
2. A generated repository of N ARM/YAML files (default 1,000): time of the full scan in process
   versus the time of merely parsing the same files with ``json`` + ``yaml.CSafeLoader``;
   target ratio <= 2.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


def infra_template(i: int) -> dict:
    """A typical platform template with no backup resources: network, storage, key vault, identity
    (written as Bicep compiles interpolation, so benchmarks/bench_bicep_vs_arm.py can twin it)."""
    return {
        "$schema": SCHEMA, "contentVersion": "1.0.0.0",
        "parameters": {"prefix": {"type": "string", "defaultValue": f"app{i}"},
                       "location": {"type": "string", "defaultValue": "westeurope"}},
        "variables": {"vnetName": "[format('{0}-vnet', parameters('prefix'))]",
                      "subnets": [{"name": "nodes", "prefix": "10.1.0.0/22"}, {"name": "pe", "prefix": "10.1.4.0/24"}]},
        "resources": [
            {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01", "name": "[variables('vnetName')]",
             "location": "[parameters('location')]",
             "properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]},
                            "copy": [{"name": "subnets", "count": "[length(variables('subnets'))]",
                                      "input": {"name": "[variables('subnets')[copyIndex('subnets')].name]",
                                                "properties": {"addressPrefix": "[variables('subnets')[copyIndex('subnets')].prefix]"}}}]}},
            {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01",
             "name": "[toLower(format('{0}{1}', parameters('prefix'), uniqueString(resourceGroup().id)))]",
             "location": "[parameters('location')]", "sku": {"name": "Standard_ZRS"}, "kind": "StorageV2",
             "properties": {"minimumTlsVersion": "TLS1_2", "allowBlobPublicAccess": False,
                            "networkAcls": {"defaultAction": "Deny", "bypass": "AzureServices"}}},
            {"type": "Microsoft.KeyVault/vaults", "apiVersion": "2023-07-01", "name": "[format('kv-{0}', parameters('prefix'))]",
             "location": "[parameters('location')]",
             "properties": {"tenantId": "[subscription().tenantId]", "sku": {"family": "A", "name": "standard"},
                            "enableRbacAuthorization": True}},
            {"type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31",
             "name": "[format('id-{0}', parameters('prefix'))]", "location": "[parameters('location')]"},
        ],
        "outputs": {"vnetId": {"type": "string", "value": "[resourceId('Microsoft.Network/virtualNetworks', variables('vnetName'))]"}},
    }


def arm_template(i: int) -> dict:
    cluster = "[resourceId('Microsoft.ContainerService/managedClusters', parameters('clusterName'))]"
    return {
        "$schema": SCHEMA, "contentVersion": "1.0.0.0",
        "parameters": {"clusterName": {"type": "string", "defaultValue": f"aks-{i}"},
                       "location": {"type": "string", "defaultValue": "westeurope"}},
        "variables": {"vault": "[concat('bv-', parameters('clusterName'))]"},
        "resources": [
            {"type": "Microsoft.ContainerService/managedClusters", "apiVersion": "2024-05-01",
             "name": "[parameters('clusterName')]", "location": "[parameters('location')]",
             "identity": {"type": "SystemAssigned"},
             "properties": {"dnsPrefix": "[parameters('clusterName')]",
                            "agentPoolProfiles": [{"name": "sys", "count": 3, "vmSize": "Standard_D4s_v5", "mode": "System"}]}},
            {"type": "Microsoft.DataProtection/backupVaults", "apiVersion": "2024-04-01", "name": "[variables('vault')]",
             "location": "[parameters('location')]", "identity": {"type": "SystemAssigned"},
             "properties": {"storageSettings": [{"datastoreType": "VaultStore", "type": "LocallyRedundant"}]}},
            {"type": "Microsoft.DataProtection/backupVaults/backupInstances", "apiVersion": "2024-04-01",
             "name": "[format('{0}/{1}', variables('vault'), parameters('clusterName'))]",
             "properties": {"dataSourceInfo": {"resourceID": cluster},
                            "policyInfo": {"policyId": "[resourceId('Microsoft.DataProtection/backupVaults/backupPolicies', variables('vault'), 'p')]",
                                           "policyParameters": {"dataStoreParametersList": [
                                               {"objectType": "AzureOperationalStoreParameters", "dataStoreType": "OperationalStore",
                                                "resourceGroupId": "[resourceGroup().id]"}]}}}},
            {"type": "Microsoft.Authorization/locks", "apiVersion": "2020-05-01", "name": f"lock-{i}",
             "properties": {"level": "CanNotDelete"}},
        ],
    }


def manifest(i: int) -> str:
    return (f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np-{i}\n  namespace: team-{i % 20}\n"
            "spec:\n  podSelector:\n    matchLabels: {app: web}\n  policyTypes: [Ingress, Egress]\n"
            "  egress:\n    - to:\n        - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}\n      ports:\n        - {port: 443, protocol: TCP}\n"
            f"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\n  namespace: team-{i % 20}\ndata:\n  key: value-{i}\n")


def generate(folder: Path, count: int, backup_every: int) -> list[Path]:
    """Half ARM templates, half manifests; one template in ``backup_every`` deploys AKS backup
    (with planted problems), the others are ordinary infrastructure."""
    files = []
    for i in range(count):
        if i % 2 == 0:
            path = folder / f"arm/t{i:04d}/main.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            body = arm_template(i) if (i // 2) % backup_every == 0 else infra_template(i)
            path.write_text(json.dumps(body, indent=2), encoding="utf-8")
        else:
            path = folder / f"k8s/m{i:04d}.yaml"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(manifest(i), encoding="utf-8")
        files.append(path)
    return files


def parse_only(files: list[Path]) -> float:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    started = time.perf_counter()
    for path in files:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            json.loads(text)
        else:
            list(yaml.load_all(text, Loader=loader))
    return time.perf_counter() - started


def full_scan(folder: Path) -> tuple[float, object]:
    from validator.config import Config
    from validator.engine import scan

    started = time.perf_counter()
    result = scan(folder, Config())
    return time.perf_counter() - started, result


def one_file_wall(repeat: int) -> list[float]:
    # as installed: bytecode cached (pip compiles it; a first warm-up run writes it here)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "netpol.yaml").write_text(manifest(1), encoding="utf-8")
        command = [sys.executable, "-m", "validator.cli", tmp, "--fail-on", "none"]
        subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, check=True, env=env)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, check=True, env=env)
            times.append(time.perf_counter() - started)
        return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--backup-every", type=int, default=20,
                        help="one ARM template in N deploys AKS backup with planted problems (1: every one, the worst case)")
    args = parser.parse_args()
    times = one_file_wall(args.repeat)
    print(f"one small file, whole process: median {statistics.median(times):.3f} s (min {min(times):.3f}, target < 0.3 s)")
    with tempfile.TemporaryDirectory() as tmp:
        files = generate(Path(tmp), args.files, args.backup_every)
        parse_only(files)  # warm the page cache for both measurements
        parse_times, scan_times = [], []
        result = None
        for _ in range(3):
            parse_times.append(parse_only(files))
            elapsed, result = full_scan(Path(tmp))
            scan_times.append(elapsed)
        parse, full = min(parse_times), min(scan_times)
        print(f"{args.files} files (backup in 1 of {args.backup_every} templates): parse only {parse:.3f} s, full scan {full:.3f} s, ratio {full / parse:.2f} (target <= 2); "
              f"{result.summary['resources']} resources, {len(result.findings)} findings, {len(result.diagnostics)} diagnostics")
    return 0


if __name__ == "__main__":
    sys.exit(main())
