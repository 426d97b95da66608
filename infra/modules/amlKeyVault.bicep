// The Azure ML endpoint key, for MRM_AML_AUTH=key only (entra, the default, needs no secret): kept in a Key Vault,
// the app setting holds a Key Vault reference the platform resolves with the app's identity. Provisioning rewrites
// app settings each time, so a key set by hand in the portal would be lost; this one is set from the azd
// environment (`azd env set MRM_AML_KEY <key>`) on every provision.
param location string
param tags object
@description('Key Vault name: 3-24 letters, digits and hyphens.')
param vaultName string
param appPrincipalId string
@secure()
param amlEndpointKey string

// Key Vault Secrets User: read secret values, nothing else; assigned on the one secret.
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'
var secretName = 'aml-endpoint-key'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: vaultName
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    // Access by role assignment only, never access policies; deleted secrets stay recoverable for 90 days.
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource secret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: secretName
  properties: {
    value: amlEndpointKey
    contentType: 'Azure ML online endpoint key'
  }
}

resource appReadsSecret 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: secret
  name: guid(secret.id, appPrincipalId, keyVaultSecretsUser)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

@description('The secret without a version: the Key Vault reference follows the latest value after a rotation.')
output secretUri string = '${vault.properties.vaultUri}secrets/${secretName}'
