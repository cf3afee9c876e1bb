"""The backup extension resource is not well-formed: required settings missing, CLI-only keys, unstable release settings."""
from __future__ import annotations

from collections.abc import Iterator

from validator.checks.backup_extension_settings import BUCKET, CONFIG, SETTINGS
from validator.graph import InfraGraph
from validator.model import Finding, Resource, Unknown

REQUIRED = (BUCKET, CONFIG + "storageAccount", CONFIG + "resourceGroup", CONFIG + "subscriptionId", "credentials.tenantId")
# friendly key -> the Helm key it stands for; only `az k8s-extension` rewrites them (RULES.md 1.3, Q-16)
FRIENDLY = {
    "blobContainer": BUCKET,
    "storageAccount": CONFIG + "storageAccount",
    "storageAccountResourceGroup": CONFIG + "resourceGroup",
    "storageAccountSubscriptionId": CONFIG + "subscriptionId",
    "useAAD": CONFIG + "useAAD",
    "storageAccountURI": CONFIG + "storageAccountURI",
    "cpuLimit": "resources.limits.cpu",
    "memoryLimit": "resources.limits.memory",
}
BSL_CODES = ("P-20", "UserErrorNoDefaultBackupStorageLocationFound")
LOCATION = REQUIRED[:4]


def _cli_only_keys(ext: Resource, settings: dict) -> Iterator[Finding]:
    """CLI-only keys: an error where the storage location is then missing, a warning where only a default stays in place."""
    friendly = [key for key in settings if key in FRIENDLY]
    lost = [key for key in friendly if FRIENDLY[key] in LOCATION and FRIENDLY[key] not in settings]
    rest = [key for key in friendly if key not in lost]
    for keys, severity, codes in ((lost, "", BSL_CODES), (rest, "warning", ("P-20",))):
        if keys:
            yield Finding(
                message=f"backup extension '{ext.display_name}' sets CLI-only key(s) {', '.join(repr(k) for k in keys)} in configurationSettings; only az k8s-extension rewrites them, so through ARM/Bicep they are ignored (derived, Q-16)",
                location=ext.location_of(*SETTINGS, keys[0]), severity=severity, codes=codes, subject=ext,
                fix="Rename " + ", ".join(f"'{k}' to '{FRIENDLY[k]}'" for k in keys if FRIENDLY[k] not in settings)
                    + "".join(f"; drop '{k}' ('{FRIENDLY[k]}' is set)" for k in keys if FRIENDLY[k] in settings)
                    + f" in extension '{ext.display_name}'.")


def backup_extension_misconfigured(graph: InfraGraph) -> Iterator[Finding]:
    """Yield findings per backup extension with missing required settings, CLI-only keys or unstable release settings."""
    for ext in graph.backup_extensions():
        name = ext.display_name
        settings = ext.get(*SETTINGS)
        if isinstance(settings, Unknown):
            yield Finding(
                message=f"configurationSettings of backup extension '{name}' are not known statically ({settings.origin}); required keys cannot be checked",
                location=ext.location_of(*SETTINGS), severity="info", subject=ext,
                fix=f"Set the backupStorageLocation keys and credentials.tenantId literally in extension '{name}'.")
            settings = None
        else:
            settings = settings if isinstance(settings, dict) else {}
        if settings is not None:
            yield from _cli_only_keys(ext, settings)
            stand_ins = {FRIENDLY[key] for key in settings if key in FRIENDLY}  # reported as CLI-only keys above
            # configurationProtectedSettings reach the Helm chart like configurationSettings
            protected = ext.get("properties", "configurationProtectedSettings")
            present = set(settings) | (set(protected) if isinstance(protected, dict) else set())
            missing = [key for key in REQUIRED if key not in present and key not in stand_ins]
            if missing and isinstance(protected, Unknown):
                yield Finding(
                    message=f"backup extension '{name}' has no configurationSettings {', '.join(repr(k) for k in missing)}; its configurationProtectedSettings are not known statically ({protected.origin}) and may hold them",
                    location=ext.location_of("properties", "configurationProtectedSettings"), severity="info", codes=BSL_CODES, subject=ext,
                    fix=f"Make sure {', '.join(repr(k) for k in missing)} are set in configurationSettings or configurationProtectedSettings of extension '{name}'.")
            elif missing:
                yield Finding(
                    message=f"backup extension '{name}' lacks required configurationSettings {', '.join(repr(k) for k in missing)}",
                    location=ext.location_of(*SETTINGS) if ext.get(*SETTINGS) is not None else ext.location_of("properties"),
                    codes=BSL_CODES, subject=ext,
                    fix=f"Add {', '.join(repr(k) for k in missing)} to configurationSettings of extension '{name}' "
                        "(container name, storage account name, its resource group and subscription id, and subscription().tenantId).")
            aad = settings.get(CONFIG + "useAAD")
            if isinstance(aad, (str, bool)) and str(aad).lower() == "true" and CONFIG + "storageAccountURI" not in settings:
                yield Finding(
                    message=f"backup extension '{name}' sets useAAD 'true' without {CONFIG}storageAccountURI",
                    location=ext.location_of(*SETTINGS, CONFIG + "useAAD"), severity="warning", codes=("P-20", "P-06"), subject=ext,
                    fix=f"Add '{CONFIG}storageAccountURI' = reference(<storage account id>).primaryEndpoints.blob to extension '{name}'.")
        train = ext.get("properties", "releaseTrain")
        if isinstance(train, str) and train.strip().lower() != "stable":
            yield Finding(
                message=f"backup extension '{name}' uses releaseTrain '{train}', not 'stable'",
                location=ext.location_of("properties", "releaseTrain"), severity="warning", codes=("P-20",), subject=ext,
                fix=f"Set releaseTrain 'stable' on extension '{name}'.")
        upgrade = ext.get("properties", "autoUpgradeMinorVersion")
        if upgrade is False or (isinstance(upgrade, str) and upgrade.strip().lower() == "false"):
            yield Finding(
                message=f"backup extension '{name}' sets autoUpgradeMinorVersion false; the backup extension's versions follow AKS upgrades",
                location=ext.location_of("properties", "autoUpgradeMinorVersion"), severity="warning", codes=("P-20",), subject=ext,
                fix=f"Set autoUpgradeMinorVersion true on extension '{name}'.")
