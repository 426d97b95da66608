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
import { buildBaselineWithModel } from '../shared/baseline/buildBaselineWithModel.js';
import type { BaselineProfile } from '../shared/baseline/profile.js';
import { readTrainingData } from '../shared/baseline/trainingData.js';
import { ok, unwrap } from '../shared/errors.js';
import { TransactionGenerator } from '../dev/synthetic/transactions.js';
import { peerPython } from './quality/peerPython.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The benchmark's model, made by scripts/models/make_onnx_fixtures.py: 100 trees of depth 3 on 20 features. */
const MODEL = join(here, '..', '..', 'test', 'fixtures', 'onnx', 'bench-gbt-20.onnx');
/** The demo's fraud classifier (scripts/models/make_demo_model.py): one named input per feature, strings included. */
const DEMO_MODEL = join(here, '..', '..', 'examples', 'models', 'card-fraud-gbt.onnx');

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

/** One model's figures. Rates per CPU-second of the scoring process (Python's: of its process, one thread). */
export interface OnnxCaseFigures {
  model: string;
  description: string;
  /** Events/s through the real scoreEvents handler with the onnx scorer (contract, validation, defence, run, records). */
  handlerEventsPerSecond: number;
  /** Events/s of JSON.parse of the same bodies, the batch's tensors and one session.run per batch. */
  ceilingEventsPerSecond: number;
  /** Rows/s of session.run alone on tensors of the same rows built beforehand, one run per batch. */
  runRowsPerSecond: number;
  /** handler / ceiling. */
  ratioToCeiling: number;
  /** handler / session.run alone: how much of the handler's time the model itself is. */
  ratioToRun: number;
  /** Events/s through the same handler on the same bodies with the embedded forest scorer (no model run). */
  forestHandlerEventsPerSecond: number;
  /**
   * (1/forest handler + 1/session.run) / (1/onnx handler): the onnx handler against the product's checks plus the
   * model, each measured alone; 1 means the onnx scorer's glue (feeds, output reading) costs nothing.
   */
  ratioToChecksPlusRun: number;
  /** Microseconds per event the onnx scorer adds beyond the checks and session.run. */
  glueInMicroseconds: number;
}

export interface OnnxBenchFigures {
  events: number;
  batchSize: number;
  cases: OnnxCaseFigures[];
  /** Python's onnxruntime and scikit-learn on the rows of the 20-feature model. */
  python: OnnxPythonFigures;
}

/** A model to benchmark: its file, the baseline it is scored against, the bodies, and how a batch feeds it. */
interface OnnxBenchCase {
  model: string;
  description: string;
  bytes: Uint8Array;
  profile: BaselineProfile;
  bodies: string[];
  /** The feeds of one batch, from the bodies' feature objects (what the ceiling and session.run alone do). */
  feeds(ort: OnnxRuntimeModule, features: ReadonlyArray<Record<string, unknown>>): Record<string, Tensor>;
}

type OnnxRuntimeModule = Awaited<ReturnType<typeof onnxRuntime>>;

/**
 * scoreEvents with the onnx scorer against the model alone, on the same rows in the same run, for the 20-feature
 * gradient-boosted model (one float tensor) and the demo's fraud classifier (one named input per feature, strings
 * included): the handler, the bare ceiling (parse + tensors + session.run), session.run by itself; and Python's
 * onnxruntime and scikit-learn predict_proba on the 20-feature rows.
 */
export async function benchOnnx(options: OnnxBenchOptions = {}): Promise<OnnxBenchFigures> {
  const events = options.events ?? 200_000;
  const batchSize = options.batchSize ?? 100;
  const repeats = options.repeats ?? 5;
  const ort = await onnxRuntime();
  const wide = await wideCase(events);
  const cases = [wide.case, await demoCase(events)];
  const figures: OnnxCaseFigures[] = [];
  for (const c of cases) figures.push(await benchCase(ort, c, events, batchSize, repeats));
  const python =
    options.python === false
      ? { skipped: 'disabled' }
      : await pythonPeers(wide.matrix, events, wide.columns, batchSize, options.python);
  return { events, batchSize, cases: figures, python };
}

/** bench-gbt-20 on the scoring benchmark's rows: 20 numeric features, one float tensor. */
async function wideCase(events: number) {
  const columns = 20;
  const profile = benchBaseline(columns);
  const bodies = benchBodies(events, columns);
  const names = profile.model.inputs;
  const matrix = new Float64Array(events * columns);
  for (let r = 0; r < events; r++) {
    const event = JSON.parse(bodies[r]!) as { features: Record<string, number> };
    for (let c = 0; c < columns; c++) matrix[r * columns + c] = event.features[names[c]!]!;
  }
  const benchCase: OnnxBenchCase = {
    model: 'bench-gbt-20.onnx',
    description: `gradient boosting of 100 trees on ${columns} features, one float tensor`,
    bytes: new Uint8Array(await readFile(MODEL)),
    profile,
    bodies,
    feeds: (ort, features) => {
      const data = new Float32Array(features.length * columns);
      features.forEach((f, r) => {
        for (let c = 0; c < columns; c++) data[r * columns + c] = f[names[c]!] as number;
      });
      return { input: new ort.Tensor('float32', data, [features.length, columns]) };
    },
  };
  return { case: benchCase, matrix, columns };
}

/** The demo's classifier on the demo's transactions: 7 float and 2 string inputs of shape [rows, 1]. */
async function demoCase(events: number): Promise<OnnxBenchCase> {
  const bytes = new Uint8Array(await readFile(DEMO_MODEL));
  const table = unwrap(
    readTrainingData(new TransactionGenerator(8).csv(10_000), {
      format: 'csv',
      id: 'id',
      label: 'label',
      categorical: ['merchant_category', 'channel'],
    }),
  );
  const source = { current: async () => ({ bytes, version: 'bench', where: DEMO_MODEL }) };
  const profile = unwrap(
    await buildBaselineWithModel(
      table,
      {
        seed: 1,
        createdAt: new Date(0).toISOString(),
        source: { file: 'bench', format: 'csv' },
        columns: { id: 'id', label: 'label' },
      },
      async (forModel) => {
        const scorer = new OnnxScorer(source, forModel, { threads: 1 });
        const ready = await scorer.ready();
        return ready.ok ? ok(scorer) : ready;
      },
    ),
  );
  const generator = new TransactionGenerator(9);
  const bodies = Array.from({ length: events }, (_, r) =>
    JSON.stringify(generator.event(`e${r}`, `caller-${r % 5000}`, '2026-11-10T12:00:00Z')),
  );
  const numeric = profile.features.filter((f) => f.type === 'numeric').map((f) => f.name);
  const categorical = profile.features.filter((f) => f.type === 'categorical').map((f) => f.name);
  return {
    model: 'card-fraud-gbt.onnx',
    description: "the demo's fraud classifier: 100 trees, 7 float and 2 string inputs, one per feature",
    bytes,
    profile,
    bodies,
    feeds: (ort, features) => {
      const feeds: Record<string, Tensor> = {};
      for (const name of numeric)
        feeds[name] = new ort.Tensor(
          'float32',
          Float32Array.from(features, (f) => f[name] as number),
          [features.length, 1],
        );
      for (const name of categorical)
        feeds[name] = new ort.Tensor(
          'string',
          features.map((f) => String(f[name])),
          [features.length, 1],
        );
      return feeds;
    },
  };
}

async function benchCase(
  ort: OnnxRuntimeModule,
  c: OnnxBenchCase,
  events: number,
  batchSize: number,
  repeats: number,
): Promise<OnnxCaseFigures> {
  const session = await ort.InferenceSession.create(withoutZipMap(c.bytes).bytes, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const fetches = ['output_label', 'output_probability'];
  const parse = (i: number, rows: number) =>
    Array.from(
      { length: rows },
      (_, r) => (JSON.parse(c.bodies[i + r]!) as { features: Record<string, unknown> }).features,
    );

  // The rows' feeds built beforehand: what session.run alone scores.
  const prepared: Array<Record<string, Tensor>> = [];
  for (let i = 0; i < events; i += batchSize) prepared.push(c.feeds(ort, parse(i, Math.min(batchSize, events - i))));

  const runPass = async (): Promise<number> => {
    const started = process.cpuUsage();
    let sink = 0;
    for (const feeds of prepared) sink += firstProbability(await session.run(feeds, fetches));
    if (!Number.isFinite(sink)) throw new Error('benchOnnx: non-finite probability');
    return events / cpuSecondsSince(started);
  };

  const ceilingPass = async (): Promise<number> => {
    const started = process.cpuUsage();
    let sink = 0;
    for (let i = 0; i < events; i += batchSize) {
      sink += firstProbability(await session.run(c.feeds(ort, parse(i, Math.min(batchSize, events - i))), fetches));
    }
    if (!Number.isFinite(sink)) throw new Error('benchOnnx: non-finite probability');
    return events / cpuSecondsSince(started);
  };

  const settings = defaultSettings({ MRM_QUERY_LIMIT: '1000000', MRM_SCORER: 'onnx' });
  const source = { current: async () => ({ bytes: c.bytes, version: 'bench', where: c.model }) };
  const handler = createScoreEventsHandler({
    settings,
    profiles: { current: async () => c.profile },
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
  const forestHandler = createScoreEventsHandler({
    settings: defaultSettings({ MRM_QUERY_LIMIT: '1000000' }),
    profiles: { current: async () => c.profile },
    metrics: noMetrics,
    deadLetters: {
      write: async () => {
        throw new Error('benchOnnx: the benchmark dead-lettered events');
      },
    },
  });
  const delivered = c.bodies.map((body) => Buffer.from(body));
  // The engine and the model's session are built once per version, as an instance does: an empty batch builds the
  // engine and a first real batch loads the model, before any pass is timed.
  const context = () => new functions.InvocationContext({ triggerMetadata: metadata, logHandler: () => undefined });
  await handler([], context());
  const warm = await handler(delivered.slice(0, batchSize), context());
  if (warm.length === 0 || warm.every((r) => r.prediction === null)) {
    throw new Error(
      `benchOnnx: the handler scored nothing with ${c.model}: the benchmark would measure dead-lettering`,
    );
  }
  await forestHandler([], context());
  const handlerPass = async (through = handler): Promise<number> => {
    const started = process.cpuUsage();
    let scored = 0;
    for (let i = 0; i < events; i += batchSize)
      scored += (await through(delivered.slice(i, i + batchSize), context())).length;
    const seconds = cpuSecondsSince(started);
    if (scored < events * 0.9) throw new Error(`benchOnnx: only ${scored} of ${events} events scored`);
    return events / seconds;
  };

  let run = 0;
  let ceiling = 0;
  let throughHandler = 0;
  let throughForest = 0;
  await runPass(); // warm-up
  for (let i = 0; i < repeats; i++) {
    run = Math.max(run, await runPass());
    ceiling = Math.max(ceiling, await ceilingPass());
    throughHandler = Math.max(throughHandler, await handlerPass());
    throughForest = Math.max(throughForest, await handlerPass(forestHandler));
  }
  const checksPlusRun = 1 / throughForest + 1 / run;
  return {
    forestHandlerEventsPerSecond: throughForest,
    ratioToChecksPlusRun: checksPlusRun * throughHandler,
    glueInMicroseconds: Math.max(0, (1 / throughHandler - checksPlusRun) * 1e6),
    model: c.model,
    description: c.description,
    handlerEventsPerSecond: throughHandler,
    ceilingEventsPerSecond: ceiling,
    runRowsPerSecond: run,
    ratioToCeiling: throughHandler / ceiling,
    ratioToRun: throughHandler / run,
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
    `scoreEvents with the onnx scorer: ${f.events.toLocaleString('en-US')} events per pass, batches of ${f.batchSize}, per CPU-second`,
  ];
  for (const c of f.cases) {
    lines.push(
      `  ${c.model} (${c.description})`,
      `    through the handler:         ${rate(c.handlerEventsPerSecond)}`,
      `    ceiling (parse+tensors+run): ${rate(c.ceilingEventsPerSecond)}`,
      `    session.run alone:           ${rate(c.runRowsPerSecond, 'rows/s')}`,
      `    same handler, forest scorer: ${rate(c.forestHandlerEventsPerSecond)} (the checks without a model run)`,
      `    handler / (checks + session.run): ${c.ratioToChecksPlusRun.toFixed(2)} (the onnx scorer's own cost: ${c.glueInMicroseconds.toFixed(2)} µs/event)`,
      `    handler / ceiling ${c.ratioToCeiling.toFixed(2)}; handler / session.run alone ${c.ratioToRun.toFixed(2)} (validation and the defence cost more than this model)`,
    );
  }
  const wide = f.cases[0]!;
  if ('skipped' in f.python) {
    lines.push(`  Python peers: skipped (${f.python.skipped})`);
  } else {
    const p = f.python;
    lines.push(
      `  Python on the ${wide.model} rows: onnxruntime ${p.onnxruntime} session.run (1 thread) ${rate(p.ortBatches.rowsPerSecond, 'rows/s')} in batches of ${p.batch}, ${rate(p.ortWhole.rowsPerSecond, 'rows/s')} in one call`,
      `  scikit-learn ${p.sklearn} predict_proba (1 thread): ${rate(p.sklearnBatches.rowsPerSecond, 'rows/s')} in batches of ${p.batch}, ${rate(p.sklearnWhole.rowsPerSecond, 'rows/s')} in one call (agrees with the ONNX file to ${p.maxProbabilityDifference.toExponential(1)})`,
      `  handler / Python onnxruntime in batches: ${(wide.handlerEventsPerSecond / p.ortBatches.rowsPerSecond).toFixed(2)}; / scikit-learn in batches: ${(wide.handlerEventsPerSecond / p.sklearnBatches.rowsPerSecond).toFixed(1)}`,
    );
  }
  return lines;
}
