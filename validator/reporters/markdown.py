"""Markdown for a pull-request comment or the job summary."""
from __future__ import annotations


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render(result, color: bool = False, verbose: bool = False) -> str:
    s = result.summary
    lines = ["## AKS Backup preflight", "",
             f"**{s['errors']} errors, {s['warnings']} warnings, {s['infos']} infos** in {s['files']} files "
             f"({s['resources']} resources, {s['diagnostics']} diagnostics).", ""]
    if result.findings:
        lines += ["| severity | rule | where | finding | prevents | fix |", "|---|---|---|---|---|---|"]
        for f in result.findings:
            where = f"`{f.location.path}:{f.location.line}`"
            lines.append(f"| {f.severity} | {f.rule_id} | {where} | {_cell(f.message)} | {_cell(', '.join(f.codes))} | {_cell(f.fix)} |")
        lines.append("")
    if result.diagnostics:
        lines += ["<details><summary>Diagnostics</summary>", ""]
        lines += [f"- `{d.path}:{d.line}` {d.severity} [{d.kind}] {_cell(d.message)}" for d in result.diagnostics]
        lines += ["", "</details>", ""]
    return "\n".join(lines)
