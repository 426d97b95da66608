import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArmRuleTagReader, parseRuleId } from '../../../shared/adapters/armRuleTagReader.js';
import { FakeArm, trustingAgent } from '../retraining/fakes/fakeArm.js';
import { FakeCredential } from '../retraining/fakes/fakeCredential.js';
import { CredentialUnavailableError } from '@azure/identity';

const METRIC_RULE =
  '/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-mrm/providers/Microsoft.Insights/metricAlerts/mrm-drift';
const LOG_RULE =
  '/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-mrm/providers/microsoft.insights/scheduledqueryrules/mrm-drift-log';

describe('ArmRuleTagReader against a fake ARM over TLS', () => {
  let arm: FakeArm;
  let now = 0;
  const credential = new FakeCredential();
  const agent = trustingAgent();
  const reader = (cacheInMs = 60_000) =>
    new ArmRuleTagReader({
      armEndpoint: arm.url,
      credential,
      cacheInMs,
      timeoutInMs: 2000,
      agent,
      clock: { nowInMs: () => now },
    });

  beforeEach(async () => {
    arm = await FakeArm.start({ tls: true });
    now = 0;
  });
  afterEach(async () => arm.close());

  it('reads metric and log alert rules with @azure/arm-monitor, with the ARM token', async () => {
    arm.addRule(METRIC_RULE, { 'mrm-model': 'fraud' });
    arm.addRule(LOG_RULE, { 'mrm-model': 'churn', team: 'ml' });
    const r = reader();
    expect(await r.tagsOf(METRIC_RULE)).toEqual({ kind: 'found', tags: { 'mrm-model': 'fraud' } });
    expect(await r.tagsOf(LOG_RULE)).toEqual({ kind: 'found', tags: { 'mrm-model': 'churn', team: 'ml' } });
    const [metric, log] = arm.requests;
    expect(metric).toMatchObject({ method: 'GET', authorization: `Bearer token-for:${arm.url}.default` });
    expect(metric!.path.toLowerCase()).toBe(METRIC_RULE.toLowerCase());
    expect(metric!.query['api-version']).toMatch(/^\d{4}-\d{2}-\d{2}/);
    expect(log!.path.toLowerCase()).toBe(LOG_RULE.toLowerCase());
  });

  it('caches tags per rule for the configured time, and asks once for a burst', async () => {
    arm.addRule(METRIC_RULE, { 'mrm-model': 'fraud' });
    const r = reader(60_000);
    await Promise.all(Array.from({ length: 20 }, () => r.tagsOf(METRIC_RULE)));
    await r.tagsOf(METRIC_RULE.toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/'));
    expect(arm.requests).toHaveLength(1);
    now += 60_001;
    await r.tagsOf(METRIC_RULE);
    expect(arm.requests).toHaveLength(2);
  });

  it('falls back (unavailable, cached) when the rule is missing or forbidden, and is retryable on 5xx (not cached)', async () => {
    const r = reader();
    expect(await r.tagsOf(METRIC_RULE)).toEqual({ kind: 'unavailable', reason: 'rule not found (404)' });
    await r.tagsOf(METRIC_RULE);
    expect(arm.requests).toHaveLength(1);

    arm.failRules(403);
    expect(await r.tagsOf(LOG_RULE)).toEqual({
      kind: 'unavailable',
      reason: "no permission to read it (403); grant the app's identity Monitoring Reader",
    });

    const other =
      '/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-mrm/providers/Microsoft.Insights/metricAlerts/other';
    arm.addRule(other, { 'mrm-model': 'x' });
    arm.failRules(503, 503);
    expect((await r.tagsOf(other)).kind).toBe('retryable');
    expect(await r.tagsOf(other)).toEqual({ kind: 'found', tags: { 'mrm-model': 'x' } });
  });

  it('is misconfigured, naming what to set in one line, when there is no credential to ask with (not cached)', async () => {
    arm.addRule(METRIC_RULE, { 'mrm-model': 'fraud' });
    let calls = 0;
    // @azure/identity's own error, as DefaultAzureCredential throws it on a machine with no sign-in at all.
    const none = {
      getToken: async () => {
        calls++;
        throw new CredentialUnavailableError(
          'EnvironmentCredential is unavailable. ManagedIdentityCredential: no IMDS',
        );
      },
    };
    const r = new ArmRuleTagReader({
      armEndpoint: arm.url,
      credential: none,
      cacheInMs: 60_000,
      timeoutInMs: 2000,
      agent,
    });
    const outcome = await r.tagsOf(METRIC_RULE);
    expect(outcome.kind).toBe('misconfigured');
    const message = (outcome as { message: string }).message;
    expect(message).not.toContain('\n');
    expect(message).not.toContain('IMDS');
    expect(message).toMatch(/AZURE_CLIENT_ID.*az login.*--rule-tag mrm-model=/);
    await r.tagsOf(METRIC_RULE);
    expect(calls).toBeGreaterThanOrEqual(2);
  });

  it('does not call ARM for ids that are not alert rules', async () => {
    expect(
      await reader().tagsOf('/subscriptions/s/resourceGroups/rg/providers/Microsoft.Insights/activityLogAlerts/x'),
    ).toMatchObject({ kind: 'unavailable' });
    expect(arm.requests).toHaveLength(0);
  });
});

describe('parseRuleId', () => {
  it('reads subscription, resource group, type and name, in any case', () => {
    expect(parseRuleId(LOG_RULE)).toEqual({
      subscriptionId: '00000000-1111-2222-3333-444444444444',
      resourceGroup: 'rg-mrm',
      type: 'scheduledQueryRules',
      name: 'mrm-drift-log',
    });
    expect(
      parseRuleId('/subscriptions/s/resourcegroups/RG/providers/MICROSOFT.INSIGHTS/METRICALERTS/a%20b'),
    ).toMatchObject({ type: 'metricAlerts', name: 'a b', resourceGroup: 'RG' });
    expect(parseRuleId('not an id')).toBeUndefined();
  });
});
