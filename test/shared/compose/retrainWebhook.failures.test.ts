import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { alertFixture } from '../retraining/fakes/alertFixtures.js';
import { startRetrainHarness, type RetrainHarness } from '../retraining/fakes/retrainHarness.js';
import { blobService } from '../../helpers/storage.js';

const errorOf = (body: Record<string, unknown>) =>
  body.error as { code: string; message: string; settings?: string[]; setting?: string };

async function blobNames(harness: RetrainHarness, prefix: string): Promise<string[]> {
  const container = blobService().getContainerClient(harness.settings.retraining.stateContainer);
  if (!(await container.exists())) return [];
  const names: string[] = [];
  for await (const blob of container.listBlobsFlat({ prefix })) names.push(blob.name);
  return names;
}

describe('retrainWebhook when Azure ML or ARM fail', () => {
  let harness: RetrainHarness;
  afterEach(async () => harness.close());

  it.each([
    [429, 'Retry-After', '7'],
    [500, 'Retry-After', '30'],
    [503, 'Retry-After', '30'],
    ['reset', 'Retry-After', '30'],
  ] as const)(
    'answers 503 on ARM %s, keeps the claim, and the action group retry submits the same job',
    async (behaviour, header, value) => {
      harness = await startRetrainHarness();
      harness.arm.failJobs(behaviour);
      const alert = alertFixture('metric-fired.json');

      const first = await harness.service.retrain(alert);
      expect(first.status).toBe(503);
      expect(first.headers?.[header]).toBe(value);
      expect(errorOf(first.body).code).toBe('RETRAIN.SUBMIT_RETRYABLE');

      const retry = await harness.service.retrain(structuredClone(alert));
      expect(retry.status).toBe(202);
      const puts = harness.arm.jobPuts();
      expect(puts).toHaveLength(2);
      expect(puts[1]!.path).toBe(puts[0]!.path);
      expect((await harness.audit()).map((e) => e.decision)).toEqual(['retry_later', 'retraining_triggered']);
    },
  );

  it('answers 503 when ARM hangs past MRM_ARM_TIMEOUT_MS', async () => {
    harness = await startRetrainHarness({ env: { MRM_ARM_TIMEOUT_MS: '300' } });
    harness.arm.failJobs('hang');
    const response = await harness.service.retrain(alertFixture('metric-fired.json'));
    expect(response.status).toBe(503);
    expect(errorOf(response.body).message).toBe('Azure ML jobs API did not answer in time; will retry');
  });

  it.each([
    [400, 'MRM_RETRAIN_JOB_TEMPLATE', /fix the job template \(MRM_RETRAIN_JOB_TEMPLATE\)$/],
    [
      403,
      'MRM_RETRAIN_WORKSPACE_NAME',
      /grant it a role such as AzureML Data Scientist on the workspace \(MRM_RETRAIN_WORKSPACE_NAME\)$/,
    ],
    [
      404,
      'MRM_RETRAIN_WORKSPACE_RESOURCE_GROUP',
      /workspace not found; check MRM_RETRAIN_WORKSPACE_SUBSCRIPTION_ID, MRM_RETRAIN_WORKSPACE_RESOURCE_GROUP, MRM_RETRAIN_WORKSPACE_NAME$/,
    ],
    [401, 'AZURE_CLIENT_ID', /the token was refused; check the app's identity \(AZURE_CLIENT_ID\)$/],
  ] as const)(
    'answers 500 naming the setting on ARM %s, releases the claim and the cooldown',
    async (status, setting, message) => {
      harness = await startRetrainHarness();
      harness.arm.failJobs(status);
      const alert = alertFixture('metric-fired.json');

      const response = await harness.service.retrain(alert);
      expect(response.status).toBe(500);
      const error = errorOf(response.body);
      expect(error.code).toBe('RETRAIN.MISCONFIGURED');
      expect(error.message).toMatch(message);
      expect(error.settings).toContain(setting);
      expect(await blobNames(harness, 'live/')).toEqual([]);

      // Once the setting is fixed, the same alert (and any other) retrains: nothing of the failure lingers.
      const fixed = await harness.service.retrain(structuredClone(alert));
      expect(fixed.status).toBe(202);
    },
  );

  it('answers 500 naming AZURE_CLIENT_ID when there is no identity to get a token with', async () => {
    harness = await startRetrainHarness();
    harness.credential.unavailable = true;
    const response = await harness.service.retrain({ drift_magnitude: 0.5, features: ['age'] });
    expect(response.status).toBe(500);
    expect(errorOf(response.body).message).toMatch(
      /^No identity to get a token for .*: assign a managed identity and set AZURE_CLIENT_ID$/,
    );
    expect(harness.arm.requests).toHaveLength(0);
  });

  it('answers 500 naming MRM_RETRAIN_JOB_TEMPLATE when the template is missing or broken, before claiming anything', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mrm-template-'));
    await writeFile(
      join(dir, 'broken.json'),
      '{"properties": {"jobType": "Command", "command": "train {{learningRate}}"}}',
    );
    await writeFile(join(dir, 'not-json.json'), '{"properties": ');

    for (const [file, code, message] of [
      [
        'missing.json',
        'RETRAIN.TEMPLATE_MISSING',
        /^Job template file .*missing\.json \(MRM_RETRAIN_JOB_TEMPLATE\) cannot be read \(ENOENT\)$/,
      ],
      [
        'broken.json',
        'RETRAIN.TEMPLATE_PLACEHOLDER',
        /uses unknown placeholder \{\{learningRate\}\}; known: jobName, model, reason/,
      ],
      ['not-json.json', 'RETRAIN.TEMPLATE_NOT_JSON', /\(MRM_RETRAIN_JOB_TEMPLATE\) is not valid JSON/],
    ] as const) {
      harness = await startRetrainHarness({ env: { MRM_RETRAIN_JOB_TEMPLATE: join(dir, file) } });
      const response = await harness.service.retrain(alertFixture('metric-fired.json'));
      expect(response.status, file).toBe(500);
      expect(errorOf(response.body).code).toBe(code);
      expect(errorOf(response.body).message).toMatch(message);
      expect(harness.arm.jobPuts()).toHaveLength(0);
      expect(await blobNames(harness, '')).toEqual([]);
      expect((await harness.audit()).map((e) => e.decision)).toEqual(['config_error']);
      await harness.close();
    }
    harness = await startRetrainHarness();
  });

  it('answers replays of a decided alert as duplicates even after its template went missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mrm-template-'));
    const file = join(dir, 'job.json');
    await writeFile(file, '{"properties": {"jobType": "Command", "displayName": "{{jobName}}"}}');
    harness = await startRetrainHarness({ env: { MRM_RETRAIN_JOB_TEMPLATE: file } });
    const alert = alertFixture('metric-fired.json');
    expect((await harness.service.retrain(alert)).status).toBe(202);
    await rm(file);
    harness.clock.advance(3_600_000); // past the template cache
    expect((await harness.service.retrain(structuredClone(alert))).body.status).toBe('duplicate');
    expect((await harness.service.retrain(alertFixture('log-v2-fired.json'))).status).toBe(500);
  });

  it('answers 503 when the alert rule cannot be read for now (ARM 500), and routes normally on the retry', async () => {
    harness = await startRetrainHarness();
    const log = alertFixture('log-v2-fired.json');
    harness.arm.addRule(log.data.essentials.alertRuleID, { 'mrm-model': 'credit-risk' });
    harness.arm.failRules(500, 500); // the SDK retries once itself

    const first = await harness.service.retrain(log);
    expect(first.status).toBe(503);
    expect(errorOf(first.body).code).toBe('RETRAIN.RULE_TAGS_UNAVAILABLE');
    expect(harness.arm.jobPuts()).toHaveLength(0);

    const retry = await harness.service.retrain(structuredClone(log));
    expect(retry.status).toBe(202);
    expect(retry.body.model).toBe('credit-risk');
  });

  it('answers 500 when a rule tag names an impossible model', async () => {
    harness = await startRetrainHarness();
    const alert = alertFixture('metric-fired.json');
    harness.arm.addRule(alert.data.essentials.alertRuleID, { 'MRM-Model': 'credit risk/v2' });
    const response = await harness.service.retrain(alert);
    expect(response.status).toBe(500);
    expect(errorOf(response.body)).toMatchObject({
      code: 'RETRAIN.BAD_MODEL_TAG',
      message:
        'Alert rule "mrm-drift-magnitude" has tag mrm-model="credit risk/v2", which is not a model name (letters, digits, ., _ and -, at most 63): fix the tag',
    });
  });
});
