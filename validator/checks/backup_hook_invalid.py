"""A BackupHook's exec hook names a container its pods lack, uses shell syntax without a shell, or has a bad onError/timeout."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from validator.graph import InfraGraph
from validator.graph.kubernetes_view import (HookSpec, backup_hooks, hook_specs, is_templated, known_str, pod_templates, selector_matches)
from validator.model import Finding

# https://pkg.go.dev/time#ParseDuration
GO_DURATION = re.compile(r"^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$")
_SHELL_TOKEN = re.compile(r"&&|\|\||(^|\s)[|<>;](\s|$)|\d?>>?|\$\{?[A-Za-z_][A-Za-z0-9_]*|\$\(|`|;\s*\S")


@dataclass(frozen=True)
class Params:
    shells: tuple = ("sh", "bash", "ash", "dash", "zsh", "ksh", "pwsh", "powershell")
    on_error: tuple = ("Continue", "Fail")


def _runs_in_shell(argv: list, params: Params) -> bool:
    if len(argv) < 2 or not isinstance(argv[0], str):
        return False
    program = argv[0].rsplit("/", 1)[-1]
    flag = argv[1] if isinstance(argv[1], str) else ""
    return program in params.shells and (flag.startswith("-") and "c" in flag or flag.lower() == "-command")


# Options whose value a program reads in its own language (psql -c, mysql -e, mongosh --eval):
# "WHERE n > 1" or "$1" there is not shell syntax.
_EXPRESSION_OPTIONS = ("-c", "-e", "--eval", "--execute", "--command", "--query", "-q")


def _shell_element(argv: list) -> str | None:
    for index, item in enumerate(argv):
        if not isinstance(item, str) or is_templated(item):
            continue
        previous = argv[index - 1] if index > 0 and isinstance(argv[index - 1], str) else ""
        if index > 1 and previous in _EXPRESSION_OPTIONS:
            continue  # the value of an option the program itself parses
        if any(item.startswith(option + "=") for option in _EXPRESSION_OPTIONS if option.startswith("--")):
            continue
        if _SHELL_TOKEN.search(item):
            return item
    return None


def _namespaces_match(spec: HookSpec, namespace) -> bool | None:
    included = spec.body.get("includedNamespaces") or []
    excluded = spec.body.get("excludedNamespaces") or []
    if not isinstance(included, list) or not isinstance(excluded, list) or namespace is None:
        return None
    if namespace in excluded:
        return False
    return not included or "*" in included or namespace in included


def backup_hook_invalid(graph: InfraGraph, params: Params) -> Iterator[Finding]:
    """Yield findings on each exec hook of each BackupHook in the manifests."""
    templates = pod_templates(graph)
    for hook in backup_hooks(graph):
        for spec in hook_specs(hook):
            pods = [t for t in templates
                    if _namespaces_match(spec, t.namespace) is not False
                    and selector_matches(spec.body.get("labelSelector"), t.labels if isinstance(t.labels, dict) else {}) is not False]
            containers = sorted({c for t in pods for c in t.containers()})
            for phase in ("preHooks", "postHooks"):
                items = spec.body.get(phase)
                if not isinstance(items, list):
                    continue
                for index, item in enumerate(items):
                    exec_ = item.get("exec") if isinstance(item, dict) else None
                    if isinstance(exec_, dict):
                        yield from _check_exec(hook, spec, spec.path + (phase, index, "exec"), exec_, pods, containers, params)


def _check_exec(hook, spec: HookSpec, path: tuple, exec_: dict, pods, containers, params: Params) -> Iterator[Finding]:
    label = f"BackupHook '{hook.scope}/{hook.name}' hook '{spec.name}' {path[-3]}[{path[-2]}]"
    container = known_str(exec_.get("container"))
    if container and pods and container not in containers:
        owners = ", ".join(sorted({f"{t.owner.body.get('kind')} '{t.owner.name}'" for t in pods}))
        yield Finding(
            message=f"{label} runs in container '{container}', but the pods it selects ({owners}) have containers {', '.join(containers)}",
            location=hook.location_of(*path, "container"), subject=hook,
            fix=f"Set exec.container of {label} to one of {', '.join(containers)}, or narrow its labelSelector to the pods that run '{container}'")
    command = exec_.get("command")
    argv = [command] if isinstance(command, str) else command
    if isinstance(argv, list) and not _runs_in_shell(argv, params):
        element = _shell_element(argv)
        if element is not None:
            yield Finding(
                message=f"{label} command element '{element}' uses shell syntax, but hook commands run without a shell (argv), so it is passed literally",
                location=hook.location_of(*path, "command"), subject=hook,
                fix=f"Write the command of {label} as [\"/bin/sh\", \"-c\", \"{' '.join(str(a) for a in argv)}\"], or split it into plain arguments")
    on_error = exec_.get("onError")
    if on_error is not None and not is_templated(on_error) and on_error not in params.on_error:
        yield Finding(
            message=f"{label} has onError '{on_error}'; only {' or '.join(params.on_error)} are accepted",
            location=hook.location_of(*path, "onError"), severity="error", subject=hook,
            fix=f"Set onError of {label} to Continue (go on with the backup) or Fail (stop it)")
    timeout = exec_.get("timeout")
    if timeout is not None and not is_templated(timeout) and not (isinstance(timeout, str) and GO_DURATION.match(timeout)):
        yield Finding(
            message=f"{label} has timeout '{timeout}', which is not a Go duration (like 30s, 5m, 1h30m)",
            location=hook.location_of(*path, "timeout"), severity="error", subject=hook,
            fix=f"Write the timeout of {label} with a unit, e.g. '{timeout}s'" if isinstance(timeout, int) else
                f"Write the timeout of {label} as a Go duration such as 30s or 5m")
