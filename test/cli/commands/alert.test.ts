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

  it('requires a storage connection, saying which setting and how', async () => {
    await expect(run({}, ['--payload', await payloadFile('{}')])).rejects.toThrow(
      'mrm alert keeps claims, cooldowns and the audit log in storage: set AzureWebJobsStorage to a connection string',
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
