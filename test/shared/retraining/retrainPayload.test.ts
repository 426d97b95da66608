import { describe, expect, it } from 'vitest';
import { parseRetrainPayload, type AlertPayload } from '../../../shared/retraining/retrainPayload.js';
import { alertFixture } from './fakes/alertFixtures.js';

function alertOf(name: string): AlertPayload {
  const parsed = parseRetrainPayload(alertFixture(name));
  if (!parsed.ok) throw new Error(parsed.error.message);
  if (parsed.value.kind !== 'alert') throw new Error('not an alert');
  return parsed.value;
}

function failureOf(body: unknown): { code: string; message: string; field?: unknown } {
  const parsed = parseRetrainPayload(body);
  if (parsed.ok) throw new Error('expected a failure');
  return { code: parsed.error.code, message: parsed.error.message, field: parsed.error.detail?.field };
}

describe('parseRetrainPayload: common alert schema', () => {
  it('reads a fired metric alert: rule, rule id, measured value, threshold', () => {
    expect(alertOf('metric-fired.json')).toEqual({
      kind: 'alert',
      alertId:
        '/subscriptions/00000000-1111-2222-3333-444444444444/providers/Microsoft.AlertsManagement/alerts/3f9c2a41-7d1e-4c55-9b0a-6e2d8c1f4a10',
      rule: 'mrm-drift-magnitude',
      ruleId:
        '/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-mrm/providers/Microsoft.Insights/metricAlerts/mrm-drift-magnitude',
      signalType: 'Metric',
      monitoringService: 'Platform',
      monitorCondition: 'Fired',
      firedDateTime: '2026-03-02T03:16:12.4471031Z',
      family: 'metric',
      conditionType: 'SingleResourceMultipleMetricCriteria',
      value: 0.42,
      metricName: 'mrm_drift_magnitude',
      operator: 'GreaterThan',
      threshold: '0.3',
      features: [],
    });
  });

  it('reads a Log Alerts V2 alert: measured value, measure column, features from the feature dimension', () => {
    expect(alertOf('log-v2-fired.json')).toMatchObject({
      family: 'log',
      value: 0.37,
      metricName: 'magnitude',
      features: ['income'],
      monitoringService: 'Log Alerts V2',
    });
  });

  it('reads dynamic-threshold metric alerts as metric alerts', () => {
    expect(alertOf('metric-dynamic-fired.json')).toMatchObject({
      family: 'metric',
      conditionType: 'DynamicThresholdCriteria',
      value: 0.33,
      threshold: '0.21',
    });
  });

  it('classifies activity-log alerts as other (acknowledged, not acted on)', () => {
    expect(alertOf('activity-log-fired.json')).toMatchObject({
      family: 'other',
      signalType: 'Activity Log',
      value: null,
    });
  });

  it('reads resolved alerts without needing their context', () => {
    const resolved = alertFixture('metric-resolved.json');
    delete resolved.data.alertContext;
    const parsed = parseRetrainPayload(resolved);
    expect(parsed.ok && parsed.value.kind === 'alert' && parsed.value.monitorCondition).toBe('Resolved');
  });

  it('rebuilds the rule id from a metric alert originAlertId when alertRuleID is absent', () => {
    expect(alertOf('metric-fired-origin-only.json').ruleId).toBe(
      '/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-mrm/providers/Microsoft.Insights/metricAlerts/mrm-drift-magnitude',
    );
    const odd = alertFixture('metric-fired-origin-only.json');
    odd.data.essentials.originAlertId = 'something-else';
    const parsed = parseRetrainPayload(odd);
    expect(parsed.ok && parsed.value.kind === 'alert' && parsed.value.ruleId).toBeUndefined();
  });

  it('accepts alertRuleId spelled with a lowercase d', () => {
    const alert = alertFixture('metric-fired.json');
    alert.data.essentials.alertRuleId = alert.data.essentials.alertRuleID;
    delete alert.data.essentials.alertRuleID;
    expect(parseRetrainPayload(alert)).toMatchObject({
      ok: true,
      value: { ruleId: alert.data.essentials.alertRuleId },
    });
  });

  it('names the field at fault', () => {
    const missingRule = alertFixture('metric-fired.json');
    delete missingRule.data.essentials.alertRule;
    expect(failureOf(missingRule)).toEqual({
      code: 'WEBHOOK.INVALID_PAYLOAD',
      message: 'Invalid common alert schema payload: data.essentials.alertRule is required',
      field: 'data.essentials.alertRule',
    });

    const noCriteria = alertFixture('metric-fired.json');
    noCriteria.data.alertContext.condition.allOf = [];
    expect(failureOf(noCriteria).field).toBe('data.alertContext.condition.allOf');

    const textValue = alertFixture('log-v2-fired.json');
    textValue.data.alertContext.condition.allOf[0].metricValue = 'high';
    expect(failureOf(textValue).message).toBe(
      'Invalid common alert schema payload: data.alertContext.condition.allOf[0].metricValue must be number or null',
    );

    const badDate = alertFixture('metric-fired.json');
    badDate.data.essentials.firedDateTime = '3/22/2019 1:36:31 PM';
    expect(failureOf(badDate)).toMatchObject({ field: 'data.essentials.firedDateTime' });
    // On no calendar: Date.parse would take it as March 2nd.
    badDate.data.essentials.firedDateTime = '2026-02-30T03:16:12Z';
    expect(failureOf(badDate)).toMatchObject({ field: 'data.essentials.firedDateTime' });
  });

  it('refuses other schemas, pointing at the action group setting', () => {
    expect(failureOf({ schemaId: 'AzureMonitorMetricAlert', data: {} })).toMatchObject({
      code: 'WEBHOOK.UNSUPPORTED_SCHEMA',
      message: expect.stringContaining(
        "enable the common alert schema on the action group's webhook (useCommonAlertSchema: true)",
      ),
    });
  });
});

describe('parseRetrainPayload: direct payload', () => {
  it('reads drift_magnitude, features, reason and model', () => {
    expect(
      parseRetrainPayload({ drift_magnitude: 0.4, features: ['a', 'b'], reason: 'why', model: 'churn.v2' }),
    ).toEqual({
      ok: true,
      value: { kind: 'direct', magnitude: 0.4, features: ['a', 'b'], reason: 'why', model: 'churn.v2' },
    });
  });

  it.each([
    [{ features: [] }, 'drift_magnitude is required'],
    [{ drift_magnitude: -0.1, features: [] }, 'drift_magnitude must be >= 0'],
    [{ drift_magnitude: 0.4 }, 'features is required'],
    [{ drift_magnitude: 0.4, features: ['a', 3] }, 'features[1] must be string'],
    [{ drift_magnitude: 0.4, features: [], model: '../etc' }, 'model must be a model name'],
    [{ drift_magnitude: 0.4, features: [], reason: 7 }, 'reason must be string'],
    [{ drift_magnitude: 0.4, features: [], drift: 1 }, 'drift is not a known field'],
  ])('refuses %j: %s', (body, message) => {
    expect(failureOf(body).message).toContain(message);
  });

  it('refuses bodies that are not objects', () => {
    expect(failureOf([1, 2]).message).toBe('Body must be a JSON object, got an array');
    expect(failureOf(null).message).toBe('Body must be a JSON object, got null');
  });
});
