"""Human output: findings grouped by file, colour only on a terminal, a one-line summary last."""
from __future__ import annotations

from itertools import groupby

COLORS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
RESET, BOLD, DIM = "\033[0m", "\033[1m", "\033[2m"


def render(result, color: bool = False, verbose: bool = False) -> str:
    def paint(text: str, code: str) -> str:
        return f"{code}{text}{RESET}" if color else text

    lines: list[str] = []
    for path, group in groupby(result.findings, key=lambda f: f.location.path):
        lines.append(paint(path, BOLD))
        for finding in group:
            where = f"{finding.location.line}:{finding.location.column}" if finding.location.line else "-"
            severity = paint(finding.severity, COLORS.get(finding.severity, ""))
            lines.append(f"  {where:>8}  {severity:<7}  {finding.rule_id}  {finding.message}")
            lines.append(f"            codes: {', '.join(finding.codes)}")
            for related in finding.related:
                lines.append(paint(f"            see {related.location.path}:{related.location.line}: {related.message}", DIM))
            lines.append(f"            fix: {finding.fix}")
        lines.append("")
    shown = [d for d in result.diagnostics if verbose or d.severity != "info"]
    if shown:
        lines.append(paint("diagnostics", BOLD))
        for diagnostic in shown:
            where = f"{diagnostic.path}:{diagnostic.line}" if diagnostic.line else diagnostic.path
            lines.append(f"  {where}  {diagnostic.severity}  [{diagnostic.kind}] {diagnostic.message}")
        lines.append("")
    hidden = len(result.diagnostics) - len(shown)
    if hidden:
        lines.append(paint(f"{hidden} info diagnostics not shown (files that are not inputs, templates not read); --verbose lists them", DIM))
    s = result.summary
    lines.append(f"{s['errors']} errors, {s['warnings']} warnings, {s['infos']} infos in {s['files']} files "
                 f"({s['parsed']} parsed, {s['resources']} resources, {s['diagnostics']} diagnostics, {s['suppressed']} suppressed)")
    return "\n".join(lines) + "\n"
