import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alertCommand } from '../../../cli/commands/alert.js';
import type { Environment } from '../../../shared/config/settings.js';
import { azuriteConnectionString, uniqueContainerName } from '../../helpers/storage.js';
import { alertFixtureText } from '../../shared/retraining/fakes/alertFixtures.js';

async function payloadFile(content: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'mrm-alert-')), 'payload.json');
  await writeFile(path, content);
  return path;
}

function storageEnv(extra: Environment = {}): Environment {
  return {
    AzureWebJobsStorage: azuriteConnectionString(),
    MRM_RETRAIN_STATE_CONTAINER: uniqueContainerName('cli-state'),
    MRM_AUDIT_CONTAINER: uniqueContainerName('cli-audit'),
    // Nothing listens here: a call to ARM would fail the command, so passing proves none was made.
    MRM_ARM_ENDPOINT: 'https://127.0.0.1:9/',
    ...extra,
  };
}

async function run(env: Environment, args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  let exitCode = 0;
  await alertCommand({
    env,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    setExitCode: (c) => (exitCode = c),
  }).parseAsync(args, { from: 'user' });
  return { json: JSON.parse(out.join('')) as Record<string, unknown>, stderr: err.join(''), exitCode };
}

describe('mrm alert', () => {
  it('runs a direct payload through the retraining decision in dry run and prints the response', async () => {
    const result = await run(storageEnv(), ['--payload', await payloadFile(alertFixtureText('direct-drift.json'))]);
    expect(result.exitCode).toBe(0);
    expect(result.json).toMatchObject({
      status: 'retraining_triggered',
      model: 'default',
      magnitude: 0.45,
      dryRun: true,
      reason: 'weekly drift report: 2 of 8 features drifted',
    });
    expect(String(result.json.note)).toMatch(
      /^Dry run: nothing was submitted; the request was recorded to cli-state-[0-9a-f]+\/dry-run\/requests\/mrm-retrain-default-[0-9a-f]{16}\.json$/,
    );
  });

  it('answers a replay of the same payload with duplicate, as the webhook would', async () => {
    const env = storageEnv();
    const file = await payloadFile(alertFixtureText('direct-drift.json'));
    const first = await run(env, ['--payload', file]);
    const again = await run(env, ['--payload', file]);
    expect(again.json).toMatchObject({ status: 'duplicate', jobName: first.json.jobName });
  });

  it('--dry-run records instead of submitting even when a workspace is configured', async () => {
    const env = storageEnv({
      MRM_RETRAIN_WORKSPACE_SUBSCRIPTION_ID: 's',
      MRM_RETRAIN_WORKSPACE_RESOURCE_GROUP: 'rg',
      MRM_RETRAIN_WORKSPACE_NAME: 'mlw',
      MRM_RETRAIN_JOB_TEMPLATE: 'examples/retrain-job.template.json',
    });
    const result = await run(env, [
      '--payload',
      await payloadFile('{"drift_magnitude": 0.9, "features": ["age"]}'),
      '--dry-run',
    ]);
    expect(result.json).toMatchObject({ status: 'retraining_triggered', dryRun: true });
  });

  it('prints the error response and exits 1 for a payload the webhook would refuse', async () => {
    const result = await run(storageEnv(), ['--payload', await payloadFile('{"drift_magnitude": 0.9}')]);
    expect(result.exitCode).toBe(1);
    expect(result.json).toEqual({
      error: {
        code: 'WEBHOOK.INVALID_PAYLOAD',
        message: expect.stringContaining('features is required'),
        field: 'features',
      },
    });
    expect(result.stderr).toBe('mrm alert: HTTP 400\n');
  });

  it('acknowledges a resolved alert without doing anything', async () => {
    const result = await run(storageEnv(), ['--payload', await payloadFile(alertFixtureText('metric-resolved.json'))]);
    expect(result.json).toEqual({
      status: 'no_action_needed',
      reason: 'Alert "mrm-drift-magnitude" resolved: nothing to do',
    });
  });

  it('requires a storage connection for a live run, saying which setting and how, and that --dry-run needs none', async () => {
    await expect(run({}, ['--payload', await payloadFile('{}')])).rejects.toThrow(
      /^mrm alert keeps claims, cooldowns and the audit log in storage: set AzureWebJobsStorage to a connection string.*or add --dry-run to use a temporary local store$/,
    );
  });

  it('reads the payload before anything else: a missing file is the error, even with no storage configured', async () => {
    await expect(run({}, ['--payload', '/nonexistent/p.json', '--dry-run'])).rejects.toMatchObject({
      code: 'CLI.PAYLOAD_UNREADABLE',
    });
    await expect(run({}, ['--payload', await payloadFile('not json'), '--dry-run'])).rejects.toMatchObject({
      code: 'CLI.PAYLOAD_NOT_JSON',
    });
  });

  it.each([
    'metric-fired.json',
    'metric-dynamic-fired.json',
    'metric-fired-origin-only.json',
    'metric-fired-unrelated-rule.json',
    'log-v2-fired.json',
  ])('answers %s offline in a dry run: no storage, no Azure sign-in, no ARM, no 503', async (fixture) => {
    // Nothing listens at the ARM endpoint, and no credential exists: reading the rule's tags would fail.
    const result = await run({ MRM_ARM_ENDPOINT: 'https://127.0.0.1:9/' }, [
      '--payload',
      await payloadFile(alertFixtureText(fixture)),
      '--dry-run',
    ]);
    expect(result.exitCode).toBe(0);
    expect(['retraining_triggered', 'no_action_needed']).toContain(result.json.status);
    expect(result.stderr).toContain(
      'no AzureWebJobsStorage set: this dry run keeps its state in a temporary local store',
    );
  });

  it('routes by the tags --rule-tag gives in a dry run', async () => {
    const result = await run(storageEnv(), [
      '--payload',
      await payloadFile(alertFixtureText('metric-fired.json')),
      '--dry-run',
      '--rule-tag',
      'mrm-model=fraud',
      '--rule-tag',
      'team=ml',
    ]);
    expect(result.json).toMatchObject({ status: 'retraining_triggered', model: 'fraud', dryRun: true });
  });

  it('refuses --rule-tag outside a dry run, and one that is not key=value', async () => {
    const file = await payloadFile(alertFixtureText('metric-fired.json'));
    await expect(run(storageEnv(), ['--payload', file, '--rule-tag', 'mrm-model=fraud'])).rejects.toThrow(
      '--rule-tag needs --dry-run',
    );
    await expect(run(storageEnv(), ['--payload', file, '--dry-run', '--rule-tag', 'fraud'])).rejects.toThrow(
      '--rule-tag must be key=value, got "fraud"',
    );
  });

  it('names an unreadable or non-JSON payload file', async () => {
    await expect(run(storageEnv(), ['--payload', '/nonexistent/p.json'])).rejects.toThrow(
      /^Cannot read payload file \/nonexistent\/p\.json: ENOENT/,
    );
    const file = await payloadFile('{"drift_magnitude": ');
    await expect(run(storageEnv(), ['--payload', file])).rejects.toThrow(`Payload file ${file} is not valid JSON: `);
  });

  it('fails on invalid settings, naming them', async () => {
    await expect(
      run(storageEnv({ MRM_RETRAIN_THRESHOLD: '2' }), ['--payload', await payloadFile('{}')]),
    ).rejects.toThrow('MRM_RETRAIN_THRESHOLD: must be at most 1, got 2');
  });
});
