import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peerPython } from './quality/peerPython.js';
import { runRiver, type RiverFigures, type RiverStream } from './streamRiver.js';
import { StreamMonitor, DETECTORS } from '../shared/stream/streamMonitor.js';
import { STREAM_BENCH_OPTIONS } from './streamOptions.js';
import type { StreamCase } from './streamCase.js';
import type { ScoredRecord } from '../shared/contracts/records.js';
import { baselineReference } from '../shared/stream/baselineReference.js';
import { ScoredStream, syntheticStreamBaseline, type StreamScenario } from '../dev/synthetic/scoredStream.js';
import { realStreamCases } from './streamRealData.js';
import { exactFalseAlarms, type ExactFalseAlarms } from './streamTruth.js';

export interface StreamBenchOptions {
  /** Events of each stationary run (default 10M, the false-alarm target's). */
  stationaryEvents?: number;
  /** Seeded stationary runs of each kind, each against its own baseline sample (default 3). */
  stationaryRepeats?: number;
  /** Seeded repetitions of each change (default 10). */
  repeats?: number;
  /** Interpreter with river, or false to skip River (default: peerPython's lookup). */
  python?: string | false;
}

/** One detector on one kind of stream: false alarms, and per repetition the events from the onset to its alarm. */
export interface DetectorFigures {
  detector: string;
  falseAlarms: number;
  delays: Array<number | null>;
}

export interface StreamCaseFigures {
  name: string;
  description: string;
  events: number;
  onset: number | null;
  /** The stationary case whose false alarms rate this one's detectors (null for a stationary case). */
  stationaryPartner: string | null;
  /** Our detector this case is about ('errorCusum' on labelled changes, 'score' on score shifts). */
  ourDetector: string;
  ours: DetectorFigures[];
  river: Array<DetectorFigures & { params: Record<string, number> }> | { skipped: string };
}

export interface StreamBenchFigures {
  baselineErrorRate: number;
  falseAlarmBudgetInEvents: number;
  cases: StreamCaseFigures[];
  /** Our detectors' own cost per event (all of them, over every stream). */
  oursNanosecondsPerEvent: number;
  /** The stationary seeded streams' exact false-alarm rates of our error and score walks (their baselines). */
  exact: ExactFalseAlarms[];
}

const BATCH = 500;

/**
 * `npm run bench` (stream): seeded streams of a calibrated binary classifier (dev/synthetic/scoredStream.ts) and
 * streams resampled from scikit-learn's real datasets (bench/streamRealData.ts) through our stream detectors at the
 * default budget, and through River's ADWIN, PageHinkley and DDM (at their defaults and at larger thresholds, to
 * compare at our false-alarm rate) run live on the same streams by scripts/stream/river_detectors.py.
 */
export async function benchStream(options: StreamBenchOptions = {}): Promise<StreamBenchFigures> {
  const monitors = new Map<number, StreamMonitor>();
  const synthetic = (seed: number): StreamMonitor => {
    let m = monitors.get(seed);
    if (!m) monitors.set(seed, (m = new StreamMonitor(syntheticStreamBaseline(20_000, seed), STREAM_BENCH_OPTIONS)));
    return m;
  };
  const errorRate = baselineReference(synthetic(101).profile).error!.rate;
  // A 10-point accuracy drop: the forced-wrong share q with q + (1 − q)·e = e + 0.10.
  const drop = 0.1 / (1 - errorRate);
  const repeats = options.repeats ?? 10;
  const stationaryRepeats = options.stationaryRepeats ?? 3;
  const stationaryEvents = options.stationaryEvents ?? 10_000_000;
  const seeded = (
    c: Omit<StreamCase, 'run'>,
    scenario: (seed: number) => StreamScenario,
    baselineSeed: (r: number) => number,
  ): StreamCase => ({
    ...c,
    run: (r) => {
      const stream = new ScoredStream(scenario(1000 + r));
      return { monitor: synthetic(baselineSeed(r)), next: () => stream.next() };
    },
  });
  const change = (): number => 101;
  const cases: StreamCase[] = [
    seeded(
      {
        name: 'abrupt',
        description: 'accuracy drops 10 points at once (labelled)',
        segment: 60_000,
        onset: 40_000,
        repeats,
        riverReads: 'error',
        stationaryPartner: 'stationary errors',
        ourDetector: 'errorCusum',
      },
      (seed) => ({ seed, extraError: (i) => (i >= 40_000 ? drop : 0) }),
      change,
    ),
    seeded(
      {
        name: 'gradual',
        description: 'accuracy falls 10 points linearly over 50k events (labelled)',
        segment: 120_000,
        onset: 40_000,
        repeats,
        riverReads: 'error',
        stationaryPartner: 'stationary errors',
        ourDetector: 'errorCusum',
      },
      (seed) => ({ seed, extraError: (i) => (i < 40_000 ? 0 : Math.min(1, (i - 40_000) / 50_000) * drop) }),
      change,
    ),
    seeded(
      {
        name: 'score shift',
        description: "the score's logit mean moves by 0.5 (no labels)",
        segment: 60_000,
        onset: 40_000,
        repeats,
        riverReads: 'score',
        stationaryPartner: 'stationary scores',
        ourDetector: 'score',
      },
      (seed) => ({ seed, labelledShare: 0, logitShift: (i) => (i >= 40_000 ? 0.5 : 0) }),
      change,
    ),
    seeded(
      {
        name: 'stationary errors',
        description: 'no change (labelled), each run against its own baseline sample: every alarm is false',
        segment: stationaryEvents,
        onset: null,
        repeats: stationaryRepeats,
        riverReads: 'error',
        stationaryPartner: null,
        ourDetector: 'errorCusum',
      },
      (seed) => ({ seed }),
      (r) => 101 + r,
    ),
    seeded(
      {
        name: 'stationary scores',
        description: 'no change (no labels), each run against its own baseline sample: every alarm is false',
        segment: stationaryEvents,
        onset: null,
        repeats: stationaryRepeats,
        riverReads: 'score',
        stationaryPartner: null,
        ourDetector: 'score',
      },
      (seed) => ({ seed: seed + 500, labelledShare: 0 }),
      (r) => 201 + r,
    ),
    ...realStreamCases({ repeats, stationaryEvents: Math.min(stationaryEvents, 2_000_000), stationaryRepeats }),
  ];
  const python = options.python === false ? null : (options.python ?? peerPython('river', 'numpy'));
  const dir = await mkdtemp(join(tmpdir(), 'mrm-bench-stream-'));
  let timedEvents = 0;
  let timedNanoseconds = 0;
  try {
    const figures: StreamCaseFigures[] = [];
    const job: RiverStream[] = [];
    for (const c of cases) {
      const path = join(dir, `${c.name.replace(/\W+/g, '-')}.bin`);
      const file = await open(path, 'w');
      const ours = new Map<string, DetectorFigures>(
        DETECTORS.map((d) => [d, { detector: d, falseAlarms: 0, delays: [] as Array<number | null> }]),
      );
      for (let r = 0; r < c.repeats; r++) {
        const { monitor, next } = c.run(r);
        const state = monitor.fresh();
        const firstAfterOnset = new Map<string, number>();
        const values = c.riverReads === 'error' ? new Uint8Array(BATCH) : new Float32Array(BATCH);
        const batch: ScoredRecord[] = [];
        for (let drawn = 0; drawn < c.segment; drawn += BATCH) {
          const size = Math.min(BATCH, c.segment - drawn);
          batch.length = 0;
          for (let k = 0; k < size; k++) {
            const event = next();
            batch.push({ ...event.record });
            values[k] = c.riverReads === 'error' ? (event.error ? 1 : 0) : event.record.score!;
          }
          await file.write(new Uint8Array(values.buffer, 0, size * values.BYTES_PER_ELEMENT));
          const started = process.hrtime.bigint();
          const { alarms } = monitor.observe(state, batch, '0');
          timedNanoseconds += Number(process.hrtime.bigint() - started);
          timedEvents += size;
          for (const a of alarms) {
            // atEvent counts this run's events from 1; River's script counts them from 0.
            const at = a.atEvent - 1;
            const f = ours.get(a.detector)!;
            if (c.onset === null || at < c.onset) f.falseAlarms++;
            else if (!firstAfterOnset.has(a.detector)) firstAfterOnset.set(a.detector, at - c.onset);
          }
        }
        if (c.onset !== null) for (const f of ours.values()) f.delays.push(firstAfterOnset.get(f.detector) ?? null);
      }
      await file.close();
      job.push({
        name: c.name,
        path,
        dtype: c.riverReads === 'error' ? 'uint8' : 'float32',
        segment: c.segment,
        onset: c.onset,
      });
      figures.push({
        name: c.name,
        description: c.description,
        events: c.segment * c.repeats,
        onset: c.onset,
        stationaryPartner: c.stationaryPartner,
        ourDetector: c.ourDetector,
        ours: [...ours.values()],
        river: { skipped: 'river not run' },
      });
    }
    const river = python ? await runRiver(python, job) : { skipped: 'no Python with river (scripts/python/peers.sh)' };
    for (const f of figures) f.river = 'skipped' in river ? river : river.filter((r) => r.stream === f.name);
    return {
      baselineErrorRate: errorRate,
      falseAlarmBudgetInEvents: STREAM_BENCH_OPTIONS.falseAlarmBudgetInEvents,
      cases: figures,
      oursNanosecondsPerEvent: timedNanoseconds / timedEvents,
      exact: exactFalseAlarms([
        ...Array.from({ length: stationaryRepeats }, (_, r) => 101 + r),
        ...Array.from({ length: stationaryRepeats }, (_, r) => 201 + r),
      ]),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const count = (n: number): string => n.toLocaleString('en-US');

function median(d: DetectorFigures): number | null {
  const hits = d.delays.filter((x): x is number => x !== null).sort((a, b) => a - b);
  return hits.length > 0 ? hits[Math.floor((hits.length - 1) / 2)]! : null;
}

function summary(d: DetectorFigures, c: StreamCaseFigures): string {
  if (c.onset === null) return `${d.falseAlarms} false alarms (${perTenMillion(d.falseAlarms, c.events)} per 10M)`;
  const hits = d.delays.filter((x): x is number => x !== null).sort((a, b) => a - b);
  const missed = d.delays.length - hits.length;
  const m = median(d);
  return `delay median ${m === null ? '—' : count(m)}, max ${hits.length > 0 ? count(hits.at(-1)!) : '—'}${missed > 0 ? `, missed ${missed}/${d.delays.length}` : ''}; ${d.falseAlarms} false alarms before the onset`;
}

const perTenMillion = (alarms: number, events: number): string => ((alarms / events) * 1e7).toPrecision(2);
const riverName = (d: RiverFigures | (DetectorFigures & { params: Record<string, number> })): string =>
  `${d.detector}(${Object.entries(d.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(',')})`;

export function formatStreamFigures(f: StreamBenchFigures): string[] {
  const lines = [
    `stream detectors: seeded calibrated classifier (baseline error rate ${(f.baselineErrorRate * 100).toFixed(1)} %) and scikit-learn datasets; our budget ${count(f.falseAlarmBudgetInEvents)} events between false alarms per detector; ours cost ${f.oursNanosecondsPerEvent.toFixed(0)} ns/event (all detectors)`,
  ];
  const byName = new Map(f.cases.map((c) => [c.name, c]));
  for (const c of f.cases) {
    lines.push(
      `  ${c.name}: ${c.description}; ${count(c.events)} events${c.onset === null ? '' : `, onset at ${count(c.onset)} of each run`}`,
    );
    for (const d of c.ours) lines.push(`    ours  ${d.detector.padEnd(40)} ${summary(d, c)}`);
    if ('skipped' in c.river) lines.push(`    River: skipped (${c.river.skipped})`);
    else for (const d of c.river) lines.push(`    River ${riverName(d).padEnd(40)} ${summary(d, c)}`);
    const partner = c.stationaryPartner ? byName.get(c.stationaryPartner) : undefined;
    if (partner && !('skipped' in c.river) && !('skipped' in partner.river))
      lines.push(...matched(c, partner, f.falseAlarmBudgetInEvents));
  }
  lines.push(
    `  exact false alarms per 10M at the seeded streams' true distribution (run length of each walk, not a count): ${f.exact
      .map(
        (e) =>
          `baseline ${e.baselineSeed} errorCusum ${e.errorCusumPerTenMillion.toPrecision(2)}, score ${e.scorePerTenMillion.toPrecision(2)}`,
      )
      .join('; ')}`,
  );
  return lines;
}

/**
 * Our detector against each River detector at a false-alarm rate no higher than our budget on the same stationary
 * stream: River's fastest setting (median delay, fewest misses) with at most one false alarm per budget of events.
 */
function matched(c: StreamCaseFigures, partner: StreamCaseFigures, budget: number): string[] {
  const river = c.river as Array<DetectorFigures & { params: Record<string, number> }>;
  const quiet = partner.river as Array<DetectorFigures & { params: Record<string, number> }>;
  const ours = c.ours.find((d) => d.detector === c.ourDetector)!;
  const oursQuiet = partner.ours.find((d) => d.detector === c.ourDetector)!;
  const oursMedian = median(ours);
  const out = [
    `    matched: ours ${c.ourDetector} median ${oursMedian === null ? '—' : count(oursMedian)} at ${perTenMillion(oursQuiet.falseAlarms, partner.events)} false alarms per 10M (${partner.name})`,
  ];
  for (const family of ['ADWIN', 'PageHinkley', 'DDM']) {
    const eligible = river
      .filter((d) => d.detector === family)
      .map((d) => ({ d, quiet: quiet.find((q) => q.detector === family && riverName(q) === riverName(d)) }))
      .filter((x) => x.quiet !== undefined && x.quiet.falseAlarms * budget <= partner.events);
    if (eligible.length === 0) continue;
    const score = (d: DetectorFigures): number =>
      d.delays.filter((x) => x === null).length * 1e12 + (median(d) ?? Number.POSITIVE_INFINITY);
    const best = eligible.sort((a, b) => score(a.d) - score(b.d))[0]!;
    const m = median(best.d);
    const ratio = m !== null && oursMedian !== null ? ` (ours ${(oursMedian / m).toFixed(2)} of it)` : '';
    out.push(
      `      River ${riverName(best.d)} at ${perTenMillion(best.quiet!.falseAlarms, partner.events)} per 10M: median ${m === null ? '—' : count(m)}${ratio}`,
    );
  }
  return out;
}
