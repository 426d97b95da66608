import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileForest, trainIsolationForest } from '../../shared/baseline/isolationForest.js';
import { rocAuc } from '../shared/baseline/rocAuc.js';

// Live comparison with scikit-learn (Debian's python3-sklearn): fresh data sets from the golden script, with seeds
// other than the committed fixtures', so agreement does not hinge on one draw.
const run = promisify(execFile);
const script = fileURLToPath(new URL('../../scripts/golden/isolation_forest.py', import.meta.url));
const committedDir = fileURLToPath(new URL('../fixtures/golden/', import.meta.url));
const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1); // as many as the script's sklearn random states

interface Golden {
  shape: string;
  seed: number;
  rows: number;
  columns: number;
  values: number[];
  labels: number[];
  sklearn: { version: string; auc: number; aucMean: number; aucStd: number; threshold: number };
}

async function generate(dir: string, seed?: number): Promise<Golden[]> {
  await run('/usr/bin/python3', [script, '--out-dir', dir, ...(seed === undefined ? [] : ['--seed', String(seed)])], {
    timeout: 280_000,
  });
  return readGoldens(dir);
}

async function readGoldens(dir: string): Promise<Golden[]> {
  const names = (await readdir(dir)).filter((name) => /^isolation-forest-.+\.json$/.test(name)).sort();
  return Promise.all(names.map(async (name) => JSON.parse(await readFile(join(dir, name), 'utf8')) as Golden));
}

function ourAucs(golden: Golden): number[] {
  const matrix = { rows: golden.rows, columns: golden.columns, values: Float64Array.from(golden.values) };
  return SEEDS.map((seed) => {
    const trained = trainIsolationForest(matrix, { trees: 100, sampleSize: 256, contamination: 0.1, seed });
    if (!trained.ok) throw new Error(trained.error.message);
    return rocAuc(compileForest(trained.value).scoreMany(matrix), golden.labels);
  });
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('isolation forest against live scikit-learn', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mrm-forest-golden-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('regenerates the committed fixtures from the committed script (same data, same sklearn figures)', async () => {
    const fresh = await generate(join(dir, 'default'));
    const committed = await readGoldens(committedDir);
    expect(fresh.map((g) => g.shape)).toEqual(committed.map((g) => g.shape));
    fresh.forEach((g, i) => {
      const c = committed[i]!;
      expect(g.values).toEqual(c.values);
      expect(g.labels).toEqual(c.labels);
      if (g.sklearn.version === c.sklearn.version) {
        expect(g.sklearn.auc).toBeCloseTo(c.sklearn.auc, 9);
        expect(g.sklearn.threshold).toBeCloseTo(c.sklearn.threshold, 9);
      }
    });
  });

  for (const seed of [7, 1234]) {
    it(`ranks planted anomalies within 0.02 AUC of scikit-learn on fresh data (seed ${seed})`, async () => {
      const goldens = await generate(join(dir, String(seed)), seed);
      expect(goldens).toHaveLength(4);
      for (const golden of goldens) {
        const aucs = ourAucs(golden);
        const summary = `${golden.shape}: ours ${mean(aucs).toFixed(4)} (${Math.min(...aucs).toFixed(4)}..${Math.max(...aucs).toFixed(4)}), sklearn ${golden.sklearn.aucMean.toFixed(4)} ± ${golden.sklearn.aucStd.toFixed(4)}`;
        console.log(summary);
        expect(Math.abs(mean(aucs) - golden.sklearn.aucMean), summary).toBeLessThanOrEqual(0.02);
        for (const auc of aucs)
          expect(Math.abs(auc - golden.sklearn.aucMean), summary).toBeLessThanOrEqual(0.02 + 3 * golden.sklearn.aucStd);
      }
    });
  }
});
