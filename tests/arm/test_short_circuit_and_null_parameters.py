"""Behaviour compiled Bicep (and so the Azure Verified Modules) relies on."""
from __future__ import annotations

import pytest

from validator.frontends.arm.expressions import ExpressionError, evaluate_arm_expression
from validator.frontends.arm.template import evaluate_template
from validator.model import Unknown


@pytest.mark.parametrize("expression, expected", [
    ("[and(contains(parameters('o'), 'enabled'), parameters('o').enabled)]", False),  # guard stops the access
    ("[or(not(contains(parameters('o'), 'enabled')), parameters('o').enabled)]", True),
    ("[and(true(), true(), false())]", False),
    ("[or(false(), false())]", False),
])
def test_and_or_stop_at_the_deciding_argument(expression, expected):
    assert evaluate_arm_expression(expression, {"parameters": {"o": {}}}) is expected


def test_an_unknown_guard_makes_a_failing_access_unknown_not_an_error():
    value = evaluate_arm_expression("[and(parameters('u'), parameters('o').enabled)]", {"parameters": {"o": {}, "u": Unknown("parameter 'u' has no value")}})
    assert isinstance(value, Unknown)


def test_a_failing_access_after_a_true_guard_is_still_an_error():
    with pytest.raises(ExpressionError):
        evaluate_arm_expression("[and(true(), parameters('o').enabled)]", {"parameters": {"o": {}}})


def test_a_null_parameter_value_takes_the_default():
    inner = {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
             "contentVersion": "1.0.0.0",
             "parameters": {"flag": {"type": "bool", "defaultValue": False}},
             "resources": [{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01", "name": "sa1",
                            "location": "westeurope", "properties": {"isHnsEnabled": "[if(parameters('flag'), true(), false())]"}}]}
    outer = {"$schema": inner["$schema"], "contentVersion": "1.0.0.0", "resources": [
        {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "inner",
         "properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
                        "parameters": {"flag": {"value": None}}, "template": inner}}]}
    result = evaluate_template(outer, file="main.json")
    account = next(r for r in result.resources if r.type == "Microsoft.Storage/storageAccounts")
    assert account.body["properties"]["isHnsEnabled"] is False
    assert not [d for d in result.diagnostics if d[2] == "expression-error"]
