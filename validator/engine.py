"""The scan: discover, read, build deployment units and the graph, run the checks, order the findings."""
from __future__ import annotations

import dataclasses
import datetime
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from validator.config import Config
from validator.discover import SourceFile, discover
from validator.frontends import helm, kubernetes
from validator.frontends.deployment_units import ArmSource, UnitLinks, bicep_links, evaluate_arm_unit, json_role, linked_template_paths, plan_units
from validator.frontends.positions import JsonPositions, YamlPositions
from validator.frontends.text import ReadError, parse_json, parse_yaml_documents, read_text
from validator.graph import InfraGraph
from validator.model import SEVERITY_RANK, Diagnostic, Finding, Location, Resource
from validator.policies import Policy, PolicyError, load_policies

SUPPRESSION = re.compile(r"aks-preflight-ignore:\s*(?P<rules>[A-Z0-9,\s-]+?)\s*(?:--\s*(?P<reason>.*?))?\s*(?:\*/)?$")


@dataclass
class Result:
    """What a scan found: findings, diagnostics and counts (see DESIGN.md, the findings contract)."""

    findings: list[Finding] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0
    parsed: int = 0
    resources: int = 0
    suppressed: int = 0
    internal_errors: int = 0
    policies: tuple = ()

    @property
    def summary(self) -> dict:
        counts = {s: sum(1 for f in self.findings if f.severity == s) for s in ("error", "warning", "info")}
        return {"files": self.files, "parsed": self.parsed, "resources": self.resources,
                "errors": counts["error"], "warnings": counts["warning"], "infos": counts["info"],
                "suppressed": self.suppressed, "diagnostics": len(self.diagnostics)}


class _Sources:
    """Texts of the scanned files, kept so line numbers can be computed later, only when needed."""

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}
        self._positions: dict[str, Any] = {}

    def positions(self, rel: str) -> Any:
        if rel not in self._positions:
            text = self.texts.get(rel, "")
            self._positions[rel] = YamlPositions(text) if rel.endswith((".yaml", ".yml")) else JsonPositions(text)
        return self._positions[rel]

    def yaml_locate(self, rel: str):
        return lambda index, path: self.positions(rel).locate(index, path)


def _read(source: SourceFile, limit: int, sources: _Sources) -> tuple[str, Any]:
    text = read_text(source.path, source.size, limit)
    sources.texts[source.rel] = text
    return text


def load_resources(root: Path, config: Config, result: Result) -> tuple[list[Resource], UnitLinks]:
    """Every resource the scanned files declare, and the unit links; fills the result's diagnostics."""
    found = discover(root, excludes=config.exclude)
    result.diagnostics.extend(found.diagnostics)
    result.files = len(found.files) + found.ignored
    sources = _Sources()
    limit = int(config.max_file_mb * 1024 * 1024)
    resources: list[Resource] = []
    arm: dict[str, ArmSource] = {}
    bicep_files: list[SourceFile] = []
    for source in found.files:
        if config.include and not any(Path(source.rel).match(p) for p in config.include):
            continue
        try:
            if source.kind in ("bicep", "bicepparam"):
                _read(source, limit, sources)
                bicep_files.append(source)
                result.parsed += 1
                continue
            text = _read(source, limit, sources)
            if source.kind == "json":
                document, duplicates = parse_json(text)
                role = json_role(document)
                if role:
                    arm[source.rel] = ArmSource(source.rel, document, role)
                elif kubernetes.is_manifest(document):
                    new, diags = kubernetes.manifests_to_resources(source.rel, [document], lambda i, p, r=source.rel: sources.positions(r).locate(p))
                    resources.extend(new)
                    result.diagnostics.extend(diags)
                for key in duplicates:
                    result.diagnostics.append(Diagnostic(source.rel, f"duplicate JSON key '{key}' (ARM compares keys case-insensitively; the last one wins)", kind="duplicate-key"))
            else:
                documents, duplicates = parse_yaml_documents(text)
                if len(documents) == 1 and helm.is_extension_values(documents[0]):
                    locate = sources.yaml_locate(source.rel)
                    resources.append(helm.values_to_resource(source.rel, documents[0], lambda path, f=locate: f(0, path)))
                new, diags = kubernetes.manifests_to_resources(source.rel, documents, sources.yaml_locate(source.rel))
                resources.extend(new)
                result.diagnostics.extend(diags)
                for key, line in duplicates:
                    result.diagnostics.append(Diagnostic(source.rel, f"duplicate YAML key '{key}' (the last one wins)", line, kind="duplicate-key"))
            result.parsed += 1
        except ReadError as error:
            if source.kind == "yaml" and "{{" in sources.texts.get(source.rel, ""):
                result.diagnostics.append(Diagnostic(source.rel, f"unrendered Helm/Go template ({error}); render it (helm template) to scan it", error.line, "info", "template"))
            else:
                result.diagnostics.append(error.diagnostic(source.rel))

    templates = sorted(rel for rel, s in arm.items() if s.role == "template")
    parameter_files = sorted(rel for rel, s in arm.items() if s.role == "parameters")
    linked: set[str] = set()
    for rel in templates:
        linked |= linked_template_paths(rel, arm[rel].document)
    bicep_templates = [b.rel for b in bicep_files if b.kind == "bicep"]
    bicep_modules, using = bicep_links([b.rel for b in bicep_files], sources.texts)
    units, unmatched = plan_units(templates + bicep_templates, parameter_files + sorted(using),
                                  (linked & set(templates)) | (bicep_modules & set(templates + bicep_templates)), using)
    for rel in unmatched:
        result.diagnostics.append(Diagnostic(rel, "parameters file matches no template in its folder (expected <template>.parameters[.<env>].json); not used", severity="info", kind="not-an-input"))
    for unit in units:
        if unit.template.endswith(".bicep"):
            new, diags = _bicep_unit(unit, sources, config)
            result.internal_errors += sum(1 for d in diags if d.kind == "internal-error")  # our bugs: exit 2
        else:
            try:
                outcome = evaluate_arm_unit(unit, arm, sources.positions, dict(config.deployment))
            except (RecursionError, MemoryError):
                result.diagnostics.append(Diagnostic(unit.template, "template too deeply nested or too large to evaluate", kind="too-deep"))
                continue
            except Exception as exc:  # our bug: report it, keep scanning
                result.internal_errors += 1
                result.diagnostics.append(Diagnostic(unit.template, f"internal error evaluating template: {exc.__class__.__name__}: {exc}", severity="error", kind="internal-error"))
                continue
            new, diags = outcome.resources, outcome.diagnostics
        resources.extend(new)
        result.diagnostics.extend(diags)
    result._sources = sources  # type: ignore[attr-defined]
    return resources, UnitLinks(units)


def _bicep_unit(unit, sources: _Sources, config: Config) -> tuple[list[Resource], list[Diagnostic]]:
    try:
        from validator.frontends.bicep.units import evaluate_bicep_unit
    except ImportError:
        return [], [Diagnostic(unit.template, "Bicep files are not evaluated by this version", severity="info", kind="unsupported")]
    return evaluate_bicep_unit(unit, sources.texts, dict(config.deployment))


def enabled_policies(config: Config) -> list[Policy]:
    chosen = []
    for policy in load_policies():
        selected = not config.select or any(policy.id.startswith(s) or policy.name == s for s in config.select)
        ignored = any(policy.id.startswith(s) or policy.name == s for s in config.ignore)
        explicitly = any(policy.id == s or policy.name == s for s in config.select)
        if selected and not ignored and (policy.status != "preview" or config.preview or explicitly):
            chosen.append(policy)
    return chosen


def _fingerprint(finding: Finding) -> str:
    basis = "\x1f".join((finding.rule_id, finding.location.path, finding.resource, finding.message))
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]


def _suppressed(finding: Finding, sources: _Sources, result: Result, cache: dict) -> bool:
    subject = finding.subject
    if isinstance(subject, Resource):
        metadata = subject.body.get("metadata")
        if isinstance(metadata, dict):
            marks = metadata.get("aks-preflight-ignore")
            if isinstance(marks, dict) and finding.rule_id in marks:
                reason = marks[finding.rule_id]
                if isinstance(reason, str) and reason.strip():
                    return True
                _warn_no_reason(finding.location.path, finding.location.line, result, cache)
    path = finding.location.path
    lines = cache.get(path)
    if lines is None:
        lines = cache[path] = sources.texts.get(path, "").splitlines()
    for number in (finding.location.line, finding.location.line - 1):
        if 1 <= number <= len(lines) and "aks-preflight-ignore" in lines[number - 1]:
            match = SUPPRESSION.search(lines[number - 1])
            if match and finding.rule_id in re.split(r"[,\s]+", match.group("rules").strip()):
                if match.group("reason"):
                    return True
                _warn_no_reason(path, number, result, cache)
    return False


def _warn_no_reason(path: str, line: int, result: Result, cache: dict) -> None:
    key = ("warned", path, line)
    if key not in cache:
        cache[key] = True
        result.diagnostics.append(Diagnostic(path, "suppression without a reason is not applied; write 'aks-preflight-ignore: RULE -- why'", line, "warning", "suppression"))


def scan(target: Path, config: Config | None = None, report_paths: list[str] | None = None,
         baseline: set[str] | None = None) -> Result:
    """Scan the tree at ``target`` and return its findings.

    ``report_paths`` (relative to ``target``) limits the findings reported to those files,
    while the whole tree is still read as context (pre-commit passes only changed files).
    Findings whose fingerprint is in ``baseline`` are counted as suppressed.
    Values unknown before deployment never produce findings of their own; rules report
    what they could not see at info level."""
    config = config or Config()
    result = Result()
    root = Path(target).resolve()
    resources, links = load_resources(root, config, result)
    sources: _Sources = result._sources  # type: ignore[attr-defined]
    result.resources = len(resources)
    graph = InfraGraph(resources, links)
    try:
        policies = enabled_policies(config)
    except PolicyError as exc:
        result.internal_errors += 1
        result.diagnostics.append(Diagnostic("<policies>", str(exc), severity="error", kind="internal-error"))
        policies = []
    result.policies = tuple(policies)
    findings: list[Finding] = []
    for policy in policies:
        try:
            function, _ = policy.check_function()
            params = policy.build_params(config.params.get(policy.id))
            if params is not None and getattr(params, "as_of", None) == "":
                # checks stay pure: the scan's date comes from here (config as_of for reproducible runs)
                params = dataclasses.replace(params, as_of=config.as_of or datetime.date.today().isoformat())
            produced = list(function(graph, params) if params is not None else function(graph))
        except PolicyError as exc:
            result.internal_errors += 1
            result.diagnostics.append(Diagnostic("<policies>", str(exc), severity="error", kind="internal-error"))
            continue
        except Exception as exc:  # our bug: name the rule, keep going, exit 2
            result.internal_errors += 1
            result.diagnostics.append(Diagnostic("<engine>", f"internal error in {policy.id} ({policy.check}): {exc.__class__.__name__}: {exc}", severity="error", kind="internal-error"))
            continue
        for finding in produced:
            finding.rule_id = policy.id
            finding.title = policy.title
            finding.severity = config.severity.get(policy.id) or finding.severity or policy.severity
            finding.codes = tuple(finding.codes) or policy.codes
            finding.fix = finding.fix or policy.remediation.strip()
            if not finding.resource and isinstance(finding.subject, Resource):
                finding.resource = f"{finding.subject.type}/{finding.subject.display_name}"
            findings.append(finding)
    cache: dict = {}
    kept = []
    for finding in findings:
        if report_paths is not None and finding.location.path not in report_paths:
            continue
        if _suppressed(finding, sources, result, cache):
            result.suppressed += 1
            continue
        finding.fingerprint = _fingerprint(finding)
        if baseline is not None and finding.fingerprint in baseline:
            result.suppressed += 1
            continue
        kept.append(finding)
    unique = {}
    for finding in sorted(kept, key=Finding.sort_key):
        unique.setdefault((finding.rule_id, finding.location, finding.message), finding)
    result.findings = list(unique.values())
    if report_paths is not None:
        result.diagnostics = [d for d in result.diagnostics if d.path in report_paths or d.kind == "internal-error"]
    result.diagnostics = sorted(set(result.diagnostics), key=Diagnostic.sort_key)
    return result


def fails(result: Result, fail_on: str) -> bool:
    """True when a finding is at or above the fail level ('none' never fails)."""
    if fail_on == "none":
        return False
    threshold = SEVERITY_RANK[fail_on]
    return any(SEVERITY_RANK.get(f.severity, 0) >= threshold for f in result.findings)


__all__ = ["Result", "scan", "fails", "Location"]
