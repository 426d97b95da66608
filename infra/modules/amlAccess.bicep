// Lets the app's identity submit retraining jobs (and call online endpoints) in an existing Azure ML workspace.
// Deployed into the workspace's own resource group; the workspace itself is never modified.
param workspaceName string
param appPrincipalId string

// AzureML Data Scientist: every action inside a workspace except creating compute or changing the workspace.
var azureMlDataScientist = 'f6c7c914-8db3-469d-8ca1-694a8f32e121'

resource workspace 'Microsoft.MachineLearningServices/workspaces@2026-05-01' existing = {
  name: workspaceName
}

resource submitJobs 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(workspace.id, appPrincipalId, azureMlDataScientist)
  scope: workspace
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', azureMlDataScientist)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}
