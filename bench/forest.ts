import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { ForestLayout } from '../shared/baseline/compileForest.js';
import { compileForest, trainIsolationForest, type NumericMatrix } from '../shared/baseline/isolationForest.js';
import { createRandom } from '../shared/baseline/random.js';

export interface ForestBenchOptions {
  /** Rows scored (default 100,000). */
  rows?: number;
  /** Features per row (default 20). */
  columns?: number;
  /** Trees (default 100) and rows per tree (default 256), as the product's defaults. */
  trees?: number;
  sampleSize?: number;
  seed?: number;
  /** Timed passes; the best one counts (default 5 for ours, 3 for sklearn, which is slower). */
  repeats?: number;
  /** Interpreter with numpy and scikit-learn (default /usr/bin/python3); `false` skips the comparison. */
  python?: string | false;
}

export type SklearnFigures =
  { rowsPerSecond: number; wallRowsPerSecond: number; version: string; threads: 1 } | { skipped: string };

/**
 * Rates are rows per CPU-second of the scoring process (process.cpuUsage, Python's process_time): "per core", and
 * steady when other work shares the machine, which wall-clock rates are not. `...WallRowsPerSecond` are for reference.
 */
export interface ForestBenchFigures {
  rows: number;
  columns: number;
  trees: number;
  sampleSize: number;
  nodes: number;
  trainMs: number;
  /** compileForest().score, one row at a time, as the scoring handler calls it. */
  scoreRowsPerSecond: number;
  scoreWallRowsPerSecond: number;
  /** Layout score() used (`complete` for ψ = 256), and score() with the other layout, to show what the choice buys. */
  layout: ForestLayout;
  otherLayoutRowsPerSecond: number;
  /**
   * compileForest().scoreMany over the whole matrix: blocks of rows walked tree by tree in WebAssembly, as scoreEvents
   * scores its batches.
   */
  scoreManyRowsPerSecond: number;
  sklearn: SklearnFigures;
  /** scoreRowsPerSecond / sklearn score_samples rows per second, when sklearn ran. */
  ratioToSklearn: number | null;
}

/**
 * Rows like a tabular model input: correlated gaussian features on different scales, 1% of rows shifted far out.
 * Deterministic for a seed, so the handler benchmark can score the very same rows.
 */
export function makeBenchMatrix(rows: number, columns: number, seed = 2024): NumericMatrix {
  const random = createRandom(seed);
  const values = new Float64Array(rows * columns);
  const scales = Float64Array.from({ length: columns }, (_, c) => 1 + (c % 5) * 10);
  for (let r = 0; r < rows; r++) {
    const shared = random.nextGaussian();
    const shift = random.nextFloat() < 0.01 ? 6 : 0;
    for (let c = 0; c < columns; c++) {
      values[r * columns + c] = scales[c]! * (0.6 * shared + 0.8 * random.nextGaussian() + (c < 3 ? shift : 0));
    }
  }
  return { rows, columns, values };
}

/**
 * Throughput of the compiled isolation forest over `rows` rows, and of scikit-learn's `score_samples` on the same
 * rows with a forest of the same size (one thread, timed inside Python without the load), plus the ratio.
 */
export async function benchForest(options: ForestBenchOptions = {}): Promise<ForestBenchFigures> {
  const rows = options.rows ?? 100_000;
  const columns = options.columns ?? 20;
  const trees = options.trees ?? 100;
  const sampleSize = options.sampleSize ?? 256;
  const repeats = options.repeats ?? 5;
  const matrix = makeBenchMatrix(rows, columns, options.seed);

  const trainStart = performance.now();
  const trained = trainIsolationForest(matrix, { trees, sampleSize, seed: options.seed ?? 1 });
  if (!trained.ok) throw new Error(`benchForest: ${trained.error.message}`);
  const trainMs = performance.now() - trainStart;
  const forest = compileForest(trained.value);

  const rowViews = Array.from({ length: rows }, (_, r) => matrix.values.subarray(r * columns, (r + 1) * columns));
  let sink = 0;
  const otherLayout = compileForest(trained.value, { layout: forest.layout === 'complete' ? 'linked' : 'complete' });
  const scoreOnePass = (compiled = forest) =>
    timed(() => {
      for (let r = 0; r < rows; r++) sink += compiled.score(rowViews[r]!);
    });
  const out = new Float64Array(rows);
  const scoreManyPass = () =>
    timed(() => {
      forest.scoreMany(matrix, out);
      sink += out[rows - 1]!;
    });
  scoreOnePass(); // warm-up: lets the JIT optimise the loop before timing
  scoreManyPass();
  const scorePasses = Array.from({ length: repeats }, () => scoreOnePass());
  scoreOnePass(otherLayout);
  const otherLayoutPasses = Array.from({ length: repeats }, () => scoreOnePass(otherLayout));
  const scoreManyPasses = Array.from({ length: repeats }, scoreManyPass);
  if (!Number.isFinite(sink)) throw new Error('benchForest: non-finite score');
  const best = (passes: Timing[], clock: keyof Timing) => rows / (Math.min(...passes.map((p) => p[clock])) / 1000);

  const scoreRowsPerSecond = best(scorePasses, 'cpuMs');
  const sklearn =
    options.python === false ? { skipped: 'disabled' } : await benchSklearn(matrix, trees, sampleSize, options.python);
  return {
    rows,
    columns,
    trees,
    sampleSize,
    nodes: trained.value.feature.length,
    trainMs,
    scoreRowsPerSecond,
    scoreWallRowsPerSecond: best(scorePasses, 'wallMs'),
    layout: forest.layout,
    otherLayoutRowsPerSecond: best(otherLayoutPasses, 'cpuMs'),
    scoreManyRowsPerSecond: best(scoreManyPasses, 'cpuMs'),
    sklearn,
    ratioToSklearn: 'rowsPerSecond' in sklearn ? scoreRowsPerSecond / sklearn.rowsPerSecond : null,
  };
}

interface Timing {
  cpuMs: number;
  wallMs: number;
}

function timed(work: () => void): Timing {
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  work();
  const wallMs = performance.now() - wallStart;
  const cpu = process.cpuUsage(cpuStart);
  return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs };
}

// Reads the rows written as raw little-endian float64, fits a forest of the same size, times score_samples alone.
const SKLEARN_BENCH = `
import json, sys, time
import numpy as np
import sklearn
from sklearn.ensemble import IsolationForest
path, rows, columns, trees, sample_size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
x = np.fromfile(path, dtype="<f8").reshape(rows, columns)
model = IsolationForest(n_estimators=trees, max_samples=sample_size, random_state=0).fit(x)
model.score_samples(x[:1000])
cpu, wall = float("inf"), float("inf")
for _ in range(3):
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    model.score_samples(x)
    cpu, wall = min(cpu, time.process_time() - cpu_start), min(wall, time.perf_counter() - wall_start)
print(json.dumps({"cpuSeconds": cpu, "wallSeconds": wall, "version": sklearn.__version__}))
`;

async function benchSklearn(
  matrix: NumericMatrix,
  trees: number,
  sampleSize: number,
  python = '/usr/bin/python3',
): Promise<SklearnFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'mrm-bench-forest-'));
  try {
    const path = join(dir, 'rows.f64');
    await writeFile(path, new Uint8Array(matrix.values.buffer, matrix.values.byteOffset, matrix.values.byteLength));
    const args = [
      '-c',
      SKLEARN_BENCH,
      path,
      String(matrix.rows),
      String(matrix.columns),
      String(trees),
      String(sampleSize),
    ];
    // One thread, as our figure is per core.
    const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(python, args, { env, timeout: 600_000, maxBuffer: 1 << 20 }, (error, out, err) =>
        error
          ? reject(new Error(`${error.message}${err ? `\n${err.trim().split('\n').slice(-3).join('\n')}` : ''}`))
          : resolve(out),
      );
    });
    const result = JSON.parse(stdout.trim().split('\n').pop() ?? '') as {
      cpuSeconds: number;
      wallSeconds: number;
      version: string;
    };
    return {
      rowsPerSecond: matrix.rows / result.cpuSeconds,
      wallRowsPerSecond: matrix.rows / result.wallSeconds,
      version: result.version,
      threads: 1,
    };
  } catch (error) {
    return {
      skipped: `scikit-learn not available through ${python}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Human-readable lines for the figures (the lead's bench/index.ts may print these). */
export function formatForestFigures(f: ForestBenchFigures): string[] {
  const rate = (x: number) => `${Math.round(x).toLocaleString('en-US')} rows/s`;
  const lines = [
    `isolation forest: ${f.trees} trees, ψ=${f.sampleSize}, ${f.columns} features, ${f.nodes.toLocaleString('en-US')} nodes, trained in ${f.trainMs.toFixed(0)} ms`,
    `  score (row by row):    ${rate(f.scoreRowsPerSecond)} per core over ${f.rows.toLocaleString('en-US')} rows (wall: ${rate(f.scoreWallRowsPerSecond)})`,
    `  scoreMany (batch, WebAssembly): ${rate(f.scoreManyRowsPerSecond)} per core`,
    `  ${f.layout} layout; the ${f.layout === 'complete' ? 'linked' : 'complete'} one: ${rate(f.otherLayoutRowsPerSecond)} per core`,
  ];
  if ('rowsPerSecond' in f.sklearn) {
    lines.push(
      `  sklearn ${f.sklearn.version} score_samples: ${rate(f.sklearn.rowsPerSecond)} per core (1 thread; wall: ${rate(f.sklearn.wallRowsPerSecond)})`,
    );
    lines.push(`  ratio ours/sklearn:    ${f.ratioToSklearn!.toFixed(1)}x (target >= 2x)`);
  } else {
    lines.push(`  sklearn: skipped (${f.sklearn.skipped})`);
  }
  return lines;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const figures = await benchForest();
  for (const line of formatForestFigures(figures)) console.log(line);
  if (process.argv.includes('--json')) console.log(JSON.stringify(figures));
}
