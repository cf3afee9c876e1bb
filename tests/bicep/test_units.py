"""Bicep deployment units: the same Resources as the ARM template they compile to, located on Bicep lines."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

from validator.config import Config
from validator.engine import scan
from validator.frontends.deployment_units import ArmSource, UnitPlan, bicep_links, evaluate_arm_unit, plan_units
from validator.frontends.bicep.units import evaluate_bicep_unit
from validator.frontends.positions import JsonPositions
from validator.model import Unknown

FACTS = {"resource_group": "rg-app"}
RG = "/subscriptions/{subscriptionId}/resourceGroups/rg-app"
SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


def bicep(files: dict[str, str], template: str = "main.bicep", parameters: str | None = None, facts=FACTS):
    texts = {rel: textwrap.dedent(text).lstrip("\n") for rel, text in files.items()}
    return evaluate_bicep_unit(UnitPlan(template, parameters), texts, dict(facts))


def arm(template: dict, facts=FACTS):
    text = json.dumps(template, indent=2)
    outcome = evaluate_arm_unit(UnitPlan("main.json", None), {"main.json": ArmSource("main.json", template, "template")},
                                lambda rel: JsonPositions(text), dict(facts))
    return outcome.resources, outcome.diagnostics


def by_type(resources) -> dict:
    return {r.type: r for r in resources}


def line_of(text: str, needle: str) -> int:
    lines = textwrap.dedent(text).lstrip("\n").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


BACKUP_BICEP = """
param clusterName string = 'aks-claims'
param location string = 'westeurope'
var vaultName = 'bv-${clusterName}'

resource cluster 'Microsoft.ContainerService/managedClusters@2024-05-01' existing = {
  name: clusterName
}

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

resource policy 'Microsoft.DataProtection/backupVaults/backupPolicies@2024-04-01' = {
  parent: vault
  name: 'aks-daily'
  properties: {
    objectType: 'BackupPolicy'
    datasourceTypes: [
      'Microsoft.ContainerService/managedClusters'
    ]
  }
}

resource ext 'Microsoft.KubernetesConfiguration/extensions@2023-05-01' = {
  name: 'azure-aks-backup'
  scope: cluster
  properties: {
    extensionType: 'microsoft.dataprotection.kubernetes'
  }
}

resource reader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(cluster.id, vault.id, 'reader')
  scope: cluster
  properties: {
    principalId: vault.identity.principalId
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'acdd72a7-3385-48ef-bd42-f606fba81ae7')
    principalType: 'ServicePrincipal'
  }
}
"""

CLUSTER_ID = "[resourceId('Microsoft.ContainerService/managedClusters', parameters('clusterName'))]"
VAULT_ID = "[resourceId('Microsoft.DataProtection/backupVaults', variables('vaultName'))]"
BACKUP_ARM = {
    "$schema": SCHEMA, "contentVersion": "1.0.0.0",
    "parameters": {"clusterName": {"type": "string", "defaultValue": "aks-claims"},
                   "location": {"type": "string", "defaultValue": "westeurope"}},
    "variables": {"vaultName": "[format('bv-{0}', parameters('clusterName'))]"},
    "resources": [
        {"type": "Microsoft.DataProtection/backupVaults", "apiVersion": "2024-04-01", "name": "[variables('vaultName')]",
         "location": "[parameters('location')]", "identity": {"type": "SystemAssigned"},
         "properties": {"storageSettings": [{"datastoreType": "VaultStore", "type": "LocallyRedundant"}]}},
        {"type": "Microsoft.DataProtection/backupVaults/backupPolicies", "apiVersion": "2024-04-01",
         "name": "[format('{0}/{1}', variables('vaultName'), 'aks-daily')]",
         "properties": {"objectType": "BackupPolicy", "datasourceTypes": ["Microsoft.ContainerService/managedClusters"]},
         "dependsOn": [VAULT_ID]},
        {"type": "Microsoft.KubernetesConfiguration/extensions", "apiVersion": "2023-05-01", "name": "azure-aks-backup",
         "scope": CLUSTER_ID,
         "properties": {"extensionType": "microsoft.dataprotection.kubernetes"}},
        {"type": "Microsoft.Authorization/roleAssignments", "apiVersion": "2022-04-01",
         "name": f"[guid({CLUSTER_ID[1:-1]}, {VAULT_ID[1:-1]}, 'reader')]",
         "scope": CLUSTER_ID,
         "properties": {"principalId": f"[reference({VAULT_ID[1:-1]}, '2024-04-01', 'Full').identity.principalId]",
                        "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'acdd72a7-3385-48ef-bd42-f606fba81ae7')]",
                        "principalType": "ServicePrincipal"},
         "dependsOn": [VAULT_ID]},
    ],
}


def test_bicep_and_its_arm_twin_give_the_same_resources():
    resources, diagnostics = bicep({"main.bicep": BACKUP_BICEP})
    twins, arm_diagnostics = arm(BACKUP_ARM)
    assert diagnostics == [] and arm_diagnostics == []
    deployed = [r for r in resources if not r.body.get("existing")]
    assert [(r.type, r.name, r.id, r.scope, r.condition) for r in deployed] == \
        [(r.type, r.name, r.id, r.scope, r.condition) for r in twins]
    for mine, theirs in zip(deployed, twins):
        assert mine.body == theirs.body, mine.type
        assert mine.depends_on == theirs.depends_on, mine.type
        assert mine.source_format == "bicep" and mine.unit == "main.bicep" and mine.file == "main.bicep"


def test_principal_of_a_symbolic_reference_is_an_unknown_naming_the_vault():
    resources, _ = bicep({"main.bicep": BACKUP_BICEP})
    assignment = by_type(resources)["Microsoft.Authorization/roleAssignments"]
    principal = assignment.properties["principalId"]
    vault_id = f"{RG}/providers/Microsoft.DataProtection/backupVaults/bv-aks-claims"
    assert isinstance(principal, Unknown)
    assert (principal.ref, principal.path) == (vault_id, ("identity", "principalId"))


def test_extension_resources_live_in_the_cluster_scope():
    resources, _ = bicep({"main.bicep": BACKUP_BICEP})
    cluster_id = f"{RG}/providers/Microsoft.ContainerService/managedClusters/aks-claims"
    extension = by_type(resources)["Microsoft.KubernetesConfiguration/extensions"]
    assert extension.scope == cluster_id
    assert extension.id == f"{cluster_id}/providers/Microsoft.KubernetesConfiguration/extensions/azure-aks-backup"
    cluster = by_type(resources)["Microsoft.ContainerService/managedClusters"]
    assert cluster.body["existing"] is True and cluster.id == cluster_id


def test_properties_point_at_their_bicep_lines():
    resources, _ = bicep({"main.bicep": BACKUP_BICEP})
    vault = by_type(resources)["Microsoft.DataProtection/backupVaults"]
    assert vault.location.line == line_of(BACKUP_BICEP, "resource vault")
    assert vault.location_of("properties", "storageSettings", 0, "type").line == \
        line_of(BACKUP_BICEP, "type: 'LocallyRedundant'")
    assert vault.location_of("identity", "type", "not-there").line == line_of(BACKUP_BICEP, "type: 'SystemAssigned'")
    assignment = by_type(resources)["Microsoft.Authorization/roleAssignments"]
    location = assignment.location_of("properties", "principalId")
    assert (location.path, location.line, location.column) == ("main.bicep", line_of(BACKUP_BICEP, "principalId:"), 5)


def test_parent_and_nested_children_get_full_types_names_and_ids():
    resources, diagnostics = bicep({"main.bicep": """
        resource sa 'Microsoft.Storage/storageAccounts@2023-05-01' = {
          name: 'stapp'
          location: 'westeurope'
          resource blob 'blobServices' = {
            name: 'default'
            resource logs 'containers' = {
              name: 'logs'
            }
          }
        }
        resource other 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
          parent: sa::blob
          name: 'other'
        }
        output nested string = sa::blob::logs.id
        output short string = sa::blob.name
    """})
    assert diagnostics == []
    sa = f"{RG}/providers/Microsoft.Storage/storageAccounts/stapp"
    assert [(r.type, r.name, r.id, r.body["apiVersion"]) for r in resources] == [
        ("Microsoft.Storage/storageAccounts", "stapp", sa, "2023-05-01"),
        ("Microsoft.Storage/storageAccounts/blobServices", "stapp/default", f"{sa}/blobServices/default", "2023-05-01"),
        ("Microsoft.Storage/storageAccounts/blobServices/containers", "stapp/default/logs",
         f"{sa}/blobServices/default/containers/logs", "2023-05-01"),
        ("Microsoft.Storage/storageAccounts/blobServices/containers", "stapp/default/other",
         f"{sa}/blobServices/default/containers/other", "2023-05-01"),
    ]
    assert resources[2].depends_on == (f"{sa}/blobServices/default",)
    assert resources[3].depends_on == (f"{sa}/blobServices/default",)


def test_loops_with_filters_ranges_and_unknown_counts():
    resources, diagnostics = bicep({"main.bicep": """
        param names array = ['a', 'b', 'c']
        param count int
        resource sas 'Microsoft.Storage/storageAccounts@2023-05-01' = [for (n, i) in names: if (n != 'b') {
          name: 'st${n}${i}'
          location: 'westeurope'
        }]
        resource ids 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = [for i in range(0, 2): {
          name: 'id-${i}'
          location: 'westeurope'
          tags: {
            first: sas[0].name
          }
        }]
        resource many 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = [for i in range(0, count): {
          name: 'many-${i}'
        }]
        var evens = [for i in range(0, 6): i * 2]
        resource last 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
          name: 'last-${evens[^1]}'
          tags: {
            filtered: string(filter(evens, e => e > 4))
          }
        }
    """})
    assert diagnostics == []
    names = [r.name for r in resources]
    assert names[:4] == ["sta0", "stc2", "id-0", "id-1"]
    assert resources[2].body["tags"] == {"first": "sta0"}
    assert resources[2].depends_on == (f"{RG}/providers/Microsoft.Storage/storageAccounts/sta0",)
    unknown_count = resources[4]
    assert isinstance(unknown_count.name, Unknown) and isinstance(unknown_count.condition, Unknown)
    assert resources[5].name == "last-10" and resources[5].body["tags"] == {"filtered": "[6,8,10]"}


def test_conditions_drop_false_and_keep_unknown():
    resources, _ = bicep({"main.bicep": """
        param deploy bool
        resource off 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = if (false) {
          name: 'off'
        }
        resource maybe 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = if (deploy) {
          name: 'maybe'
        }
    """})
    assert [r.name for r in resources] == ["maybe"]
    assert isinstance(resources[0].condition, Unknown)


MODULE_MAIN = """
targetScope = 'subscription'
param env string = 'prod'
resource rg 'Microsoft.Resources/resourceGroups@2023-07-01' = {
  name: 'rg-backup-${env}'
  location: 'westeurope'
}
module backup 'modules/vault.bicep' = {
  name: 'backup-${env}'
  scope: resourceGroup(rg.name)
  params: {
    vaultName: 'bv-${env}'
  }
}
module registry 'br/public:avm/res/storage/storage-account:0.9.0' = {
  name: 'registry'
  scope: resourceGroup(rg.name)
}
module outside '../../elsewhere.bicep' = {
  name: 'outside'
  scope: resourceGroup(rg.name)
}
resource reader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(backup.outputs.vaultId, 'reader')
  properties: {
    principalId: backup.outputs.principalId
    fromRegistry: registry.outputs.id
  }
}
"""
MODULE_VAULT = """
param vaultName string
resource vault 'Microsoft.DataProtection/backupVaults@2024-04-01' = {
  name: vaultName
  location: resourceGroup().location
  identity: {
    type: 'SystemAssigned'
  }
}
output vaultId string = vault.id
output principalId string = vault.identity.principalId
"""


def test_module_outputs_carry_unknown_references_to_the_module_resources():
    resources, diagnostics = bicep({"infra/main.bicep": MODULE_MAIN, "infra/modules/vault.bicep": MODULE_VAULT},
                                   template="infra/main.bicep")
    vault_id = "/subscriptions/{subscriptionId}/resourceGroups/rg-backup-prod/providers/Microsoft.DataProtection/backupVaults/bv-prod"
    types = by_type(resources)
    vault = types["Microsoft.DataProtection/backupVaults"]
    assert (vault.id, vault.file, vault.scope) == (vault_id, "infra/modules/vault.bicep",
                                                   "/subscriptions/{subscriptionId}/resourceGroups/rg-backup-prod")
    assert vault.body["location"] == "westeurope"  # resourceGroup().location of the group main.bicep creates
    reader = types["Microsoft.Authorization/roleAssignments"]
    principal = reader.properties["principalId"]
    assert (principal.ref, principal.path) == (vault_id, ("identity", "principalId"))
    assert isinstance(reader.properties["fromRegistry"], Unknown)
    assert reader.id.startswith("/subscriptions/{subscriptionId}/providers/Microsoft.Authorization/roleAssignments/")
    deployment = "/subscriptions/{subscriptionId}/resourceGroups/rg-backup-prod/providers/Microsoft.Resources/deployments/backup-prod"
    assert deployment in reader.depends_on
    kinds = sorted((d.path, d.line, d.kind, d.severity) for d in diagnostics)
    assert kinds == [("infra/main.bicep", line_of(MODULE_MAIN, "module registry"), "unsupported", "info"),
                     ("infra/main.bicep", line_of(MODULE_MAIN, "module outside"), "module", "info")]
    module = next(r for r in resources if r.name == "backup-prod")
    assert module.location_of("properties", "parameters", "vaultName", "value").line == \
        line_of(MODULE_MAIN, "vaultName: 'bv-${env}'")


def test_bicepparam_and_json_parameter_files():
    main = """
        param vaultName string
        param owner string
        param tier string = 'VaultStore'
        resource vault 'Microsoft.DataProtection/backupVaults@2024-04-01' = {
          name: vaultName
          tags: {
            owner: owner
            tier: tier
          }
        }
    """
    files = {"main.bicep": main,
             "main.prod.bicepparam": """
                 using './main.bicep'
                 var prefix = 'bv'
                 param vaultName = '${prefix}-prod'
                 param owner = readEnvironmentVariable('OWNER', 'platform')
             """,
             "main.parameters.json": json.dumps({"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
                                                 "contentVersion": "1.0.0.0",
                                                 "parameters": {"vaultName": {"value": "bv-json"}, "owner": {"value": "me"}}})}
    resources, diagnostics = bicep(files, parameters="main.prod.bicepparam")
    assert diagnostics == []
    assert resources[0].name == "bv-prod" and isinstance(resources[0].body["tags"]["owner"], Unknown)
    assert resources[0].unit == "main.bicep+main.prod.bicepparam"
    resources, _ = bicep(files, parameters="main.parameters.json")
    assert resources[0].name == "bv-json" and resources[0].body["tags"] == {"owner": "me", "tier": "VaultStore"}
    resources, _ = bicep(files)
    assert resources[0].name == Unknown("parameter 'vaultName' has no value")


def test_units_pair_bicepparam_files_by_using_and_skip_module_only_files():
    texts = {"infra/main.bicep": "module m './mod.bicep' = {\n  name: 'm'\n}\n", "infra/mod.bicep": "",
             "infra/dev.bicepparam": "using './main.bicep'\n"}
    modules, using = bicep_links(list(texts), texts)
    assert modules == {"infra/mod.bicep"} and using == {"infra/dev.bicepparam": "infra/main.bicep"}
    units, unmatched = plan_units(["infra/main.bicep", "infra/mod.bicep"], ["infra/dev.bicepparam"], modules, using)
    assert [u.name for u in units] == ["infra/main.bicep+infra/dev.bicepparam"] and unmatched == []


def test_expressions_map_onto_arm_semantics():
    resources, diagnostics = bicep({"shared.bicep": """
        @export()
        var suffix = 'weu'
        @export()
        func prefixed(name string) string => 'x-${name}'
        @export()
        type retention = { days: int }
    """, "main.bicep": """
        import { suffix, prefixed } from 'shared.bicep'
        import * as shared from 'shared.bicep'
        func twice(n int) int => n * 2
        param maybe object = {}
        var settings = { Tier: 'Standard', nested: { a: 1 } }
        resource id 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
          name: prefixed('id-${suffix}')
          tags: {
            caseInsensitive: string('ABC' =~ 'abc')
            caseSensitive: string('ABC' == 'abc')
            notEqual: string(1 != 2)
            coalesced: maybe.?missing ?? 'fallback'
            safeIndex: string(maybe[?'x'])
            nonNull: settings.nested!.a == 1 ? 'yes' : 'no'
            tier: settings.tier
            sum: string(1 + 2 * 3 - 4 / 2 % 3)
            twice: string(twice(21))
            namespaced: shared.prefixed(shared.suffix)
            mapped: join(map(['a', 'b'], x => toUpper(x)), ',')
            sorted: string(sort([3, 1, 2], (a, b) => a < b))
            reduced: string(reduce([1, 2, 3], 0, (acc, x) => acc + x))
            object: string(toObject(['a'], k => k, k => length(k)))
            short: string(!(true && false) || false)
            sysCall: sys.toLower('ABC')
            bool: string(az.resourceGroup().name == 'rg-app')
            text: '${1}-${true}-${null}'
          }
        }
    """})
    assert diagnostics == []
    assert resources[0].name == "x-id-weu"
    assert resources[0].body["tags"] == {
        "caseInsensitive": "True", "caseSensitive": "False", "notEqual": "True", "coalesced": "fallback",
        "safeIndex": "", "nonNull": "yes", "tier": "Standard", "sum": "5", "twice": "42", "namespaced": "x-weu",
        "mapped": "A,B", "sorted": "[1,2,3]", "reduced": "6", "object": '{"a":1}', "short": "True",
        "sysCall": "abc", "bool": "True", "text": "1-True-"}


def test_identifiers_and_string_literals_stay_distinct():
    resources, _ = bicep({"main.bicep": """
        param name string = 'from-param'
        resource a 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
          name: name
          tags: {
            name: 'name'
            '${name}': 'key'
          }
        }
    """})
    assert resources[0].name == "from-param"
    assert resources[0].body["tags"] == {"name": "name", "from-param": "key"}


def test_errors_are_located_diagnostics_never_exceptions():
    resources, diagnostics = bicep({"main.bicep": """
        resource a 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
          name: 'a'
          tags: {
            bad: nope(1)
            worse: undeclared
            typed: 1 + 'x'
          }
        }
    """})
    assert resources[0].name == "a" and all(isinstance(v, Unknown) for v in resources[0].body["tags"].values())
    assert sorted((d.line, d.kind) for d in diagnostics) == [(4, "unknown-function"), (5, "expression-error"),
                                                              (6, "expression-error")]
    resources, diagnostics = bicep({"main.bicep": "resource a 'T@1' = {\n  name: \n"})
    assert resources == [] and [(d.kind, d.line) for d in diagnostics] == [("parse-error", 2)]


def test_module_cycles_stop_at_the_depth_limit():
    resources, diagnostics = bicep({"a.bicep": "module b 'b.bicep' = {\n  name: 'b'\n}\n",
                                    "b.bicep": "module a 'a.bicep' = {\n  name: 'a'\n}\n"}, template="a.bicep")
    assert len(resources) == 11
    assert [d.kind for d in diagnostics] == ["nesting-limit"]


def test_scan_reads_bicep_units_with_their_parameter_files(tmp_path: Path):
    (tmp_path / "infra" / "modules").mkdir(parents=True)
    (tmp_path / "infra" / "main.bicep").write_text(textwrap.dedent(MODULE_MAIN).replace(
        "module registry", "module registryGone").split("module registryGone")[0])
    (tmp_path / "infra" / "modules" / "vault.bicep").write_text(MODULE_VAULT)
    (tmp_path / "infra" / "main.prod.bicepparam").write_text("using './main.bicep'\nparam env = 'prd'\n")
    result = scan(tmp_path, Config())
    assert [d for d in result.diagnostics if d.kind != "not-an-input"] == []
    assert result.resources == 3  # group, module deployment, vault (the module is not a unit of its own)


def test_scopes_named_by_symbols_functions_and_existing_resources():
    resources, diagnostics = bicep({"main.bicep": """
        targetScope = 'subscription'
        resource hub 'Microsoft.Resources/resourceGroups@2023-07-01' existing = {
          name: 'rg-hub'
        }
        resource spoke 'Microsoft.Resources/resourceGroups@2023-07-01' = {
          name: 'rg-spoke'
          location: 'westeurope'
        }
        resource dns 'Microsoft.Network/privateDnsZones@2020-06-01' existing = {
          name: 'privatelink.westeurope.azmk8s.io'
          scope: resourceGroup('other-sub', 'rg-dns')
        }
        module inHub 'mod.bicep' = {
          name: 'in-hub'
          scope: hub
        }
        module inSpoke 'mod.bicep' = {
          name: 'in-spoke'
          scope: resourceGroup(spoke.name)
        }
        module atTenant 'tenant.bicep' = {
          name: 'at-tenant'
          scope: tenant()
        }
    """, "mod.bicep": """
        resource id 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
          name: 'uai'
        }
    """, "tenant.bicep": """
        targetScope = 'tenant'
        resource mg 'Microsoft.Management/managementGroups@2023-04-01' = {
          name: 'mg-platform'
        }
    """})
    assert diagnostics == []
    ids = {(r.type, r.id) for r in resources}
    sub = "/subscriptions/{subscriptionId}"
    assert ("Microsoft.Resources/resourceGroups", f"{sub}/resourceGroups/rg-spoke") in ids
    assert ("Microsoft.Network/privateDnsZones", "/subscriptions/other-sub/resourceGroups/rg-dns/providers/"
            "Microsoft.Network/privateDnsZones/privatelink.westeurope.azmk8s.io") in ids
    identities = sorted(r.id for r in resources if r.type.endswith("userAssignedIdentities"))
    assert identities == [f"{sub}/resourceGroups/rg-{g}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai"
                          for g in ("hub", "spoke")]
    assert ("Microsoft.Management/managementGroups", "/providers/Microsoft.Management/managementGroups/mg-platform") in ids
    deployment = next(r for r in resources if r.name == "in-spoke")
    assert deployment.id == f"{sub}/resourceGroups/rg-spoke/providers/Microsoft.Resources/deployments/in-spoke"
    assert deployment.depends_on == (f"{sub}/resourceGroups/rg-spoke",)


def test_module_loops_null_parameters_and_safe_chains():
    resources, diagnostics = bicep({"main.bicep": """
        param settings array = [
          { name: 'a' }
          { name: 'b', sku: { tier: 'Premium' } }
        ]
        module ids 'mod.bicep' = [for (s, i) in settings: {
          name: 'id-${i}'
          params: {
            name: s.name
            tier: s.?sku.tier
          }
        }]
        output second string = ids[1].outputs.tier
        resource reader 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
          name: 'reader'
          tags: {
            tier: ids[1].outputs.tier
            subnet: cidrSubnet('10.1.0.0/16', 24, 3)
            host: cidrHost('10.1.3.0/24', 0)
          }
        }
    """, "mod.bicep": """
        param name string
        param tier string = 'Standard'
        resource id 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
          name: name
          tags: {
            tier: tier
          }
        }
        output tier string = tier
    """})
    assert diagnostics == []
    assert [(r.name, r.body.get("tags")) for r in resources if r.file == "mod.bicep"] == [
        ("a", {"tier": "Standard"}), ("b", {"tier": "Premium"})]
    reader = next(r for r in resources if r.name == "reader")
    assert reader.body["tags"] == {"tier": "Premium", "subnet": "10.1.3.0/24", "host": "10.1.3.1"}
    assert reader.depends_on == (f"{RG}/providers/Microsoft.Resources/deployments/id-1",)


def test_loops_are_capped_with_a_diagnostic():
    resources, diagnostics = bicep({"main.bicep": """
        resource many 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = [for i in range(0, 900): {
          name: 'id-${i}'
        }]
    """})
    assert len(resources) == 800
    assert [(d.kind, d.line) for d in diagnostics] == [("copy-capped", 1)]


LOCKED_BICEP = """
param clusterName string = 'aks-pay'

resource cluster 'Microsoft.ContainerService/managedClusters@2024-05-01' = {
  name: clusterName
  location: 'westeurope'
  identity: {
    type: 'SystemAssigned'
  }
}

resource vault 'Microsoft.DataProtection/backupVaults@2024-04-01' = {
  name: 'bv-pay'
  location: 'westeurope'
  identity: {
    type: 'SystemAssigned'
  }
}

resource instance 'Microsoft.DataProtection/backupVaults/backupInstances@2024-04-01' = {
  parent: vault
  name: clusterName
  properties: {
    dataSourceInfo: {
      resourceID: cluster.id
    }
    policyInfo: {
      policyId: resourceId('Microsoft.DataProtection/backupVaults/backupPolicies', vault.name, 'p')
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

resource lock 'Microsoft.Authorization/locks@2020-05-01' = {
  name: 'keep'
  properties: {
    level: 'CanNotDelete'
  }
}
"""


def test_findings_on_bicep_point_at_bicep_lines(tmp_path: Path):
    (tmp_path / "main.bicep").write_text(textwrap.dedent(LOCKED_BICEP).lstrip("\n"))
    result = scan(tmp_path, Config(select=["AKSB-LOCK-001"]))
    assert [(f.location.path, f.location.line) for f in result.findings] == \
        [("main.bicep", line_of(LOCKED_BICEP, "level: 'CanNotDelete'"))]


def test_arm_json_modules_go_through_the_arm_evaluator():
    nested = {"$schema": SCHEMA, "contentVersion": "1.0.0.0",
              "parameters": {"vaultName": {"type": "string"}},
              "resources": [{"type": "Microsoft.DataProtection/backupVaults", "apiVersion": "2024-04-01",
                             "name": "[parameters('vaultName')]", "identity": {"type": "SystemAssigned"}}],
              "outputs": {"principalId": {"type": "string", "value": "[reference(resourceId("
                                          "'Microsoft.DataProtection/backupVaults', parameters('vaultName')), "
                                          "'2024-04-01', 'Full').identity.principalId]"}}}
    resources, diagnostics = bicep({"main.bicep": """
        module v 'nested.json' = {
          name: 'v'
          scope: resourceGroup('rg-b')
          params: {
            vaultName: 'bv'
          }
        }
        resource id 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
          name: 'x'
          tags: {
            principal: v.outputs.principalId
          }
        }
    """, "nested.json": json.dumps(nested, indent=2)})
    assert diagnostics == []
    vault_id = "/subscriptions/{subscriptionId}/resourceGroups/rg-b/providers/Microsoft.DataProtection/backupVaults/bv"
    vault = by_type(resources)["Microsoft.DataProtection/backupVaults"]
    assert (vault.id, vault.file, vault.source_format, vault.unit) == (vault_id, "nested.json", "arm", "main.bicep")
    assert vault.location_of("identity").line == line_of(json.dumps(nested, indent=2), '"identity"')
    principal = by_type(resources)["Microsoft.ManagedIdentity/userAssignedIdentities"].body["tags"]["principal"]
    assert (principal.ref, principal.path) == (vault_id, ("identity", "principalId"))
    modules, _ = bicep_links(["main.bicep"], {"main.bicep": "module v 'nested.json' = {\n}\n"})
    assert modules == {"nested.json"}


def test_module_resources_know_the_deployments_around_them():
    resources, _ = bicep({"main.bicep": MODULE_MAIN, "modules/vault.bicep": MODULE_VAULT})
    deployment = "/subscriptions/{subscriptionId}/resourceGroups/rg-backup-prod/providers/Microsoft.Resources/deployments/backup-prod"
    vault = by_type(resources)["Microsoft.DataProtection/backupVaults"]
    assert vault.deployed_by == (deployment,)
    assert by_type(resources)["Microsoft.Authorization/roleAssignments"].deployed_by == ()


def test_hostile_templates_stay_bounded():
    doubling = "\n".join(["var s0 = 'xxxxxxxxxxxxxxxx'"] + [f"var s{i} = '${{s{i - 1}}}${{s{i - 1}}}'" for i in range(1, 40)])
    resources, diagnostics = bicep({"main.bicep": doubling + """
        resource a 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
          name: 'a'
          tags: {
            big: s39
            grid: string(length([for i in range(0, 800): [for j in range(0, 800): [for k in range(0, 800): k]]]))
          }
        }
    """.replace("\n        ", "\n")})
    assert isinstance(resources[0].body["tags"]["big"], Unknown)
    assert {d.kind for d in diagnostics} == {"expression-error", "copy-capped"}


def test_extensibility_resources_have_no_arm_id():
    resources, diagnostics = bicep({"main.bicep": """
        extension kubernetes with {
          namespace: 'default'
          kubeConfig: 'x'
        } as k8s
        resource web 'apps/Deployment@v1' = {
          metadata: {
            name: 'web'
          }
          spec: {
            replicas: 2
          }
        }
    """})
    assert diagnostics == []
    web = resources[0]
    assert (web.type, web.name, isinstance(web.id, Unknown)) == ("apps/Deployment@v1", "web", True)
    assert web.body == {"extension": "kubernetes", "type": "apps/Deployment@v1",
                        "properties": {"metadata": {"name": "web"}, "spec": {"replicas": 2}}}
    assert web.location_of("properties", "spec", "replicas").line == 10


def test_bicepparam_values_for_undeclared_parameters_are_located():
    _, diagnostics = bicep({"main.bicep": "param a string\n", "main.bicepparam": "using 'main.bicep'\nparam a = 'x'\nparam b = 1\n"},
                           parameters="main.bicepparam")
    assert [(d.path, d.line, d.kind) for d in diagnostics] == [("main.bicepparam", 3, "parameter-error")]


def test_explicit_depends_on_keeps_the_symbols_it_lists():
    """``dependsOn: [reader, ids[1]]`` and ``dependsOn: [ids]`` name those resources, as the compiled dependsOn does."""
    resources, diagnostics = bicep({"main.bicep": """
        resource vault 'Microsoft.DataProtection/backupVaults@2024-04-01' = {
          name: 'bv'
          location: 'westeurope'
        }
        resource reader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
          name: guid('reader')
          scope: vault
          properties: {
            principalId: vault.identity.principalId
          }
        }
        resource ids 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = [for i in range(0, 2): {
          name: 'id-${i}'
          location: 'westeurope'
        }]
        resource instance 'Microsoft.DataProtection/backupVaults/backupInstances@2024-04-01' = {
          parent: vault
          name: 'aks'
          dependsOn: [
            reader
            ids[1]
          ]
        }
        resource policy 'Microsoft.DataProtection/backupVaults/backupPolicies@2024-04-01' = {
          parent: vault
          name: 'daily'
          dependsOn: [
            ids
          ]
        }
    """})
    assert diagnostics == []
    by_name = {r.name: r for r in resources}
    vault = by_name["bv"].id
    reader = next(r.id for r in resources if r.type == "Microsoft.Authorization/roleAssignments")
    identity = f"{RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-"
    assert by_name["bv/aks"].depends_on == (vault, reader, identity + "1")
    assert by_name["bv/daily"].depends_on == (vault, identity + "0", identity + "1")
