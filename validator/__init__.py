"""aks-backup-preflight: catch AKS Backup misconfigurations in infrastructure code before deployment.

``validator.scan(path, config)`` is the Python entry point; see ``validator.api`` for the evaluators.
"""
__version__ = "0.1.0"


def scan(target, config=None, report_paths=None, baseline=None):
    """Scan a folder; returns ``validator.engine.Result`` (imported lazily to keep start-up cheap)."""
    from validator.engine import scan as _scan

    return _scan(target, config, report_paths, baseline)
