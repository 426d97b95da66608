import { execFile } from 'node:child_process';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '../cli/repoPath.js';
import { peerPython } from './quality/peerPython.js';
import { StreamMonitor, type StreamMonitorOptions } from '../shared/stream/streamMonitor.js';
import type { ScoredRecord } from '../shared/contracts/records.js';
import { baselineReference } from '../shared/stream/baselineReference.js';
import { ScoredStream, syntheticStreamBaseline, type StreamScenario } from '../dev/synthetic/scoredStream.js';

export interface StreamBenchOptions {
  /** Events of the stationary stream (default 10M, the false-alarm target's). */
  stationaryEvents?: number;
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
  ours: DetectorFigures[];
  river: Array<DetectorFigures & { params: Record<string, number> }> | { skipped: string };
}

export interface StreamBenchFigures {
  baselineErrorRate: number;
  falseAlarmBudgetInEvents: number;
  cases: StreamCaseFigures[];
  /** Our detectors' own cost per event (all of them, over the stationary stream). */
  oursNanosecondsPerEvent: number;
}

const OPTIONS: StreamMonitorOptions = {
  windowEvents: 1000,
  minDrop: 0.05,
  falseAlarmBudgetInEvents: 10_000_000,
  referenceEvents: 10_000,
  shift: 0.05,
};
const BATCH = 500;

interface Case {
  name: string;
  description: string;
  segment: number;
  onset: number | null;
  scenario: (seed: number) => StreamScenario;
  /** Which value River reads: the error bit (labelled streams) or the score. */
  riverReads: 'error' | 'score';
  repeats: number;
}

/**
 * `npm run bench` (stream): seeded streams of a calibrated binary classifier (dev/synthetic/scoredStream.ts) through
 * our stream detectors at the default budget, and through River's ADWIN, PageHinkley and DDM (at their defaults and
 * at larger thresholds, to compare at our false-alarm rate) run live by scripts/stream/river_detectors.py.
 */
export async function benchStream(options: StreamBenchOptions = {}): Promise<StreamBenchFigures> {
  const baseline = syntheticStreamBaseline(20_000, 101);
  const errorRate = baselineReference(baseline).error!.rate;
  // A 10-point accuracy drop: the forced-wrong share q with q + (1 − q)·e = e + 0.10.
  const drop = 0.1 / (1 - errorRate);
  const repeats = options.repeats ?? 10;
  const cases: Case[] = [
    {
      name: 'abrupt',
      description: 'accuracy drops 10 points at once (labelled)',
      segment: 60_000,
      onset: 40_000,
      scenario: (seed) => ({ seed, extraError: (i) => (i >= 40_000 ? drop : 0) }),
      riverReads: 'error',
      repeats,
    },
    {
      name: 'gradual',
      description: 'accuracy falls 10 points linearly over 50k events (labelled)',
      segment: 120_000,
      onset: 40_000,
      scenario: (seed) => ({ seed, extraError: (i) => (i < 40_000 ? 0 : Math.min(1, (i - 40_000) / 50_000) * drop) }),
      riverReads: 'error',
      repeats,
    },
    {
      name: 'score shift',
      description: "the score's logit mean moves by 0.5 (no labels)",
      segment: 60_000,
      onset: 40_000,
      scenario: (seed) => ({ seed, labelledShare: 0, logitShift: (i) => (i >= 40_000 ? 0.5 : 0) }),
      riverReads: 'score',
      repeats,
    },
    {
      name: 'stationary errors',
      description: 'no change (labelled): every alarm is false',
      segment: options.stationaryEvents ?? 10_000_000,
      onset: null,
      scenario: (seed) => ({ seed }),
      riverReads: 'error',
      repeats: 1,
    },
    {
      name: 'stationary scores',
      description: 'no change (no labels): every alarm is false',
      segment: options.stationaryEvents ?? 10_000_000,
      onset: null,
      scenario: (seed) => ({ seed, labelledShare: 0 }),
      riverReads: 'score',
      repeats: 1,
    },
  ];
  const python = options.python === false ? null : (options.python ?? peerPython('river', 'numpy'));
  const dir = await mkdtemp(join(tmpdir(), 'mrm-bench-stream-'));
  const monitor = new StreamMonitor(baseline, OPTIONS);
  let timedEvents = 0;
  let timedNanoseconds = 0;
  try {
    const figures: StreamCaseFigures[] = [];
    const job: Array<{ name: string; path: string; dtype: string; segment: number; onset: number | null }> = [];
    for (const c of cases) {
      const path = join(dir, `${c.name.replace(/\s+/g, '-')}.bin`);
      const file = await open(path, 'w');
      const ours = new Map<string, DetectorFigures>();
      const figuresOf = (detector: string): DetectorFigures => {
        let f = ours.get(detector);
        if (!f) ours.set(detector, (f = { detector, falseAlarms: 0, delays: [] }));
        return f;
      };
      for (const name of ['errorWindow', 'errorCusum', 'score', 'entropy', 'decisions', 'estimatedAccuracy'])
        figuresOf(name);
      for (let r = 0; r < c.repeats; r++) {
        const stream = new ScoredStream(c.scenario(1000 + r));
        const state = monitor.fresh();
        const firstAfterOnset = new Map<string, number>();
        const values = c.riverReads === 'error' ? new Uint8Array(BATCH) : new Float32Array(BATCH);
        const batch: ScoredRecord[] = [];
        const errors: boolean[] = [];
        for (let k = 0; k < BATCH; k++) {
          const next = stream.next();
          batch.push({ ...next.record });
          errors.push(next.error);
        }
        for (let drawn = BATCH; ; drawn += BATCH) {
          for (let k = 0; k < BATCH; k++) values[k] = c.riverReads === 'error' ? (errors[k] ? 1 : 0) : batch[k]!.score!;
          await file.write(new Uint8Array(values.buffer));
          const started = process.hrtime.bigint();
          const { alarms } = monitor.observe(state, batch, '0');
          timedNanoseconds += Number(process.hrtime.bigint() - started);
          timedEvents += BATCH;
          for (const a of alarms) {
            // atEvent counts this run's events from 1; River's script counts them from 0.
            const at = a.atEvent - 1;
            if (c.onset === null || at < c.onset) figuresOf(a.detector).falseAlarms++;
            else if (!firstAfterOnset.has(a.detector)) firstAfterOnset.set(a.detector, at - c.onset);
          }
          if (drawn >= c.segment) break;
          for (let k = 0; k < BATCH; k++) {
            const next = stream.next();
            Object.assign(batch[k]!, next.record);
            errors[k] = next.error;
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
        ours: [...ours.values()],
        river: { skipped: 'river not run' },
      });
    }
    const river = python ? await runRiver(python, job) : { skipped: 'no Python with river (scripts/python/peers.sh)' };
    for (const f of figures) {
      f.river = 'skipped' in river ? river : river.filter((r) => r.stream === f.name);
    }
    return {
      baselineErrorRate: errorRate,
      falseAlarmBudgetInEvents: OPTIONS.falseAlarmBudgetInEvents,
      cases: figures,
      oursNanosecondsPerEvent: timedNanoseconds / timedEvents,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function runRiver(
  python: string,
  streams: unknown[],
): Promise<Array<DetectorFigures & { stream: string; params: Record<string, number> }> | { skipped: string }> {
  const script = repoPath('scripts', 'stream', 'river_detectors.py');
  try {
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = execFile(python, [script], { timeout: 3_600_000, maxBuffer: 1 << 24 }, (error, out, err) =>
        error ? reject(new Error(`${error.message}\n${err.trim().split('\n').slice(-3).join('\n')}`)) : resolve(out),
      );
      child.stdin!.end(JSON.stringify({ streams }));
    });
    return stdout
      .trim()
      .split('\n')
      .map((line) => {
        const r = JSON.parse(line) as {
          stream: string;
          detector: string;
          params: Record<string, number>;
          falseAlarms: number;
          delays: Array<number | null>;
        };
        return {
          stream: r.stream,
          detector: r.detector,
          params: r.params,
          falseAlarms: r.falseAlarms,
          delays: r.delays,
        };
      });
  } catch (error) {
    return {
      skipped: `River failed through ${python}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    };
  }
}

export function formatStreamFigures(f: StreamBenchFigures): string[] {
  const lines = [
    `stream detectors: seeded calibrated classifier (baseline error rate ${(f.baselineErrorRate * 100).toFixed(1)} %), our budget ${f.falseAlarmBudgetInEvents.toLocaleString('en-US')} events between false alarms per detector; ours cost ${f.oursNanosecondsPerEvent.toFixed(0)} ns/event (all detectors)`,
  ];
  const summary = (d: DetectorFigures, onset: number | null): string => {
    if (onset === null) return `${d.falseAlarms} false alarms`;
    const hits = d.delays.filter((x): x is number => x !== null).sort((a, b) => a - b);
    const missed = d.delays.length - hits.length;
    const median = hits.length > 0 ? hits[Math.floor((hits.length - 1) / 2)]! : null;
    return `delay median ${median === null ? '—' : median.toLocaleString('en-US')}, max ${hits.length > 0 ? hits.at(-1)!.toLocaleString('en-US') : '—'}${missed > 0 ? `, missed ${missed}/${d.delays.length}` : ''}; ${d.falseAlarms} false alarms before the onset`;
  };
  for (const c of f.cases) {
    lines.push(
      `  ${c.name}: ${c.description}; ${c.events.toLocaleString('en-US')} events${c.onset === null ? '' : `, onset at ${c.onset.toLocaleString('en-US')} of each run`}`,
    );
    for (const d of c.ours) lines.push(`    ours  ${d.detector.padEnd(34)} ${summary(d, c.onset)}`);
    if ('skipped' in c.river) lines.push(`    River: skipped (${c.river.skipped})`);
    else
      for (const d of c.river) {
        const params = Object.entries(d.params)
          .map(([k, v]) => `${k}=${v}`)
          .join(',');
        lines.push(`    River ${`${d.detector}(${params})`.padEnd(34)} ${summary(d, c.onset)}`);
      }
  }
  return lines;
}
