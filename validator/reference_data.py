"""Reference data that changes (roles, regions, FQDNs) lives in validator/data/*.yaml, with source and date."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml


@lru_cache(maxsize=None)
def load(name: str) -> dict:
    """The parsed data file ``validator/data/<name>.yaml``."""
    text = resources.files("validator").joinpath(f"data/{name}.yaml").read_text(encoding="utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def role_guid(role: str) -> str:
    return load("roles")["roles"][role]


def roles_satisfying(requirement: str) -> dict[str, str]:
    """{guid: role name} of the roles that meet ``requirement`` (documented supersets included)."""
    data = load("roles")
    return {data["roles"][name]: name for name in data["satisfied_by"][requirement]}
