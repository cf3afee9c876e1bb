"""A vault whose policies use the vault tier enables cross-region restore without geo-redundant storage."""
from __future__ import annotations

from collections.abc import Iterator

from validator.checks.backup_interval_unsupported import is_aks_policy
from validator.checks.snapshot_limit_exceeded import vault_tier_path
from validator.graph import BACKUP_POLICY, VAULT, InfraGraph
from validator.graph import resource_ids as ids
from validator.model import Finding, Related, Unknown

CRR = ("properties", "featureSettings", "crossRegionRestoreSettings", "state")
STORAGE = ("properties", "storageSettings")


def vault_crr_without_geo_redundancy(graph: InfraGraph) -> Iterator[Finding]:
    """Yield a finding per vault-tier vault with crossRegionRestoreSettings Enabled and no GeoRedundant storage setting."""
    vaults: dict[str, tuple] = {}
    for policy in graph.resources(BACKUP_POLICY):
        key = ids.normalize(policy.id)
        if key is None or policy.get("existing") or not is_aks_policy(policy) or vault_tier_path(policy) is None:
            continue
        vault = graph.declared(key.rsplit("/backuppolicies/", 1)[0], policy.unit, VAULT)
        if vault is not None:
            vaults.setdefault(id(vault), (vault, policy))
    for vault, policy in vaults.values():
        state = vault.get(*CRR)
        if not (isinstance(state, Unknown) or (isinstance(state, str) and state.strip().lower() == "enabled")):
            continue
        settings = vault.get(*STORAGE)
        kinds = [s.get("type") if isinstance(s, dict) else s for s in settings] if isinstance(settings, list) else [settings]
        if any(isinstance(k, str) and not isinstance(k, Unknown) and k.strip().lower() == "georedundant" for k in kinds):
            continue
        tier = Related(policy.location_of(*vault_tier_path(policy)), f"policy '{policy.display_name}' uses the vault tier")
        hidden = state if isinstance(state, Unknown) else next((k for k in kinds if isinstance(k, Unknown) or not isinstance(k, str)), None)
        if hidden is not None:
            yield Finding(
                message=f"cross-region restore or storage redundancy of backup vault '{vault.display_name}' is not known statically ({hidden.origin if isinstance(hidden, Unknown) else hidden}); cannot tell whether cross-region restore has geo-redundant storage",
                location=vault.location_of(*(CRR if isinstance(state, Unknown) else STORAGE)), severity="info", subject=vault, related=(tier,),
                fix=f"Give vault '{vault.display_name}' storageSettings type GeoRedundant when crossRegionRestoreSettings.state is Enabled.")
            continue
        written = ", ".join(str(k) for k in kinds if k is not None) or "none"
        yield Finding(
            message=f"backup vault '{vault.display_name}' enables cross-region restore but its storage redundancy is {written}, not GeoRedundant",
            location=vault.location_of(*CRR), subject=vault,
            related=(Related(vault.location_of(*STORAGE), f"storage settings of vault '{vault.display_name}'"), tier),
            fix=f"Set storageSettings[].type GeoRedundant on vault '{vault.display_name}' (a new vault: redundancy cannot change once items are protected), or turn crossRegionRestoreSettings off.")
