// A realistic AKS backup set-up (REST-example backup instance) whose backup instance is deployed by a
// module that depends on the role assignments, the Trusted Access binding and the extension role:
// the module deployment starts after them, so the instance inside it waits for them.
param location string = resourceGroup().location
param clusterName string = 'aks-shop-weu'
param vaultName string = 'bv-shop-weu'
param storageAccountName string = 'stshopbackupweu'
param containerName string = 'aks-backup'

resource controlPlane 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-${clusterName}'
  location: location
}

resource aks 'Microsoft.ContainerService/managedClusters@2024-05-01' = {
  name: clusterName
  location: location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${controlPlane.id}': {}
    }
  }
  properties: {
    dnsPrefix: clusterName
    kubernetesVersion: '1.33'
    agentPoolProfiles: [
      {
        name: 'system'
        mode: 'System'
        count: 3
        vmSize: 'Standard_D4ds_v5'
        osType: 'Linux'
        osSKU: 'AzureLinux'
      }
    ]
  }
}

resource sa 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageAccountName
  location: location
  sku: { name: 'Standard_ZRS' }
  kind: 'StorageV2'
  properties: {
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
  }
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: sa
  name: 'default'
}

resource container 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobs
  name: containerName
}

resource ext 'Microsoft.KubernetesConfiguration/extensions@2023-05-01' = {
  name: 'azure-aks-backup'
  scope: aks
  properties: {
    extensionType: 'Microsoft.DataProtection.Kubernetes'
    releaseTrain: 'stable'
    autoUpgradeMinorVersion: true
    configurationSettings: {
      'configuration.backupStorageLocation.bucket': containerName
      'configuration.backupStorageLocation.config.storageAccount': sa.name
      'configuration.backupStorageLocation.config.resourceGroup': resourceGroup().name
      'configuration.backupStorageLocation.config.subscriptionId': subscription().subscriptionId
      'configuration.backupStorageLocation.config.useAAD': 'true'
      'configuration.backupStorageLocation.config.storageAccountURI': sa.properties.primaryEndpoints.blob
      'credentials.tenantId': subscription().tenantId
    }
  }
  dependsOn: [ container ]
}

resource extBlob 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(sa.id, ext.id, 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')
  scope: sa
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')
    principalId: ext.properties.aksAssignedIdentity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource vault 'Microsoft.DataProtection/backupVaults@2024-04-01' = {
  name: vaultName
  location: location
  identity: { type: 'SystemAssigned' }
  properties: {
    storageSettings: [
      { datastoreType: 'VaultStore', type: 'LocallyRedundant' }
    ]
  }
}

resource policy 'Microsoft.DataProtection/backupVaults/backupPolicies@2024-04-01' = {
  parent: vault
  name: 'aks-daily'
  properties: {
    objectType: 'BackupPolicy'
    datasourceTypes: [ 'Microsoft.ContainerService/managedClusters' ]
    policyRules: [
      {
        name: 'BackupDaily'
        objectType: 'AzureBackupRule'
        backupParameters: { objectType: 'AzureBackupParams', backupType: 'Incremental' }
        dataStore: { dataStoreType: 'OperationalStore', objectType: 'DataStoreInfoBase' }
        trigger: {
          objectType: 'ScheduleBasedTriggerContext'
          schedule: { repeatingTimeIntervals: [ 'R/2024-01-01T02:00:00+00:00/P1D' ], timeZone: 'UTC' }
          taggingCriteria: [
            { isDefault: true, tagInfo: { tagName: 'Default', id: 'Default_' }, taggingPriority: 99 }
          ]
        }
      }
      {
        name: 'Default'
        objectType: 'AzureRetentionRule'
        isDefault: true
        lifecycles: [
          {
            deleteAfter: { objectType: 'AbsoluteDeleteOption', duration: 'P14D' }
            sourceDataStore: { dataStoreType: 'OperationalStore', objectType: 'DataStoreInfoBase' }
            targetDataStoreCopySettings: []
          }
        ]
      }
    ]
  }
}

resource tarb 'Microsoft.ContainerService/managedClusters/trustedAccessRoleBindings@2024-05-01' = {
  parent: aks
  name: 'backup-vault'
  properties: {
    sourceResourceId: vault.id
    roles: [ 'Microsoft.DataProtection/backupVaults/backup-operator' ]
  }
}

// vault: Reader on the cluster's resource group covers the cluster and the snapshot group (same group)
resource vaultReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, vault.id, 'reader')
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'acdd72a7-3385-48ef-bd42-f606fba81ae7')
    principalId: vault.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource clusterContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, controlPlane.id, 'contributor')
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b24988ac-6180-42a0-ab88-20f7382dd24c')
    principalId: controlPlane.properties.principalId
    principalType: 'ServicePrincipal'
  }
}


module backup 'bi.bicep' = {
  name: 'backup-instance'
  params: {
    location: location
    clusterName: clusterName
    clusterId: aks.id
    vaultName: vault.name
    policyId: policy.id
  }
  dependsOn: [ tarb, vaultReader, clusterContributor, extBlob ]
}
