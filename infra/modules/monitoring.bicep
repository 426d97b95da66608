// Log Analytics workspace and a workspace-based Application Insights with local (key) auth disabled: telemetry is
// accepted only with an Entra token, so the app's identity needs Monitoring Metrics Publisher on it (rbac.bicep).
param location string
param tags object
param logAnalyticsName string
param appInsightsName string
param retentionInDays int

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2026-03-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    features: {
      enableLogAccessUsingOnlyResourcePermissions: true
      disableLocalAuth: true
    }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    IngestionMode: 'LogAnalytics'
    DisableLocalAuth: true
  }
}

output logAnalyticsName string = logAnalytics.name
output logAnalyticsId string = logAnalytics.id
// The workspace id (a GUID) that Log Analytics queries take.
output logAnalyticsCustomerId string = logAnalytics.properties.customerId
output appInsightsName string = appInsights.name
output appInsightsId string = appInsights.id
// Not a secret: it names the ingestion endpoint; with local auth disabled it grants nothing without a token.
output appInsightsConnectionString string = appInsights.properties.ConnectionString
