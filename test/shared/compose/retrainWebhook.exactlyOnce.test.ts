import { afterEach, describe, expect, it } from 'vitest';
import type { WebhookResponse } from '../../../shared/compose/webhookResponse.js';
import { alertFixture, withAlertId } from '../retraining/fakes/alertFixtures.js';
import { startRetrainHarness, type RetrainHarness } from '../retraining/fakes/retrainHarness.js';

/** Runs `count` calls with at most `width` in flight at once. */
async function inWaves<T>(count: number, width: number, call: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < count; start += width) {
    results.push(
      ...(await Promise.all(Array.from({ length: Math.min(width, count - start) }, (_, k) => call(start + k)))),
    );
  }
  return results;
}

const statusesOf = (responses: WebhookResponse[]) =>
  responses.reduce<Record<string, number>>((counts, r) => {
    const key = `${r.status} ${String(r.body.status ?? (r.body.error as { code: string }).code)}`;
    counts[key] = (counts[key] ?? 0) + 1;
    return counts;
  }, {});

describe('retrainWebhook, exactly once', () => {
  let harness: RetrainHarness;
  afterEach(async () => harness.close());

  it('starts one job for 1,000 replays of one alert, sequential and concurrent, across two instances', async () => {
    harness = await startRetrainHarness();
    const alert = alertFixture('metric-fired.json');
    const first = await harness.service.retrain(alert);
    expect(first.status).toBe(202);

    const other = harness.anotherInstance();
    const replays = await inWaves(999, 100, (i) =>
      (i % 2 === 0 ? harness.service : other).retrain(structuredClone(alert)),
    );

    expect(statusesOf(replays)).toEqual({ '200 duplicate': 999 });
    expect(harness.arm.jobPuts()).toHaveLength(1);
    expect(replays[0]!.body.jobName).toBe(first.body.jobName);
    const audit = await harness.audit();
    expect(audit).toHaveLength(1000);
    expect(audit.filter((e) => e.decision === 'retraining_triggered')).toHaveLength(1);
  });

  it('lets exactly one of 50 simultaneous deliveries of one alert submit; the others answer duplicate or retry-later', async () => {
    harness = await startRetrainHarness();
    const alert = alertFixture('metric-fired.json');
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => harness.service.retrain(structuredClone(alert))),
    );
    const counts = statusesOf(responses);
    expect(counts['202 retraining_triggered']).toBe(1);
    expect((counts['200 duplicate'] ?? 0) + (counts['503 RETRAIN.IN_PROGRESS'] ?? 0)).toBe(49);
    expect(harness.arm.jobPuts()).toHaveLength(1);
  });

  it('starts one job for 100 concurrent distinct alerts inside the cooldown; the rest wait for it, then answer cooldown', async () => {
    harness = await startRetrainHarness();
    const base = alertFixture('metric-fired.json');
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) => harness.service.retrain(withAlertId(base, `storm-${i}`))),
    );

    // While the winner submits, the others are told to retry (its job may yet fail); after, they cool down on it.
    const counts = statusesOf(responses);
    expect(counts['202 retraining_triggered']).toBe(1);
    expect((counts['503 RETRAIN.MODEL_BUSY'] ?? 0) + (counts['200 cooldown'] ?? 0)).toBe(99);
    expect(harness.arm.jobPuts()).toHaveLength(1);
    const retries = await Promise.all(
      responses
        .map((r, i) => [r, i] as const)
        .filter(([r]) => r.status === 503)
        .map(([, i]) => harness.service.retrain(withAlertId(base, `storm-${i}`))),
    );
    expect(retries.every((r) => r.body.status === 'cooldown')).toBe(true);
    expect(harness.arm.jobPuts()).toHaveLength(1);
    const winner = responses.find((r) => r.status === 202)!;
    const cooling = [...responses, ...retries].find((r) => r.body.status === 'cooldown')!;
    expect(String(cooling.body.reason)).toContain(
      `Model default is cooling down: job ${String(winner.body.jobName)} started at 2026-03-02T10:00:00.000Z`,
    );

    // Replays of a cooled-down alert stay answered; after the cooldown a new alert retrains again.
    expect((await harness.service.retrain(withAlertId(base, 'storm-7'))).body.status).toBe('duplicate');
    harness.clock.advance(24 * 3_600_000 + 1);
    expect((await harness.service.retrain(withAlertId(base, 'after-cooldown'))).status).toBe(202);
    expect(harness.arm.jobPuts()).toHaveLength(2);
  });

  it('keeps cooldowns per model: an alert routed to another model by its rule tag is not held back', async () => {
    harness = await startRetrainHarness();
    const metric = alertFixture('metric-fired.json');
    const log = alertFixture('log-v2-fired.json');
    harness.arm.addRule(log.data.essentials.alertRuleID, { 'mrm-model': 'credit-risk', owner: 'ml-team' });

    const a = await harness.service.retrain(metric);
    const b = await harness.service.retrain(log);
    expect([a.status, a.body.model]).toEqual([202, 'default']);
    expect([b.status, b.body.model]).toEqual([202, 'credit-risk']);
    expect(harness.arm.jobPuts().map((p) => p.path.split('/').pop())).toEqual([a.body.jobName, b.body.jobName]);
  });

  it('after a crash between claim and submit, the retry (past the lease) submits the same job name once', async () => {
    harness = await startRetrainHarness();
    const alert = alertFixture('metric-fired.json');
    // The first call claims, then its host dies mid-submission: ARM never answers and nobody waits for it.
    harness.arm.failJobs('hang');
    const crashed = harness.service.retrain(structuredClone(alert));
    await until(() => harness.arm.jobPuts().length === 1);

    // A retry inside the lease must not race the (possibly still alive) holder.
    const early = await harness.anotherInstance().retrain(structuredClone(alert));
    expect(early.status).toBe(503);
    expect(early.headers?.['Retry-After']).toBe('60');
    expect((early.body.error as { code: string }).code).toBe('RETRAIN.IN_PROGRESS');

    harness.clock.advance(61_000);
    const retry = await harness.anotherInstance().retrain(structuredClone(alert));
    expect(retry.status).toBe(202);
    const puts = harness.arm.jobPuts();
    expect(puts).toHaveLength(2);
    expect(puts[1]!.path).toBe(puts[0]!.path);
    expect(puts[1]!.body).toEqual(puts[0]!.body);
    expect(harness.arm.jobs.size).toBe(1);
    await crashed; // the abandoned call times out in the end; whatever it answers, there is still one job
    expect(harness.arm.jobs.size).toBe(1);
  });

  it('when the crashed call had reached Azure ML, the retry finds its job and does not start another', async () => {
    harness = await startRetrainHarness();
    const alert = alertFixture('metric-fired.json');
    const first = await harness.service.retrain(alert);
    expect(first.status).toBe(202);
    // Simulate the crash after ARM accepted the job but before the claim recorded it: put the claim back to "claimed".
    const state = (await import('../../helpers/storage.js'))
      .blobService()
      .getContainerClient(harness.settings.retraining.stateContainer);
    const claims = [];
    for await (const blob of state.listBlobsFlat({ prefix: 'live/claims/' })) claims.push(blob.name);
    expect(claims).toHaveLength(1);
    const claimBlob = state.getBlockBlobClient(claims[0]!);
    const record = JSON.parse((await claimBlob.downloadToBuffer()).toString()) as Record<string, unknown>;
    const reopened = JSON.stringify({
      ...record,
      state: 'claimed',
      leaseUntil: record.claimedAt,
      decidedAt: undefined,
      reason: undefined,
    });
    await claimBlob.upload(reopened, Buffer.byteLength(reopened));

    const retry = await harness.service.retrain(structuredClone(alert));
    expect(retry.status).toBe(202);
    expect(retry.body).toMatchObject({
      jobName: first.body.jobName,
      note: `Job ${String(first.body.jobName)} was already submitted by an earlier attempt`,
    });
    expect(harness.arm.jobPuts()).toHaveLength(2); // the second PUT was refused by Azure ML ("already exists")
    expect(harness.arm.jobs.size).toBe(1);
  });

  it('treats identical direct payloads within the dedupe window as one request, and a later one as new', async () => {
    harness = await startRetrainHarness({ env: { MRM_RETRAIN_COOLDOWN_HOURS: '0' } });
    const payload = { drift_magnitude: 0.5, features: ['income'], reason: 'nightly check' };
    const first = await harness.service.retrain(payload);
    const again = await harness.service.retrain({ ...payload, features: ['income'] });
    expect(first.status).toBe(202);
    expect(again.body).toMatchObject({ status: 'duplicate', jobName: first.body.jobName });
    harness.clock.advance(60 * 60_000);
    const later = await harness.service.retrain(payload);
    expect(later.status).toBe(202);
    expect(later.body.jobName).not.toBe(first.body.jobName);
    expect(harness.arm.jobPuts()).toHaveLength(2);
  });
});

async function until(condition: () => boolean, timeoutInMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutInMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
