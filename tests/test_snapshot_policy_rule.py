"""AKSB-VOLUME-007's reading of an Azure Policy rule: which conditions name Microsoft.Compute/snapshots."""
from __future__ import annotations

import pytest

from validator.checks.snapshot_denied_by_azure_policy import _covers, targets_snapshots
from validator.model import Unknown

TYPE = "Microsoft.Compute/snapshots"


@pytest.mark.parametrize(("rule", "verdict"), [
    ({"field": "type", "equals": TYPE}, True),
    ({"field": "Type", "equals": "microsoft.compute/SNAPSHOTS"}, True),
    ({"field": "type", "in": ["Microsoft.Compute/disks", TYPE]}, True),
    ({"field": "type", "like": "Microsoft.Compute/*"}, True),
    ({"allOf": [{"field": "type", "equals": TYPE}, {"field": "tags['costCenter']", "exists": "false"}]}, True),
    ({"anyOf": [{"field": "type", "equals": "Microsoft.Compute/disks"}, {"field": "type", "equals": TYPE}]}, True),
    ({"not": {"field": "type", "notEquals": TYPE}}, True),
    ({"not": {"field": "type", "equals": TYPE}}, False),
    ({"field": "type", "notEquals": TYPE}, False),
    ({"field": "type", "equals": "Microsoft.Compute/disks"}, False),
    ({"field": "location", "equals": TYPE}, False),
    ({"field": "type", "equals": "[parameters('resourceType')]"}, None),
    ({"allOf": Unknown("parameter 'rule' has no value")}, None),
    (Unknown("reference"), None),
])
def test_targets_snapshots(rule, verdict):
    assert targets_snapshots(rule) is verdict


def test_scopes_compare_as_written_and_management_groups_are_unknown():
    group = "/subscriptions/1111/resourcegroups/rg-snap"
    assert _covers("/subscriptions/1111", group) is True
    assert _covers(group, group) is True
    assert _covers("/subscriptions/2222", group) is False
    assert _covers("/subscriptions/1111/resourcegroups/rg-other", group) is False
    assert _covers("/providers/microsoft.management/managementgroups/corp", group) is None
