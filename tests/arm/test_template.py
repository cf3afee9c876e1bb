"""Template evaluation: loops, conditions, scopes, nested and linked deployments, 2.0 templates."""
import time

from validator.frontends.arm.expressions import PLACEHOLDER_RESOURCE_GROUP, PLACEHOLDER_SUBSCRIPTION
from validator.frontends.arm.template import (
    MAX_DEPLOYMENT_DEPTH, DeploymentContext, evaluate_template,
)
from validator.model import Unknown

RG_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
SUB_SCHEMA = "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#"
CTX = DeploymentContext(subscription_id="sub1", resource_group="rg1", location="westeurope")
RG = "/subscriptions/sub1/resourceGroups/rg1"


def evaluate(template, **kwargs):
    kwargs.setdefault("context", CTX)
    kwargs.setdefault("file", "main.json")
    return evaluate_template(template, **kwargs)


def by_name(result):
    return {r.name: r for r in result.resources if isinstance(r.name, str)}


def test_parameters_defaults_variables_and_parameter_file_values():
    template = {
        "$schema": RG_SCHEMA,
        "parameters": {
            "prefix": {"type": "string", "defaultValue": "[variables('never')]"},
            "name": {"type": "string", "defaultValue": "[concat(parameters('prefix'), '-sa')]"},
            "unset": {"type": "string"},
            "secret": {"type": "securestring"},
        },
        "variables": {"never": "unused", "full": "[concat(variables('short'), 'x')]", "short": "[parameters('name')]"},
        "resources": [{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01",
                       "name": "[variables('full')]",
                       "properties": {"a": "[parameters('unset')]", "s": "[parameters('secret')]"}}],
        "outputs": {"name": {"type": "string", "value": "[parameters('name')]"}},
    }
    result = evaluate(template, parameter_values={
        "PREFIX": "p", "secret": {"reference": {"keyVault": {"id": "/kv"}, "secretName": "pw"}}})
    resource = result.resources[0]
    assert resource.name == "p-sax"
    assert resource.id == RG + "/providers/Microsoft.Storage/storageAccounts/p-sax"
    assert resource.body["properties"]["a"] == Unknown("parameter 'unset' has no value")
    assert "Key Vault secret 'pw'" in resource.body["properties"]["s"].origin
    assert resource.json_path == ("resources", 0) and resource.file == "main.json"
    assert resource.scope_id == RG and resource.condition is True and not resource.existing
    assert result.outputs == {"name": "p-sa"}
    assert result.diagnostics == []


def test_variables_that_reference_each_other_in_a_cycle_are_reported():
    template = {"variables": {"a": "[variables('b')]", "b": "[variables('a')]"}, "resources": []}
    result = evaluate(template)
    assert any("circular" in message for message, _, _ in result.diagnostics)


def test_undeclared_parameter_value_is_reported():
    result = evaluate({"resources": []}, parameter_values={"ghost": 1})
    assert result.diagnostics == [("a value is given for parameter 'ghost', which the template does not declare",
                                   ("parameters",), "parameter-error")]


def test_copy_loops_copy_index_and_count_zero():
    template = {
        "parameters": {"count": {"type": "int", "defaultValue": 3}},
        "resources": [
            {"type": "Microsoft.Network/publicIPAddresses", "apiVersion": "x",
             "name": "[concat('ip', copyIndex(1))]", "copy": {"name": "ips", "count": "[parameters('count')]"},
             "properties": {"index": "[copyIndex('ips')]"}},
            {"type": "Microsoft.Network/publicIPAddresses", "apiVersion": "x", "name": "[concat('none', copyIndex())]",
             "copy": {"name": "none", "count": 0}},
            {"type": "Microsoft.Network/loadBalancers", "apiVersion": "x", "name": "lb", "dependsOn": ["ips"]},
        ],
    }
    result = evaluate(template)
    names = [r.name for r in result.resources]
    assert names == ["ip1", "ip2", "ip3", "lb"]
    assert [r.body["properties"]["index"] for r in result.resources[:3]] == [0, 1, 2]
    lb = by_name(result)["lb"]
    assert lb.depends_on == tuple(RG + f"/providers/Microsoft.Network/publicIPAddresses/ip{i}" for i in (1, 2, 3))


def test_copy_with_unknown_count_gives_one_instance_with_unknown_condition():
    template = {"parameters": {"n": {"type": "int"}},
                "resources": [{"type": "Microsoft.Network/publicIPAddresses", "apiVersion": "x",
                               "name": "[concat('ip', copyIndex())]", "copy": {"name": "ips", "count": "[parameters('n')]"}}]}
    result = evaluate(template)
    assert len(result.resources) == 1
    resource = result.resources[0]
    assert isinstance(resource.condition, Unknown) and isinstance(resource.name, Unknown)
    assert isinstance(resource.id, Unknown)


def test_copy_beyond_arm_limit_is_capped_and_reported():
    template = {"resources": [{"type": "Microsoft.Network/publicIPAddresses", "apiVersion": "x",
                               "name": "[concat('ip', copyIndex())]", "copy": {"name": "ips", "count": 5000}}]}
    result = evaluate(template)
    assert len(result.resources) == 800
    assert [d[2] for d in result.diagnostics] == ["copy-capped"]
    assert result.diagnostics[0][1] == ("resources", 0, "copy", "count")


def test_property_and_variable_copy_and_output_copy():
    template = {
        "variables": {"copy": [{"name": "disks", "count": 2, "input": {"lun": "[copyIndex('disks')]"}}]},
        "resources": [{"type": "Microsoft.Compute/virtualMachines", "apiVersion": "x", "name": "vm",
                       "properties": {"storageProfile": {"copy": [
                           {"name": "dataDisks", "count": 3, "input": {"lun": "[copyIndex('dataDisks', 10)]"}}]},
                           "fromVariable": "[variables('disks')]"}}],
        "outputs": {"list": {"type": "array", "copy": {"count": 2, "input": "[concat('o', copyIndex())]"}}},
    }
    result = evaluate(template)
    properties = result.resources[0].body["properties"]
    assert properties["storageProfile"] == {"dataDisks": [{"lun": 10}, {"lun": 11}, {"lun": 12}]}
    assert properties["fromVariable"] == [{"lun": 0}, {"lun": 1}]
    assert result.outputs == {"list": ["o0", "o1"]}


def test_conditions_drop_false_and_keep_unknown():
    template = {"parameters": {"deploy": {"type": "bool"}},
                "resources": [
                    {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "x", "name": "off", "condition": False},
                    {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "x", "name": "offexpr",
                     "condition": "[equals(1, 2)]"},
                    {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "x", "name": "maybe",
                     "condition": "[parameters('deploy')]"},
                    {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "x", "name": "on", "condition": True}]}
    result = evaluate(template)
    names = by_name(result)
    assert set(names) == {"maybe", "on"}
    assert names["maybe"].condition == Unknown("parameter 'deploy' has no value")
    assert names["on"].condition is True


def test_nested_child_resources_get_full_type_name_id_and_depend_on_parent():
    template = {"resources": [{
        "type": "Microsoft.Storage/storageAccounts", "apiVersion": "x", "name": "sa",
        "resources": [{"type": "blobServices", "apiVersion": "x", "name": "default",
                       "resources": [{"type": "containers", "apiVersion": "x", "name": "backups",
                                      "properties": {"publicAccess": "None"}}]}]}]}
    result = evaluate(template)
    container = result.resources[-1]
    assert container.type == "Microsoft.Storage/storageAccounts/blobServices/containers"
    assert container.name == "sa/default/backups"
    assert container.id == RG + "/providers/Microsoft.Storage/storageAccounts/sa/blobServices/default/containers/backups"
    assert container.depends_on == (RG + "/providers/Microsoft.Storage/storageAccounts/sa/blobServices/default",)
    assert container.json_path == ("resources", 0, "resources", 0, "resources", 0)


def test_extension_resources_relative_full_and_legacy_forms():
    aks = RG + "/providers/Microsoft.ContainerService/managedClusters/aks"
    template = {"resources": [
        {"type": "Microsoft.Authorization/locks", "apiVersion": "x", "name": "nodelete",
         "scope": "[format('Microsoft.ContainerService/managedClusters/{0}', 'aks')]",
         "properties": {"level": "CanNotDelete"}},
        {"type": "Microsoft.Authorization/roleAssignments", "apiVersion": "x", "name": "ra1",
         "scope": "[resourceId('Microsoft.ContainerService/managedClusters', 'aks')]", "properties": {}},
        {"type": "Microsoft.Network/virtualNetworks/subnets/providers/roleAssignments", "apiVersion": "x",
         "name": "vnet/snet/Microsoft.Authorization/ra2", "properties": {}},
        {"type": "Microsoft.Authorization/locks", "apiVersion": "x", "name": "rglock",
         "scope": "[resourceGroup().id]", "properties": {}},
    ]}
    result = evaluate(template)
    lock, assignment, legacy, rg_lock = result.resources
    assert lock.id == aks + "/providers/Microsoft.Authorization/locks/nodelete"
    assert lock.scope_id == aks and lock.body["scope"] == "Microsoft.ContainerService/managedClusters/aks"
    assert assignment.id == aks + "/providers/Microsoft.Authorization/roleAssignments/ra1"
    subnet = RG + "/providers/Microsoft.Network/virtualNetworks/vnet/subnets/snet"
    assert legacy.type == "Microsoft.Authorization/roleAssignments" and legacy.name == "ra2"
    assert legacy.id == subnet + "/providers/Microsoft.Authorization/roleAssignments/ra2"
    assert legacy.scope_id == subnet
    assert rg_lock.id == RG + "/providers/Microsoft.Authorization/locks/rglock" and rg_lock.scope_id == RG


def test_expression_errors_become_unknown_with_diagnostics():
    template = {"resources": [{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "x", "name": "sa",
                               "properties": {"good": "[toUpper('a')]", "bad": "[nope(1)]", "broken": "[concat(]"}}]}
    result = evaluate(template)
    properties = result.resources[0].body["properties"]
    assert properties["good"] == "A"
    assert isinstance(properties["bad"], Unknown) and isinstance(properties["broken"], Unknown)
    assert sorted((d[1][-1], d[2]) for d in result.diagnostics) == [
        ("bad", "unknown-function"), ("broken", "expression-error")]


def _nested(evaluation_scope, template, parameters=None, **extra):
    return {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "nested",
            **extra,
            "properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": evaluation_scope},
                           "parameters": parameters or {}, "template": template}}


def test_nested_inner_scope_has_its_own_parameters():
    inner = {"$schema": RG_SCHEMA, "parameters": {"name": {"type": "string"}},
             "variables": {"v": "inner-var"},
             "resources": [{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "x",
                            "name": "[parameters('name')]", "properties": {"v": "[variables('v')]"}}],
             "outputs": {"id": {"type": "string", "value": "[resourceId('Microsoft.Storage/storageAccounts', parameters('name'))]"}}}
    template = {"variables": {"v": "outer-var"},
                "resources": [_nested("inner", inner, {"name": {"value": "[concat('sa', variables('v'))]"}})],
                "outputs": {"fromNested": {"type": "string",
                                           "value": "[reference('nested').outputs.id.value]"}}}
    result = evaluate(template)
    deployment, storage = result.resources
    assert deployment.type == "Microsoft.Resources/deployments"
    assert "template" not in deployment.body["properties"]
    assert storage.name == "saouter-var" and storage.body["properties"]["v"] == "inner-var"
    assert storage.json_path == ("resources", 0, "properties", "template", "resources", 0)
    assert result.outputs["fromNested"] == RG + "/providers/Microsoft.Storage/storageAccounts/saouter-var"


def test_nested_outer_scope_uses_the_parents_parameters_but_targets_the_nested_group():
    inner = {"parameters": {"ignored": {"type": "string", "defaultValue": "no"}},
             "resources": [{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "x",
                            "name": "[parameters('name')]", "properties": {"rg": "[resourceGroup().name]"}}]}
    template = {"parameters": {"name": {"type": "string", "defaultValue": "outer"}},
                "resources": [_nested("outer", inner, resourceGroup="other")]}
    result = evaluate(template)
    storage = result.resources[1]
    assert storage.name == "outer"
    # outer scope: expressions are the parent's (resourceGroup() is the parent's group) ...
    assert storage.body["properties"]["rg"] == "rg1"
    # ... but the resource is deployed into the nested deployment's group
    assert storage.id == "/subscriptions/sub1/resourceGroups/other/providers/Microsoft.Storage/storageAccounts/outer"
    assert storage.scope_id == "/subscriptions/sub1/resourceGroups/other"


def test_linked_template_by_relative_path():
    child = {"parameters": {"p": {"type": "string"}},
             "resources": [{"type": "Microsoft.KeyVault/vaults", "apiVersion": "x", "name": "[parameters('p')]",
                            "properties": {"bad": "[nope()]"}}]}
    requested = []

    def read_linked(path):
        requested.append(path)
        return (child, None) if path == "infra/modules/kv.json" else (None, "no such file")

    template = {"resources": [
        {"type": "Microsoft.Resources/deployments", "apiVersion": "x", "name": "kv",
         "properties": {"mode": "Incremental", "templateLink": {"relativePath": "modules/kv.json"},
                        "parameters": {"p": {"value": "vault1"}}}},
        {"type": "Microsoft.Resources/deployments", "apiVersion": "x", "name": "missing",
         "properties": {"mode": "Incremental", "templateLink": {"relativePath": "../nowhere.json"}}},
        {"type": "Microsoft.Resources/deployments", "apiVersion": "x", "name": "remote",
         "properties": {"mode": "Incremental", "templateLink": {"uri": "https://example.com/t.json"}}}]}
    result = evaluate(template, file="infra/main.json", read_linked=read_linked)
    assert requested == ["infra/modules/kv.json", "nowhere.json"]
    vault = by_name(result)["vault1"]
    assert vault.file == "infra/modules/kv.json" and vault.json_path == ("resources", 0)
    kinds = sorted((d[2], d[1]) for d in result.diagnostics)
    assert kinds == [
        ("linked-template", ("resources", 1, "properties", "templateLink", "relativePath")),
        ("linked-template", ("resources", 2, "properties", "templateLink")),
        ("unknown-function", ("resources", 0, "properties", "bad")),
    ]
    assert any(d[0].startswith("infra/modules/kv.json: ") for d in result.diagnostics)
    assert sorted({d.file for d in result.diagnostics}) == ["infra/main.json", "infra/modules/kv.json"]


def test_subscription_scope_creates_a_group_and_deploys_into_it():
    inner = {"$schema": RG_SCHEMA, "resources": [
        {"type": "Microsoft.Authorization/locks", "apiVersion": "x", "name": "keep",
         "properties": {"level": "CanNotDelete", "where": "[resourceGroup().location]"}}]}
    template = {
        "$schema": SUB_SCHEMA,
        "parameters": {"rgName": {"type": "string", "defaultValue": "rg-snap"}},
        "resources": [
            _nested("inner", inner, resourceGroup="[parameters('rgName')]",
                    dependsOn=["[subscriptionResourceId('Microsoft.Resources/resourceGroups', parameters('rgName'))]"]),
            {"type": "Microsoft.Resources/resourceGroups", "apiVersion": "x", "name": "[parameters('rgName')]",
             "location": "northeurope"},
            {"type": "Microsoft.Authorization/roleDefinitions", "apiVersion": "x", "name": "role1"},
        ]}
    result = evaluate(template)
    names = by_name(result)
    group = names["rg-snap"]
    assert group.id == "/subscriptions/sub1/resourceGroups/rg-snap" and group.scope_id == "/subscriptions/sub1"
    lock = names["keep"]
    assert lock.id == "/subscriptions/sub1/resourceGroups/rg-snap/providers/Microsoft.Authorization/locks/keep"
    assert lock.body["properties"]["where"] == "northeurope"  # the location of the group created beside it
    assert names["nested"].depends_on == ("/subscriptions/sub1/resourceGroups/rg-snap",)
    assert names["role1"].id == "/subscriptions/sub1/providers/Microsoft.Authorization/roleDefinitions/role1"


def test_resource_group_function_is_an_error_at_subscription_scope():
    template = {"$schema": SUB_SCHEMA, "resources": [
        {"type": "Microsoft.Authorization/roleDefinitions", "apiVersion": "x", "name": "[resourceGroup().name]"}]}
    result = evaluate(template)
    assert "not available in a subscription-scope deployment" in result.diagnostics[0][0]


def test_language_version_2_symbolic_resources():
    template = {
        "$schema": RG_SCHEMA, "languageVersion": "2.0",
        "definitions": {"port": {"type": "int", "minValue": 1}},
        "functions": [{"namespace": "naming", "members": {"vault": {
            "parameters": [{"name": "suffix", "type": "string"}],
            "output": {"type": "string", "value": "[format('bv-{0}', parameters('suffix'))]"}}}}],
        "resources": {
            "cluster": {"type": "Microsoft.ContainerService/managedClusters", "apiVersion": "x", "name": "aks",
                        "existing": True},
            "vault": {"type": "Microsoft.DataProtection/backupVaults", "apiVersion": "x",
                      "name": "[naming.vault('prod')]", "dependsOn": ["cluster"],
                      "properties": {"clusterPrincipal": "[reference('cluster', 'x', 'Full').identity.principalId]"}},
            "shared": {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "x", "name": "shared",
                       "existing": True, "resourceGroup": "rg-shared"},
        }}
    result = evaluate(template)
    resources = {r.symbolic_name: r for r in result.resources}
    cluster_id = RG + "/providers/Microsoft.ContainerService/managedClusters/aks"
    assert resources["cluster"].existing and resources["cluster"].id == cluster_id
    vault = resources["vault"]
    assert vault.name == "bv-prod" and vault.json_path == ("resources", "vault")
    assert vault.depends_on == (cluster_id,)
    principal = vault.body["properties"]["clusterPrincipal"]
    assert principal.ref == cluster_id and principal.path == ("identity", "principalId")
    assert resources["shared"].id == "/subscriptions/sub1/resourceGroups/rg-shared/providers/Microsoft.Storage/storageAccounts/shared"
    assert result.diagnostics == []


def test_depends_on_forms():
    template = {"resources": [
        {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "x", "name": "sa"},
        {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "x", "name": "vnet"},
        {"type": "Microsoft.Compute/virtualMachines", "apiVersion": "x", "name": "vm",
         "dependsOn": ["sa", "Microsoft.Network/virtualNetworks/vnet",
                       "[resourceId('Microsoft.Storage/storageAccounts', 'sa')]", "ghost"]}]}
    result = evaluate(template)
    vm = by_name(result)["vm"]
    assert vm.depends_on[:2] == (RG + "/providers/Microsoft.Storage/storageAccounts/sa",
                                 RG + "/providers/Microsoft.Network/virtualNetworks/vnet")
    assert len(vm.depends_on) == 3 and "ghost" in vm.depends_on[2].origin


def test_placeholders_without_configuration():
    result = evaluate({"resources": [{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "x", "name": "sa",
                                      "location": "[resourceGroup().location]"}]}, context=DeploymentContext())
    resource = result.resources[0]
    assert resource.id.startswith(f"/subscriptions/{PLACEHOLDER_SUBSCRIPTION}/resourceGroups/{PLACEHOLDER_RESOURCE_GROUP}/")
    assert resource.body["location"] == Unknown("the deployment's resource group location")


def test_nested_deployment_depth_is_limited():
    template = {"resources": []}
    for _ in range(MAX_DEPLOYMENT_DEPTH + 3):
        template = {"resources": [_nested("inner", template)]}
    started = time.monotonic()
    result = evaluate(template)
    assert time.monotonic() - started < 2
    assert [d[2] for d in result.diagnostics] == ["nesting-limit"]
    assert len(result.resources) == MAX_DEPLOYMENT_DEPTH + 1


def test_pathological_loops_stay_bounded():
    inner = {"resources": [{"type": "Microsoft.Network/publicIPAddresses", "apiVersion": "x",
                            "name": "[concat('ip', copyIndex())]", "copy": {"name": "ips", "count": 800}}]}
    template = {"resources": [{**_nested("inner", inner), "name": "[concat('d', copyIndex())]",
                               "copy": {"name": "ds", "count": 800}}]}
    started = time.monotonic()
    result = evaluate(template)
    assert time.monotonic() - started < 10
    assert any(d[2] == "copy-capped" for d in result.diagnostics)


def test_not_a_template():
    assert evaluate_template([], context=CTX).diagnostics == [("a template must be a JSON object", (), "template-error")]


def test_nested_deployment_into_an_unknown_group_and_with_an_unknown_condition():
    inner = {"resources": [{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "x", "name": "sa"}]}
    template = {"parameters": {"rg": {"type": "string"}, "on": {"type": "bool"}},
                "resources": [_nested("inner", inner, resourceGroup="[parameters('rg')]",
                                      condition="[parameters('on')]")]}
    result = evaluate(template)
    deployment, storage = result.resources
    assert isinstance(deployment.condition, Unknown)
    assert storage.condition == deployment.condition  # inherited from the deployment that holds it
    assert isinstance(storage.id, Unknown) and "parameter 'rg' has no value" in storage.id.origin
    assert isinstance(storage.scope_id, Unknown)
    assert storage.name == "sa"


def test_resources_come_back_in_file_order():
    inner = {"resources": [{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "x", "name": "inner-sa"}]}
    template = {"$schema": SUB_SCHEMA, "resources": [
        {"type": "Microsoft.Authorization/roleDefinitions", "apiVersion": "x", "name": "first"},
        _nested("inner", inner, resourceGroup="g"),
        {"type": "Microsoft.Resources/resourceGroups", "apiVersion": "x", "name": "g", "location": "x"}]}
    assert [r.name for r in evaluate(template).resources] == ["first", "nested", "inner-sa", "g"]


def test_module_outputs_flow_into_reference_and_keep_whose_identity_it_is():
    """Bicep-style: an extension on the cluster, a module creating the vault, role assignments using both."""
    vault_module = {
        "parameters": {"loc": {"type": "string"}},
        "resources": [{"type": "Microsoft.DataProtection/backupVaults", "apiVersion": "2023-05-01", "name": "vault",
                       "location": "[parameters('loc')]", "identity": {"type": "SystemAssigned"}}],
        "outputs": {"principalId": {"type": "string", "value":
                    "[reference(resourceId('Microsoft.DataProtection/backupVaults', 'vault'), '2023-05-01', 'full').identity.principalId]"}}}
    template = {
        "$schema": RG_SCHEMA, "languageVersion": "2.0",
        "parameters": {"clusterName": {"type": "string", "defaultValue": "aks1"}},
        "resources": {
            "ext": {"type": "Microsoft.KubernetesConfiguration/extensions", "apiVersion": "2023-05-01",
                    "scope": "[format('Microsoft.ContainerService/managedClusters/{0}', parameters('clusterName'))]",
                    "name": "azure-aks-backup", "properties": {"extensionType": "microsoft.dataprotection.kubernetes"}},
            "extensionRole": {"type": "Microsoft.Authorization/roleAssignments", "apiVersion": "2022-04-01",
                              "scope": "[format('Microsoft.Storage/storageAccounts/{0}', 'backupsa')]",
                              "name": "[guid('backupsa', 'ext')]", "dependsOn": ["ext"],
                              "properties": {"principalId": "[reference('ext').aksAssignedIdentity.principalId]"}},
            "vaultRole": {"type": "Microsoft.Authorization/roleAssignments", "apiVersion": "2022-04-01",
                          "scope": "[resourceId('Microsoft.ContainerService/managedClusters', parameters('clusterName'))]",
                          "name": "[guid('vault', 'reader')]", "dependsOn": ["mod"],
                          "properties": {"principalId":
                                         "[reference(resourceId('Microsoft.Resources/deployments', 'vaultModule'), '2022-09-01').outputs.principalId.value]"}},
            "mod": {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "vaultModule",
                    "properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
                                   "parameters": {"loc": {"value": "westeurope"}}, "template": vault_module}},
        }}
    result = evaluate(template)
    assert [r.symbolic_name for r in result.resources] == ["ext", "extensionRole", "vaultRole", "mod", None]
    resources = {r.symbolic_name: r for r in result.resources}
    cluster = RG + "/providers/Microsoft.ContainerService/managedClusters/aks1"
    extension_id = cluster + "/providers/Microsoft.KubernetesConfiguration/extensions/azure-aks-backup"
    assert resources["ext"].id == extension_id and resources["ext"].scope_id == cluster
    extension_principal = resources["extensionRole"].body["properties"]["principalId"]
    assert (extension_principal.ref, extension_principal.path) == (
        extension_id, ("properties", "aksAssignedIdentity", "principalId"))
    vault_principal = resources["vaultRole"].body["properties"]["principalId"]
    assert (vault_principal.ref, vault_principal.path) == (
        RG + "/providers/Microsoft.DataProtection/backupVaults/vault", ("identity", "principalId"))
    assert result.diagnostics == []


def test_schema_sets_management_group_and_tenant_scopes():
    mg_schema = "https://schema.management.azure.com/schemas/2019-08-01/managementGroupDeploymentTemplate.json#"
    tenant_schema = "https://schema.management.azure.com/schemas/2019-08-01/tenantDeploymentTemplate.json#"
    policy = {"type": "Microsoft.Authorization/policyDefinitions", "apiVersion": "x", "name": "p1"}
    context = DeploymentContext(management_group="mg1")
    mg = evaluate({"$schema": mg_schema, "resources": [policy]}, context=context).resources[0]
    assert mg.id == "/providers/Microsoft.Management/managementGroups/mg1/providers/Microsoft.Authorization/policyDefinitions/p1"
    assert mg.scope_id == "/providers/Microsoft.Management/managementGroups/mg1"
    inner = {"resources": [policy]}
    tenant = evaluate({"$schema": tenant_schema, "resources": [
        policy, _nested("inner", inner, scope="[format('Microsoft.Management/managementGroups/{0}', 'child')]",
                        location="westeurope")]}, context=context)
    top, deployment, nested = tenant.resources
    assert top.id == "/providers/Microsoft.Authorization/policyDefinitions/p1" and top.scope_id == "/"
    assert deployment.id == "/providers/Microsoft.Management/managementGroups/child/providers/Microsoft.Resources/deployments/nested"
    assert nested.id == "/providers/Microsoft.Management/managementGroups/child/providers/Microsoft.Authorization/policyDefinitions/p1"


def test_malformed_declarations_are_diagnostics_not_crashes():
    template = {
        "functions": [{"namespace": "ns", "members": {"f": {"parameters": True, "output": "x"}}}],
        "resources": [
            "not an object",
            {"type": 5, "name": "x"},
            {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "x", "name": ["a"]},
            {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "x", "name": "sa", "resourceGroup": ["rg"],
             "properties": {"v": "[ns.f()]"}},
            _nested("inner", {"resources": []}, resourceGroup=True),
            {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "x", "name": "c", "condition": "yes"},
            {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "x", "name": "l",
             "copy": {"name": "l", "count": "many"}},
        ]}
    result = evaluate(template)
    messages = " | ".join(d[0] for d in result.diagnostics)
    for fragment in ("must be an object", "resource type must be a string", "resource name must be a string",
                     "resourceGroup must be a string", "malformed", "condition must be a bool",
                     "copy count must be an integer"):
        assert fragment in messages


def test_bicep_extensibility_resources_have_no_arm_id():
    template = {"languageVersion": "2.0", "imports": {"kubernetes": {"provider": "Kubernetes", "version": "1.0.0"}},
                "resources": {"cm": {"import": "kubernetes", "type": "core/ConfigMap@v1",
                                     "properties": {"metadata": {"name": "[format('cfg-{0}', 'a')]",
                                                                 "namespace": "dataprotection-microsoft"},
                                                    "data": {"k": "v"}}}}}
    result = evaluate(template)
    resource = result.resources[0]
    assert resource.type == "core/ConfigMap@v1" and resource.name == "cfg-a"
    assert isinstance(resource.id, Unknown) and "kubernetes" in resource.id.origin
    assert resource.body["properties"]["data"] == {"k": "v"}
    assert result.diagnostics == []


def test_long_variable_chains_are_an_error_not_a_crash():
    n = 500
    variables = {f"v{i}": f"[variables('v{i + 1}')]" for i in range(n)}
    variables[f"v{n}"] = "end"
    result = evaluate({"variables": variables, "resources": [
        {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "x", "name": "[variables('v0')]"}]})
    assert isinstance(result.resources[0].name, Unknown)
    assert "more than 50 levels deep" in result.diagnostics[0][0]
    short_chain = {f"v{i}": f"[variables('v{i + 1}')]" for i in range(30)}
    short_chain["v30"] = "end"
    result = evaluate({"variables": short_chain, "resources": [
        {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "x", "name": "[variables('v0')]"}]})
    assert result.resources[0].name == "end" and result.diagnostics == []
