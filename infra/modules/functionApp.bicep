// The Function App: Flex Consumption (FC1), Node 22, one user-assigned identity for everything, identity-based
// connections only (no keys, no connection strings). Its app settings are every setting the code reads
// (shared/config/sections/*.ts; a test compares both ways) plus the host's own connections.
param location string
param tags object
param functionAppName string
param planName string
param maximumInstanceCount int
param instanceMemoryMB int
param appIdentityId string
param appIdentityClientId string
param hostStorageAccountName string
param deploymentContainerName string
param dataBlobEndpoint string
param containerNames object
param eventHubsNamespaceName string
param eventHubsFullyQualifiedNamespace string
param eventsHubName string
param scoredHubName string
param consumerGroupName string
param captureNameFormat string
param appInsightsConnectionString string
param logAnalyticsWorkspaceId string
@description('NCRONTAB schedule of dailyDrift; its timer trigger reads it as %MRM_DAILY_DRIFT_SCHEDULE%, so it cannot be empty.')
param dailyDriftSchedule string = '0 30 2 * * *'
@description('NCRONTAB schedule of weeklyDrift; its timer trigger reads it as %MRM_DRIFT_SCHEDULE%, so it cannot be empty.')
param driftSchedule string
param webhookRoute string
@description('Comma-separated Entra audiences of the secure webhook (identifier URI, client id); empty turns token checks off (the function key still applies).')
param webhookAudience string
param webhookTenantId string
param retrainRulePattern string
param modelTagName string
param modelName string
param amlSubscriptionId string
param amlResourceGroup string
param amlWorkspaceName string
@description('Versionless URI of the Azure ML endpoint key in Key Vault (amlKeyVault.bicep); empty: Entra auth.')
param amlKeySecretUri string = ''
@description('URL of the dashboard (workbook) the drift reports link to.')
param dashboardUrl string
@description('Values for settings the app reads; keys it does not read are dropped.')
param appSettingOverrides object

var monitoring = loadJsonContent('../../shared/config/monitoring.json')

// Connection names: the Functions host resolves `<name>__<part>` settings into an identity-based connection.
var hostStorageConnection = 'AzureWebJobsStorage'
var eventHubConnection = 'EventHubConnection'
var dataStorageConnection = 'MrmStorage'
var managedIdentity = 'managedidentity'
// The app role Azure Monitor's secure-webhook setup assigns to its service principal; tokens without it are refused.
var secureWebhookRole = 'ActionGroupsSecureWebhook'

resource hostStorage 'Microsoft.Storage/storageAccounts@2026-04-01' existing = {
  name: hostStorageAccountName
}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: functionAppName
  location: location
  tags: union(tags, { 'azd-service-name': 'functions' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${appIdentityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references (MRM_AML_KEY) resolve with the app's user-assigned identity.
    keyVaultReferenceIdentity: appIdentityId
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${hostStorage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: appIdentityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
}

// The host's own connections. Durable Functions keeps the driftBackfill task hub (host.json `durableTask`, Azure
// Storage provider: control and work-item queues, history and instance tables, lease and large-message blobs) on
// this account too, through the same identity: hence the queue URI (and rbac.bicep's queue role on this account).
var hostSettings = {
  AzureWebJobsStorage__blobServiceUri: hostStorage.properties.primaryEndpoints.blob
  AzureWebJobsStorage__queueServiceUri: hostStorage.properties.primaryEndpoints.queue
  AzureWebJobsStorage__tableServiceUri: hostStorage.properties.primaryEndpoints.table
  AzureWebJobsStorage__credential: managedIdentity
  AzureWebJobsStorage__clientId: appIdentityClientId
  EventHubConnection__fullyQualifiedNamespace: eventHubsFullyQualifiedNamespace
  EventHubConnection__credential: managedIdentity
  EventHubConnection__clientId: appIdentityClientId
  MrmStorage__blobServiceUri: dataBlobEndpoint
  MrmStorage__credential: managedIdentity
  MrmStorage__clientId: appIdentityClientId
}

// Every setting the code reads, one key per declared setting. An empty value means "the code's documented default"
// (loadSettings treats empty as unset), so defaults live in one place; set one with appSettingOverrides. Settings a
// trigger reads as a binding expression (%NAME%) always get a value. Names,
// containers and thresholds come from the resources here and from monitoring.json, the file the alerts use.
var appSettings = {
  // core
  MRM_STORAGE_CONNECTION_NAME: dataStorageConnection
  MRM_BASELINE_CONTAINER: containerNames.baseline
  MRM_BASELINE_BLOB: ''
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${appIdentityClientId}'
  AZURE_CLIENT_ID: appIdentityClientId

  // scoring (scoreEvents)
  MRM_EVENTHUB_CONNECTION_NAME: eventHubConnection
  MRM_EVENTS_HUB: eventsHubName
  MRM_SCORED_HUB: scoredHubName
  MRM_CONSUMER_GROUP: consumerGroupName
  MRM_DEAD_LETTER_CONTAINER: containerNames.deadLetters
  MRM_MAX_BODY_BYTES: ''
  MRM_SCORER: ''
  MRM_ONNX_MODEL_CONTAINER: containerNames.baseline
  MRM_ONNX_MODEL_BLOB: ''
  MRM_ONNX_FEATURES: ''
  MRM_ONNX_CLASSES: ''
  MRM_ONNX_LABEL_OUTPUT: ''
  MRM_ONNX_PROBABILITY_OUTPUT: ''
  MRM_ONNX_THREADS: ''
  MRM_AML_ENDPOINT_URL: ''
  // Key auth exists only with a key in the vault (main.bicep's amlEndpointKey), so it cannot be set without one.
  MRM_AML_AUTH: empty(amlKeySecretUri) ? '' : 'key'
  MRM_AML_KEY: empty(amlKeySecretUri) ? '' : '@Microsoft.KeyVault(SecretUri=${amlKeySecretUri})'
  MRM_AML_DEPLOYMENT: ''
  MRM_AML_TIMEOUT_MS: ''
  MRM_AML_MAX_RESPONSE_BYTES: ''
  MRM_AML_MAX_RETRIES: ''
  MRM_AML_MAX_BATCH_SIZE: ''
  MRM_AML_CONCURRENCY: ''
  MRM_AML_RETRY_BASE_DELAY_MS: ''
  MRM_AML_MAX_RETRY_WAIT_MS: ''
  MRM_AML_BREAKER_FAILURES: ''
  MRM_AML_BREAKER_COOLDOWN_MS: ''
  MRM_AML_REQUEST_FORMAT: ''
  MRM_AML_RESPONSE_FORMAT: ''
  MRM_AML_CLASSES: ''
  MRM_MIN_CONFIDENCE: ''
  MRM_MAX_ENTROPY_RATIO: ''
  MRM_MIN_MARGIN: ''
  MRM_QUERY_LIMIT: ''
  MRM_QUERY_WINDOW_SECONDS: ''
  MRM_PROBING_MIN_QUERIES: ''
  MRM_PROBING_SHARE: ''
  MRM_OUTPUT_PROTECTION: ''
  MRM_OUTPUT_NOISE_SIGMA: ''
  MRM_PROFILE_RELOAD_CHECK_MS: ''
  MRM_INCLUDE_PROBABILITIES: ''

  // stream detectors (scoreEvents)
  MRM_STREAM_DETECTORS: ''
  MRM_STREAM_WINDOW_EVENTS: ''
  MRM_STREAM_MIN_DROP: ''
  MRM_STREAM_FALSE_ALARM_EVENTS: ''
  MRM_STREAM_REFERENCE_EVENTS: ''
  MRM_STREAM_SHIFT: ''
  MRM_STREAM_STATE_CONTAINER: containerNames.streamState
  MRM_STREAM_SAVE_INTERVAL_MS: ''

  // drift (weeklyDrift)
  MRM_CAPTURE_CONTAINER: containerNames.capture
  MRM_CAPTURE_NAME_FORMAT: captureNameFormat
  MRM_DRIFT_ALPHA: ''
  MRM_DRIFT_WASSERSTEIN_THRESHOLD: ''
  MRM_DRIFT_JS_THRESHOLD: ''
  MRM_DRIFT_PSI_THRESHOLD: ''
  MRM_DRIFT_PSI_BINNING: ''
  MRM_DRIFT_FDR: ''
  MRM_DRIFT_DATASET_SHARE: ''
  MRM_DRIFT_RETRAIN_MAGNITUDE: string(monitoring.thresholds.retrainDriftMagnitude)
  MRM_DRIFT_PERFORMANCE_DROP: ''
  MRM_DRIFT_PERFORMANCE_HIGH_DROP: ''
  MRM_DRIFT_MIN_LABELLED: ''
  MRM_CAPTURE_NAMESPACE: eventHubsNamespaceName
  MRM_DRIFT_SCHEDULE: driftSchedule
  MRM_DAILY_DRIFT_SCHEDULE: dailyDriftSchedule
  MRM_DRIFT_CACHE_CONTAINER: containerNames.driftCache
  MRM_REPORTS_CONTAINER: containerNames.reports
  MRM_DASHBOARD_URL: dashboardUrl
  MRM_DRIFT_TIME_BUDGET_MS: ''
  MRM_DRIFT_CONCURRENCY: ''
  MRM_DRIFT_HANDOVER_MIB: ''
  MRM_DRIFT_TREND_WINDOWS: ''
  MRM_LOG_ANALYTICS_WORKSPACE_ID: logAnalyticsWorkspaceId

  // retraining (retrainWebhook)
  MRM_RETRAIN_THRESHOLD: string(monitoring.thresholds.retrainDriftMagnitude)
  MRM_WEBHOOK_ROUTE: webhookRoute
  MRM_WEBHOOK_MAX_BODY_BYTES: ''
  MRM_ENTRA_AUDIENCE: webhookAudience
  MRM_ENTRA_TENANT_ID: webhookTenantId
  MRM_ENTRA_ISSUERS: ''
  MRM_ENTRA_AUTHORITY: ''
  MRM_ENTRA_JWKS_URL: ''
  MRM_ENTRA_REQUIRED_ROLE: empty(webhookAudience) ? '' : secureWebhookRole
  MRM_RETRAIN_RULE_PATTERN: retrainRulePattern
  MRM_RETRAIN_MODEL_TAG: modelTagName
  MRM_RETRAIN_DEFAULT_MODEL: modelName
  MRM_RULE_TAG_CACHE_SECONDS: ''
  MRM_RETRAIN_COOLDOWN_HOURS: ''
  MRM_RETRAIN_DEDUPE_WINDOW_MINUTES: ''
  MRM_RETRAIN_CLAIM_LEASE_SECONDS: ''
  MRM_RETRAIN_STATE_CONTAINER: containerNames.webhookState
  MRM_AUDIT_CONTAINER: containerNames.audit
  MRM_RETRAIN_MODE: ''
  MRM_RETRAIN_DRY_RUN: ''
  MRM_RETRAIN_WORKSPACE_SUBSCRIPTION_ID: amlSubscriptionId
  MRM_RETRAIN_WORKSPACE_RESOURCE_GROUP: amlResourceGroup
  MRM_RETRAIN_WORKSPACE_NAME: amlWorkspaceName
  MRM_RETRAIN_PIPELINE_ENDPOINT_URL: ''
  MRM_RETRAIN_JOB_TEMPLATE: ''
  MRM_ARM_ENDPOINT: environment().resourceManager
  MRM_RETRAIN_JOBS_API_VERSION: ''
  MRM_ARM_TIMEOUT_MS: ''
  MRM_RETRAIN_CAPTURE_DAYS: ''
}

// Overrides may only change settings the app reads, never add unknown ones or touch the host's connections.
// The endpoint's auth and key come only from amlEndpointKey: an override could ask for key auth without a key.
var overrides = toObject(filter(items(appSettingOverrides), o => contains(appSettings, o.key) && !contains(['MRM_AML_AUTH', 'MRM_AML_KEY'], o.key)), o => o.key, o => string(o.value))

resource settings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: site
  name: 'appsettings'
  properties: union(hostSettings, appSettings, overrides)
}

output name string = site.name
output id string = site.id
output uri string = 'https://${site.properties.defaultHostName}'
