"""The one exception the Bicep parser raises."""
from __future__ import annotations


class BicepSyntaxError(ValueError):
    """Bicep source that cannot be parsed: ``message`` says what was expected, at ``line``:``column`` (1-based)."""

    def __init__(self, message: str, line: int, column: int, path: str = "") -> None:
        self.message = message
        self.line = line
        self.column = column
        self.path = path
        where = f"{path}:" if path else ""
        super().__init__(f"{where}{line}:{column}: {message}")
