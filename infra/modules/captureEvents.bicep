// Blob-created events of the data account, for profileCaptureBlob (the Event Grid-based blob trigger, which Flex
// Consumption supports instead of polling). The subscription itself is made after deploy by an azd hook
// (scripts/hooks/wire-capture-events.mjs): its endpoint carries the Functions host's blobs_extension key, which exists
// only once the code runs, the same reason the retrain webhook is wired after deploy.
param location string
param tags object
param systemTopicName string
param dataStorageAccountName string

resource dataStorage 'Microsoft.Storage/storageAccounts@2026-04-01' existing = {
  name: dataStorageAccountName
}

resource captureEvents 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: systemTopicName
  location: location
  tags: tags
  properties: {
    source: dataStorage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

output systemTopicId string = captureEvents.id
