import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRandom } from '../../shared/baseline/random.js';
import { compareProfiles, type DriftAssessment } from '../../shared/drift/compare.js';
import { type DatasetProfile } from '../../shared/drift/profile.js';
import { profileFromColumns } from '../../shared/drift/profileFromColumns.js';
import { deriveSchema, type SchemaColumn } from '../../shared/drift/schema.js';
import { chiSquareContingency } from '../../shared/drift/stats/chiSquare.js';
import { chiSquareSf } from '../../shared/drift/stats/special/gamma.js';
import { ksPValue } from '../../shared/drift/stats/ks.js';
import { peerPython } from './peerPython.js';
import { repoPath } from '../../cli/repoPath.js';
import { CHANGED_FEATURE, poisson, seededColumns, type SeededChange } from './seededFeatures.js';
import { readSklearnDataset, SKLEARN_DATASETS } from './sklearnDatasets.js';

const EVIDENTLY_SCRIPT = repoPath('bench', 'quality', 'evidently_verdicts.py');

export interface DriftQualityOptions {
  /** No-drift weeks (default 50) and how many of them Evidently also judges (default 10). */
  nullWeeks?: number;
  evidentlyNullWeeks?: number;
  /** Repetitions per change and window size (default 20), and Evidently's (default 3). */
  detectionRepeats?: number;
  evidentlyRepeats?: number;
  /** Fresh (baseline, window) pairs per size for the p-value calibration (default 400). */
  calibrationRepeats?: number;
  /** Random splits per real dataset (default 20). */
  realSplits?: number;
  /** Repetitions per concept-drift case (default 400). */
  conceptRepeats?: number;
  /** false skips Evidently even when Python has it. */
  evidently?: boolean;
}

const BASELINE_ROWS = 20_000;
const NULL_SIZES = [10_000, 20_000, 50_000, 100_000, 200_000];
const DETECTION_SIZES = [1_000, 10_000, 50_000, 200_000];
const CHANGES = ['meanShift', 'variance', 'outliers', 'categoryShift'] as const;

/**
 * `npm run bench:quality`, drift section: is each verdict right, and how often, on seeded data built to break the
 * rules and on scikit-learn's real datasets, beside Evidently's default rules on the same windows when Python has
 * evidently. Prints tables; returns the same figures.
 */
export async function driftQuality(
  print: (line: string) => void,
  options: DriftQualityOptions = {},
): Promise<Record<string, unknown>> {
  const python = options.evidently === false ? null : peerPython('evidently', 'pandas');
  const peer = python ? new EvidentlyPeer(python) : null;
  print('');
  print('== Drift verdicts (npm run bench:quality) ==');
  print(
    peer
      ? `peer: Evidently's DataDriftPreset defaults, live (${python})`
      : 'peer: Evidently not found (scripts/python/peers.sh installs it): our side only',
  );
  const figures: Record<string, unknown> = {};
  try {
    figures.calibration = calibration(print, options.calibrationRepeats ?? 400);
    figures.seeded = seeded(print, peer, options);
    figures.realData = realData(print, peer, options.realSplits ?? 20);
    figures.concept = concept(print, options.conceptRepeats ?? 400);
  } finally {
    peer?.close();
  }
  return figures;
}

/** Share of p < 0.05 under no drift, fresh baseline and window each time: a valid p-value gives 5%. */
function calibration(print: (line: string) => void, repeats: number): Record<string, unknown> {
  print('');
  print(
    `p-value calibration under no drift (${repeats} fresh baseline/window pairs per size; valid: 5%, 95% range ${band(repeats)})`,
  );
  print(`  ${'test'.padEnd(54)}${['n=5k', 'n=20k', 'n=100k'].map((h) => h.padStart(9)).join('')}`);
  const sizes = [5_000, 20_000, 100_000];
  const rows: Record<string, number[]> = {
    'categorical, chi-square homogeneity (ours)': [],
    'categorical, goodness of fit to baseline (v1)': [],
    'Poisson(3), KS with the baseline-derived null (ours)': [],
    'Poisson(3), KS asymptotic (scipy)': [],
    'normal, KS (ours)': [],
  };
  for (const n of sizes) {
    const hits = Object.fromEntries(Object.keys(rows).map((k) => [k, 0]));
    for (let i = 0; i < repeats; i++) {
      const r = createRandom(1000 * n + i);
      const draw = (size: number): number[] => {
        const counts = [0, 0, 0, 0, 0];
        for (let j = 0; j < size; j++) {
          const u = r.nextFloat();
          counts[u < 0.3 ? 0 : u < 0.55 ? 1 : u < 0.75 ? 2 : u < 0.9 ? 3 : 4]!++;
        }
        return counts;
      };
      const ref = draw(BASELINE_ROWS);
      const cur = draw(n);
      if (chiSquareContingency(ref, cur).pValue < 0.05) hits['categorical, chi-square homogeneity (ours)']!++;
      if (goodnessOfFitV1(ref, cur) < 0.05) hits['categorical, goodness of fit to baseline (v1)']!++;
      const poissonColumn = (size: number): SchemaColumn[] => [
        { name: 'x', type: 'numeric', values: Float64Array.from({ length: size }, () => poisson(r, 3)) },
      ];
      const normalColumn = (size: number): SchemaColumn[] => [
        { name: 'x', type: 'numeric', values: Float64Array.from({ length: size }, () => r.nextGaussian()) },
      ];
      for (const [column, ours, scipy] of [
        [poissonColumn, 'Poisson(3), KS with the baseline-derived null (ours)', 'Poisson(3), KS asymptotic (scipy)'],
        [normalColumn, 'normal, KS (ours)', null],
      ] as const) {
        const base = column(BASELINE_ROWS);
        const schema = deriveSchema(base);
        const a = compareProfiles(profileFromColumns(schema, base), profileFromColumns(schema, column(n)), { schema });
        const ks = a.features[0]!.tests.ks!;
        if (ks.score < 0.05) hits[ours]!++;
        if (scipy && ksPValue(ks.details.statistic as number, BASELINE_ROWS, n) < 0.05) hits[scipy]!++;
      }
    }
    for (const k of Object.keys(rows)) rows[k]!.push(hits[k]! / repeats);
  }
  for (const [k, v] of Object.entries(rows)) print(`  ${k.padEnd(54)}${v.map((x) => pct(x).padStart(9)).join('')}`);
  return { sizes, repeats, shareBelow005: rows };
}

/** v1's chi-square: current counts against smoothed baseline proportions taken as exact (not a two-sample test). */
function goodnessOfFitV1(reference: number[], current: number[]): number {
  const refTotal = reference.reduce((a, b) => a + b, 0) + 0.5 * reference.length;
  const curTotal = current.reduce((a, b) => a + b, 0);
  let statistic = 0;
  for (let i = 0; i < reference.length; i++) {
    const expected = ((reference[i]! + 0.5) / refTotal) * curTotal;
    statistic += (current[i]! - expected) ** 2 / expected;
  }
  return chiSquareSf(statistic, reference.length - 1);
}

interface Verdicts {
  flagged: Set<string>;
  datasetDrift: boolean;
}

function ours(a: DriftAssessment): Verdicts {
  return { flagged: new Set(a.drift.driftedFeatures), datasetDrift: a.drift.drifted };
}

function seeded(
  print: (line: string) => void,
  peer: EvidentlyPeer | null,
  options: DriftQualityOptions,
): Record<string, unknown> {
  const baseColumns = seededColumns(1, BASELINE_ROWS);
  const schema = deriveSchema(baseColumns);
  const reference = profileFromColumns(schema, baseColumns);
  const refCsv = peer?.write('seeded-reference', baseColumns);
  const names = baseColumns.map((c) => c.name);
  const weeks = options.nullWeeks ?? 50;
  const peerWeeks = peer ? Math.min(weeks, options.evidentlyNullWeeks ?? 10) : 0;
  const flagsByFeature: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  const peerFlagsByFeature: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  let datasetDriftWeeks = 0;
  let peerDatasetDriftWeeks = 0;
  const started = performance.now();
  let compareMs = 0;
  for (let week = 0; week < weeks; week++) {
    const columns = seededColumns(100 + week, NULL_SIZES[week % NULL_SIZES.length]!);
    const current = profileFromColumns(schema, columns);
    const t0 = performance.now();
    const v = ours(compareProfiles(reference, current, { schema }));
    compareMs += performance.now() - t0;
    for (const f of v.flagged) flagsByFeature[f]!++;
    if (v.datasetDrift) datasetDriftWeeks++;
    if (peer && refCsv && week < peerWeeks) peer.queue(refCsv, columns);
  }
  for (const e of peer?.judgeQueued() ?? []) {
    for (const f of e.flagged) peerFlagsByFeature[f]!++;
    if (e.datasetDrift) peerDatasetDriftWeeks++;
  }
  const totalFlags = Object.values(flagsByFeature).reduce((a, b) => a + b, 0);
  const peerTotal = Object.values(peerFlagsByFeature).reduce((a, b) => a + b, 0);
  print('');
  print(
    `Seeded no-drift weeks: baseline ${BASELINE_ROWS.toLocaleString('en-US')} rows, 15 features (skewed, integer, binary, heavy-tailed, gapped, near-constant, 4 categorical), windows ${NULL_SIZES.map(k).join('/')}`,
  );
  print(
    `  ours:      ${totalFlags} feature flags in ${weeks} weeks (target ≤ 1), dataset drift in ${datasetDriftWeeks} weeks (target 0); compare ${(compareMs / weeks).toFixed(0)} ms a week (${(compareMs / weeks / 15).toFixed(1)} ms a feature)`,
  );
  if (peer)
    print(
      `  Evidently: ${peerTotal} feature flags in ${peerWeeks} weeks (${(peerTotal / peerWeeks).toFixed(2)} a week), dataset drift in ${peerDatasetDriftWeeks} weeks`,
    );
  const flaggedNames = Object.entries(flagsByFeature).filter(([, v]) => v > 0);
  if (flaggedNames.length > 0) print(`  ours flagged: ${flaggedNames.map(([n, v]) => `${n} ×${v}`).join(', ')}`);
  const peerFlagged = Object.entries(peerFlagsByFeature).filter(([, v]) => v > 0);
  if (peerFlagged.length > 0) print(`  Evidently flagged: ${peerFlagged.map(([n, v]) => `${n} ×${v}`).join(', ')}`);

  const repeats = options.detectionRepeats ?? 20;
  const peerRepeats = peer ? Math.min(repeats, options.evidentlyRepeats ?? 3) : 0;
  print('');
  print(
    `Seeded detection: share of windows where the changed feature is flagged (${repeats} windows per cell; Evidently ${peerRepeats}); companions = other features flagged per window`,
  );
  print(`  change                                 ${DETECTION_SIZES.map((n) => `n=${k(n)}`.padStart(14)).join('')}`);
  const detection: Record<string, unknown> = {};
  const peerJobs: Array<{ change: SeededChange; n: number; index: number }> = [];
  const ourRows: Record<string, Array<{ n: number; detection: number; companionsPerWindow: number }>> = {};
  for (const change of CHANGES) {
    const target = CHANGED_FEATURE[change];
    ourRows[change] = [];
    for (const n of DETECTION_SIZES) {
      let hits = 0;
      let companions = 0;
      for (let rep = 0; rep < repeats; rep++) {
        const seed = 10_000 + 100 * DETECTION_SIZES.indexOf(n) + rep + 7919 * CHANGES.indexOf(change);
        const columns = seededColumns(seed, n, change);
        const v = ours(compareProfiles(reference, profileFromColumns(schema, columns), { schema }));
        if (v.flagged.has(target)) hits++;
        companions += [...v.flagged].filter((f) => f !== target).length;
        if (peer && refCsv && rep < peerRepeats) peerJobs.push({ change, n, index: peer.queue(refCsv, columns) });
      }
      ourRows[change]!.push({ n, detection: hits / repeats, companionsPerWindow: companions / repeats });
    }
  }
  const peerVerdicts = peer?.judgeQueued() ?? [];
  for (const change of CHANGES) {
    const target = CHANGED_FEATURE[change];
    const rows = ourRows[change]!.map((row) => {
      const jobs = peerJobs.filter((j) => j.change === change && j.n === row.n).map((j) => peerVerdicts[j.index]!);
      if (jobs.length === 0) return row;
      const hits = jobs.filter((e) => e.flagged.has(target)).length;
      const companions = jobs.reduce((s, e) => s + [...e.flagged].filter((f) => f !== target).length, 0);
      return { ...row, evidentlyDetection: hits / jobs.length, evidentlyCompanionsPerWindow: companions / jobs.length };
    });
    detection[change] = rows;
    const cell = (d: number, c: number): string => `${pct(d)} c${c.toFixed(1)}`.padStart(14);
    print(
      `  ${describeChange(change).padEnd(29)}ours      ${rows.map((r) => cell(r.detection, r.companionsPerWindow)).join('')}`,
    );
    if (peer)
      print(
        `  ${''.padEnd(29)}Evidently ${rows.map((r) => ('evidentlyDetection' in r ? cell(r.evidentlyDetection as number, r.evidentlyCompanionsPerWindow as number) : '–'.padStart(14))).join('')}`,
      );
  }
  print('  (cN: other features flagged per window. Targets: ≥ 95% at n ≥ 10k, companions 0)');
  const elapsedInS = (performance.now() - started) / 1000;
  return {
    nullWeeks: {
      weeks,
      featureFlags: totalFlags,
      datasetDriftWeeks,
      flagsByFeature,
      compareMsPerFeature: compareMs / weeks / 15,
    },
    ...(peer
      ? {
          evidentlyNullWeeks: {
            weeks: peerWeeks,
            featureFlags: peerTotal,
            datasetDriftWeeks: peerDatasetDriftWeeks,
            flagsByFeature: peerFlagsByFeature,
          },
        }
      : {}),
    detection,
    elapsedInS,
  };
}

function describeChange(change: SeededChange): string {
  return {
    none: 'none',
    meanShift: 'mean +0.2σ (normal)',
    variance: 'variance ×1.5 (spread)',
    outliers: '5% at +10σ (outlierTarget)',
    categoryShift: '10 points a→e (segment)',
  }[change];
}

/** Random halves of each real dataset (no drift), then the same with one feature moved by 0.5 of its std. */
function realData(print: (line: string) => void, peer: EvidentlyPeer | null, splits: number): Record<string, unknown> {
  print('');
  print(
    `scikit-learn's bundled datasets: ${splits} random halves each (no drift), then one feature moved +0.5σ in the current half`,
  );
  print(
    '  dataset         rows  feat | false flags/split  dataset drift | +0.5σ detected | Evidently: flags/split  dataset drift  +0.5σ',
  );
  const out: Record<string, unknown> = {};
  for (const name of SKLEARN_DATASETS) {
    const figures = realDatasetVerdicts(name, splits, peer);
    out[name] = figures;
    const { rows, features, falseFlagsPerSplit, datasetDriftShare, shiftDetected } = figures;
    const e = figures.evidently;
    print(
      `  ${name.padEnd(14)}${String(rows).padStart(5)} ${String(features).padStart(5)} | ${falseFlagsPerSplit.toFixed(2).padStart(17)} ${pct(datasetDriftShare).padStart(14)} | ${pct(shiftDetected).padStart(14)} |` +
        (e
          ? `${e.falseFlagsPerSplit.toFixed(2).padStart(23)} ${pct(e.datasetDriftShare).padStart(14)} ${pct(e.shiftDetected).padStart(6)}`
          : ' –'),
    );
  }
  return out;
}

export interface RealDatasetVerdicts {
  rows: number;
  features: number;
  /** Features flagged per random half (no drift), the share of halves called dataset drift, and the share of halves
   * where the feature with the most distinct values, moved by 0.5 of its std, was flagged. */
  falseFlagsPerSplit: number;
  datasetDriftShare: number;
  shiftDetected: number;
  evidently?: { falseFlagsPerSplit: number; datasetDriftShare: number; shiftDetected: number };
}

/** Ours and (with a peer) Evidently's verdicts on `splits` random halves of a scikit-learn dataset. */
export function realDatasetVerdicts(
  name: (typeof SKLEARN_DATASETS)[number],
  splits: number,
  peer: EvidentlyPeer | null,
): RealDatasetVerdicts {
  const data = readSklearnDataset(name);
  const moved = data.columns.reduce((best, c) => (distinct(c) > distinct(best) ? c : best)).name;
  let flags = 0;
  let drift = 0;
  let detected = 0;
  for (let s = 0; s < splits; s++) {
    const order = shuffle(data.rows, s);
    const half = Math.floor(data.rows / 2);
    const base = take(data.columns, order.slice(0, half));
    const cur = take(data.columns, order.slice(half));
    const schema = deriveSchema(base);
    const reference = profileFromColumns(schema, base);
    const clean = ours(compareProfiles(reference, profileFromColumns(schema, cur), { schema }));
    flags += clean.flagged.size;
    if (clean.datasetDrift) drift++;
    const shifted = shiftColumn(cur, moved, 0.5 * std(base.find((c) => c.name === moved)!));
    if (ours(compareProfiles(reference, profileFromColumns(schema, shifted), { schema })).flagged.has(moved))
      detected++;
    if (peer) {
      const refCsv = peer.write(`${name}-${s}-ref`, base);
      peer.queue(refCsv, cur);
      peer.queue(refCsv, shifted);
    }
  }
  const figures: RealDatasetVerdicts = {
    rows: data.rows,
    features: data.columns.length,
    falseFlagsPerSplit: flags / splits,
    datasetDriftShare: drift / splits,
    shiftDetected: detected / splits,
  };
  if (!peer) return figures;
  const verdicts = peer.judgeQueued();
  let peerFlags = 0;
  let peerDrift = 0;
  let peerDetected = 0;
  for (let i = 0; i + 1 < verdicts.length; i += 2) {
    peerFlags += verdicts[i]!.flagged.size;
    if (verdicts[i]!.datasetDrift) peerDrift++;
    if (verdicts[i + 1]!.flagged.has(moved)) peerDetected++;
  }
  return {
    ...figures,
    evidently: {
      falseFlagsPerSplit: peerFlags / splits,
      datasetDriftShare: peerDrift / splits,
      shiftDetected: peerDetected / splits,
    },
  };
}

/** Concept drift on seeded label streams, against the baseline's held-out counts (4,000 labels, accuracy 0.90). */
function concept(print: (line: string) => void, repeats: number): Record<string, unknown> {
  const schema = deriveSchema([{ name: 'x', type: 'numeric', values: Float64Array.from([0, 1, 2, 3]) }], {
    prediction: { classes: ['0', '1'], scores: Float64Array.from({ length: 100 }, (_, i) => i / 100) },
    labels: { classes: ['0', '1'] },
  });
  const stream = (seed: number, n: number, accuracy: number, positiveRecall?: number): DatasetProfile => {
    const r = createRandom(seed);
    const columns: SchemaColumn[] = [{ name: 'x', type: 'numeric', values: Float64Array.from({ length: n }, () => 1) }];
    const labels: string[] = [];
    const predictions: string[] = [];
    const scores = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const positive = r.nextFloat() < 0.3;
      const right = r.nextFloat() < (positive ? (positiveRecall ?? accuracy) : accuracy);
      const prediction = right === positive ? '1' : '0';
      labels.push(positive ? '1' : '0');
      predictions.push(prediction);
      scores[i] = prediction === '1' ? 0.5 + 0.5 * r.nextFloat() : 0.5 * r.nextFloat();
    }
    return profileFromColumns(schema, columns, { labels, predictions, scores, positiveProbabilities: scores });
  };
  const baseline = stream(1, 4000, 0.9);
  const cases: Array<[string, number | undefined, number | undefined]> = [
    ['no drift', 0.9, undefined],
    ['accuracy −10 points', 0.8, undefined],
    ['positive recall −10 points', 0.9, 0.8],
  ];
  const sizes = [200, 1_000, 10_000];
  print('');
  print(
    `Concept drift on seeded label streams (baseline held-out: 4,000 labels, accuracy 0.90; ${repeats} windows per cell)`,
  );
  print(`  case                            ${sizes.map((n) => `labels=${k(n)}`.padStart(22)).join('')}`);
  const out: Record<string, unknown> = {};
  for (const [name, accuracy, recall] of cases) {
    const cells: string[] = [];
    const rows: unknown[] = [];
    for (const n of sizes) {
      let alarms = 0;
      let seedRule = 0;
      for (let rep = 0; rep < repeats; rep++) {
        const a = compareProfiles(
          baseline,
          stream(
            50_000 + 1000 * sizes.indexOf(n) + rep + 977 * cases.findIndex((c) => c[0] === name),
            n,
            accuracy!,
            recall,
          ),
          {
            schema,
            baselinePerformance: baseline.performance,
          },
        );
        if (a.performance?.conceptDrift) alarms++;
        const drops = Object.values(a.performance?.metrics ?? {}).map((m) => m.drop);
        if (a.performance?.labelled !== undefined && a.performance.labelled >= 100 && Math.max(...drops) > 0.05)
          seedRule++;
      }
      rows.push({ labels: n, conceptDrift: alarms / repeats, seedRule: seedRule / repeats });
      cells.push(`${pct(alarms / repeats)} (seed ${pct(seedRule / repeats)})`);
    }
    out[name] = rows;
    print(`  ${name.padEnd(32)}${cells.map((c) => c.padStart(22)).join('')}`);
  }
  print(
    '  (ours: drop > 0.05 and beyond sampling error; seed: drop > 0.05. Targets: no drift ≤ 5%, −10 points ≥ 90% from 1k labels)',
  );
  return out;
}

/**
 * Evidently's verdicts, one Python process per batch of windows (its start-up costs seconds): queue windows as CSV
 * files, then judge them all at once.
 */
export class EvidentlyPeer {
  private readonly dir = mkdtempSync(join(tmpdir(), 'mrm-quality-'));
  private count = 0;
  private queued: Array<{
    id: string;
    reference: string;
    current: string;
    numerical: string[];
    categorical: string[];
  }> = [];
  constructor(private readonly python: string) {}

  write(name: string, columns: SchemaColumn[]): string {
    const path = join(this.dir, `${name}-${this.count++}.csv`);
    const rows = columns[0]!.values.length;
    const lines: string[] = [columns.map((c) => c.name).join(',')];
    for (let i = 0; i < rows; i++) lines.push(columns.map((c) => formatValue(c.values[i])).join(','));
    writeFileSync(path, `${lines.join('\n')}\n`);
    return path;
  }

  /** Queues a window; its verdict comes from the next judgeQueued(), at this position. */
  queue(reference: string, columns: SchemaColumn[]): number {
    this.queued.push({
      id: String(this.queued.length),
      reference,
      current: this.write('current', columns),
      numerical: columns.filter((c) => c.type === 'numeric').map((c) => c.name),
      categorical: columns.filter((c) => c.type === 'categorical').map((c) => c.name),
    });
    return this.queued.length - 1;
  }

  judgeQueued(): Verdicts[] {
    const windows = this.queued;
    this.queued = [];
    if (windows.length === 0) return [];
    const manifest = join(this.dir, `manifest-${this.count++}.json`);
    writeFileSync(manifest, JSON.stringify({ windows }));
    const run = spawnSync(this.python, [EVIDENTLY_SCRIPT, manifest], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    for (const w of windows) rmSync(w.current, { force: true });
    if (run.status !== 0) throw new Error(`Evidently failed: ${run.stderr.slice(-2000)}`);
    const byId = new Map<string, Verdicts>();
    for (const line of run.stdout.trim().split('\n')) {
      const result = JSON.parse(line) as {
        id: string;
        columns: Record<string, { drifted: boolean }>;
        datasetDrift: boolean;
      };
      byId.set(result.id, {
        flagged: new Set(
          Object.entries(result.columns)
            .filter(([, c]) => c.drifted)
            .map(([n]) => n),
        ),
        datasetDrift: result.datasetDrift,
      });
    }
    return windows.map((w) => byId.get(w.id)!);
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function formatValue(v: number | string | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isNaN(v) ? '' : String(v);
  return v;
}

function distinct(c: SchemaColumn): number {
  return new Set(Array.from(c.values as ArrayLike<number | string | null>)).size;
}

function std(c: SchemaColumn): number {
  const v = Array.from(c.values as Float64Array).filter((x) => Number.isFinite(x));
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
}

function shiftColumn(columns: SchemaColumn[], name: string, by: number): SchemaColumn[] {
  return columns.map((c) =>
    c.name === name && c.type === 'numeric' ? { ...c, values: Float64Array.from(c.values, (v) => v + by) } : c,
  );
}

function shuffle(rows: number, seed: number): number[] {
  const r = createRandom(seed + 1);
  const order = Array.from({ length: rows }, (_, i) => i);
  for (let i = rows - 1; i > 0; i--) {
    const j = r.nextInt(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

function take(columns: SchemaColumn[], rows: number[]): SchemaColumn[] {
  return columns.map((c) =>
    c.type === 'numeric'
      ? { ...c, values: Float64Array.from(rows, (i) => c.values[i]!) }
      : { ...c, values: rows.map((i) => c.values[i]!) },
  );
}

const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;
const k = (n: number): string => (n >= 1000 ? `${n / 1000}k` : String(n));
function band(n: number): string {
  const sd = Math.sqrt((0.05 * 0.95) / n);
  return `${pct(Math.max(0, 0.05 - 1.96 * sd))}–${pct(0.05 + 1.96 * sd)}`;
}
