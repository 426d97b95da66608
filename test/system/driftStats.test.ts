import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import {
  checkCategoricalCase,
  checkNumericCase,
  checkSpecialFunctions,
  type GoldenFile,
} from '../shared/drift/stats/goldenCases.js';

// Live variant of the golden test: regenerates the reference values with Debian's numpy/scipy right now.
const dir = mkdtempSync(join(tmpdir(), 'mrm-drift-golden-'));
const out = join(dir, 'drift_stats.json');
execFileSync('/usr/bin/python3', ['scripts/golden/drift_stats.py', out], { stdio: 'pipe' });
const live = JSON.parse(readFileSync(out, 'utf8')) as GoldenFile;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('stat tests agree with live numpy/scipy', () => {
  for (const c of live.numeric) it(`numeric: ${c.name}`, () => checkNumericCase(c));
  for (const c of live.categorical) it(`categorical: ${c.name}`, () => checkCategoricalCase(c));
  it('Kolmogorov and chi-square survival functions', () => checkSpecialFunctions(live));
});
