import { describe, expect, it } from 'vitest';
import type { ClaimRecord } from '../../../shared/retraining/types.js';
import { alertClaimKey } from '../../../shared/retraining/claimKeys.js';
import {
  claimKeyOf,
  decideRetrain,
  ruleToRead,
  type RetrainFacts,
  type RetrainPolicy,
} from '../../../shared/retraining/decideRetrain.js';
import { parseRetrainPayload, type RetrainPayload } from '../../../shared/retraining/retrainPayload.js';
import { alertFixture } from './fakes/alertFixtures.js';

// In memory, no storage: the decision is a function of the payload, the facts read beforehand and the policy.
const policy: RetrainPolicy = {
  threshold: 0.3,
  rulePattern: 'drift',
  modelTag: 'mrm-model',
  defaultModel: 'default-model',
  dedupeWindowInMinutes: 60,
};
const NOW = new Date('2026-03-02T04:00:00Z');
const facts = (extra: Partial<RetrainFacts> = {}): RetrainFacts => ({
  now: NOW,
  ruleTags: undefined,
  earlier: undefined,
  ...extra,
});

function payload(body: unknown): RetrainPayload {
  const parsed = parseRetrainPayload(body);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
}

function decidedClaim(claimKey: string, state: ClaimRecord['state']): ClaimRecord {
  return {
    version: 1,
    claimKey,
    source: 'alert',
    alertId: 'a',
    rule: 'mrm-drift-magnitude',
    model: 'default-model',
    magnitude: 0.41,
    jobName: 'mrm-retrain-default-model-0123456789abcdef',
    state,
    claimedAt: '2026-03-02T03:17:00.000Z',
    leaseUntil: '2026-03-02T03:22:00.000Z',
    attempts: 1,
    request: {},
    decidedAt: '2026-03-02T03:17:01.000Z',
    reason: 'Submitted to https://ml',
  };
}

describe('decideRetrain', () => {
  it('takes no action on a direct request whose magnitude does not exceed the threshold, saying which setting', () => {
    const decision = decideRetrain(payload({ drift_magnitude: 0.3, features: ['age'] }), facts(), policy);
    expect(decision).toEqual({
      kind: 'no_action',
      subject: { source: 'direct', alertId: null, rule: null, magnitude: 0.3, model: 'default-model' },
      reason: 'drift_magnitude 0.3 does not exceed the retrain threshold 0.3 (MRM_RETRAIN_THRESHOLD)',
    });
  });

  it('plans a job for a direct request over the threshold, its window ending now and its job named after the claim', () => {
    const direct = payload({ drift_magnitude: 0.45, features: ['income', 'age'], model: 'fraud' });
    const decision = decideRetrain(direct, facts(), policy);
    expect(decision.kind).toBe('submit');
    if (decision.kind !== 'submit') return;
    expect(decision.plan).toMatchObject({
      subject: { source: 'direct', model: 'fraud', magnitude: 0.45 },
      claimKey: claimKeyOf(direct, NOW, policy),
      reason: 'drift_magnitude 0.45 exceeds the retrain threshold 0.3',
      features: ['income', 'age'],
      windowEnd: NOW,
    });
    expect(decision.plan.jobName).toMatch(/^mrm-retrain-fraud-[0-9a-f]{16}$/);
  });

  it('plans a job for a fired alert of a rule it owns, for the default model, its window ending when it fired', () => {
    const fired = payload(alertFixture('metric-fired.json'));
    const decision = decideRetrain(fired, facts(), policy);
    expect(decision).toMatchObject({
      kind: 'submit',
      plan: {
        subject: { source: 'alert', rule: 'mrm-drift-magnitude', model: 'default-model' },
        windowEnd: new Date('2026-03-02T03:16:12.447Z'),
      },
    });
  });

  it('routes an alert to the model its rule is tagged with', () => {
    const fired = payload(alertFixture('metric-fired.json'));
    const tagged = facts({ ruleTags: { kind: 'found', tags: { 'mrm-model': 'churn' } } });
    expect(decideRetrain(fired, tagged, policy)).toMatchObject({
      kind: 'submit',
      plan: { subject: { model: 'churn' } },
    });
  });

  it('takes no action on a resolved alert, nor on a rule that is not ours', () => {
    expect(decideRetrain(payload(alertFixture('metric-resolved.json')), facts(), policy)).toMatchObject({
      kind: 'no_action',
      reason: 'Alert "mrm-drift-magnitude" resolved: nothing to do',
    });
    expect(decideRetrain(payload(alertFixture('metric-fired-unrelated-rule.json')), facts(), policy)).toMatchObject({
      kind: 'no_action',
      subject: { model: null },
    });
  });

  it('answers a request already decided as a duplicate, and one still only claimed as a plan (the claim decides)', () => {
    const fired = payload(alertFixture('metric-fired.json'));
    const key = claimKeyOf(fired, NOW, policy);
    expect(key).toBe(alertClaimKey(alertFixture('metric-fired.json').data.essentials.alertId));
    const triggered = decidedClaim(key, 'retraining_triggered');
    expect(decideRetrain(fired, facts({ earlier: triggered }), policy)).toEqual({
      kind: 'duplicate',
      subject: expect.objectContaining({ model: 'default-model' }),
      claimKey: key,
      record: triggered,
    });
    expect(decideRetrain(fired, facts({ earlier: decidedClaim(key, 'claimed') }), policy).kind).toBe('submit');
  });

  it('plans a stream detector’s page once when its rule is a retrain rule (streamAlarmRetrains), and not otherwise', () => {
    // infra/modules/alerts.bicep: the stream alarm rule is mrm-ops-… by default, mrm-retrain-… (and tagged) when set.
    const deployed = { ...policy, rulePattern: '^mrm-retrain-' };
    const page = (rule: string) => {
      const body = alertFixture('metric-fired.json');
      body.data.essentials.alertRule = rule;
      body.data.essentials.alertId = body.data.essentials.alertId.replace(/[0-9a-f]{4}$/, 'beef');
      body.data.alertContext.condition.allOf[0] = {
        ...body.data.alertContext.condition.allOf[0],
        metricName: 'mrm_stream_alarms',
        operator: 'GreaterThan',
        threshold: '0',
        timeAggregation: 'Total',
        metricValue: 1,
      };
      return payload(body);
    };
    expect(decideRetrain(page('mrm-ops-stream-alarm-dev'), facts(), deployed).kind).toBe('no_action');
    const fired = page('mrm-retrain-stream-alarm-dev');
    const decision = decideRetrain(
      fired,
      facts({ ruleTags: { kind: 'found', tags: { 'mrm-model': 'default' } } }),
      deployed,
    );
    expect(decision).toMatchObject({
      kind: 'submit',
      plan: { subject: { rule: 'mrm-retrain-stream-alarm-dev', model: 'default' } },
    });
    // Replays of the alert (the action group retries a webhook up to 5 times) carry its id: one claim, one job.
    const key = claimKeyOf(fired, NOW, deployed);
    expect(decideRetrain(fired, facts({ earlier: decidedClaim(key, 'retraining_triggered') }), deployed).kind).toBe(
      'duplicate',
    );
  });

  it('takes no action before looking at earlier claims: a resolved alert shares its fired twin’s id', () => {
    const resolved = payload(alertFixture('metric-resolved.json'));
    const earlier = decidedClaim(claimKeyOf(resolved, NOW, policy), 'retraining_triggered');
    expect(decideRetrain(resolved, facts({ earlier }), policy).kind).toBe('no_action');
  });

  it('asks for a retry when the rule’s tags could not be read now, and refuses a tag naming no valid model', () => {
    const fired = payload(alertFixture('metric-fired.json'));
    const retryable = facts({ ruleTags: { kind: 'retryable', message: 'ARM answered 503' } });
    expect(decideRetrain(fired, retryable, policy)).toMatchObject({
      kind: 'tags_unavailable',
      message: 'ARM answered 503',
    });
    const badTag = facts({ ruleTags: { kind: 'found', tags: { 'mrm-model': '../etc' } } });
    expect(decideRetrain(fired, badTag, policy)).toMatchObject({
      kind: 'refused',
      failure: { kind: 'configuration' },
    });
  });
});

describe('decideRetrain without a credential to read tags', () => {
  it('refuses as a configuration error naming what to set, never a retry', () => {
    const fired = payload(alertFixture('metric-fired.json'));
    const noCredential = facts({
      ruleTags: { kind: 'misconfigured', message: 'No Azure credential: set AZURE_CLIENT_ID' },
    });
    expect(decideRetrain(fired, noCredential, policy)).toMatchObject({
      kind: 'refused',
      failure: {
        kind: 'configuration',
        code: 'RETRAIN.NO_CREDENTIAL',
        message: 'No Azure credential: set AZURE_CLIENT_ID',
      },
    });
  });
});

describe('ruleToRead', () => {
  it('names the rule of a fired alert only: a direct request or an ignored alert needs no ARM call', () => {
    expect(ruleToRead(payload(alertFixture('metric-fired.json')))).toMatch(/metricAlerts\/mrm-drift-magnitude$/i);
    expect(ruleToRead(payload(alertFixture('metric-resolved.json')))).toBeUndefined();
    expect(ruleToRead(payload({ drift_magnitude: 0.9, features: [] }))).toBeUndefined();
  });
});
