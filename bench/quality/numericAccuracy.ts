import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exactStatistics, moments } from '../../shared/drift/stats/distribution.js';
import { KS_ABSOLUTE_TOLERANCE, wassersteinTolerance } from './accuracyTargets.js';
import { compareSamples } from './compareSamples.js';
import { DISTRIBUTION_ZOO, sample } from './distributionZoo.js';

const PYTHON = '/usr/bin/python3';
const BASELINE_ROWS = 20_000;
const WINDOW_SIZES = [1_000, 10_000, 100_000, 1_000_000];

export interface NumericAccuracyRow {
  distribution: string;
  baselineRows: number;
  windowRows: number;
  sketch: { ks: number; ksBound: number; wasserstein: number; wassersteinBound: number };
  exact: { ks: number; wasserstein: number };
  ksError: number;
  wassersteinError: number;
  wassersteinRelativeError: number;
  /** The targets of bench/quality/accuracyTargets.ts. */
  withinTargets: boolean;
  /** The exact values inside the sketch's reported bounds. */
  insideBounds: boolean;
}

/**
 * Sketch KS and Wasserstein against exact values on the distribution zoo: each case's drifted window at 1k to 1M
 * values against a 20k baseline (past the exact-path cap, so always the sketch). Exact values come from scipy
 * (ks_2samp, wasserstein_distance) when /usr/bin/python3 has it, else from our exact path, which the golden tests
 * hold to scipy; the output says which.
 */
export async function numericAccuracy(print: (line: string) => void): Promise<Record<string, unknown>> {
  const sizes = WINDOW_SIZES;
  const cases = DISTRIBUTION_ZOO.map((c, i) => ({
    zoo: c,
    reference: sample(c.reference, BASELINE_ROWS, 1000 + i),
    windows: sizes.map((n, j) => sample(c.current, n, 2000 + 10 * i + j)),
  }));
  const scipy = scipyExact(cases.map((c) => ({ reference: c.reference, windows: c.windows })));
  const source = scipy === null ? 'our exact path (no scipy at /usr/bin/python3)' : 'scipy, live';
  print(`numeric accuracy: sketch KS and Wasserstein-1 against exact values from ${source}`);
  print(
    `targets: |KS error| <= ${KS_ABSOLUTE_TOLERANCE}; |W error| <= max(2% of W, 1e-3 * baseline std); bounds must hold the truth`,
  );
  const header = ['distribution', 'n', 'KS sketch', 'KS exact', 'KS err', 'W sketch', '± bound', 'W exact'];
  const widths = [22, 9, 10, 10, 9, 12, 11, 12, 9, 9, 6];
  const format = (cells: string[]): string => cells.map((c, k) => c.padStart(widths[k]!)).join(' ');
  print(format([...header, 'W err', 'W rel', 'ok']));
  const rows: NumericAccuracyRow[] = [];
  cases.forEach((c, i) => {
    c.windows.forEach((window, j) => {
      const { comparison, reference, feature } = compareSamples(c.reference, window);
      const exact = scipy?.[i]?.[j] ?? exactStatistics(c.reference.slice().sort(), window.slice().sort());
      const exactKs = exact.ksStatistic;
      const exactW = exact.wasserstein;
      const ksError = comparison.ksStatistic - exactKs;
      const wError = comparison.wasserstein - exactW;
      const std = moments(reference, feature.sketch.center)?.std ?? 0;
      const slack = 1e-9 * Math.max(Math.abs(exactW), 1);
      const row: NumericAccuracyRow = {
        distribution: c.zoo.name,
        baselineRows: c.reference.length,
        windowRows: window.length,
        sketch: {
          ks: comparison.ksStatistic,
          ksBound: comparison.ksBound,
          wasserstein: comparison.wasserstein,
          wassersteinBound: comparison.wassersteinBound,
        },
        exact: { ks: exactKs, wasserstein: exactW },
        ksError,
        wassersteinError: wError,
        wassersteinRelativeError: exactW > 0 ? wError / exactW : 0,
        withinTargets:
          Math.abs(ksError) <= KS_ABSOLUTE_TOLERANCE && Math.abs(wError) <= wassersteinTolerance(exactW, std),
        insideBounds:
          exactKs >= comparison.ksStatistic - 1e-12 &&
          exactKs <= comparison.ksStatistic + comparison.ksBound + 1e-12 &&
          Math.abs(wError) <= comparison.wassersteinBound + slack,
      };
      rows.push(row);
      print(
        format([
          c.zoo.name,
          String(window.length),
          num(comparison.ksStatistic),
          num(exactKs),
          num(ksError),
          num(comparison.wasserstein),
          num(comparison.wassersteinBound),
          num(exactW),
          num(wError),
          `${(100 * row.wassersteinRelativeError).toFixed(2)}%`,
          `${row.withinTargets ? 'T' : '-'}${row.insideBounds ? 'B' : '-'}`,
        ]),
      );
    });
  });
  const summary = DISTRIBUTION_ZOO.map((z) => {
    const mine = rows.filter((r) => r.distribution === z.name);
    return {
      distribution: z.name,
      maxKsError: Math.max(...mine.map((r) => Math.abs(r.ksError))),
      maxWassersteinRelativeError: Math.max(...mine.map((r) => Math.abs(r.wassersteinRelativeError))),
      outsideBounds: mine.filter((r) => !r.insideBounds).length,
    };
  });
  const outside = rows.filter((r) => !r.insideBounds).length;
  const missed = rows.filter((r) => !r.withinTargets).length;
  print(`ok: T = within the targets, B = exact value inside the reported bounds`);
  print(`${rows.length} comparisons: ${missed} outside the targets, ${outside} with the truth outside the bounds`);
  return { exactSource: scipy === null ? 'exact path' : 'scipy', baselineRows: BASELINE_ROWS, rows, summary };
}

function num(x: number): string {
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? x.toExponential(2) : x.toFixed(4);
}

/** scipy's KS statistic and W1 per case and window, or null when Python or scipy is missing. */
function scipyExact(
  cases: ReadonlyArray<{ reference: Float64Array; windows: Float64Array[] }>,
): Array<Array<{ ksStatistic: number; wasserstein: number }>> | null {
  try {
    execFileSync(PYTHON, ['-c', 'import scipy'], { stdio: 'ignore' });
  } catch {
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), 'mrm-numeric-accuracy-'));
  try {
    const manifest = cases.map((c, i) => {
      const reference = join(dir, `${i}-reference.f64`);
      writeFileSync(reference, new Uint8Array(c.reference.buffer, c.reference.byteOffset, c.reference.byteLength));
      const windows = c.windows.map((w, j) => {
        const path = join(dir, `${i}-${j}.f64`);
        writeFileSync(path, new Uint8Array(w.buffer, w.byteOffset, w.byteLength));
        return path;
      });
      return { reference, windows };
    });
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    const script = [
      'import json, sys, numpy as np',
      'from scipy import stats',
      'out = []',
      'for c in json.load(open(sys.argv[1])):',
      '    ref = np.fromfile(c["reference"], dtype="<f8")',
      '    rows = []',
      '    for w in c["windows"]:',
      '        cur = np.fromfile(w, dtype="<f8")',
      '        rows.append({"ksStatistic": float(stats.ks_2samp(ref, cur, method="asymp").statistic),',
      '                     "wasserstein": float(stats.wasserstein_distance(ref, cur))})',
      '    out.append(rows)',
      'json.dump(out, open(sys.argv[2], "w"))',
    ].join('\n');
    const result = join(dir, 'result.json');
    execFileSync(PYTHON, ['-c', script, join(dir, 'manifest.json'), result], { stdio: 'inherit' });
    return JSON.parse(readFileSync(result, 'utf8')) as Array<Array<{ ksStatistic: number; wasserstein: number }>>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
