import { describe, expect, it } from 'vitest';
import { routeAlert } from '../../../shared/retraining/alertRouting.js';

const options = { rulePattern: 'drift', modelTag: 'mrm-model', defaultModel: 'default' };

describe('routeAlert', () => {
  it('routes a rule by its model tag first, whatever its name', () => {
    expect(routeAlert('cpu-high', { kind: 'found', tags: { 'mrm-model': 'fraud' } }, options)).toEqual({
      ok: true,
      value: { kind: 'retrain', model: 'fraud', via: 'tag mrm-model' },
    });
    expect(routeAlert('DRIFT', { kind: 'found', tags: { 'MRM-MODEL': 'churn' } }, options)).toMatchObject({
      value: { model: 'churn' },
    });
  });

  it('routes a rule by name (case-insensitive pattern) to the default model when it has no tag', () => {
    expect(routeAlert('MRM-Drift-Magnitude', { kind: 'found', tags: {} }, options)).toEqual({
      ok: true,
      value: { kind: 'retrain', model: 'default', via: 'rule name matches "drift"' },
    });
    expect(routeAlert('mrm-drift', undefined, options)).toMatchObject({ value: { kind: 'retrain' } });
  });

  it('ignores other rules, saying why', () => {
    const route = routeAlert('cpu-high', { kind: 'unavailable', reason: 'rule not found (404)' }, options);
    expect(route.ok && route.value).toEqual({
      kind: 'ignore',
      reason:
        'Alert rule "cpu-high" is not one of this deployment\'s: its name does not match MRM_RETRAIN_RULE_PATTERN "drift" and it has no mrm-model tag (its tags could not be read: rule not found (404))',
    });
  });

  it('refuses a tag that is not a model name', () => {
    expect(routeAlert('x', { kind: 'found', tags: { 'mrm-model': '' } }, options)).toMatchObject({
      ok: false,
      error: { code: 'RETRAIN.BAD_MODEL_TAG' },
    });
  });
});
