import type { Settings } from './settings.js';

/** Whether requests are only recorded: asked for, or nowhere to send them. */
export function isDryRun(settings: Settings, forced = false): boolean {
  const r = settings.retraining;
  if (forced || r.dryRun) return true;
  return r.mode === 'job'
    ? !(r.workspaceSubscriptionId && r.workspaceResourceGroup && r.workspaceName)
    : !r.pipelineEndpointUrl;
}

/**
 * Rules across retraining settings, each naming the setting to fix (loadSettings checks each setting alone). Called at
 * cold start next to loadSettings so a bad combination fails the deployment, not the first alert.
 */
export function retrainingSettingsProblems(settings: Settings): string[] {
  const r = settings.retraining;
  const problems: string[] = [];
  const workspace = [
    ['MRM_RETRAIN_WORKSPACE_SUBSCRIPTION_ID', r.workspaceSubscriptionId],
    ['MRM_RETRAIN_WORKSPACE_RESOURCE_GROUP', r.workspaceResourceGroup],
    ['MRM_RETRAIN_WORKSPACE_NAME', r.workspaceName],
  ] as const;
  const set = workspace.filter(([, value]) => value);
  if (set.length > 0 && set.length < workspace.length) {
    const missing = workspace.filter(([, value]) => !value).map(([name]) => name);
    problems.push(
      `${missing.join(', ')}: required with ${set.map(([name]) => name).join(', ')} (the workspace is named by all three, or none for dry runs)`,
    );
  }
  if (r.entraAudience && !r.entraTenantId && !(r.entraIssuers && r.entraJwksUrl)) {
    problems.push(
      'MRM_ENTRA_TENANT_ID: required when MRM_ENTRA_AUDIENCE is set (or set both MRM_ENTRA_ISSUERS and MRM_ENTRA_JWKS_URL)',
    );
  }
  if (!r.entraAudience && (r.entraRequiredRole || r.entraIssuers)) {
    problems.push(
      'MRM_ENTRA_AUDIENCE: required when MRM_ENTRA_REQUIRED_ROLE or MRM_ENTRA_ISSUERS is set (tokens are checked only with an audience)',
    );
  }
  if (r.claimLeaseInSeconds * 1000 <= r.armTimeoutInMs) {
    problems.push(
      `MRM_RETRAIN_CLAIM_LEASE_SECONDS: must exceed MRM_ARM_TIMEOUT_MS (${r.armTimeoutInMs} ms), or a slow submission could be taken over while it runs`,
    );
  }
  if (!isDryRun(settings) && !r.jobTemplate) {
    problems.push(
      `MRM_RETRAIN_JOB_TEMPLATE: required when ${r.mode === 'job' ? 'the workspace is set' : 'MRM_RETRAIN_PIPELINE_ENDPOINT_URL is set'} (the built-in example is for dry runs)`,
    );
  }
  return problems;
}
