"""Rule metadata: one YAML file per rule in ``policies/``, validated at load.

The YAML is the only prose of a rule (``--explain``, SARIF help and docs/rules/ are
rendered from it).  The check function is imported only when its rule runs.
"""
from __future__ import annotations

import dataclasses
import importlib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Callable

import yaml

POLICY_SCHEMA = {
    "type": "object",
    "required": ["id", "name", "title", "severity", "codes", "summary", "rationale", "remediation", "docs", "check", "inputs"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": "^AKSB-[A-Z]+-[0-9]{3}$"},
        "name": {"type": "string", "pattern": "^[a-z0-9-]+$"},
        "title": {"type": "string", "minLength": 5},
        "severity": {"enum": ["error", "warning", "info"]},
        "status": {"enum": ["stable", "preview"]},
        "since": {"type": "string"},
        "codes": {"type": "array", "minItems": 1, "items": {"type": "string"}},
        "inputs": {"type": "array", "items": {"enum": ["arm", "bicep", "kubernetes", "helm"]}},
        "summary": {"type": "string", "minLength": 10},
        "rationale": {"type": "string", "minLength": 10},
        "remediation": {"type": "string", "minLength": 10},
        "params": {"type": "object"},
        "docs": {"type": "array", "minItems": 1, "items": {"type": "string"}},
        "rules_md": {"type": "string"},
        "check": {"type": "string", "pattern": "^[a-z_][a-z0-9_]*$"},
    },
}


class PolicyError(Exception):
    """A policy file that does not load (a bug in the package or a user's rule)."""


@dataclass(frozen=True)
class Policy:
    id: str
    name: str
    title: str
    severity: str
    codes: tuple
    summary: str
    rationale: str
    remediation: str
    docs: tuple
    check: str
    inputs: tuple = ()
    status: str = "stable"
    since: str = "0.1.0"
    params: dict = field(default_factory=dict)
    rules_md: str = ""

    def check_function(self) -> tuple[Callable, type | None]:
        """The check function and its Params dataclass (imported now, not at start-up)."""
        module = importlib.import_module(f"validator.checks.{self.check}")
        function = getattr(module, self.check, None)
        if function is None:
            raise PolicyError(f"{self.id}: validator.checks.{self.check} has no function '{self.check}'")
        return function, getattr(module, "Params", None)

    def build_params(self, overrides: dict | None = None) -> Any:
        """The check's typed Params from the policy defaults and config overrides; PolicyError if they do not fit."""
        _, params_type = self.check_function()
        values = dict(self.params)
        values.update(overrides or {})
        if params_type is None:
            if values:
                raise PolicyError(f"{self.id}: params given but the check takes none")
            return None
        names = {f.name for f in dataclasses.fields(params_type)}
        unknown = set(values) - names
        if unknown:
            raise PolicyError(f"{self.id}: unknown params {sorted(unknown)}; expected {sorted(names)}")
        try:
            return params_type(**values)
        except TypeError as exc:
            raise PolicyError(f"{self.id}: params do not fit: {exc}") from None


def policies_dir() -> Path:
    """Installed wheels carry the policies as ``validator/bundled_policies``; a source checkout has ``policies/``."""
    try:
        packaged = resources.files("validator.bundled_policies")
        if packaged.is_dir() and any(p.name.endswith(".yaml") for p in packaged.iterdir()):
            return Path(str(packaged))
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parent.parent / "policies"


@lru_cache(maxsize=1)
def known_codes() -> frozenset:
    text = resources.files("validator").joinpath("data/codes.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def load_policy(path: Path, strict: bool = False) -> Policy:
    """One policy file.  ``strict`` validates it against POLICY_SCHEMA (the test suite does, for
    every bundled policy); at run time only the keys are checked, to keep start-up fast."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyError(f"{path.name}: cannot load: {exc}") from None
    if strict:
        import jsonschema

        try:
            jsonschema.validate(data, POLICY_SCHEMA)
        except jsonschema.ValidationError as exc:
            raise PolicyError(f"{path.name}: {exc.message} at {'/'.join(map(str, exc.absolute_path)) or 'top level'}") from None
    elif not isinstance(data, dict) or set(POLICY_SCHEMA["required"]) - set(data) or set(data) - set(POLICY_SCHEMA["properties"]):
        raise PolicyError(f"{path.name}: not a policy (keys: {sorted(data) if isinstance(data, dict) else type(data).__name__})")
    if path.stem != data["id"]:
        raise PolicyError(f"{path.name}: file name must equal the id '{data['id']}'")
    unknown = [code for code in data["codes"] if code not in known_codes()]
    if unknown:
        raise PolicyError(f"{data['id']}: codes not in the RULES.md catalogue: {unknown}")
    data["codes"] = tuple(data["codes"])
    data["docs"] = tuple(data["docs"])
    data["inputs"] = tuple(data.get("inputs", ()))
    return Policy(**data)


@lru_cache(maxsize=2)
def load_policies(strict: bool = False) -> tuple[Policy, ...]:
    """Every bundled policy, sorted by id."""
    directory = policies_dir()
    return tuple(sorted((load_policy(p, strict) for p in directory.glob("*.yaml")), key=lambda p: p.id))
