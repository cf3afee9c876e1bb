"""The wheel carries every package, the policies and the data files."""
from __future__ import annotations

from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = None

ROOT = Path(__file__).resolve().parents[1]


def test_package_list_is_complete():
    if tomllib is None:
        return
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {p.parent.relative_to(ROOT).as_posix().replace("/", ".") for p in (ROOT / "validator").rglob("__init__.py")}
    assert found | {"validator.bundled_policies"} == listed


def test_installed_distribution_ships_policies_and_data():
    """Where the project is installed (CI runs `pip install .[test]` first), its files include the policies."""
    from importlib import metadata

    import pytest

    # the source tree's own egg-info (left by `pip install .`) is not an installed distribution
    installed = [d for d in metadata.distributions() if d.metadata["Name"] == "aks-backup-preflight"
                 and Path(str(d.locate_file(""))).resolve() != ROOT]
    if not installed:
        pytest.skip("aks-backup-preflight is not installed")
    names = {f.as_posix() for f in installed[0].files or []}
    if any(name.endswith(".pth") for name in names):
        pytest.skip("editable install: files are read from the source tree")
    # the mechanism, not freshness: an install made before a policy was added lacks only that one
    assert any(name.startswith("validator/bundled_policies/AKSB-") and name.endswith(".yaml") for name in names)
    assert {"validator/data/codes.txt", "validator/data/roles.yaml"} <= names
