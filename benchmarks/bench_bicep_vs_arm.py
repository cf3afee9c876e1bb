"""Scan time of a Bicep repository against the same infrastructure written as ARM JSON (not a test).

    python benchmarks/bench_bicep_vs_arm.py [--files 400] [--backup-every 5]

Generates N Bicep templates and their N ARM JSON twins (ordinary infrastructure, and
one template in ``--backup-every`` deploying AKS backup through a module), scans each
tree in process and prints both times and their ratio (target <= 2), plus resource
and finding counts, which must agree.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scan import infra_template  # noqa: E402  (the same ARM infra template both benchmarks use)

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"


def infra_bicep(i: int) -> str:
    return f"""param prefix string = 'app{i}'
param location string = 'westeurope'
var vnetName = '${{prefix}}-vnet'
var subnets = [
  {{
    name: 'nodes'
    prefix: '10.1.0.0/22'
  }}
  {{
    name: 'pe'
    prefix: '10.1.4.0/24'
  }}
]

resource vnet 'Microsoft.Network/virtualNetworks@2023-09-01' = {{
  name: vnetName
  location: location
  properties: {{
    addressSpace: {{
      addressPrefixes: [
        '10.1.0.0/16'
      ]
    }}
    subnets: [for subnet in subnets: {{
      name: subnet.name
      properties: {{
        addressPrefix: subnet.prefix
      }}
    }}]
  }}
}}

resource sa 'Microsoft.Storage/storageAccounts@2023-05-01' = {{
  name: toLower('${{prefix}}${{uniqueString(resourceGroup().id)}}')
  location: location
  sku: {{
    name: 'Standard_ZRS'
  }}
  kind: 'StorageV2'
  properties: {{
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    networkAcls: {{
      defaultAction: 'Deny'
      bypass: 'AzureServices'
    }}
  }}
}}

resource kv 'Microsoft.KeyVault/vaults@2023-07-01' = {{
  name: 'kv-${{prefix}}'
  location: location
  properties: {{
    tenantId: subscription().tenantId
    sku: {{
      family: 'A'
      name: 'standard'
    }}
    enableRbacAuthorization: true
  }}
}}

resource uai 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {{
  name: 'id-${{prefix}}'
  location: location
}}

output vnetId string = vnet.id
"""


def backup_bicep(i: int) -> tuple[str, str]:
    main = f"""param clusterName string = 'aks-{i}'
param location string = 'westeurope'

resource cluster 'Microsoft.ContainerService/managedClusters@2024-05-01' = {{
  name: clusterName
  location: location
  identity: {{
    type: 'SystemAssigned'
  }}
  properties: {{
    dnsPrefix: clusterName
    agentPoolProfiles: [
      {{
        name: 'sys'
        count: 3
        vmSize: 'Standard_D4s_v5'
        mode: 'System'
      }}
    ]
  }}
}}

module backup 'backup.bicep' = {{
  name: 'backup'
  params: {{
    clusterName: cluster.name
    location: location
  }}
}}

resource reader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {{
  name: guid(cluster.id, 'vault-reader')
  scope: cluster
  properties: {{
    principalId: backup.outputs.vaultPrincipalId
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '{READER}')
    principalType: 'ServicePrincipal'
  }}
}}

resource lock 'Microsoft.Authorization/locks@2020-05-01' = {{
  name: 'lock-{i}'
  properties: {{
    level: 'CanNotDelete'
  }}
}}
"""
    module = """param clusterName string
param location string
var vaultName = 'bv-${clusterName}'

resource vault 'Microsoft.DataProtection/backupVaults@2024-04-01' = {
  name: vaultName
  location: location
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    storageSettings: [
      {
        datastoreType: 'VaultStore'
        type: 'LocallyRedundant'
      }
    ]
  }
}

resource instance 'Microsoft.DataProtection/backupVaults/backupInstances@2024-04-01' = {
  parent: vault
  name: clusterName
  properties: {
    dataSourceInfo: {
      resourceID: resourceId('Microsoft.ContainerService/managedClusters', clusterName)
    }
    policyInfo: {
      policyId: resourceId('Microsoft.DataProtection/backupVaults/backupPolicies', vaultName, 'p')
      policyParameters: {
        dataStoreParametersList: [
          {
            objectType: 'AzureOperationalStoreParameters'
            dataStoreType: 'OperationalStore'
            resourceGroupId: resourceGroup().id
          }
        ]
      }
    }
  }
}

output vaultPrincipalId string = vault.identity.principalId
"""
    return main, module


def backup_arm(i: int) -> tuple[dict, dict]:
    cluster = "[resourceId('Microsoft.ContainerService/managedClusters', parameters('clusterName'))]"
    main = {
        "$schema": SCHEMA, "contentVersion": "1.0.0.0",
        "parameters": {"clusterName": {"type": "string", "defaultValue": f"aks-{i}"},
                       "location": {"type": "string", "defaultValue": "westeurope"}},
        "resources": [
            {"type": "Microsoft.ContainerService/managedClusters", "apiVersion": "2024-05-01",
             "name": "[parameters('clusterName')]", "location": "[parameters('location')]",
             "identity": {"type": "SystemAssigned"},
             "properties": {"dnsPrefix": "[parameters('clusterName')]",
                            "agentPoolProfiles": [{"name": "sys", "count": 3, "vmSize": "Standard_D4s_v5", "mode": "System"}]}},
            {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "backup",
             "properties": {"expressionEvaluationOptions": {"scope": "inner"}, "mode": "Incremental",
                            "templateLink": {"relativePath": "backup.json"},
                            "parameters": {"clusterName": {"value": "[parameters('clusterName')]"},
                                           "location": {"value": "[parameters('location')]"}}},
             "dependsOn": [cluster]},
            {"type": "Microsoft.Authorization/roleAssignments", "apiVersion": "2022-04-01",
             "name": f"[guid({cluster[1:-1]}, 'vault-reader')]", "scope": cluster,
             "properties": {"principalId": "[reference(resourceId('Microsoft.Resources/deployments', 'backup'), '2022-09-01').outputs.vaultPrincipalId.value]",
                            "roleDefinitionId": f"[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '{READER}')]",
                            "principalType": "ServicePrincipal"},
             "dependsOn": [cluster, "[resourceId('Microsoft.Resources/deployments', 'backup')]"]},
            {"type": "Microsoft.Authorization/locks", "apiVersion": "2020-05-01", "name": f"lock-{i}",
             "properties": {"level": "CanNotDelete"}},
        ],
    }
    vault = "[resourceId('Microsoft.DataProtection/backupVaults', variables('vaultName'))]"
    module = {
        "$schema": SCHEMA, "contentVersion": "1.0.0.0",
        "parameters": {"clusterName": {"type": "string"}, "location": {"type": "string"}},
        "variables": {"vaultName": "[format('bv-{0}', parameters('clusterName'))]"},
        "resources": [
            {"type": "Microsoft.DataProtection/backupVaults", "apiVersion": "2024-04-01", "name": "[variables('vaultName')]",
             "location": "[parameters('location')]", "identity": {"type": "SystemAssigned"},
             "properties": {"storageSettings": [{"datastoreType": "VaultStore", "type": "LocallyRedundant"}]}},
            {"type": "Microsoft.DataProtection/backupVaults/backupInstances", "apiVersion": "2024-04-01",
             "name": "[format('{0}/{1}', variables('vaultName'), parameters('clusterName'))]",
             "properties": {"dataSourceInfo": {"resourceID": "[resourceId('Microsoft.ContainerService/managedClusters', parameters('clusterName'))]"},
                            "policyInfo": {"policyId": "[resourceId('Microsoft.DataProtection/backupVaults/backupPolicies', variables('vaultName'), 'p')]",
                                           "policyParameters": {"dataStoreParametersList": [
                                               {"objectType": "AzureOperationalStoreParameters", "dataStoreType": "OperationalStore",
                                                "resourceGroupId": "[resourceGroup().id]"}]}}},
             "dependsOn": [vault]},
        ],
        "outputs": {"vaultPrincipalId": {"type": "string",
                                         "value": f"[reference({vault[1:-1]}, '2024-04-01', 'Full').identity.principalId]"}},
    }
    return main, module


def generate(folder: Path, count: int, backup_every: int) -> None:
    for i in range(count):
        bicep_dir, arm_dir = folder / "bicep" / f"t{i:04d}", folder / "arm" / f"t{i:04d}"
        bicep_dir.mkdir(parents=True)
        arm_dir.mkdir(parents=True)
        if i % backup_every == 0:
            main, module = backup_bicep(i)
            (bicep_dir / "main.bicep").write_text(main, encoding="utf-8")
            (bicep_dir / "backup.bicep").write_text(module, encoding="utf-8")
            main_json, module_json = backup_arm(i)
            (arm_dir / "main.json").write_text(json.dumps(main_json, indent=2), encoding="utf-8")
            (arm_dir / "backup.json").write_text(json.dumps(module_json, indent=2), encoding="utf-8")
        else:
            (bicep_dir / "main.bicep").write_text(infra_bicep(i), encoding="utf-8")
            (arm_dir / "main.json").write_text(json.dumps(infra_template(i), indent=2), encoding="utf-8")


def timed_scan(folder: Path, repeat: int) -> tuple[float, object]:
    from validator.config import Config
    from validator.engine import scan
    from validator.frontends.bicep.units import _parse

    best, result = float("inf"), None
    for _ in range(repeat):
        _parse.cache_clear()  # a scan is one process: it never finds another scan's parse trees
        started = time.perf_counter()
        result = scan(folder, Config())
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=400, help="templates of each kind")
    parser.add_argument("--backup-every", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp), args.files, args.backup_every)
        timed_scan(Path(tmp) / "arm", 1)  # warm imports and the page cache
        timed_scan(Path(tmp) / "bicep", 1)
        arm_time, arm_result = timed_scan(Path(tmp) / "arm", args.repeat)
        bicep_time, bicep_result = timed_scan(Path(tmp) / "bicep", args.repeat)
    for name, result, elapsed in (("ARM JSON", arm_result, arm_time), ("Bicep", bicep_result, bicep_time)):
        rules = sorted({f.rule_id for f in result.findings})
        print(f"{name:8}: {elapsed:.3f} s, {result.summary['resources']} resources, {len(result.findings)} findings "
              f"({', '.join(rules) or 'none'}), {len(result.diagnostics)} diagnostics")
    print(f"{args.files} templates each (backup in 1 of {args.backup_every}): Bicep / ARM = {bicep_time / arm_time:.2f} "
          "(target <= 2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
