// Two user-assigned identities, so each holds only its own roles: the Function App's, and the one Event Hubs Capture
// writes blobs with. User-assigned (not system-assigned) lets the roles exist before the app or the hubs do.
param location string
param tags object
param appIdentityName string
param captureIdentityName string

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: appIdentityName
  location: location
  tags: tags
}

resource captureIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: captureIdentityName
  location: location
  tags: tags
}

output appIdentityId string = appIdentity.id
output appIdentityClientId string = appIdentity.properties.clientId
output appIdentityPrincipalId string = appIdentity.properties.principalId
output captureIdentityId string = captureIdentity.id
output captureIdentityPrincipalId string = captureIdentity.properties.principalId
