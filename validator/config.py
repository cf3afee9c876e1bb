"""User configuration: ``.aks-preflight.yaml`` or ``[tool.aks-preflight]`` in ``pyproject.toml``."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CONFIG_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "include": {"type": "array", "items": {"type": "string"}},
        "exclude": {"type": "array", "items": {"type": "string"}},
        "select": {"type": "array", "items": {"type": "string"}},
        "ignore": {"type": "array", "items": {"type": "string"}},
        "preview": {"type": "boolean"},
        "fail_on": {"enum": ["error", "warning", "info", "none"]},
        "severity": {"type": "object", "additionalProperties": {"enum": ["error", "warning", "info"]}},
        "params": {"type": "object", "additionalProperties": {"type": "object"}},
        "max_file_mb": {"type": "number", "exclusiveMinimum": 0},
        "as_of": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
                  "description": "Date that date-dependent rules (Kubernetes support calendar) judge at; default: today."},
        "deployment": {
            "type": "object",
            "additionalProperties": False,
            "description": "Facts about the deployment target the repository cannot show.",
            "properties": {k: {"type": "string"} for k in (
                "subscription_id", "resource_group", "location", "tenant_id", "management_group",
                "deployment_name", "subscription_display_name")},
        },
    },
}


class ConfigError(Exception):
    """A configuration that cannot be used; the CLI exits 2."""


@dataclass
class Config:
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    preview: bool = False
    fail_on: str = "error"
    severity: dict[str, str] = field(default_factory=dict)
    params: dict[str, dict] = field(default_factory=dict)
    max_file_mb: float = 32
    as_of: str = ""
    deployment: dict[str, str] = field(default_factory=dict)
    source: str = ""  # where it was read from, for messages

    @classmethod
    def from_mapping(cls, data: Any, source: str) -> "Config":
        import jsonschema

        if data is None:
            data = {}
        try:
            jsonschema.validate(data, CONFIG_SCHEMA)
        except jsonschema.ValidationError as exc:
            where = "/".join(map(str, exc.absolute_path)) or "top level"
            raise ConfigError(f"{source}: {exc.message} (at {where})") from None
        return cls(**data, source=source)


def _read_pyproject(path: Path) -> dict | None:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ModuleNotFoundError:
            return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    return data.get("tool", {}).get("aks-preflight")


def load_config(root: Path, explicit: Path | None = None) -> Config:
    """The explicit file, else ``.aks-preflight.yaml`` in the root, else pyproject.toml, else defaults."""
    candidates = [explicit] if explicit else [root / ".aks-preflight.yaml", root / ".aks-preflight.yml"]
    for path in candidates:
        if path is None:
            continue
        if path.name == "pyproject.toml":
            return Config.from_mapping(_read_pyproject(path), str(path))
        if path.is_file():
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, yaml.YAMLError) as exc:
                raise ConfigError(f"{path}: cannot read: {exc}") from None
            return Config.from_mapping(data, str(path))
        if explicit:
            raise ConfigError(f"{path}: no such config file")
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        section = _read_pyproject(pyproject)
        if section is not None:
            return Config.from_mapping(section, str(pyproject))
    return Config()
