// Role assignments of the app's identity (and, optionally, of the person running azd), each at the narrowest scope
// that works. Names are guid(scope, principal, role), so re-deploying never duplicates one. Elsewhere: Capture's
// write access (storage.bicep), reading the retrain alert rules (alerts.bicep), Azure ML (amlAccess.bicep).
param appPrincipalId string
param hostStorageAccountName string
param dataStorageAccountName string
param containerNames object
param eventHubsNamespaceName string
param eventsHubName string
param scoredHubName string
param appInsightsName string
param logAnalyticsName string
@description('Object id of the person or pipeline running azd; empty: no assignment for them.')
param deployerPrincipalId string
param deployerPrincipalType string

// Storage Blob Data Owner: the Functions host's requirement for identity-based AzureWebJobsStorage.
var storageBlobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
// Storage Blob Data Contributor
var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
// Storage Blob Data Reader
var storageBlobDataReader = '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
// Storage Table Data Contributor: the host writes its diagnostic events to Table storage, and Durable Functions its
// task hub's history and instances.
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
// Storage Queue Data Contributor: Durable Functions' control and work-item queues (the driftBackfill task hub), on
// the host account only.
var storageQueueDataContributor = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
// Azure Event Hubs Data Receiver
var eventHubsDataReceiver = 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde'
// Azure Event Hubs Data Sender
var eventHubsDataSender = '2b629674-e913-4c01-ae53-ef4638d8f975'
// Monitoring Metrics Publisher: Application Insights with local auth disabled accepts telemetry only with it.
var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'
// Reader, assigned on the one table weeklyDrift queries (AppMetrics: the week's rejected and low-confidence rates):
// table-level read access, with the query-only custom role below on the workspace.
var reader = 'acdd72a7-3385-48ef-bd42-f606fba81ae7'
// The tables whose data the app reads (scoringTelemetryQuery.ts).
var queriedTables = ['AppMetrics']

// What the app does with each data container: reads the captured events and the baseline (never rewrites them),
// writes reports, its cache of per-blob drift profiles, dead letters, the webhook's claims and cooldowns, and the
// audit log, and the stream detectors' per-partition state.
var appContainerRoles = [
  { container: containerNames.capture, role: storageBlobDataReader }
  { container: containerNames.baseline, role: storageBlobDataReader }
  { container: containerNames.reports, role: storageBlobDataContributor }
  { container: containerNames.driftCache, role: storageBlobDataContributor }
  { container: containerNames.deadLetters, role: storageBlobDataContributor }
  { container: containerNames.webhookState, role: storageBlobDataContributor }
  { container: containerNames.audit, role: storageBlobDataContributor }
  { container: containerNames.streamState, role: storageBlobDataContributor }
]

// The deployer uploads the baseline (`mrm baseline`) and reads reports and dead letters.
var deployerContainerRoles = [
  { container: containerNames.baseline, role: storageBlobDataContributor }
  { container: containerNames.reports, role: storageBlobDataReader }
  { container: containerNames.deadLetters, role: storageBlobDataReader }
]

resource hostStorage 'Microsoft.Storage/storageAccounts@2026-04-01' existing = {
  name: hostStorageAccountName
}

resource dataStorage 'Microsoft.Storage/storageAccounts@2026-04-01' existing = {
  name: dataStorageAccountName
}

resource dataBlobs 'Microsoft.Storage/storageAccounts/blobServices@2026-04-01' existing = {
  parent: dataStorage
  name: 'default'
}

resource appContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-04-01' existing = [
  for grant in appContainerRoles: {
    parent: dataBlobs
    name: grant.container
  }
]

resource deployerContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-04-01' existing = [
  for grant in deployerContainerRoles: {
    parent: dataBlobs
    name: grant.container
  }
]

resource namespace 'Microsoft.EventHub/namespaces@2026-01-01' existing = {
  name: eventHubsNamespaceName
}

resource eventsHub 'Microsoft.EventHub/namespaces/eventhubs@2026-01-01' existing = {
  parent: namespace
  name: eventsHubName
}

resource scoredHub 'Microsoft.EventHub/namespaces/eventhubs@2026-01-01' existing = {
  parent: namespace
  name: scoredHubName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2026-03-01' existing = {
  name: logAnalyticsName
}

resource hostBlobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(hostStorage.id, appPrincipalId, storageBlobDataOwner)
  scope: hostStorage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataOwner)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource hostTableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(hostStorage.id, appPrincipalId, storageTableDataContributor)
  scope: hostStorage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributor)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource hostQueueContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(hostStorage.id, appPrincipalId, storageQueueDataContributor)
  scope: hostStorage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageQueueDataContributor)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource appContainerAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (grant, i) in appContainerRoles: {
    name: guid(appContainers[i].id, appPrincipalId, grant.role)
    scope: appContainers[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', grant.role)
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource eventsReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(eventsHub.id, appPrincipalId, eventHubsDataReceiver)
  scope: eventsHub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', eventHubsDataReceiver)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource scoredSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(scoredHub.id, appPrincipalId, eventHubsDataSender)
  scope: scoredHub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', eventHubsDataSender)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, appPrincipalId, monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Table-level read access (Azure Monitor's "Manage table-level read access"): on the workspace, a role that may run
// queries but read no table's data; on each queried table, Reader. Log Analytics Reader on the workspace would
// read every table, the audit trails of other apps included.
// Runs queries in this workspace; reads table data only where a table-level Reader assignment allows.
resource queryWithoutData 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(logAnalytics.id, 'mrm-query-without-table-data')
  properties: {
    roleName: 'Log Analytics query without table data (${logAnalytics.name})'
    type: 'CustomRole'
    permissions: [
      {
        actions: [
          'Microsoft.OperationalInsights/workspaces/read'
          'Microsoft.OperationalInsights/workspaces/query/read'
        ]
        notActions: [
          'Microsoft.OperationalInsights/workspaces/sharedKeys/read'
        ]
      }
    ]
    // Custom roles are assignable at resource-group scope at the narrowest; the assignment below is on the workspace.
    assignableScopes: [
      resourceGroup().id
    ]
  }
}

resource logsQuery 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(logAnalytics.id, appPrincipalId, queryWithoutData.id)
  scope: logAnalytics
  properties: {
    roleDefinitionId: queryWithoutData.id
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource tables 'Microsoft.OperationalInsights/workspaces/tables@2025-07-01' existing = [
  for table in queriedTables: {
    parent: logAnalytics
    name: table
  }
]

resource tableReaders 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (table, i) in queriedTables: {
    name: guid(tables[i].id, appPrincipalId, reader)
    scope: tables[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', reader)
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource deployerContainerAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (grant, i) in deployerContainerRoles: if (!empty(deployerPrincipalId)) {
    name: guid(deployerContainers[i].id, deployerPrincipalId, grant.role)
    scope: deployerContainers[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', grant.role)
      principalId: deployerPrincipalId
      principalType: deployerPrincipalType
    }
  }
]

// The deployer can send test events (`mrm send`, the demo) to the events hub.
resource deployerEventsSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(eventsHub.id, deployerPrincipalId, eventHubsDataSender)
  scope: eventsHub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', eventHubsDataSender)
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
  }
}
