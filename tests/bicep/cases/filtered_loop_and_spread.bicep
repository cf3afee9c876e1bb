// A filtered resource loop with object spread, the constructs pycep-parser 0.7.1 rejects.
param pools array
var base = {
  count: 1
  vmSize: 'Standard_D4s_v5'
}

resource cluster 'Microsoft.ContainerService/managedClusters@2024-02-01' existing = {
  name: 'aks-prod'
}

@batchSize(1)
resource agentPools 'Microsoft.ContainerService/managedClusters/agentPools@2024-02-01' = [for (pool, i) in pools: if (pool.enabled) {
  parent: cluster
  name: pool.name
  properties: {
    ...base
    mode: i == 0 ? 'System' : 'User'
  }
}]
