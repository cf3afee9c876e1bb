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


def test_d2s_v3_with_30_pods_on_1_29_matches_the_hand_computed_example():
    # Standard_D2s_v3: 2 vCPU, 8 GiB. CPU: 2000m - 100m (2 cores). Memory: min(20 x 30 + 50, 25% of 8192) = 650
    # kube-reserved + 100Mi eviction threshold (R-9, AKS 1.29 and later).
    result = allocatable(Pool("system", {"vmSize": "Standard_D2s_v3", "maxPods": 30}, None, ()), _Fake("1.29", {}))
    assert result.cpu_millicores == 1900
    assert result.memory_bytes / MIB == pytest.approx(8192 - 650 - 100)


def test_the_quarter_cap_of_the_docs_4_gb_70_pods_example():
    # node-resource-reservations: 4 GB and 70 pods reserve 25% of 4 GB, less than 20 x 70 + 50 = 1450
    result = allocatable(Pool("small", {"vmSize": "Standard_B2s", "maxPods": 70}, None, ()), _Fake("1.30", {}))
    assert result.memory_bytes / MIB == pytest.approx(4096 - 1024 - 100)
    assert result.cpu_millicores == 2000 - 100


def test_cpu_between_two_rows_of_the_table_uses_the_lower_row():
    from validator.checks.extension_pods_do_not_fit import _cpu_reserved
    table = {1: 60, 2: 100, 4: 140, 8: 180, 16: 260, 32: 420, 64: 740}
    assert [_cpu_reserved(c, table) for c in (1, 2, 4, 8, 16, 32, 64, 48)] == [60, 100, 140, 180, 260, 420, 740, 420]
