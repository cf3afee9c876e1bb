"""The one exception the Bicep parser raises."""
from __future__ import annotations

from validator.model import Diagnostic


class BicepSyntaxError(ValueError):
    """Bicep source that cannot be parsed: ``message`` says what was expected, at ``line``:``column`` (1-based)."""

    def __init__(self, message: str, line: int, column: int, path: str = "") -> None:
        self.message = message
        self.line = line
        self.column = column
        self.path = path
        where = f"{path}:" if path else ""
        super().__init__(f"{where}{line}:{column}: {message}")

    def to_diagnostic(self, path: str | None = None) -> Diagnostic:
        """The error as a located parse-error Diagnostic (``path`` relative to the scanned root)."""
        return Diagnostic(path if path is not None else self.path,
                          f"Bicep syntax error at column {self.column}: {self.message}", self.line,
                          kind="parse-error")
