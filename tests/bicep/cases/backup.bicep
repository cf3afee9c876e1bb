metadata description = 'AKS Backup: vault, policy, extension and trusted access'
targetScope = 'resourceGroup'

@description('The backup vault name')
@minLength(3)
param vaultName string
param snapshotResourceGroup string
param tags object = {}
@secure()
param storageKey string?

type retention = {
  @minValue(1)
  days: int
  tier: 'OperationalStore' | 'VaultStore'
  *: string
}

@export()
func snapshotRgId(name string) string => '${subscription().id}/resourceGroups/${name}'

var names = map(['a', 'b'], n => toUpper(n))
var location = resourceGroup().location

resource vault 'Microsoft.DataProtection/backupVaults@2024-04-01' = {
  name: vaultName
  location: location
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    storageSettings: [
      {
        datastoreType: 'VaultStore'
        type: 'LocallyRedundant'
      }
    ]
  }

  resource policy 'backupPolicies' = {
    name: 'aks-daily'
    properties: {
      objectType: 'BackupPolicy'
      datasourceTypes: [ 'Microsoft.ContainerService/managedClusters' ]
    }
  }
}

module extension './extension.bicep' = if (!empty(snapshotResourceGroup)) {
  name: 'backup-extension'
  params: {
    principalId: vault.identity.principalId
    snapshotRg: snapshotRgId(snapshotResourceGroup)
  }
}

output vaultId string = vault.id
output policyName string = vault::policy.name
