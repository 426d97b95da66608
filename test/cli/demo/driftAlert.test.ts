import { describe, expect, it } from 'vitest';
import { METRICS, THRESHOLDS } from '../../../shared/telemetry/monitoring.js';
import { demoRunKey, driftAlert } from '../../../cli/demo/driftAlert.js';
import { planDemoScenario } from '../../../cli/demo/demoScenario.js';
import { alertClaimKey, retrainJobName } from '../../../shared/retraining/claimKeys.js';
import { parseRetrainPayload } from '../../../shared/retraining/retrainPayload.js';

const FIRED = Date.UTC(2026, 2, 4, 10, 15);

describe('driftAlert', () => {
  it('is a fired metric alert in the common alert schema that retrainWebhook’s parser reads as such', () => {
    const payload = driftAlert({
      magnitude: 0.56,
      threshold: THRESHOLDS.retrainDriftMagnitude,
      firedAtInMs: FIRED,
      runKey: 'w09',
    });
    const parsed = parseRetrainPayload(JSON.parse(JSON.stringify(payload)));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok || parsed.value.kind !== 'alert') throw new Error('expected an alert payload');
    expect(parsed.value).toMatchObject({
      rule: 'mrm-retrain-drift-magnitude',
      monitorCondition: 'Fired',
      family: 'metric',
      value: 0.56,
      metricName: METRICS.driftMagnitude,
      operator: 'GreaterThan',
      threshold: String(THRESHOLDS.retrainDriftMagnitude),
      firedDateTime: '2026-03-04T10:15:00.000Z',
    });
  });

  it('carries no alert rule id, so the webhook routes by the rule’s name instead of calling ARM', () => {
    const payload = driftAlert({ magnitude: 0.4, threshold: 0.3, firedAtInMs: FIRED, runKey: 'w09' });
    const parsed = parseRetrainPayload(payload);
    expect(parsed.ok && parsed.value.kind === 'alert' && parsed.value.ruleId).toBeUndefined();
  });

  it('gives each run its own stable alert id (the webhook dedupes by it)', () => {
    const id = (runKey: string) =>
      (
        driftAlert({ magnitude: 0.4, threshold: 0.3, firedAtInMs: FIRED, runKey }).data as {
          essentials: { alertId: string };
        }
      ).essentials.alertId;
    expect(id('a')).toBe(id('a'));
    expect(id('a')).not.toBe(id('b'));
    expect(id('a')).toMatch(
      /^\/subscriptions\/[0-9a-f-]{36}\/providers\/Microsoft\.AlertsManagement\/alerts\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
  });

  it('names the same retraining job for runs of one seed and week, whenever they run; another seed, another job', () => {
    const jobOf = (seed: number, nowInMs: number): string => {
      const payload = driftAlert({
        magnitude: 0.56,
        threshold: THRESHOLDS.retrainDriftMagnitude,
        firedAtInMs: nowInMs,
        runKey: demoRunKey(planDemoScenario({ events: 20_000, seed, nowInMs })),
      });
      const parsed = parseRetrainPayload(JSON.parse(JSON.stringify(payload)));
      if (!parsed.ok || parsed.value.kind !== 'alert') throw new Error('expected an alert payload');
      return retrainJobName(alertClaimKey(parsed.value.alertId), 'default');
    };
    // Two runs on Wednesday, a minute and hours apart: both report the previous week.
    const morning = Date.UTC(2026, 2, 4, 9, 0);
    expect(jobOf(7, morning)).toBe(jobOf(7, morning + 60_000));
    expect(jobOf(7, morning)).toBe(jobOf(7, morning + 8 * 3_600_000));
    expect(jobOf(8, morning)).not.toBe(jobOf(7, morning));
  });
});
