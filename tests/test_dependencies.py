"""A resource waits for what the deployments (modules) around it depend on: ARM starts a nested
deployment only after its dependsOn, so a backup instance in a module that depends on the role
assignments waits for them (RULES.md settled question 'Propagation delay': a dependency through
dependsOn, a symbolic reference or a module counts)."""
from __future__ import annotations

from pathlib import Path

from validator.config import Config
from validator.engine import scan

CASES = Path(__file__).resolve().parent / "cases"


def test_instance_in_module_waits_for_what_the_module_depends_on():
    result = scan(CASES / "instance-in-module-waits-for-roles",
                  Config(select=["AKSB-RBAC-005", "AKSB-EXT-001", "AKSB-RBAC-001", "AKSB-RBAC-002", "AKSB-RBAC-003",
                                 "AKSB-RBAC-004", "AKSB-ACCESS-001"], preview=True))
    assert [(f.rule_id, f.severity, f.message) for f in result.findings] == []
