"""JUnit XML: one test case per rule and file, failed by its error and warning findings (CI dashboards)."""
from __future__ import annotations

from xml.sax.saxutils import quoteattr, escape


def render(result, color: bool = False, verbose: bool = False) -> str:
    cases: dict = {}
    for finding in result.findings:
        cases.setdefault((finding.rule_id, finding.location.path), []).append(finding)
    failures = sum(1 for group in cases.values() if any(f.severity != "info" for f in group))
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f'<testsuites name="aks-backup-preflight" tests="{len(cases)}" failures="{failures}">',
             f'  <testsuite name="aks-backup-preflight" tests="{len(cases)}" failures="{failures}" errors="{result.internal_errors}">']
    for (rule, path), group in sorted(cases.items()):
        lines.append(f"    <testcase classname={quoteattr(rule)} name={quoteattr(path)}>")
        text = "\n".join(f"{path}:{f.location.line}: {f.severity}: {f.message} [{', '.join(f.codes)}] fix: {f.fix}" for f in group)
        if any(f.severity != "info" for f in group):
            lines.append(f"      <failure message={quoteattr(group[0].message)} type={quoteattr(group[0].severity)}>{escape(text)}</failure>")
        else:
            lines.append(f"      <system-out>{escape(text)}</system-out>")
        lines.append("    </testcase>")
    lines += ["  </testsuite>", "</testsuites>"]
    return "\n".join(lines) + "\n"
