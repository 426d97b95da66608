import { describe, expect, it } from 'vitest';
import monitoring from '../../../shared/config/monitoring.json' with { type: 'json' };
import { defaultSettings } from '../../../shared/config/settings.js';
import { compileRulePattern } from '../../../shared/retraining/rulePattern.js';
import {
  BicepFile,
  BicepScope,
  UNKNOWN,
  isRecord,
  objectProperty,
  type Resource,
  type Value,
} from '../bicepProgram.js';
import { appSettingsOf } from '../appSettingsOf.js';
import { emittedMetricKeys } from '../emittedMetrics.js';

// main.bicep as azd runs it for an environment named 'dev' (streamAlarmRetrains: its default, or set), with the two
// action groups' ids bound to their names so that a rule's evaluated actions say where it sends.
function alertsModule(streamAlarmRetrains?: boolean) {
  const main = new BicepScope(new BicepFile('infra/main.bicep'), {
    environmentName: () => 'dev',
    ...(streamAlarmRetrains === undefined ? {} : { streamAlarmRetrains: () => streamAlarmRetrains }),
  });
  const alerts = main
    .module('alerts')
    .withBindings({ retrainActionGroupId: () => 'retrain', operatorsActionGroupId: () => 'operators' });
  const rules = alerts.file
    .resources()
    .filter((r) => r.type === 'Microsoft.Insights/metricAlerts' || r.type === 'Microsoft.Insights/scheduledQueryRules');
  const evaluated = (rule: Resource): Record<string, Value> => alerts.evaluate(rule.body) as Record<string, Value>;
  const sendsTo = (rule: Resource, group: 'retrain' | 'operators'): boolean => {
    // Metric alerts list { actionGroupId } objects; log alerts an object with the groups' ids.
    const actions = (evaluated(rule).properties as Record<string, Value>).actions;
    const ids = Array.isArray(actions)
      ? actions.map((a) => (isRecord(a) ? a.actionGroupId : UNKNOWN))
      : isRecord(actions) && Array.isArray(actions.actionGroups)
        ? actions.actionGroups
        : [];
    return ids.includes(group);
  };
  // Resources deployed in this configuration (a conditional one only when its condition holds).
  const deployed = alerts.file.resources().filter((r) => r.condition === null || alerts.evaluate(r.condition) === true);
  return { main, alerts, rules, evaluated, sendsTo, deployed };
}
const { main, alerts, rules, evaluated, sendsTo } = alertsModule();
const appSettings = appSettingsOf(main).values;

const properties = (rule: Resource): Record<string, Value> => evaluated(rule).properties as Record<string, Value>;
const criteria = (rule: Resource): Record<string, Value>[] =>
  (properties(rule).criteria as { allOf: Record<string, Value>[] }).allOf;
const ruleFor = (metricKey: keyof typeof monitoring.metrics): Resource => {
  const found = rules.find((r) => criteria(r).some((c) => c.metricName === monitoring.metrics[metricKey]));
  if (!found) throw new Error(`no alert on ${metricKey}`);
  return found;
};
describe('alerts and the single source of truth (shared/config/monitoring.json)', () => {
  it('loads the very file the app uses', () => {
    expect(alerts.value('monitoring')).toEqual(monitoring);
  });

  it('references only metric names and thresholds that exist there', () => {
    const metricKeys = alerts.file.memberReferences(['monitoring', 'metrics']);
    const thresholdKeys = alerts.file.memberReferences(['monitoring', 'thresholds']);
    expect(metricKeys.length).toBeGreaterThanOrEqual(6);
    expect(metricKeys.filter((k) => !(k in monitoring.metrics))).toEqual([]);
    expect(thresholdKeys.filter((k) => !(k in monitoring.thresholds))).toEqual([]);
  });

  // Depends on the scoring and drift code: it fails, naming the keys, until every metric an alert watches is emitted
  // with MetricsPort.count/observe somewhere in functions/ or shared/.
  it('watches only metrics the code emits', () => {
    const emitted = emittedMetricKeys();
    const watched = alerts.file.memberReferences(['monitoring', 'metrics']);
    expect(
      watched.filter((key) => !emitted.has(key)),
      'metric keys an alert uses but no count()/observe() emits',
    ).toEqual([]);
  });

  it('names, in its log queries, only metrics from the file', () => {
    const queries = rules
      .flatMap((r) => criteria(r))
      .map((c) => c.query)
      .filter((q): q is string => typeof q === 'string');
    expect(queries.length).toBe(rules.filter((r) => r.type === 'Microsoft.Insights/scheduledQueryRules').length);
    const names = queries.flatMap((q) => [...q.matchAll(/'(mrm_[a-z_]+)'/g)].map((m) => m[1]));
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => !Object.values(monitoring.metrics).includes(n!))).toEqual([]);
  });

  it('retrains at the threshold the webhook and the drift job use', () => {
    const drift = criteria(ruleFor('driftMagnitude'))[0]!;
    expect(drift).toMatchObject({
      operator: 'GreaterThan',
      threshold: monitoring.thresholds.retrainDriftMagnitude,
      timeAggregation: 'Maximum',
    });
    const defaults = defaultSettings();
    expect(defaults.retraining.retrainThreshold).toBe(drift.threshold);
    expect(appSettings.get('MRM_RETRAIN_THRESHOLD')).toBe(String(drift.threshold));
  });

  it('alerts on accuracy below 0.85, every 5 minutes over 15', () => {
    const rule = ruleFor('accuracy');
    expect(criteria(rule)[0]).toMatchObject({ operator: 'LessThan', threshold: 0.85 });
    expect(properties(rule)).toMatchObject({ evaluationFrequency: 'PT5M', windowSize: 'PT15M' });
  });

  it('alerts on the low-confidence rate with a log alert over two consecutive periods', () => {
    const rule = rules.find((r) => JSON.stringify(criteria(r)).includes(monitoring.metrics.lowConfidenceRate))!;
    expect(rule.type).toBe('Microsoft.Insights/scheduledQueryRules');
    expect(criteria(rule)[0]).toMatchObject({
      operator: 'GreaterThan',
      threshold: 0.2,
      failingPeriods: { numberOfEvaluationPeriods: 2, minFailingPeriodsToAlert: 2 },
    });
  });

  it('covers rejected and extraction-flagged spikes, dead letters, failures and silence', () => {
    const queries = JSON.stringify(rules.map((r) => criteria(r)));
    expect(queries).toContain(monitoring.metrics.rejected);
    expect(queries).toContain(monitoring.metrics.extractionFlagged);
    expect(criteria(ruleFor('deadLetterRate'))[0]).toMatchObject({
      operator: 'GreaterThan',
      threshold: monitoring.thresholds.maxDeadLetterRate,
    });
    expect(rules.some((r) => criteria(r).some((c) => c.metricName === 'requests/failed'))).toBe(true);
    const silence = rules.find((r) => r.symbol === 'noEventsScored')!;
    expect(silence.type).toBe('Microsoft.Insights/scheduledQueryRules');
    expect(criteria(silence)[0]).toMatchObject({
      operator: 'LessThan',
      threshold: 1,
      metricMeasureColumn: 'events',
      timeAggregation: 'Total',
    });
    expect(properties(silence).windowSize).toBe(monitoring.thresholds.noEventsWindow);
  });

  it('pages the operators, and only them, when a stream detector fires', () => {
    const rule = ruleFor('streamAlarms');
    expect(criteria(rule)[0]).toMatchObject({
      metricName: monitoring.metrics.streamAlarms,
      timeAggregation: 'Total',
      operator: 'GreaterThan',
      threshold: 0,
    });
    expect(sendsTo(rule, 'operators')).toBe(true);
    expect(sendsTo(rule, 'retrain')).toBe(false);
  });

  // A metric alert evaluates only the data points that exist: silence has none, so `< 1` would never fire.
  it("keeps a dead man's switch that sees silence: a query that always returns one row, zero when nothing came", () => {
    const query = criteria(rules.find((r) => r.symbol === 'noEventsScored')!)[0]!.query as string;
    expect(query).toContain(`name == '${monitoring.metrics.events}'`);
    const lines = query.trim().split('\n');
    const summarize = lines.find((l) => l.startsWith('| summarize'))!;
    expect(summarize, 'summarize without by: one row even over no rows').not.toMatch(/\bby\b/);
    expect(lines.slice(lines.indexOf(summarize) + 1).every((l) => !l.startsWith('| where'))).toBe(true);
    expect(query).toMatch(/coalesce\(events, 0\.0\)/);
    expect(
      rules.filter((r) => r.type === 'Microsoft.Insights/metricAlerts').map((r) => properties(r).criteria),
    ).not.toContainEqual(
      expect.objectContaining({ allOf: [expect.objectContaining({ operator: 'LessThan', threshold: 1 })] }),
    );
  });

  it('sets failingPeriods only on a query with a time column (per-row results); a summarized row is one period', () => {
    for (const rule of rules.filter((r) => r.type === 'Microsoft.Insights/scheduledQueryRules')) {
      const criterion = criteria(rule)[0]!;
      const summarized = /\|\s*summarize\b(?![^\n]*\bbin\()/.test(criterion.query as string);
      expect('failingPeriods' in criterion, rule.symbol).toBe(!summarized);
    }
  });

  it('names every rule with the azd environment, so two environments in one resource group never share a rule', () => {
    for (const rule of rules) expect(evaluated(rule).name, rule.symbol).toMatch(/^mrm-(retrain|ops)-[a-z-]+-dev$/);
    const names = rules.map((r) => evaluated(r).name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('reads custom metrics from the App Insights namespace, without failing before they first arrive', () => {
    const custom = rules
      .flatMap((r) => criteria(r))
      .filter((c) => typeof c.metricName === 'string' && c.metricName.startsWith('mrm_'));
    expect(custom.length).toBeGreaterThan(0);
    for (const criterion of custom)
      expect(criterion).toMatchObject({ metricNamespace: 'azure.applicationinsights', skipMetricValidation: true });
  });
});

describe.each([
  ['by default', undefined, ['accuracy', 'driftMagnitude']],
  ['with streamAlarmRetrains', true, ['accuracy', 'driftMagnitude', 'streamAlarms']],
] as const)('alert routing %s', (_, streamAlarmRetrains, retrainMetrics) => {
  const { rules, evaluated, sendsTo, deployed } = alertsModule(streamAlarmRetrains);
  const compiled = compileRulePattern(appSettings.get('MRM_RETRAIN_RULE_PATTERN') as string);
  if (!compiled.ok) throw new Error(compiled.error);
  const pattern = { test: compiled.value };
  const modelTag = appSettings.get('MRM_RETRAIN_MODEL_TAG') as string;
  const name = (rule: Resource): Value => evaluated(rule).name ?? UNKNOWN;
  const ruleOn = (metricKey: keyof typeof monitoring.metrics): Resource =>
    rules.find((r) =>
      ((properties(r).criteria as { allOf: Record<string, Value>[] }).allOf ?? []).some(
        (c) => c.metricName === monitoring.metrics[metricKey],
      ),
    )!;

  it(`sends ${retrainMetrics.join(', ')}, and only those, to the retrain group`, () => {
    const retrain = rules.filter((r) => sendsTo(r, 'retrain'));
    expect(retrain.map((r) => r.symbol).sort()).toEqual(retrainMetrics.map((m) => ruleOn(m).symbol).sort());
  });

  it('names the retrain rules so the webhook acts on them, and no other rule', () => {
    for (const rule of rules) {
      expect(name(rule), rule.symbol).not.toBe(UNKNOWN);
      expect(pattern.test(name(rule) as string), `${rule.symbol} (${String(name(rule))})`).toBe(
        sendsTo(rule, 'retrain'),
      );
    }
  });

  it('tags the retrain rules with the model the webhook reads', () => {
    for (const rule of rules.filter((r) => sendsTo(r, 'retrain'))) {
      const tags = evaluated(rule).tags;
      expect(isRecord(tags) && tags[modelTag], rule.symbol).toBe(appSettings.get('MRM_RETRAIN_DEFAULT_MODEL'));
    }
  });

  it('tags no other rule with a model (a tagged rule would also start retraining)', () => {
    for (const rule of rules.filter((r) => !sendsTo(r, 'retrain'))) {
      const tags = evaluated(rule).tags;
      expect(isRecord(tags) && modelTag in tags, rule.symbol).toBe(false);
    }
  });

  it('tells the operators about every alert', () => {
    expect(rules.filter((r) => !sendsTo(r, 'operators')).map((r) => r.symbol)).toEqual([]);
  });

  it('lets the webhook read the tags of the retrain rules and nothing else', () => {
    const readers = deployed.filter((r) => r.type === 'Microsoft.Authorization/roleAssignments');
    const scopes = readers.map((r) => objectProperty(r.body, 'scope')!.text).sort();
    expect(scopes).toEqual(
      rules
        .filter((r) => sendsTo(r, 'retrain'))
        .map((r) => r.symbol)
        .sort(),
    );
  });
});

describe('action groups in main.bicep', () => {
  it('is where main.bicep points the retrain and operators groups', () => {
    const alertsCall = main.file.valueOf(main.file.find('module', 'alerts')!)!;
    const params = objectProperty(alertsCall, 'params')!;
    expect(objectProperty(params, 'retrainActionGroupId')!.text).toBe('actionGroups.outputs.retrainActionGroupId');
    expect(objectProperty(params, 'operatorsActionGroupId')!.text).toBe('actionGroups.outputs.operatorsActionGroupId');
  });
});
