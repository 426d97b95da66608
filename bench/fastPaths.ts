import { compileForest } from '../shared/baseline/compileForest.js';
import { captureEvent, encodeCaptureFile } from '../shared/capture/captureFileWriter.js';
import type { Implementation } from '../shared/contracts/implementation.js';
import { foldCaptureBlob } from '../shared/drift/run/foldCaptureBlob.js';
import { compileEventContract } from '../shared/scoring/eventContract.js';
import { makeBenchMatrix } from './forest.js';
import { benchBaseline, benchBodies } from './scoring.js';

export interface FastPathsBenchOptions {
  /** Events (bodies, records, rows) per timed pass (default 200,000). */
  events?: number;
  /** Timed passes of each implementation, interleaved; the best counts (default 5). */
  repeats?: number;
}

/** One step's two implementations on the same input in the same run, per CPU-second. */
export interface FastPathFigure {
  plainPerSecond: number;
  fastPerSecond: number;
  /** fast / plain: a fast path earns its place only while this stays well above 1. */
  speedUp: number;
}

export interface FastPathsBenchFigures {
  events: number;
  /** scoreEvents' body decoding: the event contract on bodies as bytes (JSON.parse + schema vs the byte scanner). */
  bodyDecoding: FastPathFigure;
  /**
   * weeklyDrift's Capture reading: one file folded through avsc's container decoder (behind the frame guard) vs the
   * hand-read framing and record layout (bodies fast both).
   */
  captureReading: FastPathFigure;
  /** weeklyDrift's event bodies: one file folded with JSON.parse vs the byte scanner (Capture read fast both). */
  driftBodyDecoding: FastPathFigure;
  /** The forest's batch walk (scoreMany, batches of 100): JavaScript row by row vs WebAssembly tree by tree. */
  forestWalk: FastPathFigure;
}

/**
 * Every fast path beside its plain implementation (shared/contracts/implementation.ts): the numbers that justify
 * keeping the fast path on by default. Rates are per CPU-second of this process, the best of interleaved passes.
 */
export async function benchFastPaths(options: FastPathsBenchOptions = {}): Promise<FastPathsBenchFigures> {
  const events = options.events ?? 200_000;
  const repeats = options.repeats ?? 5;
  const columns = 20;
  const profile = benchBaseline(columns);
  const bodies = benchBodies(events, columns);
  const bytes = bodies.map((b) => Buffer.from(b));

  const contracts = {
    plain: compileEventContract(profile.features, { maxBodyBytes: 1 << 20, decoding: 'plain' }),
    fast: compileEventContract(profile.features, { maxBodyBytes: 1 << 20, decoding: 'fast' }),
  };
  const bodyDecoding = await pair(repeats, async (implementation) => {
    const contract = contracts[implementation];
    let good = 0;
    for (const body of bytes) if (contract.decode(body).ok) good++;
    if (good !== events) throw new Error(`the ${implementation} contract refused a benchmark body`);
    return events;
  });

  const file = encodeCaptureFile(
    bodies.map((body, i) => captureEvent({ sequenceNumber: i, enqueuedTimeInMs: Date.UTC(2024, 0, 15) + i, body })),
    { codec: 'deflate', recordsPerBlock: 2000 },
  );
  const fold = (reading: Implementation, bodyDecoding: Implementation) => async () => {
    const folded = await foldCaptureBlob([file], 'events', profile.schema, { reading, bodyDecoding });
    if (!folded.ok || folded.value.profile.events !== events) throw new Error('the benchmark file did not fold whole');
    return events;
  };
  const captureReading = await pair(repeats, (implementation) => fold(implementation, 'fast')());
  const driftBodyDecoding = await pair(repeats, (implementation) => fold('fast', implementation)());

  const matrix = makeBenchMatrix(events, columns, 99);
  const forests = {
    plain: compileForest(profile.model.forest, { batch: 'plain' }),
    fast: compileForest(profile.model.forest, { batch: 'fast' }),
  };
  const scores = new Float64Array(100);
  const forestWalk = await pair(repeats, async (implementation) => {
    const forest = forests[implementation];
    for (let r = 0; r < events; r += 100) {
      const rows = Math.min(100, events - r);
      forest.scoreMany({ rows, columns, values: matrix.values.subarray(r * columns, (r + rows) * columns) }, scores);
    }
    return events;
  });
  return { events, bodyDecoding, captureReading, driftBodyDecoding, forestWalk };
}

async function pair(
  repeats: number,
  pass: (implementation: Implementation) => Promise<number>,
): Promise<FastPathFigure> {
  let plainPerSecond = 0;
  let fastPerSecond = 0;
  for (let i = 0; i < repeats; i++) {
    for (const implementation of ['plain', 'fast'] as const) {
      const started = process.cpuUsage();
      const count = await pass(implementation);
      const used = process.cpuUsage(started);
      const rate = count / ((used.user + used.system) / 1e6);
      if (implementation === 'plain') plainPerSecond = Math.max(plainPerSecond, rate);
      else fastPerSecond = Math.max(fastPerSecond, rate);
    }
  }
  return { plainPerSecond, fastPerSecond, speedUp: fastPerSecond / plainPerSecond };
}

export function formatFastPathsFigures(f: FastPathsBenchFigures): string[] {
  const k = (x: number) => Math.round(x).toLocaleString('en-US').padStart(11);
  const line = (name: string, figure: FastPathFigure) =>
    `  ${name.padEnd(34)} plain ${k(figure.plainPerSecond)}/s   fast ${k(figure.fastPerSecond)}/s   fast/plain ${figure.speedUp.toFixed(2)}`;
  return [
    `fast paths beside their plain implementations (${f.events.toLocaleString('en-US')} events, 20 features, per CPU-second):`,
    line('scoreEvents body decoding', f.bodyDecoding),
    line('weeklyDrift Capture reading', f.captureReading),
    line('weeklyDrift event-body decoding', f.driftBodyDecoding),
    line('forest batch walk (rows)', f.forestWalk),
  ];
}
