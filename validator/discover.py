"""Walk the scanned paths and classify each file cheaply, without parsing it.

Never follows a link out of the scanned root, never opens anything that is not a
regular file (a FIFO named ``x.yaml`` would block a reader forever), honours
``.gitignore`` files and the configured excludes.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from validator.model import Diagnostic

# Extensions we read; everything else is counted as "not an input".
KIND_BY_SUFFIX = {
    ".json": "json",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".bicep": "bicep",
    ".bicepparam": "bicepparam",
}
ALWAYS_SKIPPED_DIRS = {".git", ".hg", ".svn", "node_modules", "__pycache__", ".terraform"}
CONFIG_FILE_NAMES = {".aks-preflight.yaml", ".aks-preflight.yml"}


@dataclass(frozen=True)
class SourceFile:
    """A file to read: ``rel`` is relative to the scan root, with ``/`` separators."""

    path: Path
    rel: str
    kind: str  # json | yaml | bicep | bicepparam
    size: int


@dataclass
class Discovery:
    files: list[SourceFile] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    ignored: int = 0  # files of no input format, or excluded by .gitignore / config


def _gitignore_spec(directory: Path, base_rel: str):
    ignore_file = directory / ".gitignore"
    try:
        if not ignore_file.is_file():
            return None
        lines = ignore_file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    import pathspec  # only repos with a .gitignore pay for it

    return base_rel, pathspec.GitIgnoreSpec.from_lines(lines)


def _ignored(rel: str, is_dir: bool, specs: list) -> bool:
    target = rel + "/" if is_dir else rel
    for base, spec in specs:
        sub = target[len(base) + 1:] if base else target
        if spec.match_file(sub):
            return True
    return False


def discover(root: Path, excludes: list[str] | None = None) -> Discovery:
    """List the input files under ``root``, sorted by relative path."""
    root = root.resolve()
    result = Discovery()
    exclude_spec = None
    if excludes:
        import pathspec

        exclude_spec = pathspec.GitIgnoreSpec.from_lines(excludes)

    def consider(path: Path, rel: str, specs: list) -> None:
        suffix = path.suffix.lower()
        kind = KIND_BY_SUFFIX.get(suffix)
        if kind is None or path.name in CONFIG_FILE_NAMES:
            result.ignored += 1
            return
        if (exclude_spec and exclude_spec.match_file(rel)) or _ignored(rel, False, specs):
            result.ignored += 1
            return
        try:
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                target = path.resolve()
                if not target.is_relative_to(root):
                    result.diagnostics.append(Diagnostic(rel, "link points outside the scanned root; not read", kind="skipped"))
                    return
                info = os.stat(path)
        except (OSError, RuntimeError) as exc:  # RuntimeError: symlink loop on older Pythons
            result.diagnostics.append(Diagnostic(rel, f"cannot stat file: {exc.__class__.__name__}", kind="unreadable"))
            return
        if not stat.S_ISREG(info.st_mode):
            result.diagnostics.append(Diagnostic(rel, "not a regular file (FIFO, device or socket); not read", kind="skipped"))
            return
        result.files.append(SourceFile(path, rel, kind, info.st_size))

    def walk(directory: Path, rel_dir: str, specs: list) -> None:
        spec = _gitignore_spec(directory, rel_dir)
        if spec:
            specs = specs + [spec]
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            result.diagnostics.append(Diagnostic(rel_dir or ".", f"cannot list directory: {exc.strerror or exc}", kind="unreadable"))
            return
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_link = entry.is_symlink()
            except OSError:
                is_dir, is_link = False, False
            if is_dir:
                if entry.name in ALWAYS_SKIPPED_DIRS or _ignored(rel, True, specs):
                    continue
                if exclude_spec and exclude_spec.match_file(rel + "/"):
                    continue
                walk(Path(entry.path), rel, specs)
            elif is_link and Path(entry.path).suffix.lower() not in KIND_BY_SUFFIX:
                # directory links are not followed: they can loop or leave the root
                if _link_is_dir(Path(entry.path)):
                    result.diagnostics.append(Diagnostic(rel, "directory link not followed", severity="info", kind="skipped"))
                else:
                    result.ignored += 1
            else:
                consider(Path(entry.path), rel, specs)

    if root.is_dir():
        walk(root, "", [])
    else:
        result.diagnostics.append(Diagnostic(str(root), "no such directory", kind="unreadable"))
    unique = {f.rel: f for f in result.files}
    result.files = [unique[k] for k in sorted(unique)]
    return result


def _link_is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False
