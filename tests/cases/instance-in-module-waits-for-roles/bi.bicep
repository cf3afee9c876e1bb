param location string
param clusterName string
param clusterId string
param vaultName string
param policyId string

resource vault 'Microsoft.DataProtection/backupVaults@2024-04-01' existing = {
  name: vaultName
}

resource bi 'Microsoft.DataProtection/backupVaults/backupInstances@2024-04-01' = {
  parent: vault
  name: clusterName
  properties: {
    objectType: 'BackupInstance'
    friendlyName: clusterName
    dataSourceInfo: {
      objectType: 'Datasource'
      datasourceType: 'Microsoft.ContainerService/managedclusters'
      resourceID: clusterId
      resourceName: clusterName
      resourceType: 'Microsoft.ContainerService/managedclusters'
      resourceUri: clusterId
      resourceLocation: location
    }
    dataSourceSetInfo: {
      objectType: 'DatasourceSet'
      datasourceType: 'Microsoft.ContainerService/managedclusters'
      resourceID: clusterId
      resourceName: clusterName
      resourceType: 'Microsoft.ContainerService/managedclusters'
      resourceUri: clusterId
      resourceLocation: location
    }
    policyInfo: {
      policyId: policyId
      policyParameters: {
        backupDatasourceParametersList: [
          {
            objectType: 'KubernetesClusterBackupDatasourceParameters'
            excludedNamespaces: [ 'kube-system' ]
            excludedResourceTypes: [ 'v1/Secret' ]
            includeClusterScopeResources: true
            includedNamespaces: []
            includedResourceTypes: []
            includedVolumeTypes: [ 'AzureDisk', 'AzureFileShareSMB' ]
            labelSelectors: []
            snapshotVolumes: true
          }
        ]
        dataStoreParametersList: [
          {
            dataStoreType: 'OperationalStore'
            objectType: 'AzureOperationalStoreParameters'
            resourceGroupId: resourceGroup().id
          }
        ]
      }
    }
  }
  }
