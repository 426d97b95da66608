import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { retryAfterSeconds } from '../../../shared/adapters/armHttp.js';
import { ArmJobSubmitter } from '../../../shared/adapters/armJobSubmitter.js';
import { FakeArm, trustingAgent } from '../retraining/fakes/fakeArm.js';
import { FakeCredential } from '../retraining/fakes/fakeCredential.js';

describe('ArmJobSubmitter against a fake ARM over TLS', () => {
  let arm: FakeArm;
  const credential = new FakeCredential();
  const agent = trustingAgent();
  const submitter = () =>
    new ArmJobSubmitter({
      armEndpoint: arm.url,
      subscriptionId: 'sub',
      resourceGroup: 'rg ml',
      workspace: 'mlw',
      apiVersion: '2025-01-01-preview',
      timeoutInMs: 1000,
      credential,
      agent,
    });
  const request = {
    jobName: 'mrm-retrain-default-00ff',
    model: 'default',
    body: { properties: { jobType: 'Command', command: 'python train.py' } },
  };

  beforeEach(async () => {
    arm = await FakeArm.start({ tls: true });
  });
  afterEach(async () => arm.close());

  it('looks a job up by name: found once submitted, absent before, unknown when ARM cannot tell', async () => {
    expect(await submitter().find(request.jobName)).toBe('absent');
    await submitter().submit(request);
    expect(await submitter().find(request.jobName)).toBe('found');
    expect(arm.requests.at(-1)).toMatchObject({ method: 'GET', authorization: `Bearer token-for:${arm.url}.default` });
    credential.unavailable = true;
    try {
      expect(await submitter().find(request.jobName)).toBe('unknown');
    } finally {
      credential.unavailable = false;
    }
  });

  it('PUTs the body to the job URL with the api-version and an ARM token', async () => {
    const outcome = await submitter().submit(request);
    expect(outcome).toEqual({
      kind: 'submitted',
      jobName: request.jobName,
      alreadySubmitted: false,
      dryRun: false,
      target: 'Azure ML workspace mlw as job mrm-retrain-default-00ff',
    });
    expect(arm.requests).toEqual([
      {
        method: 'PUT',
        path: '/subscriptions/sub/resourceGroups/rg ml/providers/Microsoft.MachineLearningServices/workspaces/mlw/jobs/mrm-retrain-default-00ff',
        query: { 'api-version': '2025-01-01-preview' },
        authorization: `Bearer token-for:${arm.url}.default`,
        body: request.body,
      },
    ]);
  });

  it('reports a job that exists under the name (refused 400 or 409 on PUT, found by GET) as already submitted', async () => {
    await submitter().submit(request);
    expect(await submitter().submit(request)).toMatchObject({ kind: 'submitted', alreadySubmitted: true });
    arm.failJobs(409);
    expect(await submitter().submit(request)).toMatchObject({ kind: 'submitted', alreadySubmitted: true });
    expect(arm.requests.map((r) => r.method)).toEqual(['PUT', 'PUT', 'GET', 'PUT', 'GET']);
  });

  it('tells retryable from misconfigured', async () => {
    const cases = [
      [429, 'retryable'],
      [500, 'retryable'],
      [503, 'retryable'],
      ['reset', 'retryable'],
      ['hang', 'retryable'],
      [400, 'misconfigured'],
      [401, 'misconfigured'],
      [403, 'misconfigured'],
      [404, 'misconfigured'],
      [409, 'misconfigured'],
    ] as const;
    for (const [behaviour, kind] of cases) {
      arm.failJobs(behaviour);
      expect(
        (await submitter().submit({ ...request, jobName: `job-${String(behaviour)}` })).kind,
        String(behaviour),
      ).toBe(kind);
    }
    expect(arm.jobs.size).toBe(0);
  });

  it('passes on Retry-After from a 429', async () => {
    arm.failJobs(429);
    expect(await submitter().submit(request)).toMatchObject({
      kind: 'retryable',
      retryAfterInSeconds: 7,
      message: 'Azure ML refused job mrm-retrain-default-00ff (429 TooManyRequests: fake 429); will retry',
    });
  });
});

describe('retryAfterSeconds', () => {
  it('reads delta-seconds and HTTP dates, capped at an hour', () => {
    const now = Date.parse('2026-03-02T10:00:00Z');
    expect(retryAfterSeconds('12', now)).toBe(12);
    expect(retryAfterSeconds('Mon, 02 Mar 2026 10:00:45 GMT', now)).toBe(45);
    expect(retryAfterSeconds('999999', now)).toBe(3600);
    expect(retryAfterSeconds(undefined, now)).toBeUndefined();
    expect(retryAfterSeconds('soon', now)).toBeUndefined();
  });
});
