"""Every rule runs on its own fixtures: exactly the expected findings on bad/, none on good/."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from validator.config import Config
from validator.engine import scan
from validator.policies import load_policies

CASES = Path(__file__).resolve().parents[1] / "fixtures" / "rules"
POLICIES = load_policies()


def findings(policy, folder: Path, allowed_diagnostics: list | None = None) -> list[tuple]:
    result = scan(folder, Config(select=[policy.id], preview=True))
    problems = [(d.path, d.line, d.kind) for d in result.diagnostics
                if d.severity != "info" or d.kind in ("internal-error", "expression-error", "unknown-function")]
    # fixtures must load cleanly, but for the diagnostics a bad case means to provoke (listed in expected.yaml)
    assert sorted(problems) == sorted(allowed_diagnostics or []), result.diagnostics
    return sorted((f.location.path, f.location.line, f.severity, f.message) for f in result.findings)


def _expected_document(case: Path) -> dict:
    data = yaml.safe_load((case / "expected.yaml").read_text(encoding="utf-8")) or []
    return data if isinstance(data, dict) else {"findings": data}


def expected(case: Path) -> list[tuple]:
    rows = _expected_document(case).get("findings") or []
    return sorted((r["file"], r["line"], r["severity"], r["message"]) for r in rows)


def expected_diagnostics(case: Path) -> list[tuple]:
    return [(d["file"], d["line"], d["kind"]) for d in _expected_document(case).get("diagnostics") or []]


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.id)
def test_bad_fixtures_give_exactly_the_expected_findings(policy):
    case = CASES / policy.id
    assert findings(policy, case / "bad", expected_diagnostics(case)) == expected(case)


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.id)
def test_good_fixtures_give_no_finding_above_info(policy):
    case = CASES / policy.id
    got = [f for f in findings(policy, case / "good") if f[2] != "info"]
    assert got == []


def test_every_rule_has_fixtures_and_docs():
    problems = [f"{p.id}: missing {part}" for p in POLICIES
                for part in ("bad", "good", "expected.yaml") if not (CASES / p.id / part).exists()]
    problems += [f"{p.id}: empty {name}" for p in POLICIES
                 for name in ("title", "summary", "rationale", "remediation", "docs") if not getattr(p, name)]
    ids = {p.id for p in POLICIES}
    problems += [f"{d.name}: fixtures for no rule" for d in CASES.iterdir() if d.is_dir() and d.name not in ids]
    for policy in POLICIES:
        bad = CASES / policy.id / "bad"
        if bad.exists() and not expected(CASES / policy.id):
            problems.append(f"{policy.id}: expected.yaml lists no finding for bad/")
    assert not problems, "\n".join(problems)


def test_rule_docs_are_current():
    """docs/rules/ is generated from the policy files (python -m validator.docs); regenerate when this fails."""
    from validator.docs import render_all

    docs = Path(__file__).resolve().parents[1] / "docs" / "rules"
    for name, text in render_all().items():
        assert (docs / name).read_text(encoding="utf-8") == text, f"docs/rules/{name} is stale: run python -m validator.docs"


def test_policies_validate_against_their_schema():
    from validator.policies import load_policies as load

    assert load(strict=True) == POLICIES
