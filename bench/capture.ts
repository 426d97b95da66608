import { execFile, fork } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { link, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CaptureFileWriter, captureEvent } from '../shared/capture/captureFileWriter.js';
import type { CaptureEventData } from '../shared/capture/captureSchema.js';
import { makeBenchMatrix } from './forest.js';
import { benchBaseline } from './scoring.js';
import type { CaptureFoldJob, CaptureFoldResult } from './captureFoldChild.js';

export interface CaptureBenchOptions {
  /** Distinct events written to disk (default 1,000,000), in files of `eventsPerFile` (default 100,000). */
  events?: number;
  eventsPerFile?: number;
  /** The large run reads the same files this many times over (default 10: 10M events). 0 skips it. */
  largeMultiple?: number;
  features?: number;
  /** Timed passes of fold and ceiling at 1M, interleaved; the best of each counts (default 2). */
  repeats?: number;
  /** Files given to the seed's Python path (default 1). */
  pythonFiles?: number;
}

export interface CaptureBenchFigures {
  events: number;
  features: number;
  files: number;
  bytesPerEvent: number;
  /**
   * Capture files on local disk → merged profile, as weeklyDrift folds them (one blob at a time, one core), per
   * CPU-second of the process: other load on the machine does not skew it (rates below likewise).
   */
  foldEventsPerSecond: number;
  /** Same files: block decode with avsc + JSON.parse of each Body, nothing else. */
  ceilingEventsPerSecond: number;
  ratioToCeiling: number;
  peakRssInMiB: { atEvents: number; fold: number; ceiling: number };
  large: { events: number; foldEventsPerSecond: number; peakRssInMiB: number } | null;
  python:
    { events: number; eventsPerSecond: number; readOnlyEventsPerSecond: number; speedUp: number } | { skipped: string };
}

const WEEK_START = Date.UTC(2024, 0, 15);
const here = dirname(fileURLToPath(import.meta.url));

/**
 * Events/s from Capture Avro files on local disk to a merged profile, against the bare ceiling in the same run, peak
 * RSS of each at 1M events and of the fold at 10M (a fresh child process per measurement, so RSS is the run's own),
 * and, when /usr/bin/python3 has avro and scipy, the seed's Python path on a subset of the same files.
 */
export async function benchCapture(options: CaptureBenchOptions = {}): Promise<CaptureBenchFigures> {
  const events = options.events ?? 1_000_000;
  const perFile = Math.min(options.eventsPerFile ?? 100_000, events);
  const features = options.features ?? 20;
  const largeMultiple = options.largeMultiple ?? 10;
  const repeats = options.repeats ?? 2;
  const dir = await mkdtemp(join(tmpdir(), 'mrm-bench-capture-'));
  try {
    const baseline = benchBaseline(features);
    const schemaPath = join(dir, 'baseline.json');
    await writeFile(schemaPath, JSON.stringify({ schema: baseline.schema }));
    const { names, bytes } = await writeFiles(join(dir, 'small'), events, perFile, features);
    const week = { fromInMs: WEEK_START, toInMs: WEEK_START + 7 * 86_400_000 };

    let fold: CaptureFoldResult | undefined;
    let ceiling: CaptureFoldResult | undefined;
    for (let i = 0; i < repeats; i++) {
      const f = await inChild({ mode: 'fold', dir: join(dir, 'small'), schemaPath, ...week });
      const c = await inChild({ mode: 'ceiling', dir: join(dir, 'small'), schemaPath, ...week });
      if (!fold || f.seconds < fold.seconds) fold = f;
      if (!ceiling || c.seconds < ceiling.seconds) ceiling = c;
    }
    if (fold!.events !== events || ceiling!.events !== events)
      throw new Error(`expected ${events} events, fold saw ${fold!.events}, ceiling ${ceiling!.events}`);
    const foldRate = events / fold!.seconds;
    const ceilingRate = events / ceiling!.seconds;

    let large: CaptureBenchFigures['large'] = null;
    if (largeMultiple > 1) {
      // The same files under more names (hard links): ten times the events, no more disk.
      const largeDir = join(dir, 'large');
      for (let copy = 0; copy < largeMultiple; copy++) {
        for (const [i, name] of names.entries()) {
          const target = join(largeDir, fileName(copy * names.length + i));
          await mkdir(dirname(target), { recursive: true });
          await link(join(dir, 'small', name), target);
        }
      }
      const result = await inChild({ mode: 'fold', dir: largeDir, schemaPath, ...week });
      if (result.events !== events * largeMultiple) throw new Error(`large run saw ${result.events} events`);
      large = {
        events: result.events,
        foldEventsPerSecond: Math.round(result.events / result.seconds),
        peakRssInMiB: mib(result.maxRssInBytes),
      };
    }

    return {
      events,
      features,
      files: names.length,
      bytesPerEvent: Math.round(bytes / events),
      foldEventsPerSecond: Math.round(foldRate),
      ceilingEventsPerSecond: Math.round(ceilingRate),
      ratioToCeiling: round(foldRate / ceilingRate, 3),
      peakRssInMiB: { atEvents: events, fold: mib(fold!.maxRssInBytes), ceiling: mib(ceiling!.maxRssInBytes) },
      large,
      python: await seedPythonPath(
        dir,
        baseline,
        names.slice(0, options.pythonFiles ?? 1).map((n) => join(dir, 'small', n)),
        foldRate,
      ),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function formatCaptureFigures(f: CaptureBenchFigures): string[] {
  const lines = [
    `capture → profile: ${f.foldEventsPerSecond.toLocaleString('en-US')} events/s/core on ${f.events.toLocaleString('en-US')} events (${f.files} files, ` +
      `${f.features} features, ${f.bytesPerEvent} B/event); ceiling (avsc decode + JSON.parse of Body) ${f.ceilingEventsPerSecond.toLocaleString('en-US')} events/s; ` +
      `ratio ${f.ratioToCeiling} (targets: >= 500,000 events/s/core, >= 0.7)`,
    `capture peak RSS at ${f.peakRssInMiB.atEvents.toLocaleString('en-US')} events: fold ${f.peakRssInMiB.fold} MiB, ceiling ${f.peakRssInMiB.ceiling} MiB`,
  ];
  if (f.large) {
    lines.push(
      `capture at ${f.large.events.toLocaleString('en-US')} events: ${f.large.foldEventsPerSecond.toLocaleString('en-US')} events/s, peak RSS ${f.large.peakRssInMiB} MiB (flat: streamed)`,
    );
  }
  if ('skipped' in f.python) lines.push(`capture seed Python path: skipped (${f.python.skipped})`);
  else {
    lines.push(
      `capture seed Python path (python3-avro + numpy/scipy) on ${f.python.events.toLocaleString('en-US')} events: ${f.python.eventsPerSecond.toLocaleString('en-US')} events/s ` +
        `(read alone ${f.python.readOnlyEventsPerSecond.toLocaleString('en-US')}); speed-up ${f.python.speedUp}x (target >= 15x)`,
    );
  }
  return lines;
}

function fileName(index: number): string {
  const start = WEEK_START + index * 300_000;
  const d = new Date(start);
  const p = (n: number) => String(n).padStart(2, '0');
  return `bench/events/${index % 4}/${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${p(d.getUTCHours())}/${p(d.getUTCMinutes())}/${p(d.getUTCSeconds())}.avro`;
}

/** Capture files with bodies of the event contract (values at 4 decimals, like the scoring benchmark's). */
async function writeFiles(
  root: string,
  events: number,
  perFile: number,
  features: number,
): Promise<{ names: string[]; bytes: number }> {
  const names: string[] = [];
  let bytes = 0;
  for (let file = 0, written = 0; written < events; file++) {
    const count = Math.min(perFile, events - written);
    const name = fileName(file);
    const path = join(root, name);
    await mkdir(dirname(path), { recursive: true });
    const out = createWriteStream(path);
    const writer = new CaptureFileWriter({ codec: 'null' });
    out.write(writer.header());
    const matrix = makeBenchMatrix(count, features, 1000 + file);
    const start = WEEK_START + file * 300_000;
    for (let from = 0; from < count; from += 1000) {
      const block: CaptureEventData[] = [];
      for (let r = from; r < Math.min(count, from + 1000); r++) {
        const values: Record<string, number> = {};
        for (let c = 0; c < features; c++) values[`f${c}`] = Math.round(matrix.values[r * features + c]! * 1e4) / 1e4;
        const sequence = written + r;
        block.push(
          captureEvent({
            sequenceNumber: sequence,
            enqueuedTimeInMs: start + r * 3,
            body: {
              id: `e${sequence}`,
              callerId: `caller-${sequence % 5000}`,
              timestamp: '2024-01-15T10:00:00Z',
              features: values,
            },
          }),
        );
      }
      if (!out.write(writer.block(block))) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    await new Promise<void>((resolve, reject) =>
      out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    bytes += (await stat(path)).size;
    names.push(name);
    written += count;
  }
  return { names, bytes };
}

function inChild(job: CaptureFoldJob): Promise<CaptureFoldResult> {
  return new Promise((resolve, reject) => {
    const child = fork(join(here, 'captureFoldChild.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (message: { ok: true; result: CaptureFoldResult } | { ok: false; error: string }) => {
      if (message.ok) resolve(message.result);
      else reject(new Error(message.error));
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`capture bench child exited with code ${code}`));
    });
    child.send(job);
  });
}

async function seedPythonPath(
  dir: string,
  baseline: ReturnType<typeof benchBaseline>,
  files: string[],
  foldRate: number,
): Promise<CaptureBenchFigures['python']> {
  if (files.length === 0) return { skipped: 'no files given to the Python path (pythonFiles: 0)' };
  const run = promisify(execFile);
  try {
    await run('/usr/bin/python3', ['-c', 'import avro.datafile, numpy, scipy.stats']);
  } catch {
    return { skipped: '/usr/bin/python3 lacks avro, numpy or scipy' };
  }
  // The baseline columns the seed compares against: the same training distribution the schema was derived from.
  const names = baseline.schema.features.map((f) => f.name);
  const matrix = makeBenchMatrix(10_000, names.length, 7);
  const rows = [names.join(',')];
  for (let r = 0; r < matrix.rows; r++)
    rows.push(Array.from({ length: names.length }, (_, c) => matrix.values[r * names.length + c]).join(','));
  const csv = join(dir, 'baseline.csv');
  await writeFile(csv, `${rows.join('\n')}\n`);
  const script = join(here, '..', '..', 'scripts', 'capture', 'seed_drift_path.py');
  const { stdout } = await run('/usr/bin/python3', [script, csv, ...files], { maxBuffer: 1024 * 1024 });
  const result = JSON.parse(stdout) as { events: number; seconds: number; readSeconds: number };
  const rate = result.events / result.seconds;
  return {
    events: result.events,
    eventsPerSecond: Math.round(rate),
    readOnlyEventsPerSecond: Math.round(result.events / result.readSeconds),
    speedUp: round(foldRate / rate, 1),
  };
}

function mib(bytes: number): number {
  return Math.round(bytes / 1048576);
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
