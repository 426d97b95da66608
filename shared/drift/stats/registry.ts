import { chiSquareTest } from './chiSquare.js';
import { hellingerTest } from './hellinger.js';
import { jensenShannonTest } from './jensenShannon.js';
import { ksTest } from './ks.js';
import { meanShiftTest } from './meanShift.js';
import { psiTest } from './psi.js';
import type { FeatureKind, StatTest } from './statTest.js';
import { wassersteinTest } from './wasserstein.js';

/** Every stat test, in report order: compareProfiles runs those whose roles name the feature's kind. */
export const STAT_TESTS: ReadonlyArray<StatTest> = [
  ksTest,
  wassersteinTest,
  chiSquareTest,
  jensenShannonTest,
  psiTest,
  hellingerTest,
  meanShiftTest,
];

/** The tests of `registry` that apply to a kind of feature. */
export function testsFor(registry: ReadonlyArray<StatTest>, kind: FeatureKind): StatTest[] {
  return registry.filter((t) => t.roles[kind] !== undefined);
}

/** Each test's default threshold by name: what settings override. */
export function defaultThresholds(registry: ReadonlyArray<StatTest> = STAT_TESTS): Record<string, number> {
  return Object.fromEntries(registry.map((t) => [t.name, t.defaultThreshold]));
}

export type { FeatureKind, StatContext, StatResult, StatRole, StatTest } from './statTest.js';
