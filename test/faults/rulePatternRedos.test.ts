import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../shared/config/settings.js';
import { routeAlert } from '../../shared/retraining/alertRouting.js';

// Fault suite, item 6: MRM_RETRAIN_RULE_PATTERN was a regular expression checked only for syntax, run by a
// backtracking engine on every alert's rule name: `^([a-z0-9]+-?)+$` against a 30-character rule name blocked the event
// loop for 36 s. It is now a list of patterns in a small language matched in linear time: literal text, `*` for any
// run of characters, `^` and `$` to anchor at the start and end; unanchored, a pattern matches anywhere in the name,
// so the default `drift` and infra's `^mrm-retrain-` keep their meaning.
const route = (rulePattern: string, rule: string) =>
  routeAlert(rule, undefined, { rulePattern, modelTag: 'mrm-model', defaultModel: 'default' });
const routed = (rulePattern: string, rule: string) => {
  const r = route(rulePattern, rule);
  return r.ok ? r.value.kind : r.error.code;
};

describe('MRM_RETRAIN_RULE_PATTERN', () => {
  it('refuses a regular expression at cold start, naming the setting and what it now takes', () => {
    for (const regex of ['^([a-z0-9]+-?)+$', '(a|aa)+', 'mrm.*drift', 'drift[0-9]', 'drifts?']) {
      const loaded = loadSettings({ MRM_RETRAIN_RULE_PATTERN: regex });
      expect(loaded.ok, regex).toBe(false);
      if (!loaded.ok)
        expect(loaded.error.message).toContain(
          `MRM_RETRAIN_RULE_PATTERN: "${regex}" is not a rule-name pattern: patterns are text with * for any characters, ^ and $ to anchor, separated by commas (regular expressions are not accepted)`,
        );
    }
  });

  it('keeps the default and infra’s values: `drift` anywhere in the name, `^mrm-retrain-` at its start', () => {
    expect(routed('drift', 'mrm-retrain-drift-magnitude')).toBe('retrain');
    expect(routed('drift', 'cpu-high')).toBe('ignore');
    expect(routed('^mrm-retrain-', 'mrm-retrain-accuracy')).toBe('retrain');
    expect(routed('^mrm-retrain-', 'x-mrm-retrain-accuracy')).toBe('ignore');
    expect(routed('DRIFT', 'Model-Drift')).toBe('retrain');
  });

  it('takes wildcards, anchors and lists', () => {
    const patterns = '^mrm-*-drift$, accuracy$';
    expect(routed(patterns, 'mrm-fraud-drift')).toBe('retrain');
    expect(routed(patterns, 'mrm-fraud-drift-2')).toBe('ignore');
    expect(routed(patterns, 'low-accuracy')).toBe('retrain');
    expect(routed(patterns, 'accuracy-low')).toBe('ignore');
    expect(routed('^a*b*c$', 'abc')).toBe('retrain');
    expect(routed('^ab*ba$', 'aba')).toBe('ignore'); // the two ends may not overlap
  });

  it('matches a pattern built to blow up backtracking against long rule names at once', () => {
    const name = `${'a'.repeat(1024)}!`;
    expect(routed(`^${'*a'.repeat(40)}*b$`, name)).toBe('ignore');
    expect(routed(`${'a*'.repeat(40)}!$`, name)).toBe('retrain');
  }, 2000);
});
