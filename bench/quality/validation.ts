import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BASELINE_DEFAULTS } from '../../shared/baseline/buildBaseline.js';
import { peerPython } from './peerPython.js';
import {
  datasetCsv,
  evaluateSplit,
  MOVE_IN_SIGMAS,
  MOVES_PER_ROW,
  VALIDATION_DATASETS,
  type RiskCounts,
  type SplitEvaluation,
  type ValidationDataset,
} from './validationSplits.js';

/** Seeded splits per dataset: the small ones get more, so each rate rests on about a thousand rows. */
export const BENCH_SPLITS: Record<ValidationDataset, number> = {
  breast_cancer: 10,
  wine: 30,
  digits: 5,
  diabetes: 10,
  iris: 30,
};

export interface PeerRates {
  /** Share of the clean rows the peer calls anomalous. */
  falseAlarmRate: number;
  /** Share of the moved rows it calls anomalous. */
  caughtRate: number;
}

export type PeerFigures = { isolationForest: PeerRates; robustZ: PeerRates; sklearn: string } | { skipped: string };

export interface DatasetQuality {
  rows: number;
  features: number;
  splits: number;
  rejectRate: number;
  flagRate: number;
  movedRows: number;
  /** Moved rows FLAGged or REJECTed, and REJECTed. */
  movedCaughtRate: number;
  movedRejectRate: number;
  /** What `mrm baseline` measured on its own held-out rows, over the same splits. */
  heldOutRejectRate: number;
  heldOutFlagRate: number;
  peers: PeerFigures;
}

/**
 * Input validation on scikit-learn's bundled datasets, on rows never seen by the baseline (a third split, over
 * seeded splits): REJECT and FLAG rates of clean rows against the budgets, and how often a row with one feature moved
 * MOVE_IN_SIGMAS robust σ is caught; beside, on the very same rows, scikit-learn's IsolationForest with contamination
 * 'auto' and a robust z rule (|x − median| / (1.4826 · MAD) > 3.5 on any feature, Iglewicz and Hoaglin's cut-off),
 * run live through the peer Python (peerPython) when one has scikit-learn.
 */
export async function validationQuality(
  print: (line: string) => void,
  options: { splits?: Partial<Record<ValidationDataset, number>>; python?: string | null | false } = {},
): Promise<Record<string, unknown>> {
  const budgets = BASELINE_DEFAULTS.budgets;
  print(
    `validation on rows never seen by the baseline (scikit-learn's bundled datasets, seeded splits; ` +
      `budgets REJECT ${pct(budgets.reject)}, FLAG ${pct(budgets.flag)}; moved: one feature ${MOVE_IN_SIGMAS} robust σ from its median, ${MOVES_PER_ROW} per row)`,
  );
  print(
    `  ${'dataset'.padEnd(14)} ${'rows'.padStart(5)} ${'feat'.padStart(4)} ${'splits'.padStart(6)} | ` +
      `${'REJECT'.padStart(7)} ${'FLAG'.padStart(7)} | ${'moved caught'.padStart(12)} ${'REJECT'.padStart(7)} | ` +
      `${'held-out R/F'.padStart(15)} | ${'IsolationForest FP/caught'.padStart(25)} | ${'robust z FP/caught'.padStart(18)}`,
  );
  const datasets: Record<string, DatasetQuality> = {};
  for (const dataset of VALIDATION_DATASETS) {
    const splits = options.splits?.[dataset] ?? BENCH_SPLITS[dataset];
    const csv = datasetCsv(dataset);
    const evaluations: SplitEvaluation[] = [];
    for (let seed = 0; seed < splits; seed++) evaluations.push(evaluateSplit(dataset, csv, seed));
    const clean = total(evaluations.map((e) => e.clean));
    const moved = total(evaluations.map((e) => e.moved));
    const heldOutRows = sum(evaluations.map((e) => e.profile.heldOut.rows));
    const python = options.python === undefined ? peerPython('numpy', 'sklearn') : options.python;
    const peers: PeerFigures = !python
      ? {
          skipped:
            python === false
              ? 'disabled'
              : 'no Python with scikit-learn (MRM_PEER_PYTHON, .venv-peers, /usr/bin/python3)',
        }
      : await runPeers(evaluations, python);
    const quality: DatasetQuality = {
      rows: clean.rows,
      features: evaluations[0]!.features,
      splits,
      rejectRate: clean.rejected / clean.rows,
      flagRate: clean.flagged / clean.rows,
      movedRows: moved.rows,
      movedCaughtRate: (moved.rejected + moved.flagged) / moved.rows,
      movedRejectRate: moved.rejected / moved.rows,
      heldOutRejectRate: sum(evaluations.map((e) => e.profile.heldOut.rejected)) / heldOutRows,
      heldOutFlagRate: sum(evaluations.map((e) => e.profile.heldOut.flagged)) / heldOutRows,
      peers,
    };
    datasets[dataset] = quality;
    const peer = (p: PeerRates) => `${pct(p.falseAlarmRate)} / ${pct(p.caughtRate)}`;
    print(
      `  ${dataset.padEnd(14)} ${String(quality.rows).padStart(5)} ${String(quality.features).padStart(4)} ${String(splits).padStart(6)} | ` +
        `${pct(quality.rejectRate).padStart(7)} ${pct(quality.flagRate).padStart(7)} | ` +
        `${pct(quality.movedCaughtRate).padStart(12)} ${pct(quality.movedRejectRate).padStart(7)} | ` +
        `${`${pct(quality.heldOutRejectRate)} / ${pct(quality.heldOutFlagRate)}`.padStart(15)} | ` +
        ('skipped' in peers
          ? `peers skipped (${peers.skipped})`
          : `${peer(peers.isolationForest).padStart(25)} | ${peer(peers.robustZ).padStart(18)}`),
    );
  }
  print(`  targets: REJECT <= 1%, FLAG <= 7% on each dataset; moved rows caught >= 95%`);
  return { budgets, moveInSigmas: MOVE_IN_SIGMAS, datasets };
}

const PEERS = String.raw`
import json, sys
import numpy as np
import sklearn
from sklearn.ensemble import IsolationForest

def robust_z(baseline, rows):
    median = np.median(baseline, axis=0)
    sigma = 1.4826 * np.median(np.abs(baseline - median), axis=0)
    usable = sigma > 0
    z = np.abs(rows[:, usable] - median[usable]) / sigma[usable]
    return (z > 3.5).any(axis=1)

splits = json.load(open(sys.argv[1]))
counts = {"rows": 0, "moved": 0, "if_fp": 0, "if_caught": 0, "z_fp": 0, "z_caught": 0}
for s in splits:
    baseline, clean, moved = (np.array(s[k], dtype=float) for k in ("baseline", "clean", "moved"))
    forest = IsolationForest(contamination="auto", random_state=s["seed"]).fit(baseline)
    counts["rows"] += len(clean)
    counts["moved"] += len(moved)
    counts["if_fp"] += int((forest.predict(clean) == -1).sum())
    counts["if_caught"] += int((forest.predict(moved) == -1).sum())
    counts["z_fp"] += int(robust_z(baseline, clean).sum())
    counts["z_caught"] += int(robust_z(baseline, moved).sum())
counts["sklearn"] = sklearn.__version__
print(json.dumps(counts))
`;

async function runPeers(evaluations: SplitEvaluation[], python: string): Promise<PeerFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'mrm-bench-validation-'));
  try {
    const path = join(dir, 'splits.json');
    await writeFile(path, JSON.stringify(evaluations.map((e) => ({ seed: e.seed, ...e.matrices }))));
    const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(python, ['-c', PEERS, path], { env, timeout: 600_000, maxBuffer: 1 << 20 }, (error, out, err) =>
        error
          ? reject(new Error(`${error.message}${err ? `\n${err.trim().split('\n').slice(-3).join('\n')}` : ''}`))
          : resolve(out),
      );
    });
    const c = JSON.parse(stdout.trim().split('\n').pop() ?? '') as Record<string, number> & { sklearn: string };
    return {
      isolationForest: { falseAlarmRate: c.if_fp! / c.rows!, caughtRate: c.if_caught! / c.moved! },
      robustZ: { falseAlarmRate: c.z_fp! / c.rows!, caughtRate: c.z_caught! / c.moved! },
      sklearn: c.sklearn,
    };
  } catch (error) {
    return {
      skipped: `scikit-learn failed through ${python}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function total(counts: RiskCounts[]): RiskCounts {
  return {
    rows: sum(counts.map((c) => c.rows)),
    rejected: sum(counts.map((c) => c.rejected)),
    flagged: sum(counts.map((c) => c.flagged)),
  };
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function pct(x: number): string {
  return `${(100 * x).toFixed(2)}%`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const figures = await validationQuality((line) => console.log(line));
  if (process.argv.includes('--json')) console.log(JSON.stringify(figures));
}
