"""GitHub workflow commands: one annotation per finding, shown on the pull request's diff."""
from __future__ import annotations

LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def _escape(text: str, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render(result, color: bool = False, verbose: bool = False) -> str:
    lines = []
    for finding in result.findings:
        props = [f"file={_escape(finding.location.path, True)}"]
        if finding.location.line:
            props.append(f"line={finding.location.line}")
            if finding.location.column:
                props.append(f"col={finding.location.column}")
        props.append(f"title={_escape(f'{finding.rule_id} {finding.title}', True)}")
        message = f"{finding.message}\nPrevents: {', '.join(finding.codes)}\nFix: {finding.fix}"
        lines.append(f"::{LEVELS.get(finding.severity, 'warning')} {','.join(props)}::{_escape(message)}")
    for diagnostic in result.diagnostics:
        props = f"file={_escape(diagnostic.path, True)}" + (f",line={diagnostic.line}" if diagnostic.line else "")
        lines.append(f"::{LEVELS.get(diagnostic.severity, 'warning')} {props},title=aks-preflight {diagnostic.kind}::{_escape(diagnostic.message)}")
    return "\n".join(lines) + ("\n" if lines else "")
