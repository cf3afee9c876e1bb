"""Line numbers for property paths, computed lazily: only files with a finding pay for them.

A path is a tuple of keys and indexes from a document root.  The result points at
the key of the deepest member that exists (the property, not the file).
"""
from __future__ import annotations

import re
from typing import Any

_WS = re.compile(r"(?:\s|//[^\n]*|/\*.*?\*/)*", re.S)


class JsonPositions:
    """Positions inside one JSON text (comments allowed, as ARM allows them)."""

    def __init__(self, text: str):
        self.text = text
        self._line_starts: list[int] | None = None
        self._paths: dict | None = None

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

    def _index(self) -> dict:
        """Offsets of every member key and array element, keyed by path (built once, on first use)."""
        if self._paths is not None:
            return self._paths
        import json

        paths: dict = {}
        text = self.text
        # frame: [container, path of the container, index of the next item, expecting an item]
        stack: list = []
        for match in _TOKEN.finditer(text):
            kind = match.lastgroup
            if kind in ("ws", "comment", "colon"):
                continue
            start = match.start()
            frame = stack[-1] if stack else None
            value_path = frame[1] if frame else ()
            if frame and frame[0] == "[" and kind in ("string", "scalar", "open") and frame[3]:
                value_path = frame[1] + (frame[2],)
                paths.setdefault(value_path, start)
                frame[3] = False
            if kind == "open":
                if frame and frame[0] == "{":
                    value_path = frame[4] if len(frame) > 4 else frame[1]
                stack.append([match.group(), value_path, 0, True])
            elif kind == "close":
                stack.pop()
            elif kind == "comma":
                if frame and frame[0] == "[":
                    frame[2] += 1
                    frame[3] = True
            elif kind == "string" and frame and frame[0] == "{" and _is_key(text, match.end()):
                raw = match.group()
                key = raw[1:-1] if "\\" not in raw else json.loads(raw)
                key_path = frame[1] + (key,)
                paths.setdefault(key_path, start)
                paths.setdefault(("\0ci",) + frame[1] + (key.lower(),), start)
                if len(frame) > 4:
                    frame[4] = key_path
                else:
                    frame.append(key_path)
        self._paths = paths
        return paths

    def offset(self, path: tuple) -> int:
        """Offset of the deepest existing member along ``path`` (its key, for object members)."""
        paths = self._index()
        for length in range(len(path), 0, -1):
            prefix = tuple(path[:length])
            if prefix in paths:
                return paths[prefix]
            folded = ("\0ci",) + tuple(p.lower() if isinstance(p, str) else p for p in prefix)
            if folded in paths:
                return paths[folded]
        return self._skip_ws(1 if self.text.startswith("\ufeff") else 0)

    def locate(self, path: tuple) -> tuple[int, int]:
        return self.line_col(self.offset(path))


def _is_key(text: str, end: int) -> bool:
    """A string followed by a colon is an object key."""
    return _WS.match(text, end).end() < len(text) and text[_WS.match(text, end).end()] == ":"


_TOKEN = re.compile(r'(?P<ws>\s+)|(?P<comment>//[^\n]*|/\*.*?\*/)|(?P<string>"(?:[^"\\]|\\.)*")'
                    r'|(?P<open>[\[{])|(?P<close>[\]}])|(?P<comma>,)|(?P<colon>:)|(?P<scalar>[^\s,\]\}:/"]+)', re.S)


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
