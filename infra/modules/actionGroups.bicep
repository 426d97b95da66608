// Two action groups (common alert schema everywhere):
// - retrain: calls retrainWebhook. The URL carries the host's default function key (the function is authLevel
//   'function'); with the secure-webhook parameters set, Azure Monitor also sends an Entra token for that app
//   registration, which the function checks (MRM_ENTRA_AUDIENCE), so a leaked URL alone cannot start a job.
// - operators: e-mail addresses and an optional extra webhook.
param tags object
param retrainGroupName string
param operatorsGroupName string
param functionAppName string
@description('False leaves the retrain group without its webhook (when the key cannot be listed yet).')
param wireRetrainWebhook bool
param webhookRoute string
param webhookAadObjectId string
param webhookAadIdentifierUri string
param webhookAadTenantId string
@description('Comma-separated e-mail addresses.')
param operatorEmails string
@secure()
param operatorWebhookUrl string

resource site 'Microsoft.Web/sites@2025-03-01' existing = {
  name: functionAppName
}

var useAad = !empty(webhookAadObjectId) && !empty(webhookAadIdentifierUri)
var emails = filter(map(split(operatorEmails, ','), e => trim(e)), e => !empty(e))

// A function key cannot exist before the function does, but the host's default key exists as soon as the host runs.
// It is read at deployment and never stored in a parameter or output.
var retrainUri = 'https://${site.properties.defaultHostName}/api/${webhookRoute}?code=${listKeys('${site.id}/host/default', '2025-03-01').functionKeys.default}'

resource retrain 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: retrainGroupName
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'mrm-retrain'
    enabled: true
    webhookReceivers: wireRetrainWebhook ? [
      {
        name: 'retrainWebhook'
        serviceUri: retrainUri
        useCommonAlertSchema: true
        useAadAuth: useAad
        objectId: useAad ? webhookAadObjectId : null
        identifierUri: useAad ? webhookAadIdentifierUri : null
        tenantId: useAad ? webhookAadTenantId : null
      }
    ] : []
  }
}

resource operators 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: operatorsGroupName
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'mrm-ops'
    enabled: true
    emailReceivers: [
      for (address, i) in emails: {
        name: 'operator-${i}'
        emailAddress: address
        useCommonAlertSchema: true
      }
    ]
    webhookReceivers: empty(operatorWebhookUrl) ? [] : [
      {
        name: 'operatorsWebhook'
        serviceUri: operatorWebhookUrl
        useCommonAlertSchema: true
      }
    ]
  }
}

output retrainActionGroupId string = retrain.id
output operatorsActionGroupId string = operators.id
