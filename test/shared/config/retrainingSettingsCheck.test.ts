import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../../../shared/config/settings.js';
import { isDryRun, retrainingSettingsProblems } from '../../../shared/config/retrainingSettingsCheck.js';

const workspace = {
  MRM_RETRAIN_WORKSPACE_SUBSCRIPTION_ID: 's',
  MRM_RETRAIN_WORKSPACE_RESOURCE_GROUP: 'rg',
  MRM_RETRAIN_WORKSPACE_NAME: 'ws',
};

describe('retraining settings together', () => {
  it('has no problem with the defaults, which mean dry run', () => {
    expect(retrainingSettingsProblems(defaultSettings())).toEqual([]);
    expect(isDryRun(defaultSettings())).toBe(true);
  });

  it('is live with a whole workspace and a template, unless dry run is asked for', () => {
    const live = defaultSettings({ ...workspace, MRM_RETRAIN_JOB_TEMPLATE: 'job.json' });
    expect(retrainingSettingsProblems(live)).toEqual([]);
    expect(isDryRun(live)).toBe(false);
    expect(isDryRun(live, true)).toBe(true);
    expect(
      isDryRun(defaultSettings({ ...workspace, MRM_RETRAIN_JOB_TEMPLATE: 'job.json', MRM_RETRAIN_DRY_RUN: 'true' })),
    ).toBe(true);
    expect(
      isDryRun(
        defaultSettings({
          MRM_RETRAIN_MODE: 'pipeline-endpoint',
          MRM_RETRAIN_PIPELINE_ENDPOINT_URL: 'https://x/invoke',
          MRM_RETRAIN_JOB_TEMPLATE: 'e.json',
        }),
      ),
    ).toBe(false);
  });

  it('names each problem', () => {
    expect(retrainingSettingsProblems(defaultSettings(workspace))).toEqual([
      'MRM_RETRAIN_JOB_TEMPLATE: required when the workspace is set (the built-in example is for dry runs)',
    ]);
    expect(retrainingSettingsProblems(defaultSettings({ MRM_RETRAIN_WORKSPACE_SUBSCRIPTION_ID: 's' }))).toEqual([
      'MRM_RETRAIN_WORKSPACE_RESOURCE_GROUP, MRM_RETRAIN_WORKSPACE_NAME: required with MRM_RETRAIN_WORKSPACE_SUBSCRIPTION_ID (the workspace is named by all three, or none for dry runs)',
    ]);
    expect(retrainingSettingsProblems(defaultSettings({ MRM_ENTRA_REQUIRED_ROLE: 'r' }))).toEqual([
      'MRM_ENTRA_AUDIENCE: required when MRM_ENTRA_REQUIRED_ROLE or MRM_ENTRA_ISSUERS is set (tokens are checked only with an audience)',
    ]);
    expect(
      retrainingSettingsProblems(
        defaultSettings({
          MRM_ENTRA_AUDIENCE: 'api://a',
          MRM_ENTRA_ISSUERS: 'https://i/',
          MRM_ENTRA_JWKS_URL: 'https://k/',
        }),
      ),
    ).toEqual([]);
    expect(
      retrainingSettingsProblems(
        defaultSettings({ MRM_RETRAIN_CLAIM_LEASE_SECONDS: '10', MRM_ARM_TIMEOUT_MS: '10000' }),
      ),
    ).toEqual([
      'MRM_RETRAIN_CLAIM_LEASE_SECONDS: must exceed MRM_ARM_TIMEOUT_MS (10000 ms), or a slow submission could be taken over while it runs',
    ]);
  });
});
