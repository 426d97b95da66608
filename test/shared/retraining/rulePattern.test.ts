import { describe, expect, it } from 'vitest';
import { compileRulePattern } from '../../../shared/retraining/rulePattern.js';

const matcher = (text: string) => {
  const compiled = compileRulePattern(text);
  if (!compiled.ok) throw new Error(compiled.error);
  return compiled.value;
};

describe('rule-name patterns', () => {
  it('finds an unanchored pattern anywhere in the name, case-insensitively', () => {
    const m = matcher('drift');
    expect(['drift', 'mrm-retrain-drift-magnitude', 'Model-DRIFT'].map(m)).toEqual([true, true, true]);
    expect(m('drfit')).toBe(false);
  });

  it('anchors at the start with ^ and at the end with $', () => {
    expect(['mrm-retrain-x', 'x-mrm-retrain-'].map(matcher('^mrm-retrain-'))).toEqual([true, false]);
    expect(['low-accuracy', 'accuracy-low'].map(matcher('accuracy$'))).toEqual([true, false]);
    expect(['abc', 'abcd', 'zabc'].map(matcher('^abc$'))).toEqual([true, false, false]);
  });

  it('reads * as any run of characters, the empty one too', () => {
    const m = matcher('^mrm-*-drift$');
    expect(['mrm-fraud-drift', 'mrm--drift', 'mrm-a-b-drift', 'mrm-drift', 'mrm-x-drift-2'].map(m)).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(['aba', 'abba'].map(matcher('^ab*ba$'))).toEqual([false, true]);
  });

  it('takes a comma-separated list: a name matching any one matches', () => {
    const m = matcher(' ^ops- , *-drift$ ');
    expect(['ops-cpu', 'model-drift', 'model-drift-2'].map(m)).toEqual([true, true, false]);
  });

  it('keeps dots literal', () => {
    expect(['model.v2-drift', 'modelxv2-drift'].map(matcher('model.v2'))).toEqual([true, false]);
  });

  it('refuses what only a regular expression would say, and empty lists', () => {
    for (const text of ['(drift', 'a|b', 'drift[0-9]', 'drifts?', 'mrm.*drift', 'a.+', 'a^b', 'a$b', '\\d', '^', ' , '])
      expect(compileRulePattern(text).ok, text).toBe(false);
  });
});
