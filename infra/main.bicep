// Model Risk Monitor: everything `azd up` needs in one resource group (azd asks for it, or AZURE_RESOURCE_GROUP). This
// file only wires modules; each owns one concern (infra/README.md). Names: abbreviations.json plus a token unique to
// the resource group and environment.
targetScope = 'resourceGroup'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; part of every resource name and the azd-env-name tag.')
param environmentName string

@minLength(1)
@description('Azure region of every resource (alerts and action groups are global).')
param location string = resourceGroup().location

@description('Object id of the person (or pipeline) running azd; gets data access to upload the baseline, send test events and read reports. Empty: none.')
param principalId string = ''

@allowed(['User', 'ServicePrincipal', 'Group'])
@description('Kind of principal principalId is.')
param principalType string = 'User'

@minValue(1)
@maxValue(32)
@description('Partitions of the events and scored hubs (fixed after creation on Standard). Flex Consumption scales to one instance per partition at most.')
param eventHubPartitionCount int = 4

@minValue(1)
@maxValue(7)
@description('Days events stay in the hubs (Standard tier: 1 to 7). Capture keeps them for the drift job.')
param eventHubMessageRetentionInDays int = 1

@minValue(60)
@maxValue(900)
@description('Capture closes a file per partition after this many seconds...')
param captureIntervalInSeconds int = 300

@minValue(10485760)
@maxValue(524288000)
@description('...or after this many bytes, whichever comes first.')
param captureSizeLimitInBytes int = 314572800

@minValue(1)
@maxValue(1000)
@description('Most Flex Consumption instances the app scales out to.')
param maximumInstanceCount int = 40

@allowed([512, 2048, 4096])
@description('Memory of one Flex Consumption instance, in MB.')
param instanceMemoryMB int = 2048

@minValue(30)
@maxValue(730)
@description('Days Log Analytics keeps logs and metrics.')
param logRetentionInDays int = 30

@description('Comma-separated e-mail addresses of the operators action group. Empty: no e-mail receiver.')
param operatorEmails string = ''

@secure()
@description('Optional extra webhook of the operators action group (chat, paging). It may carry a token, hence secure.')
param operatorWebhookUrl string = ''

@description('Name of an existing Azure ML workspace to retrain in. Empty: the webhook runs in dry-run mode.')
param amlWorkspaceName string = ''

@description('Resource group of that workspace (same subscription). Default: the resource group of this deployment.')
param amlWorkspaceResourceGroup string = ''

@description('Object id of the Entra app registration the retrain action group authenticates to (secure webhook). Empty: function key only.')
param retrainWebhookAadObjectId string = ''

@description('Application ID URI of that app registration: the audience of v1.0 tokens, and what the action group asks a token for.')
param retrainWebhookAadIdentifierUri string = ''

@description('Application (client) id of that app registration: the audience of v2.0 tokens, which the app registration issues when it accepts v2.0 tokens as Microsoft\'s secure-webhook setup has it. The webhook accepts both audiences.')
param retrainWebhookAadClientId string = ''

@description('Tenant of that app registration.')
param retrainWebhookAadTenantId string = tenant().tenantId

@description('Route of retrainWebhook under /api; the app setting MRM_WEBHOOK_ROUTE gets the same value.')
param retrainWebhookRoute string = 'retrain'

@description('NCRONTAB schedule (UTC, with seconds) of the weekly drift job.')
param driftSchedule string = '0 0 3 * * 1'

@description('Model the retrain alert rules are tagged with (mrm-model tag); the webhook maps it to a job template.')
param modelName string = 'default'

@description('Send a stream detector\'s page to the retrain webhook as well as to the operators (the webhook claims each alert once and keeps the model\'s cooldown).')
param streamAlarmRetrains bool = false

@secure()
@description('Azure ML endpoint key (`azd env set MRM_AML_KEY <key>`): switches scoring to MRM_AML_AUTH=key with the key in a Key Vault and a Key Vault reference in the app settings. Empty (the default): Entra ID with the app\'s identity, no secret anywhere.')
param amlEndpointKey string = ''

@description('Overrides of the app\'s own settings, e.g. { "MRM_SCORER": "aml", "MRM_AML_ENDPOINT_URL": "https://..." }. Only settings the app reads are applied.')
param appSettingOverrides object = {}

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var functionAppName = '${abbrs.webSitesFunctions}${resourceToken}'
// Retrain rules are named with this prefix and the webhook only acts on rules matching it (MRM_RETRAIN_RULE_PATTERN).
var retrainRulePrefix = 'mrm-retrain-'
var modelTagName = 'mrm-model'
// The secure webhook needs the app registration's object id (the action group) and identifier URI (the token it asks
// for); the app then checks tokens. Only both together switch it on, on both sides.
var retrainWebhookSecured = !empty(retrainWebhookAadObjectId) && !empty(retrainWebhookAadIdentifierUri)
// Both audiences a secure-webhook token may carry: the identifier URI (v1.0 tokens) and the client id (v2.0 tokens).
var retrainWebhookAudiences = join(
  filter([retrainWebhookAadIdentifierUri, retrainWebhookAadClientId], audience => !empty(audience)),
  ','
)

module identities 'modules/identities.bicep' = {
  name: 'identities'
  params: {
    location: location
    tags: tags
    appIdentityName: '${abbrs.managedIdentityUserAssignedIdentities}func-${resourceToken}'
    captureIdentityName: '${abbrs.managedIdentityUserAssignedIdentities}capture-${resourceToken}'
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    tags: tags
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    appInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    retentionInDays: logRetentionInDays
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    tags: tags
    dataAccountName: '${abbrs.storageStorageAccounts}${resourceToken}'
    hostAccountName: '${abbrs.storageStorageAccounts}func${resourceToken}'
    deploymentContainerName: 'app-package-${take(functionAppName, 32)}-${take(resourceToken, 7)}'
    captureIdentityPrincipalId: identities.outputs.captureIdentityPrincipalId
  }
}

module eventHubs 'modules/eventhubs.bicep' = {
  name: 'eventhubs'
  params: {
    location: location
    tags: tags
    namespaceName: '${abbrs.eventHubNamespaces}${resourceToken}'
    partitionCount: eventHubPartitionCount
    messageRetentionInDays: eventHubMessageRetentionInDays
    captureIntervalInSeconds: captureIntervalInSeconds
    captureSizeLimitInBytes: captureSizeLimitInBytes
    captureStorageAccountId: storage.outputs.dataAccountId
    captureContainerName: storage.outputs.containerNames.capture
    captureIdentityId: identities.outputs.captureIdentityId
  }
}

module amlKeyVault 'modules/amlKeyVault.bicep' = if (!empty(amlEndpointKey)) {
  name: 'aml-key-vault'
  params: {
    location: location
    tags: tags
    vaultName: '${abbrs.keyVaultVaults}${resourceToken}'
    appPrincipalId: identities.outputs.appIdentityPrincipalId
    amlEndpointKey: amlEndpointKey
  }
}

module captureEvents 'modules/captureEvents.bicep' = {
  name: 'capture-events'
  params: {
    location: location
    tags: tags
    systemTopicName: '${abbrs.eventGridSystemTopics}capture-${resourceToken}'
    dataStorageAccountName: storage.outputs.dataAccountName
  }
}

module functionApp 'modules/functionApp.bicep' = {
  name: 'functionapp'
  params: {
    location: location
    tags: tags
    functionAppName: functionAppName
    planName: '${abbrs.webServerFarms}${resourceToken}'
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    appIdentityId: identities.outputs.appIdentityId
    appIdentityClientId: identities.outputs.appIdentityClientId
    hostStorageAccountName: storage.outputs.hostAccountName
    deploymentContainerName: storage.outputs.deploymentContainerName
    dataBlobEndpoint: storage.outputs.dataBlobEndpoint
    containerNames: storage.outputs.containerNames
    eventHubsNamespaceName: eventHubs.outputs.namespaceName
    eventHubsFullyQualifiedNamespace: eventHubs.outputs.fullyQualifiedNamespace
    eventsHubName: eventHubs.outputs.eventsHubName
    scoredHubName: eventHubs.outputs.scoredHubName
    consumerGroupName: eventHubs.outputs.consumerGroupName
    captureNameFormat: eventHubs.outputs.captureNameFormat
    appInsightsConnectionString: monitoring.outputs.appInsightsConnectionString
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsCustomerId
    driftSchedule: driftSchedule
    webhookRoute: retrainWebhookRoute
    webhookAudience: retrainWebhookSecured ? retrainWebhookAudiences : ''
    webhookTenantId: retrainWebhookSecured ? retrainWebhookAadTenantId : ''
    retrainRulePattern: '^${retrainRulePrefix}'
    modelTagName: modelTagName
    modelName: modelName
    amlSubscriptionId: !empty(amlWorkspaceName) ? subscription().subscriptionId : ''
    amlResourceGroup: !empty(amlWorkspaceName) ? (!empty(amlWorkspaceResourceGroup) ? amlWorkspaceResourceGroup : resourceGroup().name) : ''
    amlWorkspaceName: amlWorkspaceName
    dashboardUrl: dashboardUrl
    appSettingOverrides: appSettingOverrides
    amlKeySecretUri: !empty(amlEndpointKey) ? amlKeyVault.outputs.secretUri : ''
  }
}

module rbac 'modules/rbac.bicep' = {
  name: 'rbac'
  params: {
    appPrincipalId: identities.outputs.appIdentityPrincipalId
    hostStorageAccountName: storage.outputs.hostAccountName
    dataStorageAccountName: storage.outputs.dataAccountName
    containerNames: storage.outputs.containerNames
    eventHubsNamespaceName: eventHubs.outputs.namespaceName
    eventsHubName: eventHubs.outputs.eventsHubName
    scoredHubName: eventHubs.outputs.scoredHubName
    appInsightsName: monitoring.outputs.appInsightsName
    logAnalyticsName: monitoring.outputs.logAnalyticsName
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
  }
}

module amlAccess 'modules/amlAccess.bicep' = if (!empty(amlWorkspaceName)) {
  name: 'aml-access'
  scope: resourceGroup(!empty(amlWorkspaceResourceGroup) ? amlWorkspaceResourceGroup : resourceGroup().name)
  params: {
    workspaceName: amlWorkspaceName
    appPrincipalId: identities.outputs.appIdentityPrincipalId
  }
}

module actionGroups 'modules/actionGroups.bicep' = {
  name: 'action-groups'
  params: {
    tags: tags
    retrainGroupName: '${abbrs.insightsActionGroups}retrain-${resourceToken}'
    operatorsGroupName: '${abbrs.insightsActionGroups}operators-${resourceToken}'
    operatorEmails: operatorEmails
    operatorWebhookUrl: operatorWebhookUrl
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    location: location
    tags: tags
    nameSuffix: environmentName
    appInsightsId: monitoring.outputs.appInsightsId
    retrainActionGroupId: actionGroups.outputs.retrainActionGroupId
    operatorsActionGroupId: actionGroups.outputs.operatorsActionGroupId
    retrainRulePrefix: retrainRulePrefix
    operatorRulePrefix: 'mrm-ops-'
    modelTagName: modelTagName
    modelName: modelName
    appPrincipalId: identities.outputs.appIdentityPrincipalId
    streamAlarmRetrains: streamAlarmRetrains
  }
}

// The dashboard in the portal; the drift reports link to it (MRM_DASHBOARD_URL).
var dashboardUrl = '${environment().portal}/#resource${workbook.outputs.id}/workbook'

module workbook 'modules/workbook.bicep' = {
  name: 'workbook'
  params: {
    location: location
    tags: tags
    appInsightsId: monitoring.outputs.appInsightsId
    nameSuffix: environmentName
    displayName: 'Model Risk Monitor (${environmentName})'
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = resourceGroup().name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_URI string = functionApp.outputs.uri
output AZURE_CLIENT_ID string = identities.outputs.appIdentityClientId
output AZURE_STORAGE_BLOB_ENDPOINT string = storage.outputs.dataBlobEndpoint
output EVENTHUB_FULLY_QUALIFIED_NAMESPACE string = eventHubs.outputs.fullyQualifiedNamespace
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.appInsightsConnectionString
output LOG_ANALYTICS_WORKSPACE_ID string = monitoring.outputs.logAnalyticsCustomerId
output MRM_BASELINE_CONTAINER string = storage.outputs.containerNames.baseline
output MRM_REPORTS_CONTAINER string = storage.outputs.containerNames.reports
output MRM_EVENTS_HUB string = eventHubs.outputs.eventsHubName
output MRM_RETRAIN_WEBHOOK_URL string = '${functionApp.outputs.uri}/api/${retrainWebhookRoute}'
output MRM_DASHBOARD_URL string = dashboardUrl
// What the azd hooks need to wire the retrain webhook after deploy (scripts/hooks/wire-retrain-webhook.mjs).
output AZURE_RESOURCE_MANAGER_ENDPOINT string = environment().resourceManager
output AZURE_FUNCTION_APP_ID string = functionApp.outputs.id
// For the hook that subscribes profileCaptureBlob to the capture container's new blobs, one prefix per captured hub
// (the Capture name format starts with {Namespace}/{EventHub}/).
output MRM_CAPTURE_EVENTS_TOPIC_ID string = captureEvents.outputs.systemTopicId
output MRM_CAPTURE_BLOB_SUBJECT_PREFIXES string = join(
  map(
    [eventHubs.outputs.eventsHubName, eventHubs.outputs.scoredHubName],
    hub => '/blobServices/default/containers/${storage.outputs.containerNames.capture}/blobs/${eventHubs.outputs.namespaceName}/${hub}/'
  ),
  ','
)
output MRM_RETRAIN_ACTION_GROUP_ID string = actionGroups.outputs.retrainActionGroupId
output MRM_RETRAIN_WEBHOOK_AAD_OBJECT_ID string = retrainWebhookSecured ? retrainWebhookAadObjectId : ''
output MRM_RETRAIN_WEBHOOK_AAD_IDENTIFIER_URI string = retrainWebhookSecured ? retrainWebhookAadIdentifierUri : ''
output MRM_RETRAIN_WEBHOOK_AAD_TENANT_ID string = retrainWebhookSecured ? retrainWebhookAadTenantId : ''
