// Event Hubs: a Standard namespace (Capture needs Standard or higher) without SAS keys, the `events` hub the model's
// inputs arrive on and the `scored` hub scoreEvents writes to. Both are captured as Avro into the data account's
// capture container, which weeklyDrift folds into its weekly profiles.
param location string
param tags object
param namespaceName string
param partitionCount int
param messageRetentionInDays int
param captureIntervalInSeconds int
param captureSizeLimitInBytes int
param captureStorageAccountId string
param captureContainerName string
param captureIdentityId string

// The hub and consumer group names are the app settings' defaults (MRM_EVENTS_HUB, MRM_SCORED_HUB, MRM_CONSUMER_GROUP).
var eventsHubName = 'events'
var scoredHubName = 'scored'
var consumerGroupName = 'scoreevents'
// Capture's default format, spelled out because weeklyDrift lists blobs by it (MRM_CAPTURE_NAME_FORMAT).
var captureNameFormat = '{Namespace}/{EventHub}/{PartitionId}/{Year}/{Month}/{Day}/{Hour}/{Minute}/{Second}'

resource namespace 'Microsoft.EventHub/namespaces@2026-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
    capacity: 1
  }
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${captureIdentityId}': {}
    }
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
    isAutoInflateEnabled: false
  }
}

resource hubs 'Microsoft.EventHub/namespaces/eventhubs@2026-01-01' = [
  for hubName in [eventsHubName, scoredHubName]: {
    parent: namespace
    name: hubName
    properties: {
      partitionCount: partitionCount
      messageRetentionInDays: messageRetentionInDays
      captureDescription: {
        enabled: true
        encoding: 'Avro'
        intervalInSeconds: captureIntervalInSeconds
        sizeLimitInBytes: captureSizeLimitInBytes
        skipEmptyArchives: true
        destination: {
          name: 'EventHubArchive.AzureBlockBlob'
          identity: {
            type: 'UserAssigned'
            userAssignedIdentity: captureIdentityId
          }
          properties: {
            storageAccountResourceId: captureStorageAccountId
            blobContainer: captureContainerName
            archiveNameFormat: captureNameFormat
          }
        }
      }
    }
  }
]

resource scoreEventsGroup 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2026-01-01' = {
  parent: hubs[0]
  name: consumerGroupName
  properties: {
    userMetadata: 'scoreEvents (Model Risk Monitor)'
  }
}

output namespaceId string = namespace.id
output namespaceName string = namespace.name
// serviceBusEndpoint is https://<name>.servicebus.windows.net:443/ (the suffix differs in sovereign clouds).
output fullyQualifiedNamespace string = replace(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':443/', '')
output eventsHubName string = eventsHubName
output scoredHubName string = scoredHubName
output consumerGroupName string = consumerGroupName
output captureNameFormat string = captureNameFormat
