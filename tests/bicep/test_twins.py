"""Bicep twins of the rule fixtures give the same findings as their ARM originals, so a front-end gap cannot hide.

Naming convention: in ``fixtures/rules/<ID>/{bad,good}/`` the Bicep twin of the ARM case ``x.json``
(or of the multi-file case ``x/``) is ``x.bicep`` or, when it needs modules or parameter files,
the folder ``x-bicep/``.  Each case of a ``bad/`` folder is scanned together with the others, so
a twin names its own resources: every name of the ARM case with ``-bcp`` appended (``bcp`` for
storage accounts, which allow no hyphen), and subscription ids of its own.  Messages are compared
with that suffix removed and GUIDs (subscription ids, role assignment names), the file:line naming an
unnamed resource, the template named in a unit's own resource group placeholder and the ``Full`` of a
reference shown in an Unknown masked.
Each case is scanned alone here, so the comparison does not depend on its neighbours.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from validator.config import Config
from validator.engine import scan

CASES = Path(__file__).resolve().parents[2] / "fixtures" / "rules"
RULES = ("AKSB-LOCK-001", "AKSB-ACCESS-001", "AKSB-RBAC-001", "AKSB-RBAC-002", "AKSB-RBAC-003", "AKSB-RBAC-004",
         "AKSB-RBAC-005", "AKSB-EXT-001", "AKSB-POLICY-001", "AKSB-POLICY-002", "AKSB-POLICY-003",
         "AKSB-CLUSTER-006", "AKSB-CLUSTER-007", "AKSB-VOLUME-005", "AKSB-RESTORE-001",
         "AKSB-RBAC-006", "AKSB-RBAC-007", "AKSB-RBAC-008", "AKSB-BI-003", "AKSB-VAULT-002", "AKSB-STORAGE-006",
         "AKSB-EXT-003", "AKSB-LOCK-002", "AKSB-VAULT-003", "AKSB-VOLUME-006",
         "AKSB-RESTORE-002", "AKSB-STORAGE-007", "AKSB-BI-004", "AKSB-VOLUME-007")
GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
SUFFIX = re.compile(r"-?bcp\b")
# Twins where Bicep rightly sees more than ARM: the ARM case reads a nested deployment's output through
# reference(), which the ARM front-end leaves Unknown (info), while a Bicep module's outputs are evaluated.
# The Bicep twin must then give the ARM findings without those infos.
SEES_MORE = {
    "AKSB-LOCK-001/good/rg-from-deployment-output-bicep": "module output resourceGroup().id is known",
}
WHERE = re.compile(r" at [^' ]+\.(json|bicep):\d+")  # unnamed resources are named by file and line
UNIT_GROUP = re.compile(r"\{resourceGroup of [^}]+\}")  # the unit's own resource group names its template
FULL = re.compile(r"', Full\)")  # Bicep member access reads the Full reference; the ARM text says which it used


def twin_of(bicep: Path) -> Path | None:
    """The ARM case a Bicep twin mirrors (``x.bicep`` or ``x-bicep/`` -> ``x.json`` or ``x/``), or None."""
    stem = bicep.name[: -len(".bicep")] if bicep.is_file() else bicep.name[: -len("-bicep")]
    for candidate in (bicep.parent / f"{stem}.json", bicep.parent / stem):
        if candidate.exists():
            return candidate
    return None


def pairs() -> list[tuple[str, Path]]:
    found = []
    for rule in RULES:
        for folder in ("bad", "good"):
            for path in sorted((CASES / rule / folder).iterdir()):
                if (path.is_file() and path.suffix == ".bicep") or (path.is_dir() and path.name.endswith("-bicep")):
                    found.append((rule, path))
    return found


def normalized(rule: str, case: Path, tmp: Path) -> list[tuple[str, str, str]]:
    """(rule, severity, message) of ``case`` scanned on its own, names and GUIDs normalized."""
    tmp.mkdir()
    if case.is_dir():
        shutil.copytree(case, tmp / case.name)
    else:
        shutil.copy(case, tmp / case.name)
    result = scan(tmp, Config(select=[rule], preview=True))
    problems = [d for d in result.diagnostics if d.severity != "info" or d.kind in ("internal-error", "expression-error",
                                                                                    "unknown-function", "unsupported")]
    assert not problems, problems
    return sorted((f.rule_id, f.severity, normalize(f.message)) for f in result.findings)


def normalize(message: str) -> str:
    """``message`` with what may differ between an ARM case and its twin masked (see the module docstring)."""
    message = WHERE.sub(" at <file:line>", message)
    message = UNIT_GROUP.sub("{resourceGroup}", FULL.sub("')", message))
    return GUID.sub("<guid>", SUFFIX.sub("", message))


@pytest.mark.parametrize("rule", RULES)
def test_every_rule_has_bicep_twins(rule):
    twins = [p for r, p in pairs() if r == rule]
    assert any(p.parent.name == "bad" for p in twins), f"{rule}: no Bicep twin of a bad case"
    assert sum(p.parent.name == "good" for p in twins) >= 2, f"{rule}: fewer than two Bicep twins of good cases"
    orphans = [p.name for p in twins if twin_of(p) is None]
    assert not orphans, f"{rule}: Bicep cases without an ARM twin: {orphans}"


@pytest.mark.parametrize(("rule", "bicep"), pairs(), ids=lambda v: v if isinstance(v, str) else f"{v.parent.name}/{v.name}")
def test_bicep_twin_gives_the_arm_findings(rule, bicep, tmp_path):
    arm = twin_of(bicep)
    assert arm is not None
    expected = normalized(rule, arm, tmp_path / "arm")
    if f"{rule}/{bicep.parent.name}/{bicep.name}" in SEES_MORE:
        expected = [f for f in expected if f[1] != "info"]
    assert normalized(rule, bicep, tmp_path / "bicep") == expected
    if bicep.parent.name == "bad":
        assert expected, f"{arm.name} gives no finding on its own"
