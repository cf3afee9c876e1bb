"""The findings contract (DESIGN.md): one JSON object; every other format is a view of it."""
from __future__ import annotations

import json

from validator import __version__
from validator.model import Finding


def finding_to_dict(finding: Finding) -> dict:
    return {
        "rule_id": finding.rule_id,
        "severity": finding.severity,
        "codes": list(finding.codes),
        "title": finding.title,
        "message": finding.message,
        "resource": finding.resource,
        "path": finding.location.path,
        "line": finding.location.line,
        "column": finding.location.column,
        "related": [{"path": r.location.path, "line": r.location.line, "message": r.message} for r in finding.related],
        "fix": finding.fix,
        "fingerprint": finding.fingerprint,
    }


def to_document(result) -> dict:
    return {
        "version": 1,
        "tool": {"name": "aks-backup-preflight", "version": __version__},
        "findings": [finding_to_dict(f) for f in result.findings],
        "diagnostics": [{"path": d.path, "line": d.line, "severity": d.severity, "kind": d.kind, "message": d.message}
                        for d in result.diagnostics],
        "summary": result.summary,
    }


def render(result, color: bool = False, verbose: bool = False) -> str:
    return json.dumps(to_document(result), indent=2, sort_keys=False, ensure_ascii=False) + "\n"
