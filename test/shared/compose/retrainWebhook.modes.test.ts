import { afterEach, describe, expect, it } from 'vitest';
import { blobService } from '../../helpers/storage.js';
import { alertFixture, type FixtureJson } from '../retraining/fakes/alertFixtures.js';
import { startRetrainHarness, type RetrainHarness } from '../retraining/fakes/retrainHarness.js';

describe('retrainWebhook routing, job requests and modes', () => {
  let harness: RetrainHarness;
  afterEach(async () => harness.close());

  it('fills the job template with the alert: reason, magnitude, features, alert id, capture window and prefix', async () => {
    harness = await startRetrainHarness({
      env: { EventHubConnection__fullyQualifiedNamespace: 'evhns-mrm.servicebus.windows.net' },
    });
    const log = alertFixture('log-v2-fired.json');
    const response = await harness.service.retrain(log);
    expect(response.status).toBe(202);

    const body = harness.arm.jobPuts()[0]!.body as { properties: FixtureJson };
    expect(body).not.toHaveProperty('$comment');
    expect(harness.arm.jobPuts()[0]!.query).toEqual({ 'api-version': '2024-10-01' });
    const p = body.properties;
    expect(p.displayName).toBe('Retrain default (0.37)');
    expect(p.description).toBe('Alert rule "mrm-drift-by-feature" fired: magnitude 0.37 GreaterThan 0.3');
    expect(p.tags).toMatchObject({
      'mrm-alert-id': log.data.essentials.alertId,
      'mrm-alert-rule': 'mrm-drift-by-feature',
      'mrm-drifted-features': 'income',
      'mrm-magnitude': '0.37',
    });
    expect(p.inputs.capture.uri).toBe('azureml://datastores/<capture-datastore>/paths/evhns-mrm/events/');
    expect(p.inputs.window_end.value).toBe('2026-03-02T03:05:31.000Z');
    expect(p.inputs.window_start.value).toBe('2026-02-23T03:05:31.000Z');
    expect(p.inputs.features.value).toBe('["income"]');
    expect(p.command).toContain("--capture '${{inputs.capture}}'");
  });

  it('acknowledges and ignores a rule that is not ours, saying why', async () => {
    harness = await startRetrainHarness();
    const response = await harness.service.retrain(alertFixture('metric-fired-unrelated-rule.json'));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: 'no_action_needed',
      reason:
        'Alert rule "vm-cpu-high" is not one of this deployment\'s: its name does not match MRM_RETRAIN_RULE_PATTERN "drift" and it has no mrm-model tag (its tags could not be read: rule not found (404))',
    });
    expect(harness.arm.jobPuts()).toHaveLength(0);
  });

  it('retrains for any rule carrying the model tag, whatever its name', async () => {
    harness = await startRetrainHarness();
    const alert = alertFixture('metric-fired-unrelated-rule.json');
    harness.arm.addRule(alert.data.essentials.alertRuleID, { 'mrm-model': 'fraud' });
    const response = await harness.service.retrain(alert);
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ model: 'fraud', magnitude: 31.1105 });
  });

  it('rebuilds the rule id from originAlertId when the payload has no alertRuleID', async () => {
    harness = await startRetrainHarness();
    harness.arm.addRule(
      '/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-mrm/providers/Microsoft.Insights/metricAlerts/mrm-drift-magnitude',
      { 'mrm-model': 'churn' },
    );
    const response = await harness.service.retrain(alertFixture('metric-fired-origin-only.json'));
    expect(response.body).toMatchObject({ status: 'retraining_triggered', model: 'churn' });
  });

  it('does not retrain for a direct payload at or below the threshold', async () => {
    harness = await startRetrainHarness();
    const at = await harness.service.retrain({ drift_magnitude: 0.3, features: ['age'] });
    expect(at.body).toEqual({
      status: 'no_action_needed',
      reason: 'drift_magnitude 0.3 does not exceed the retrain threshold 0.3 (MRM_RETRAIN_THRESHOLD)',
      model: 'default',
    });
    const custom = await startRetrainHarness({ env: { MRM_RETRAIN_THRESHOLD: '0.5' } });
    try {
      expect((await custom.service.retrain({ drift_magnitude: 0.45, features: [] })).body.status).toBe(
        'no_action_needed',
      );
      expect(
        (await custom.service.retrain({ drift_magnitude: 0.55, features: [], model: 'churn' })).body,
      ).toMatchObject({ status: 'retraining_triggered', model: 'churn' });
    } finally {
      await custom.close();
    }
  });

  it('runs end to end in dry run with only storage configured, recording the request it would submit', async () => {
    harness = await startRetrainHarness({ live: false });
    const response = await harness.service.retrain(alertFixture('metric-fired.json'));
    expect(response.status).toBe(202);
    const jobName = String(response.body.jobName);
    expect(response.body).toMatchObject({
      status: 'retraining_triggered',
      dryRun: true,
      note: `Dry run: nothing was submitted; the request was recorded to ${harness.settings.retraining.stateContainer}/dry-run/requests/${jobName}.json`,
    });
    expect(harness.arm.jobPuts()).toHaveLength(0);
    const recorded = JSON.parse(
      (
        await blobService()
          .getContainerClient(harness.settings.retraining.stateContainer)
          .getBlobClient(`dry-run/requests/${jobName}.json`)
          .downloadToBuffer()
      ).toString(),
    ) as { method: string; url: string; body: { properties: { description: string } } };
    expect(recorded.method).toBe('PUT');
    expect(recorded.url).toContain(`/jobs/${jobName}`);
    expect(recorded.body.properties.description).toBe(
      'Alert rule "mrm-drift-magnitude" fired: mrm_drift_magnitude 0.42 GreaterThan 0.3',
    );
    expect((await harness.audit())[0]).toMatchObject({
      decision: 'retraining_triggered',
      dryRun: true,
      jobName,
      model: 'default',
      magnitude: 0.42,
    });
  });

  it('keeps dry runs apart from live claims and cooldowns', async () => {
    harness = await startRetrainHarness({ env: { MRM_RETRAIN_DRY_RUN: 'true' } });
    const alert = alertFixture('metric-fired.json');
    expect((await harness.service.retrain(alert)).body.dryRun).toBe(true);
    const live = await startRetrainHarness({
      env: { MRM_RETRAIN_STATE_CONTAINER: harness.settings.retraining.stateContainer },
    });
    try {
      const response = await live.service.retrain(structuredClone(alert));
      expect(response.status).toBe(202);
      expect(response.body.dryRun).toBe(false);
      expect(live.arm.jobPuts()).toHaveLength(1);
    } finally {
      await live.close();
    }
  });

  it('invokes a pipeline endpoint with an Azure ML token in pipeline-endpoint mode', async () => {
    harness = await startRetrainHarness({ live: false });
    const endpoint = await startRetrainHarness({
      live: false,
      env: {
        MRM_RETRAIN_MODE: 'pipeline-endpoint',
        MRM_RETRAIN_PIPELINE_ENDPOINT_URL: `${harness.arm.url}endpoints/retrain-pipeline/invoke`,
        MRM_RETRAIN_JOB_TEMPLATE: 'examples/retrain-endpoint.template.json',
      },
    });
    try {
      const response = await endpoint.service.retrain({ drift_magnitude: 0.6, features: ['income', 'age'] });
      expect(response.status).toBe(202);
      const post = harness.arm.requests.find((r) => r.method === 'POST')!;
      expect(post.path).toBe('/endpoints/retrain-pipeline/invoke');
      expect(post.authorization).toBe('Bearer token-for:https://ml.azure.com/.default');
      expect(
        (post.body as { properties: { InputData: Record<string, { Value?: string }> } }).properties.InputData.features!
          .Value,
      ).toBe('["income","age"]');
    } finally {
      await endpoint.close();
    }
  });
});
