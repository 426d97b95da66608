import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../shared/retraining/ports.js';
import { alertFixture, withAlertId } from '../shared/retraining/fakes/alertFixtures.js';
import { startRetrainHarness, type RetrainHarness } from '../shared/retraining/fakes/retrainHarness.js';

// Fault suite, item 2: the cooldown counted from the gate, before the job was submitted. ARM answering 503 to an
// alert and to every retry of it left the model cooling for 24 h with no job, and a distinct alert an hour later was
// answered `200 cooldown … job … started at …` naming that job; the same after a crash between cooldown and submit.
// The cooldown now counts only from a job that was submitted, and no answer or audit line names a job that is not.
const HOUR = 3_600_000;

/** Every job the audit and the answers name, with the decision that named it. */
function namedJobs(audit: AuditEntry[]): string[] {
  return audit.filter((e) => e.jobName !== null).map((e) => e.jobName!);
}

describe('retrainWebhook cooldown after a submission that never happened', () => {
  let harness: RetrainHarness;
  afterEach(async () => harness.close());

  it('ARM 503 on the alert and all its retries: a distinct alert an hour later submits its own job', async () => {
    harness = await startRetrainHarness();
    const alert = alertFixture('metric-fired.json');
    harness.arm.failJobs(503, 503, 503, 503, 503, 503);
    // Azure Monitor's first delivery and its five retries, a few minutes apart: all refused for now.
    for (let attempt = 0; attempt < 6; attempt++) {
      const answer = await harness.service.retrain(structuredClone(alert));
      expect(answer.status).toBe(503);
      harness.clock.advance(5 * 60_000);
    }
    expect(harness.arm.jobs.size).toBe(0);

    harness.clock.advance(HOUR);
    const next = await harness.service.retrain(withAlertId(alert, 'an-hour-later'));
    expect(next.status).toBe(202);
    expect(next.body.status).toBe('retraining_triggered');
    expect([...harness.arm.jobs.keys()]).toEqual([String(next.body.jobName)]);

    const audit = await harness.audit();
    expect(audit.map((e) => e.decision)).toEqual([...Array(6).fill('retry_later'), 'retraining_triggered']);
    expect(namedJobs(audit)).toEqual([next.body.jobName]);
  });

  it('a crash between cooldown and submit, no retry: a distinct alert after the lease takes over and submits', async () => {
    harness = await startRetrainHarness();
    const alert = alertFixture('metric-fired.json');
    // The first call passes the gate, then its host dies mid-submission: ARM never answers and nobody waits.
    harness.arm.failJobs('hang');
    const crashed = harness.service.retrain(structuredClone(alert));
    await until(() => harness.arm.jobPuts().length === 1);

    // Inside the holder's lease another alert waits (503): the holder may still be submitting.
    const early = await harness.anotherInstance().retrain(withAlertId(alert, 'early'));
    expect(early.status).toBe(503);
    expect(early.body.error).toEqual({
      code: 'RETRAIN.MODEL_BUSY',
      message: 'Another alert is submitting a retraining of model default; retry after its lease',
    });

    harness.clock.advance(61_000);
    const next = await harness.anotherInstance().retrain(withAlertId(alert, 'after-the-lease'));
    expect(next.status).toBe(202);
    expect([...harness.arm.jobs.keys()]).toEqual([String(next.body.jobName)]);
    await crashed; // the abandoned call times out in the end: it must not undo the job that did start
    const cooling = await harness.service.retrain(withAlertId(alert, 'later-still'));
    expect(cooling.body.status).toBe('cooldown');
    expect(String(cooling.body.reason)).toContain(`job ${String(next.body.jobName)} started at`);
    expect(new Set(namedJobs(await harness.audit()))).toEqual(new Set([next.body.jobName]));
  });

  it('a submission that reached Azure ML but whose answer was lost still counts: the next alert cools down on that job', async () => {
    harness = await startRetrainHarness({ env: { MRM_ARM_TIMEOUT_MS: '300' } });
    const alert = alertFixture('metric-fired.json');
    harness.arm.failJobs('accept-then-hang');
    const lost = await harness.service.retrain(structuredClone(alert));
    expect(lost.status).toBe(503);
    expect(harness.arm.jobs.size).toBe(1);
    const [submitted] = [...harness.arm.jobs.keys()];

    harness.clock.advance(HOUR);
    const next = await harness.service.retrain(withAlertId(alert, 'an-hour-later'));
    expect(next.body.status).toBe('cooldown');
    expect(String(next.body.reason)).toContain(`job ${submitted} started at 2026-03-02T10:00:00.000Z`);
    expect(harness.arm.jobs.size).toBe(1);

    // The first alert's retry finds its job and records it as triggered.
    const retry = await harness.service.retrain(structuredClone(alert));
    expect([retry.status, retry.body.jobName]).toEqual([202, submitted]);
    expect(harness.arm.jobs.size).toBe(1);
  });

  it('a replay of an alert that cooled down does not name its own job, which was never submitted', async () => {
    harness = await startRetrainHarness();
    const alert = alertFixture('metric-fired.json');
    const first = await harness.service.retrain(withAlertId(alert, 'first'));
    const cooled = await harness.service.retrain(withAlertId(alert, 'second'));
    expect(cooled.body.status).toBe('cooldown');
    const replay = await harness.service.retrain(withAlertId(alert, 'second'));
    expect(replay.body.status).toBe('duplicate');
    expect(replay.body.jobName).toBeUndefined();
    expect(new Set(namedJobs(await harness.audit()))).toEqual(new Set([first.body.jobName]));
  });
});

async function until(condition: () => boolean, timeoutInMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutInMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
