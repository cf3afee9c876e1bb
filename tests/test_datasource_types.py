"""Backup instances and policies of other datasources (blobs, disks) in an AKS backup vault are not AKS backups.

A backup vault protects blobs, disks, PostgreSQL servers and AKS clusters alike; the AKS rules read only
instances whose dataSourceInfo.datasourceType is Microsoft.ContainerService/managedClusters (the REST
example PutBackupInstance_KubernetesClusterBackupDatasourceParameters spells it managedclusters)."""
from __future__ import annotations

from pathlib import Path

from validator.config import Config
from validator.engine import scan

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules"


def test_blob_backup_instance_gives_no_aks_finding():
    result = scan(FIXTURES / "AKSB-BI-001" / "good" / "blob-backup-instance-without-datasource-set", Config(preview=True))
    assert [(f.rule_id, f.severity, f.message) for f in result.findings] == []
