"""What only deploy time knows is an Unknown that says where it came from."""
import pytest

from validator.frontends.arm.expressions import (
    PLACEHOLDER_RESOURCE_GROUP, PLACEHOLDER_SUBSCRIPTION, evaluate_arm_expression,
)
from validator.model import Unknown

UNSET = Unknown("parameter 'x' has no value")
CTX = {"parameters": {"x": UNSET, "known": "k", "list": ["a", UNSET]}}
AKS_ID = (f"/subscriptions/{PLACEHOLDER_SUBSCRIPTION}/resourceGroups/{PLACEHOLDER_RESOURCE_GROUP}"
          "/providers/Microsoft.ContainerService/managedClusters/aks")
EXT_ID = AKS_ID + "/providers/Microsoft.KubernetesConfiguration/extensions/azure-aks-backup"


def run(expression, ctx=CTX):
    return evaluate_arm_expression(expression, ctx)


def test_reference_without_full_paths_start_at_properties():
    value = run("[reference(extensionResourceId(resourceId('Microsoft.ContainerService/managedClusters', 'aks'), "
                "'Microsoft.KubernetesConfiguration/extensions', 'azure-aks-backup')).aksAssignedIdentity.principalId]")
    assert isinstance(value, Unknown)
    assert value.ref == EXT_ID
    assert value.path == ("properties", "aksAssignedIdentity", "principalId")
    assert "reference(" in value.origin


def test_reference_full_paths_start_at_the_resource_root():
    value = run("[reference(resourceId('Microsoft.DataProtection/backupVaults', 'vault'), '2023-01-01', 'Full')"
                ".identity.principalId]")
    assert value.ref.endswith("/providers/Microsoft.DataProtection/backupVaults/vault")
    assert value.path == ("identity", "principalId")


def test_reference_full_is_case_insensitive_and_index_access_extends_the_path():
    value = run("[reference(resourceId('Microsoft.Network/virtualNetworks', 'v'), '2023-01-01', 'full')"
                ".properties.subnets[0].id]")
    assert value.path == ("properties", "subnets", 0, "id")


def test_reference_of_an_unknown_id_keeps_the_unknown_as_ref():
    value = run("[reference(parameters('x')).outputs]")
    assert isinstance(value.ref, Unknown) and value.ref.origin == "parameter 'x' has no value"
    assert value.path == ("properties", "outputs")


@pytest.mark.parametrize("expression,origin_part", [
    ("[utcNow()]", "utcNow()"),
    ("[utcNow('u')]", "utcNow()"),
    ("[newGuid()]", "newGuid()"),
    ("[listKeys(resourceId('Microsoft.Storage/storageAccounts', 'sa'), '2023-01-01').keys[0].value]", "listKeys"),
    ("[listCredentials('x', '2023-01-01')]", "listCredentials"),
    ("[pickZones('Microsoft.Compute', 'virtualMachines', 'westus2')]", "pickZones"),
    ("[providers('Microsoft.Storage')]", "providers"),
    ("[references('vaults')]", "references"),
    ("[resourceGroup().location]", "resource group location"),
    ("[deployment().properties.templateHash]", "template hash"),
    ("[subscription().displayName]", "display name"),
])
def test_deploy_time_values_are_unknown(expression, origin_part):
    value = run(expression)
    assert isinstance(value, Unknown)
    assert origin_part in value.origin


@pytest.mark.parametrize("expression", [
    "[concat('a', parameters('x'))]",
    "[toLower(parameters('x'))]",
    "[format('{0}-{1}', 'a', parameters('x'))]",
    "[resourceId('Microsoft.Storage/storageAccounts', parameters('x'))]",
    "[length(parameters('x'))]",
    "[equals(parameters('x'), 'a')]",
    "[equals(parameters('list'), createArray('a', 'b'))]",
    "[join(parameters('list'), ',')]",
    "[empty(parameters('x'))]",
    "[if(parameters('x'), 1, 2)]",
    "[parameters('x').deeper.still]",
    "[uniqueString(resourceGroup().location)]",
    "[coalesce(null(), parameters('x'), 'fallback')]",
    "[and(true(), parameters('x'))]",
    "[createArray(1, 2)[parameters('x')]]",
])
def test_unknown_propagates(expression):
    value = run(expression)
    assert isinstance(value, Unknown)
    assert "parameter 'x' has no value" in value.origin or "location" in value.origin


@pytest.mark.parametrize("expression,expected", [
    ("[and(false(), parameters('x'))]", False),  # decided without the Unknown
    ("[or(true(), parameters('x'))]", True),
    ("[coalesce('first', parameters('x'))]", "first"),
    ("[if(true(), 'chosen', parameters('x'))]", "chosen"),
    ("[length(parameters('list'))]", 2),
    ("[contains(parameters('list'), 'a')]", True),
    ("[first(parameters('list'))]", "a"),
    ("[tryGet(parameters('known'), 'a')]", None),
])
def test_known_answers_survive_unknown_parts(expression, expected):
    assert run(expression) == expected


def test_contains_cannot_rule_out_an_unknown_element():
    assert isinstance(run("[contains(parameters('list'), 'zzz')]"), Unknown)


def test_location_is_known_when_configured():
    assert run("[resourceGroup().location]", {"location": "westeurope"}) == "westeurope"


def test_placeholders_when_the_target_is_not_configured():
    assert run("[resourceGroup().id]", {}) == f"/subscriptions/{PLACEHOLDER_SUBSCRIPTION}/resourceGroups/{PLACEHOLDER_RESOURCE_GROUP}"


@pytest.mark.parametrize("expression", [
    "[string(createObject('a', parameters('x')))]",
    "[format('{0}', createArray(parameters('x')))]",
    "[dataUri(createArray(parameters('x')))]",
    "[uri(deployment().properties.templateLink.uri, 'nested/t.json')]",
])
def test_text_made_from_values_holding_unknowns_is_unknown(expression):
    assert isinstance(run(expression), Unknown)


def test_a_lambda_is_not_a_value():
    from validator.frontends.arm.syntax import ExpressionError
    with pytest.raises(ExpressionError, match="lambda can only be passed"):
        run("[lambda('x', lambdaVariables('x'))]")
