"""``validate``: the command line.  The only module that parses arguments, prints and exits."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

FORMATS = ("text", "json", "sarif", "github", "markdown", "junit")
EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="validate",
        description="Preflight checks for Azure Kubernetes Service Backup: find what would make the "
                    "extension install, a backup or a restore fail, in ARM, Bicep and Kubernetes files.")
    parser.add_argument("paths", nargs="*", default=["."],
                        help="a folder to scan (default .), or files: then the current folder is read as "
                             "context and only findings in these files are reported (pre-commit)")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--output", "-o", help="write the report to this file instead of standard output")
    parser.add_argument("--fail-on", choices=("error", "warning", "info", "none"),
                        help="lowest severity that makes the exit code 1 (default: error)")
    parser.add_argument("--select", action="append", default=[], metavar="RULE",
                        help="run only these rules (id, id prefix or name; repeatable, comma-separated)")
    parser.add_argument("--ignore", action="append", default=[], metavar="RULE", help="skip these rules")
    parser.add_argument("--config", type=Path, help="config file (.aks-preflight.yaml or pyproject.toml)")
    parser.add_argument("--preview", action="store_true", help="also run preview rules")
    parser.add_argument("--baseline", type=Path, help="hide findings recorded in this baseline file (adopt the tool on a repo with known findings)")
    parser.add_argument("--write-baseline", type=Path, metavar="FILE", help="record the current findings' fingerprints in FILE and exit 0")
    parser.add_argument("--list-rules", action="store_true", help="list the rules and exit")
    parser.add_argument("--explain", metavar="RULE", help="print a rule's documentation and exit")
    parser.add_argument("--verbose", "-v", action="store_true", help="text output: also list info-level diagnostics")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    return parser


def _split(values: list[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _list_rules() -> str:
    from validator.policies import load_policies

    rows = [f"{p.id:<15} {p.severity:<8} {p.name:<40} {', '.join(p.codes)}" for p in load_policies()]
    return "\n".join(rows) + "\n"


def explain(rule: str) -> str | None:
    """A rule's documentation rendered from its policy file (the only prose source)."""
    from validator.policies import load_policies

    for policy in load_policies():
        if rule in (policy.id, policy.name):
            lines = [f"# {policy.id}: {policy.title}", "",
                     f"- name: `{policy.name}`", f"- severity: {policy.severity}",
                     f"- status: {policy.status} (since {policy.since})",
                     f"- prevents: {', '.join(f'`{c}`' for c in policy.codes)}",
                     f"- inputs: {', '.join(policy.inputs)}", "",
                     "## What it does", "", policy.summary.strip(), "",
                     "## Why it matters", "", policy.rationale.strip(), "",
                     "## How to fix", "", policy.remediation.strip(), ""]
            if policy.params:
                lines += ["## Parameters", ""] + [f"- `{k}`: `{v}`" for k, v in policy.params.items()] + [""]
            if policy.rules_md:
                lines += [f"Catalogue: RULES.md {policy.rules_md}", ""]
            lines += ["## References", ""] + [f"- {d}" for d in policy.docs]
            return "\n".join(lines) + "\n"
    return None


def _find_root(start: Path) -> Path:
    """For file arguments: the nearest folder above with a config file or .git, else the current folder."""
    for folder in [start, *start.parents]:
        if (folder / ".aks-preflight.yaml").exists() or (folder / ".git").exists():
            return folder
    return start


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    out = sys.stdout
    if args.version:
        from validator import __version__

        print(f"aks-backup-preflight {__version__}")
        return EXIT_OK
    try:
        if args.list_rules:
            out.write(_list_rules())
            return EXIT_OK
        if args.explain:
            text = explain(args.explain)
            if text is None:
                print(f"validate: no rule named '{args.explain}' (see --list-rules)", file=sys.stderr)
                return EXIT_ERROR
            out.write(text)
            return EXIT_OK
        return _scan(args)
    except KeyboardInterrupt:
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_OK


def _scan(args) -> int:
    from validator.config import ConfigError, load_config
    from validator.engine import fails, scan
    from validator.policies import PolicyError

    paths = [Path(p) for p in args.paths]
    missing = [str(p) for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        print(f"validate: no such file or directory: {', '.join(missing)}", file=sys.stderr)
        return EXIT_ERROR
    report_paths = None
    if len(paths) == 1 and paths[0].is_dir():
        root = paths[0]
    else:
        if any(p.is_dir() for p in paths):
            print("validate: give one folder, or files only", file=sys.stderr)
            return EXIT_ERROR
        root = _find_root(Path.cwd())
        try:
            report_paths = [Path(os.path.abspath(p)).relative_to(root.resolve()).as_posix() for p in paths]
        except ValueError:
            print(f"validate: files must be inside {root}", file=sys.stderr)
            return EXIT_ERROR
    try:
        config = load_config(root.resolve(), args.config)
    except ConfigError as exc:
        print(f"validate: config error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    config.select += _split(args.select)
    config.ignore += _split(args.ignore)
    config.preview = config.preview or args.preview
    fail_on = args.fail_on or config.fail_on
    baseline = None
    if args.baseline:
        try:
            baseline = set(json.loads(args.baseline.read_text(encoding="utf-8"))["fingerprints"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            print(f"validate: cannot read baseline {args.baseline}: {exc}", file=sys.stderr)
            return EXIT_ERROR
    try:
        result = scan(root, config, report_paths, baseline=baseline)
    except PolicyError as exc:
        print(f"validate: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if args.write_baseline:
        fingerprints = sorted({f.fingerprint for f in result.findings})
        args.write_baseline.write_text(json.dumps({"version": 1, "fingerprints": fingerprints}, indent=2) + "\n", encoding="utf-8")
        print(f"validate: wrote {len(fingerprints)} fingerprints to {args.write_baseline}", file=sys.stderr)
        return EXIT_OK
    import importlib

    module = {"json": "json_report"}.get(args.format, args.format)
    reporter = importlib.import_module(f"validator.reporters.{module}")
    color = args.output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    text = reporter.render(result, color=color, verbose=args.verbose)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    if result.internal_errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if fails(result, fail_on) else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
