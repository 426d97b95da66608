// Two storage accounts, both without shared keys (Entra only):
// - data: what the monitor reads and writes (Capture files, baseline, reports, drift cache, dead letters, webhook
//   state, audit, the stream detectors' per-partition state).
//   Roles are granted per container (rbac.bicep), so the app can read but never rewrite the captured events or the
//   baseline, and Capture can write only its own container.
// - host: the Functions host's own storage (AzureWebJobsStorage: keys, leases, checkpoints, diagnostic events) and
//   the Flex Consumption deployment package. The host needs Blob Data Owner on it, which is why it is not the data
//   account: that role would otherwise cover every data container too.
param location string
param tags object
param dataAccountName string
param hostAccountName string
param deploymentContainerName string
param captureIdentityPrincipalId string

// Container names are the app settings' defaults (shared/config/sections), so local runs and Azure agree; a test
// checks that every *_CONTAINER setting's default is created here.
var containerNames = {
  capture: 'capture'
  baseline: 'baseline'
  reports: 'reports'
  deadLetters: 'deadletters'
  webhookState: 'webhook-state'
  audit: 'audit'
  driftCache: 'drift-cache'
  streamState: 'streamstate'
}

// Storage Blob Data Contributor
var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

resource dataAccount 'Microsoft.Storage/storageAccounts@2026-04-01' = {
  name: dataAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource dataBlobs 'Microsoft.Storage/storageAccounts/blobServices@2026-04-01' = {
  parent: dataAccount
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource dataContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-04-01' = [
  for name in items(containerNames): {
    parent: dataBlobs
    name: name.value
    properties: {
      publicAccess: 'None'
    }
  }
]

resource captureContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-04-01' existing = {
  parent: dataBlobs
  name: containerNames.capture
}

// Capture writes Avro files into its container and nowhere else.
resource captureWrites 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(captureContainer.id, captureIdentityPrincipalId, storageBlobDataContributor)
  scope: captureContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: captureIdentityPrincipalId
    principalType: 'ServicePrincipal'
  }
  dependsOn: [dataContainers]
}

resource hostAccount 'Microsoft.Storage/storageAccounts@2026-04-01' = {
  name: hostAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource hostBlobs 'Microsoft.Storage/storageAccounts/blobServices@2026-04-01' = {
  parent: hostAccount
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-04-01' = {
  parent: hostBlobs
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

output dataAccountId string = dataAccount.id
output dataAccountName string = dataAccount.name
output dataBlobEndpoint string = dataAccount.properties.primaryEndpoints.blob
output hostAccountName string = hostAccount.name
output deploymentContainerName string = deploymentContainer.name
output containerNames object = containerNames
