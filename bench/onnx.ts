// @azure/functions is CommonJS whose classes Node's ESM loader cannot name-import: take them from the default export.
import functions from '@azure/functions';
import { execFile } from 'node:child_process';
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { createScoreEventsHandler } from '../shared/compose/scoreEvents.js';
import { defaultSettings } from '../shared/config/settings.js';
import { OnnxScorer } from '../shared/scoring/onnxScorer.js';
import { onnxRuntime } from '../shared/scoring/onnx/onnxRuntime.js';
import { withoutZipMap } from '../shared/scoring/onnx/onnxModelFile.js';
import { noMetrics } from '../shared/telemetry/metricsPort.js';
import { benchBaseline, benchBodies } from './scoring.js';
import { peerPython } from './quality/peerPython.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The benchmark's model, made by scripts/models/make_onnx_fixtures.py: 100 trees of depth 3 on 20 features. */
const MODEL = join(here, '..', '..', 'test', 'fixtures', 'onnx', 'bench-gbt-20.onnx');

export interface OnnxBenchOptions {
  /** Events per timed pass (default 200,000), in batches of `batchSize` (default 100). */
  events?: number;
  batchSize?: number;
  /** Timed passes of each, interleaved; the best counts (default 5). */
  repeats?: number;
  /** Interpreter with onnxruntime and scikit-learn (default: peerPython's, e.g. .venv-peers); `false` skips the peers. */
  python?: string | false;
}

interface PeerRate {
  rowsPerSecond: number;
  wallRowsPerSecond: number;
}

export type OnnxPythonFigures =
  | {
      onnxruntime: string;
      sklearn: string;
      batch: number;
      /** Largest |P(positive)| difference between the retrained scikit-learn model and the committed ONNX file. */
      maxProbabilityDifference: number;
      ortBatches: PeerRate;
      ortWhole: PeerRate;
      sklearnBatches: PeerRate;
      sklearnWhole: PeerRate;
    }
  | { skipped: string };

/** Rates per CPU-second of the scoring process (Python's: of its process, one thread), as the other benchmarks. */
export interface OnnxBenchFigures {
  events: number;
  columns: number;
  trees: number;
  batchSize: number;
  /** Events/s through the real scoreEvents handler with the onnx scorer (contract, validation, defence, run, records). */
  handlerEventsPerSecond: number;
  /** Events/s of JSON.parse of the same bodies, the batch's float32 tensor and one session.run per batch. */
  ceilingEventsPerSecond: number;
  /** Rows/s of session.run alone on tensors of the same rows built beforehand, one run per batch. */
  runRowsPerSecond: number;
  /** handler / ceiling (target >= 0.7). */
  ratioToCeiling: number;
  /** handler / session.run alone: how much of the handler's time the model itself is. */
  ratioToRun: number;
  python: OnnxPythonFigures;
}

/**
 * scoreEvents with the onnx scorer on a gradient-boosted model against the model alone, on the same rows in the same
 * run: the handler, the bare ceiling (parse + tensor + session.run), session.run by itself, and Python's onnxruntime
 * and scikit-learn predict_proba on those rows.
 */
export async function benchOnnx(options: OnnxBenchOptions = {}): Promise<OnnxBenchFigures> {
  const events = options.events ?? 200_000;
  const batchSize = options.batchSize ?? 100;
  const repeats = options.repeats ?? 5;
  const columns = 20;
  const profile = benchBaseline(columns);
  const bodies = benchBodies(events, columns);
  const delivered = bodies.map((body) => Buffer.from(body));
  const names = profile.model.inputs;
  const bytes = new Uint8Array(await readFile(MODEL));

  const ort = await onnxRuntime();
  const session = await ort.InferenceSession.create(withoutZipMap(bytes).bytes, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const input = session.inputNames[0]!;
  const fetches = ['output_label', 'output_probability'];

  // The rows the bodies hold, parsed once: what session.run alone and the Python peers score.
  const matrix = new Float64Array(events * columns);
  for (let r = 0; r < events; r++) {
    const event = JSON.parse(bodies[r]!) as { features: Record<string, number> };
    for (let c = 0; c < columns; c++) matrix[r * columns + c] = event.features[names[c]!]!;
  }
  const tensors: Tensor[] = [];
  for (let i = 0; i < events; i += batchSize) {
    const rows = Math.min(batchSize, events - i);
    tensors.push(
      new ort.Tensor('float32', Float32Array.from(matrix.subarray(i * columns, (i + rows) * columns)), [rows, columns]),
    );
  }

  const runPass = async (): Promise<number> => {
    const started = process.cpuUsage();
    let sink = 0;
    for (const tensor of tensors) sink += firstProbability(await session.run({ [input]: tensor }, fetches));
    if (!Number.isFinite(sink)) throw new Error('benchOnnx: non-finite probability');
    return events / cpuSecondsSince(started);
  };

  const ceilingPass = async (): Promise<number> => {
    const started = process.cpuUsage();
    let sink = 0;
    for (let i = 0; i < events; i += batchSize) {
      const rows = Math.min(batchSize, events - i);
      const data = new Float32Array(rows * columns);
      for (let r = 0; r < rows; r++) {
        const event = JSON.parse(bodies[i + r]!) as { features: Record<string, number> };
        for (let c = 0; c < columns; c++) data[r * columns + c] = event.features[names[c]!]!;
      }
      sink += firstProbability(
        await session.run({ [input]: new ort.Tensor('float32', data, [rows, columns]) }, fetches),
      );
    }
    if (!Number.isFinite(sink)) throw new Error('benchOnnx: non-finite probability');
    return events / cpuSecondsSince(started);
  };

  const settings = defaultSettings({ MRM_QUERY_LIMIT: '1000000', MRM_SCORER: 'onnx' });
  const source = { current: async () => ({ bytes, version: 'bench', where: MODEL }) };
  const handler = createScoreEventsHandler({
    settings,
    profiles: { current: async () => profile },
    metrics: noMetrics,
    // Every benchmark body keeps the contract: a dead letter would mean the benchmark measures something else.
    deadLetters: {
      write: async () => {
        throw new Error('benchOnnx: the benchmark dead-lettered events');
      },
    },
    scorer: (p) => new OnnxScorer(source, p, { threads: 1 }),
  });
  const metadata = {
    partitionContext: { partitionId: '0' },
    sequenceNumberArray: Array.from({ length: batchSize }, (_, i) => i),
    offsetArray: Array.from({ length: batchSize }, (_, i) => String(i)),
    enqueuedTimeUtcArray: Array.from({ length: batchSize }, () => '2026-11-10T12:00:00.000Z'),
    partitionKeyArray: Array.from({ length: batchSize }, () => 'k'),
  };
  // The engine and the model's session are built once per version, as an instance does: an empty batch builds the
  // engine and a first real batch loads the model, before any pass is timed.
  const context = () => new functions.InvocationContext({ triggerMetadata: metadata, logHandler: () => undefined });
  await handler([], context());
  const warm = await handler(delivered.slice(0, batchSize), context());
  if (warm.length === 0 || warm.every((r) => r.prediction === null)) {
    throw new Error('benchOnnx: the handler scored nothing: the benchmark would measure dead-lettering');
  }
  const handlerPass = async (): Promise<number> => {
    const started = process.cpuUsage();
    let scored = 0;
    for (let i = 0; i < events; i += batchSize)
      scored += (await handler(delivered.slice(i, i + batchSize), context())).length;
    const seconds = cpuSecondsSince(started);
    if (scored < events * 0.9) throw new Error(`benchOnnx: only ${scored} of ${events} events scored`);
    return events / seconds;
  };

  let run = 0;
  let ceiling = 0;
  let throughHandler = 0;
  await runPass(); // warm-up
  for (let i = 0; i < repeats; i++) {
    run = Math.max(run, await runPass());
    ceiling = Math.max(ceiling, await ceilingPass());
    throughHandler = Math.max(throughHandler, await handlerPass());
  }
  const python =
    options.python === false
      ? { skipped: 'disabled' }
      : await pythonPeers(matrix, events, columns, batchSize, options.python);
  return {
    events,
    columns,
    trees: 100,
    batchSize,
    handlerEventsPerSecond: throughHandler,
    ceilingEventsPerSecond: ceiling,
    runRowsPerSecond: run,
    ratioToCeiling: throughHandler / ceiling,
    ratioToRun: throughHandler / run,
    python,
  };
}

function firstProbability(outputs: InferenceSession.ReturnType): number {
  return (outputs.output_probability!.data as Float32Array)[1]!;
}

function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

async function pythonPeers(
  matrix: Float64Array,
  rows: number,
  columns: number,
  batchSize: number,
  python = peerPython('onnxruntime', 'sklearn') ?? 'python3',
): Promise<OnnxPythonFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'mrm-bench-onnx-'));
  try {
    const path = join(dir, 'rows.f64');
    await writeFile(path, new Uint8Array(matrix.buffer, matrix.byteOffset, matrix.byteLength));
    const script = join(here, '..', '..', 'scripts', 'models', 'bench_onnx_peers.py');
    const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        python,
        [script, path, String(rows), String(columns), MODEL, String(batchSize)],
        { env, timeout: 600_000, maxBuffer: 1 << 20 },
        (error, out, err) =>
          error
            ? reject(new Error(`${error.message}${err ? `\n${err.trim().split('\n').slice(-3).join('\n')}` : ''}`))
            : resolve(out),
      );
    });
    return JSON.parse(stdout.trim().split('\n').pop() ?? '') as OnnxPythonFigures;
  } catch (error) {
    return {
      skipped: `onnxruntime or scikit-learn not available through ${python}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function formatOnnxFigures(f: OnnxBenchFigures): string[] {
  const rate = (x: number, unit = 'events/s') => `${Math.round(x).toLocaleString('en-US')} ${unit}`;
  const lines = [
    `scoreEvents with the onnx scorer: ${f.events.toLocaleString('en-US')} events, ${f.columns} features, gradient boosting of ${f.trees} trees (bench-gbt-20.onnx), batches of ${f.batchSize}, per CPU-second`,
    `  through the handler:         ${rate(f.handlerEventsPerSecond)}`,
    `  ceiling (parse+tensor+run):  ${rate(f.ceilingEventsPerSecond)}`,
    `  session.run alone:           ${rate(f.runRowsPerSecond, 'rows/s')}`,
    `  ratio to ceiling:            ${f.ratioToCeiling.toFixed(2)} (target >= 0.7); to session.run alone: ${f.ratioToRun.toFixed(2)}`,
  ];
  if ('skipped' in f.python) {
    lines.push(`  Python peers: skipped (${f.python.skipped})`);
  } else {
    const p = f.python;
    lines.push(
      `  Python onnxruntime ${p.onnxruntime} session.run (1 thread): ${rate(p.ortBatches.rowsPerSecond, 'rows/s')} in batches of ${p.batch}, ${rate(p.ortWhole.rowsPerSecond, 'rows/s')} in one call`,
      `  scikit-learn ${p.sklearn} predict_proba (1 thread): ${rate(p.sklearnBatches.rowsPerSecond, 'rows/s')} in batches of ${p.batch}, ${rate(p.sklearnWhole.rowsPerSecond, 'rows/s')} in one call (agrees with the ONNX file to ${p.maxProbabilityDifference.toExponential(1)})`,
      `  handler / Python onnxruntime in batches: ${(f.handlerEventsPerSecond / p.ortBatches.rowsPerSecond).toFixed(2)}; / scikit-learn in batches: ${(f.handlerEventsPerSecond / p.sklearnBatches.rowsPerSecond).toFixed(1)}`,
    );
  }
  return lines;
}
