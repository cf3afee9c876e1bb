"""Per-node allocatable of AKSB-CLUSTER-006 against the worked examples of RULES.md R-9."""
from __future__ import annotations

import pytest

from validator.checks.extension_pods_do_not_fit import MIB, Allocatable, allocatable
from validator.checks.node_pools import Pool
from validator.model import Unknown


class _Fake:
    """The two cluster properties allocatable() reads."""

    def __init__(self, version, network):
        self.version, self.network = version, network

    def get(self, *path):
        if path == ("properties", "kubernetesVersion"):
            return self.version
        if path[:2] == ("properties", "networkProfile"):
            return self.network.get(path[2])
        return None


def _pool(**values):
    return Pool("system", {"vmSize": "Standard_D2s_v5", **values}, None, ())


def test_modern_formula_matches_the_r9_example():
    # 8 GB node, 30 pods: kube-reserved 20 x 30 + 50 = 650 MB, plus the 100Mi eviction threshold
    result = allocatable(_pool(maxPods=30), _Fake("1.30.4", {}))
    assert isinstance(result, Allocatable)
    assert result.memory_bytes / MIB == pytest.approx(8192 - 650 - 100)
    assert result.cpu_millicores == 2000 - 100


def test_modern_formula_is_capped_at_a_quarter_of_memory():
    result = allocatable(_pool(), _Fake("1.33", {"networkPlugin": "azure", "networkPluginMode": "overlay"}))
    assert result.memory_bytes / MIB == pytest.approx(8192 - 2048 - 100)  # 20 x 250 + 50 > 25% of 8 GiB


def test_legacy_formula_before_1_29():
    result = allocatable(_pool(orchestratorVersion="1.28.9"), _Fake("1.29", {}))
    assert result.memory_bytes / MIB == pytest.approx(8192 - (0.25 * 4096 + 0.20 * 4096) - 750)


def test_unknown_version_and_max_pods_use_the_modern_formula_and_the_minimum_and_say_so():
    result = allocatable(_pool(), _Fake(Unknown("parameter 'k8sVersion'"), {}))
    assert result.memory_bytes / MIB == pytest.approx(8192 - (20 * 10 + 50) - 100)
    assert any("1.29" in note for note in result.notes) and any("minimum maxPods 10" in note for note in result.notes)


def test_size_outside_the_catalogue_is_unknown():
    assert "not in the bundled size catalogue" in allocatable(Pool("gpu", {"vmSize": "Standard_NC6s_v3"}, None, ()), _Fake("1.33", {}))
