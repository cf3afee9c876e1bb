"""SARIF 2.1.0 for GitHub code scanning: rule metadata, help text, partialFingerprints."""
from __future__ import annotations

import json

from validator import __version__

LEVELS = {"error": "error", "warning": "warning", "info": "note"}
INFORMATION_URI = "https://github.com/aks-backup-preflight/aks-backup-preflight"


def _rule(policy) -> dict:
    help_text = (f"{policy.summary}\n\nWhy: {policy.rationale.strip()}\n\nFix: {policy.remediation.strip()}\n\n"
                 f"Prevents: {', '.join(policy.codes)}")
    return {
        "id": policy.id,
        "name": policy.name,
        "shortDescription": {"text": policy.title},
        "fullDescription": {"text": policy.summary},
        "help": {"text": help_text},
        "helpUri": policy.docs[0],
        "defaultConfiguration": {"level": LEVELS[policy.severity]},
        "properties": {"tags": list(policy.codes), "precision": "high" if policy.status == "stable" else "medium"},
    }


def _location(path: str, line: int, column: int, message: str | None = None) -> dict:
    physical: dict = {"artifactLocation": {"uri": path, "uriBaseId": "SRCROOT"}}
    if line:
        physical["region"] = {"startLine": line, "startColumn": max(column, 1)}
    location: dict = {"physicalLocation": physical}
    if message:
        location["message"] = {"text": message}
    return location


def to_document(result) -> dict:
    policies = sorted({p.id: p for p in result.policies}.values(), key=lambda p: p.id)
    index = {p.id: i for i, p in enumerate(policies)}
    results = []
    for finding in result.findings:
        entry = {
            "ruleId": finding.rule_id,
            "level": LEVELS.get(finding.severity, "warning"),
            "message": {"text": f"{finding.message}. Fix: {finding.fix}"},
            "locations": [_location(finding.location.path, finding.location.line, finding.location.column)],
            "partialFingerprints": {"aksPreflight/v1": finding.fingerprint},
            "properties": {"codes": list(finding.codes)},
        }
        if finding.rule_id in index:
            entry["ruleIndex"] = index[finding.rule_id]
        if finding.related:
            entry["relatedLocations"] = [
                dict(_location(r.location.path, r.location.line, r.location.column, r.message), id=i + 1)
                for i, r in enumerate(finding.related)]
        results.append(entry)
    notifications = [{
        "level": LEVELS.get(d.severity, "warning"),
        "message": {"text": f"[{d.kind}] {d.message}"},
        "locations": [_location(d.path, d.line, 0)],
    } for d in result.diagnostics]
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "aks-backup-preflight", "version": __version__, "semanticVersion": __version__,
                                "informationUri": INFORMATION_URI, "rules": [_rule(p) for p in policies]}},
            "invocations": [{"executionSuccessful": result.internal_errors == 0,
                             "toolExecutionNotifications": notifications}],
            "results": results,
        }],
    }


def render(result, color: bool = False, verbose: bool = False) -> str:
    return json.dumps(to_document(result), indent=2, ensure_ascii=False) + "\n"
