import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScoredRecord } from '../../shared/contracts/records.js';
import { AUC_BINS, type PerformanceState } from '../../shared/drift/profile.js';
import { createRandom, type Random } from '../../shared/baseline/random.js';
import { judgeConfidence } from '../../shared/scoring/confidence.js';
import type { StreamBaseline } from '../../shared/stream/baselineReference.js';
import { blankScoredRecord } from './scoredStream.js';

/**
 * Streams resampled from a model's out-of-fold probabilities on one of scikit-learn's real datasets
 * (test/fixtures/stream/<name>.json, made by scripts/stream/make_real_streams.py): the baseline is built from the
 * fixture's `baseline` rows as `mrm baseline` builds its held-out part, the stream draws `pool` rows with replacement
 * and, from the onset, applies one of the fixture's real concept changes.
 */
export interface RealStreamFixture {
  dataset: string;
  classes: string[];
  heldOutAccuracy: number;
  changes: { flip: string; subpopulation: string };
  baseline: { probabilities: number[][]; labels: number[] };
  pool: { probabilities: number[][]; labels: number[]; flip: boolean[]; subpopulation: boolean[] };
}

export const REAL_STREAM_DATASETS = ['breast_cancer', 'digits', 'diabetes'] as const;
export type RealStreamDataset = (typeof REAL_STREAM_DATASETS)[number];

/** The fixture of `name` under the repository at `root`. */
export function readRealStreamFixture(name: RealStreamDataset, root: string): RealStreamFixture {
  return JSON.parse(
    readFileSync(join(root, 'test', 'fixtures', 'stream', `${name}.json`), 'utf8'),
  ) as RealStreamFixture;
}

/** `flip`: the subgroup's labels change (binary: flipped; digits: the 3s become 8s); `subpopulation`: only it is drawn. */
export type RealChange = 'flip' | 'subpopulation';

const CONFIDENCE = { minConfidence: 0.7, maxEntropyRatio: 0.95, minMargin: 0.1 };

/** The score a scored record of this model carries: the positive class's probability, else the top one. */
function scoreOf(probabilities: readonly number[]): number {
  return probabilities.length === 2 ? probabilities[1]! : Math.max(...probabilities);
}

export function realStreamBaseline(fixture: RealStreamFixture): StreamBaseline {
  const k = fixture.classes.length + 1;
  const binary = fixture.classes.length === 2;
  const performance: PerformanceState = {
    labelled: 0,
    confusion: new Array<number>(k * k).fill(0),
    scoreHistogram: binary
      ? { positive: new Array<number>(AUC_BINS).fill(0), negative: new Array<number>(AUC_BINS).fill(0) }
      : null,
  };
  const scores: number[] = [];
  fixture.baseline.probabilities.forEach((p, i) => {
    const label = fixture.baseline.labels[i]!;
    performance.labelled++;
    performance.confusion[label * k + argmax(p)]!++;
    const score = scoreOf(p);
    if (performance.scoreHistogram) {
      const bin = Math.min(AUC_BINS - 1, Math.floor(score * AUC_BINS));
      (label === 1 ? performance.scoreHistogram.positive : performance.scoreHistogram.negative)[bin]!++;
    }
    scores.push(score);
  });
  scores.sort((a, b) => a - b);
  const decileEdges = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((q) => scores[Math.floor((q / 10) * (scores.length - 1))]!);
  const decileCounts = new Array<number>(10).fill(0);
  for (const score of scores) {
    let bucket = 0;
    while (bucket < decileEdges.length && decileEdges[bucket]! <= score) bucket++;
    decileCounts[bucket]!++;
  }
  return {
    profileVersion: `real-${fixture.dataset}`,
    heldOut: { performance, scoredBy: { classes: fixture.classes } },
    schema: { prediction: { score: { decileEdges } } },
    data: { prediction: { score: { decileCounts } } },
  };
}

/** Pool rows drawn with replacement; from `onset` on, the change applies. One mutable record reused per event. */
export class ResampledStream {
  private readonly random: Random;
  private readonly record: ScoredRecord;
  private readonly subpopulation: number[];
  private index = 0;

  constructor(
    private readonly fixture: RealStreamFixture,
    private readonly scenario: { seed: number; change?: RealChange; onset?: number; labelledShare?: number },
  ) {
    this.random = createRandom(scenario.seed);
    this.subpopulation = fixture.pool.subpopulation.flatMap((inside, i) => (inside ? [i] : []));
    this.record = blankScoredRecord(fixture.dataset, `real-${fixture.dataset}`);
  }

  next(): { record: ScoredRecord; error: boolean } {
    const i = this.index++;
    const pool = this.fixture.pool;
    const changed = this.scenario.change !== undefined && i >= (this.scenario.onset ?? 0);
    const row =
      changed && this.scenario.change === 'subpopulation'
        ? this.subpopulation[Math.floor(this.random.nextFloat() * this.subpopulation.length)]!
        : Math.floor(this.random.nextFloat() * pool.labels.length);
    const p = pool.probabilities[row]!;
    let label = pool.labels[row]!;
    if (changed && this.scenario.change === 'flip' && pool.flip[row])
      label = this.fixture.classes.length === 2 ? 1 - label : 8;
    const prediction = argmax(p);
    const judgement = judgeConfidence(p, CONFIDENCE);
    const r = this.record;
    r.id = `e${i}`;
    r.sequenceNumber = i;
    r.score = scoreOf(p);
    r.confidence = judgement.confidence;
    r.entropy = judgement.entropy;
    r.prediction = String(prediction);
    const labelled = this.scenario.labelledShare === undefined || this.random.nextFloat() < this.scenario.labelledShare;
    r.label = labelled ? label : null;
    r.decision =
      judgement.uncertainty === 'HIGH' ? 'MANUAL_REVIEW' : judgement.uncertainty === 'MEDIUM' ? 'FLAG' : 'ACCEPT';
    return { record: r, error: label !== prediction };
  }
}

function argmax(p: readonly number[]): number {
  let best = 0;
  for (let j = 1; j < p.length; j++) if (p[j]! > p[best]!) best = j;
  return best;
}
