"""Reading scanned files safely: bounded size, no binary, UTF-8 (BOM allowed), JSON and YAML.

Every failure is a ``Diagnostic`` for the caller to report; nothing here raises on user input.
"""
from __future__ import annotations

import json
import re
from typing import Any

import yaml

from validator.model import Diagnostic

try:  # the C loader is ~10x faster; fall back where libyaml is missing
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _BaseLoader = yaml.SafeLoader

MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_YAML_NODES = 2_000_000  # expanded node count; beyond is an alias bomb


class ReadError(Exception):
    """A file that cannot be used as input; ``line`` when known."""

    def __init__(self, message: str, line: int = 0, kind: str = "parse-error"):
        super().__init__(message)
        self.line = line
        self.kind = kind

    def diagnostic(self, rel: str) -> Diagnostic:
        return Diagnostic(rel, str(self), self.line, "warning", self.kind)


def read_text(path, size: int, limit: int = MAX_FILE_BYTES) -> str:
    """The file's text, or ReadError for huge, binary, non-UTF-8 or unreadable files."""
    if size > limit:
        raise ReadError(f"file is {size / 1048576:.1f} MiB, over the {limit // 1048576} MiB limit; not parsed", kind="too-large")
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise ReadError(f"cannot read file: {exc.strerror or exc.__class__.__name__}", kind="unreadable") from None
    if len(data) > limit:
        raise ReadError(f"file grew over the {limit // 1048576} MiB limit while reading; not parsed", kind="too-large")
    if b"\x00" in data[:8192]:
        raise ReadError("binary content (NUL bytes); not parsed", kind="binary")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ReadError(f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})", line, "encoding") from None


# --- JSON ------------------------------------------------------------------------------------

class _DuplicateKeys:
    """object_pairs_hook that records duplicate keys (ARM treats keys case-insensitively)."""

    def __init__(self) -> None:
        self.duplicates: list[str] = []

    def __call__(self, pairs: list) -> dict:
        result: dict = {}
        seen: set = set()
        for key, value in pairs:
            folded = key.lower() if isinstance(key, str) else key
            if folded in seen:
                self.duplicates.append(key)
            seen.add(folded)
            result[key] = value
        return result


# ARM accepts // and /* */ comments in templates; strip them outside strings.
_JSON_COMMENT = re.compile(r'("(?:[^"\\]|\\.)*")|//[^\n]*|/\*.*?\*/', re.S)


def _strip_comments(text: str) -> str:
    def keep(match: re.Match) -> str:
        if match.group(1):
            return match.group(1)
        return re.sub(r"[^\n]", " ", match.group(0))  # keep line numbers

    return _JSON_COMMENT.sub(keep, text)


def parse_json(text: str) -> tuple[Any, list[str]]:
    """(value, duplicate keys); ReadError with the line on malformed JSON."""
    hook = _DuplicateKeys()
    try:
        return json.loads(text, object_pairs_hook=hook), hook.duplicates
    except RecursionError:
        raise ReadError("JSON nested too deeply; not parsed", kind="too-deep") from None
    except json.JSONDecodeError as first:
        if "/" not in text:
            raise ReadError(f"invalid JSON: {first.msg}", first.lineno) from None
    hook = _DuplicateKeys()
    try:
        return json.loads(_strip_comments(text), object_pairs_hook=hook), hook.duplicates
    except RecursionError:
        raise ReadError("JSON nested too deeply; not parsed", kind="too-deep") from None
    except json.JSONDecodeError as exc:
        raise ReadError(f"invalid JSON: {exc.msg}", exc.lineno) from None


# --- YAML ------------------------------------------------------------------------------------

class _StrictLoader(_BaseLoader):
    """Safe loader that reports duplicate mapping keys instead of silently keeping the last."""

    duplicates: list

    def construct_mapping(self, node, deep=False):  # noqa: D401 - PyYAML hook
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    if key_node.value in seen and key_node.value != "<<":
                        self.duplicates.append((key_node.value, key_node.start_mark.line + 1))
                    seen.add(key_node.value)
        return super().construct_mapping(node, deep)



def _expanded_size(value: Any, memo: dict) -> int:
    """Node count with aliases expanded, memoized by identity so a bomb costs nothing to measure."""
    key = id(value)
    if key in memo:
        return memo[key]
    memo[key] = 1  # breaks cycles (recursive aliases)
    if isinstance(value, dict):
        total = 1 + sum(_expanded_size(v, memo) for v in value.values()) + len(value)
    elif isinstance(value, list):
        total = 1 + sum(_expanded_size(v, memo) for v in value)
    else:
        total = 1
    memo[key] = min(total, MAX_YAML_NODES * 10)
    return memo[key]


def parse_yaml_documents(text: str) -> tuple[list[Any], list[tuple[str, int]]]:
    """All documents of a YAML stream and the duplicate keys found; ReadError on bad YAML."""
    loader = _StrictLoader(text)
    loader.duplicates = []
    documents = []
    try:
        while loader.check_data():
            documents.append(loader.get_data())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        problem = exc.problem or exc.context or "malformed YAML"
        if "constructor" in problem:
            problem += " (tags are never constructed)"
        raise ReadError(f"YAML error: {problem}", line) from None
    except yaml.YAMLError as exc:
        raise ReadError(f"YAML error: {exc}") from None
    except RecursionError:
        raise ReadError("YAML nested too deeply; not parsed", kind="too-deep") from None
    finally:
        loader.dispose()
    memo: dict = {}
    try:
        if sum(_expanded_size(doc, memo) for doc in documents) > MAX_YAML_NODES:
            raise ReadError("YAML aliases expand to too many nodes (alias bomb?); not used", kind="alias-bomb")
    except RecursionError:
        raise ReadError("YAML nested too deeply; not parsed", kind="too-deep") from None
    return documents, loader.duplicates
