import { chiSquareTest } from './chiSquare.js';
import { hellingerTest } from './hellinger.js';
import { jensenShannonTest } from './jensenShannon.js';
import { ksTest } from './ks.js';
import { meanShiftTest } from './meanShift.js';
import { psiTest } from './psi.js';
import type { StatName, StatTest } from './statTest.js';
import { wassersteinTest } from './wasserstein.js';

/** Every stat test by name; compareProfiles runs those that apply to a feature's type. */
export const statTests: Readonly<Record<StatName, StatTest>> = {
  psi: psiTest,
  ks: ksTest,
  wasserstein: wassersteinTest,
  jensenShannon: jensenShannonTest,
  hellinger: hellingerTest,
  meanShift: meanShiftTest,
  chiSquare: chiSquareTest,
};

export type { StatName, StatOptions, StatResult, StatTest } from './statTest.js';
