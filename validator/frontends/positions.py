"""Line numbers for property paths, computed lazily: only files with a finding pay for them.

A path is a tuple of keys and indexes from a document root.  The result points at
the key of the deepest member that exists (the property, not the file).
"""
from __future__ import annotations

import re
from typing import Any

_WS = re.compile(r"(?:\s|//[^\n]*|/\*.*?\*/)*", re.S)
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_SCALAR = re.compile(r"[^,\]\}\s/]+")


class JsonPositions:
    """Positions inside one JSON text (comments allowed, as ARM allows them)."""

    def __init__(self, text: str):
        self.text = text
        self._line_starts: list[int] | None = None

    def line_col(self, offset: int) -> tuple[int, int]:
        if self._line_starts is None:
            starts = [0]
            find = self.text.find
            pos = find("\n")
            while pos != -1:
                starts.append(pos + 1)
                pos = find("\n", pos + 1)
            self._line_starts = starts
        import bisect

        index = bisect.bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1

    def _skip_ws(self, pos: int) -> int:
        return _WS.match(self.text, pos).end()

    def _skip_value(self, pos: int) -> int:
        text = self.text
        pos = self._skip_ws(pos)
        char = text[pos:pos + 1]
        if char == '"':
            return _STRING.match(text, pos).end()
        if char in "{[":
            depth = 0
            while pos < len(text):
                char = text[pos]
                if char == '"':
                    pos = _STRING.match(text, pos).end()
                    continue
                if char == "/" and text[pos:pos + 2] in ("//", "/*"):
                    pos = self._skip_ws(pos)
                    continue
                if char in "{[":
                    depth += 1
                elif char in "}]":
                    depth -= 1
                    if depth == 0:
                        return pos + 1
                pos += 1
            return pos
        match = _SCALAR.match(text, pos)
        return match.end() if match else pos + 1

    def offset(self, path: tuple) -> int:
        """Offset of the deepest existing member along ``path`` (its key, for object members)."""
        import json

        text = self.text
        pos = self._skip_ws(0)
        if text.startswith("\ufeff"):
            pos = self._skip_ws(1)
        best = pos
        for step in path:
            pos = self._skip_ws(pos)
            char = text[pos:pos + 1]
            if char == "{" and isinstance(step, str):
                pos += 1
                found = None
                while True:
                    pos = self._skip_ws(pos)
                    if text[pos:pos + 1] != '"':
                        break
                    key_start = pos
                    pos = _STRING.match(text, pos).end()
                    key = json.loads(text[key_start:pos])
                    pos = self._skip_ws(pos) + 1  # the colon
                    if key == step or (found is None and key.lower() == step.lower()):
                        found = (key_start, pos)
                        if key == step:
                            break
                    pos = self._skip_ws(self._skip_value(pos))
                    if text[pos:pos + 1] == ",":
                        pos += 1
                if found is None:
                    return best
                best, pos = found
            elif char == "[" and isinstance(step, int):
                pos += 1
                for _ in range(step):
                    pos = self._skip_ws(self._skip_value(pos))
                    if text[pos:pos + 1] != ",":
                        return best
                    pos += 1
                pos = self._skip_ws(pos)
                if text[pos:pos + 1] == "]":
                    return best
                best = pos
            else:
                return best
        return best

    def locate(self, path: tuple) -> tuple[int, int]:
        return self.line_col(self.offset(path))


class YamlPositions:
    """Positions inside one YAML stream, from PyYAML's node marks (composed once, on demand)."""

    def __init__(self, text: str):
        self.text = text
        self._roots: list | None = None

    def _documents(self) -> list:
        if self._roots is None:
            import yaml

            loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            try:
                self._roots = list(yaml.compose_all(self.text, Loader=loader_class))
            except yaml.YAMLError:
                self._roots = []
        return self._roots

    def locate(self, document: int, path: tuple) -> tuple[int, int]:
        roots = self._documents()
        if document >= len(roots) or roots[document] is None:
            return 1, 1
        node: Any = roots[document]
        mark = node.start_mark
        for step in path:
            if node.tag.endswith(":map") or hasattr(node, "value") and isinstance(node.value, list) and node.value and isinstance(node.value[0], tuple):
                match = None
                for key_node, value_node in node.value:
                    if getattr(key_node, "value", None) == step:
                        match = (key_node, value_node)
                        break
                if match is None:
                    break
                mark = match[0].start_mark
                node = match[1]
            elif isinstance(node.value, list) and isinstance(step, int) and -len(node.value) <= step < len(node.value):
                node = node.value[step]
                mark = node.start_mark
            else:
                break
        return mark.line + 1, mark.column + 1
