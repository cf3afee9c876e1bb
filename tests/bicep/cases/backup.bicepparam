using './backup.bicep'

import { settings } from 'shared.bicep'

param vaultName = 'bv-prod'
param snapshotResourceGroup = 'rg-snap'
param tags = {
  env: 'prod'
  owner: readEnvironmentVariable('OWNER', 'platform')
}
