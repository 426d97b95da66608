// Two action groups (common alert schema everywhere):
// - retrain: calls retrainWebhook. Its webhook is not declared here: the URL carries the function's key, which exists
//   only once the code is deployed and the host runs (listing it during provisioning answers 400). The azd hooks
//   (scripts/hooks/wire-retrain-webhook.mjs, after provision and after deploy) add it, with the secure-webhook
//   settings main.bicep outputs. Each provisioning resets the group to no webhook; the postprovision hook puts it back.
// - operators: e-mail addresses and an optional extra webhook.
param tags object
param retrainGroupName string
param operatorsGroupName string
@description('Comma-separated e-mail addresses.')
param operatorEmails string
@secure()
param operatorWebhookUrl string

var emails = filter(map(split(operatorEmails, ','), e => trim(e)), e => !empty(e))

resource retrain 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: retrainGroupName
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'mrm-retrain'
    enabled: true
    webhookReceivers: []
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
