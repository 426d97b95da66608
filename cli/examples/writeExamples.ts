import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TRANSACTION_FEATURES, TransactionGenerator } from '../../dev/synthetic/transactions.js';
import { driftAlert } from '../demo/driftAlert.js';
import { THRESHOLDS } from '../../shared/telemetry/monitoring.js';
import { readTrainingData } from '../../shared/baseline/trainingData.js';
import { buildBaseline } from '../../shared/baseline/buildBaseline.js';
import { unwrap } from '../../shared/errors.js';
import { runCapture } from '../commands/capture.js';
import { runScore } from '../commands/score.js';
import { runDrift } from '../commands/drift.js';
import type { Clock } from '../../shared/contracts/clock.js';

/** When the example week starts (a Monday) and when the examples were "made": fixed, so the files never change. */
export const EXAMPLE_WEEK_START = '2024-01-15T00:00:00Z';
const MADE_AT_IN_MS = Date.UTC(2024, 0, 22, 3);
const WEEK_IN_MS = 7 * 86_400_000;
const PRODUCTION_ROWS = 500;
/** events.jsonl (and so scored.jsonl and capture/) hold the week's first rows: enough to read, small to commit. */
const SAMPLE_EVENTS = 150;
const CATEGORICAL = ['merchant_category', 'channel'];
// Capture picks a random sync marker per file; a fixed one keeps the committed files byte-identical between runs.
const SYNC_MARKER = Buffer.from('mrm-examples-016');

/** Folders of examples/ that writeExamples owns entirely. */
export const GENERATED_FOLDERS = ['capture', 'alerts'] as const;

/**
 * Writes examples/: training data, a week of production rows (drifted, with a timestamp column), the same week as
 * events of the contract, their scored records, a Capture folder of both hubs, and the alert payloads a drift of
 * that week makes Azure Monitor post. Everything comes from the CLI's own use cases with fixed seeds and clocks, so
 * a test can regenerate the folder and compare it byte for byte. Answers the files written, relative to `dir`.
 */
export async function writeExamples(dir: string): Promise<string[]> {
  const written: string[] = [];
  const put = async (name: string, text: string | Buffer): Promise<void> => {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
    written.push(name);
  };
  // Generated folders are replaced whole, so a file the code no longer makes does not linger.
  for (const folder of GENERATED_FOLDERS) await rm(join(dir, folder), { recursive: true, force: true });
  const env = {};
  // The examples are made at one fixed time, so regenerating them changes no byte.
  const clock: Clock = { nowInMs: () => MADE_AT_IN_MS };

  await put('training.csv', new TransactionGenerator(11).csv(1000));
  const production = productionWeek();
  await put('production.csv', production.csv);
  await put('events.jsonl', production.jsonl);

  // The baseline is an intermediate (300 KB): the walkthrough builds it; the scored records need it here.
  const work = join(dir, '.work');
  await mkdir(work, { recursive: true });
  try {
    const baseline = join(work, 'baseline.json');
    // Built as `mrm baseline` builds it, but named by the file's name alone: a path in it would change its version.
    const table = unwrap(
      readTrainingData(await readFile(join(dir, 'training.csv'), 'utf8'), {
        format: 'csv',
        id: 'id',
        label: 'label',
        categorical: CATEGORICAL,
      }),
    );
    const profile = unwrap(
      buildBaseline(table, {
        seed: 42,
        createdAt: new Date(MADE_AT_IN_MS).toISOString(),
        source: { file: 'training.csv', format: 'csv' },
        columns: { id: 'id', label: 'label' },
      }),
    );
    await writeFile(baseline, JSON.stringify(profile));
    const scored = join(work, 'scored.jsonl');
    await runScore(
      { baseline, input: join(dir, 'events.jsonl'), out: scored, deadLetters: join(work, 'dead.jsonl') },
      env,
      clock,
    );
    await put('scored.jsonl', await readFile(scored, 'utf8'));

    const capture = { start: EXAMPLE_WEEK_START, rate: 1, partitions: 2, syncMarker: SYNC_MARKER };
    const captured = join(work, 'capture');
    await runCapture({ input: join(dir, 'events.jsonl'), out: captured, hub: 'events', ...capture }, env, clock);
    await runCapture({ input: join(dir, 'scored.jsonl'), out: captured, hub: 'scored', ...capture }, env, clock);
    for (const name of await filesUnder(captured)) await put(`capture/${name}`, await readFile(join(captured, name)));

    const drift = await runDrift(
      { baseline, input: join(dir, 'production.csv'), id: 'id', label: 'label', timeColumn: 'timestamp' },
      env,
      { isTTY: false, write: () => true },
      clock,
    );
    const fired = driftAlert({
      magnitude: drift.report.drift.share,
      threshold: THRESHOLDS.retrainDriftMagnitude,
      firedAtInMs: MADE_AT_IN_MS + 15 * 60_000,
      runKey: 'examples',
    });
    await put('alerts/drift-fired.json', `${JSON.stringify(fired, null, 2)}\n`);
    const resolved = structuredClone(fired) as { data: { essentials: Record<string, unknown> } };
    resolved.data.essentials.monitorCondition = 'Resolved';
    resolved.data.essentials.resolvedDateTime = new Date(MADE_AT_IN_MS + WEEK_IN_MS).toISOString();
    await put('alerts/drift-resolved.json', `${JSON.stringify(resolved, null, 2)}\n`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return written.sort();
}

/** A week of production rows: the transactions drifted (amounts up, more online), one every ~20 minutes. */
function productionWeek(): { csv: string; jsonl: string } {
  const generator = new TransactionGenerator(12);
  const names = TRANSACTION_FEATURES.map((f) => f.name);
  const start = Date.parse(EXAMPLE_WEEK_START);
  const csv = [['id', 'timestamp', ...names, 'label'].join(',')];
  const jsonl: string[] = [];
  for (let i = 0; i < PRODUCTION_ROWS; i++) {
    const { features, label } = generator.next({ drift: 0.6 });
    const id = `p${i}`;
    const timestamp = new Date(start + Math.floor((i * WEEK_IN_MS) / PRODUCTION_ROWS)).toISOString();
    csv.push([id, timestamp, ...names.map((n) => features[n]), label].join(','));
    if (i < SAMPLE_EVENTS) jsonl.push(JSON.stringify({ id, callerId: `caller-${i % 7}`, timestamp, features, label }));
  }
  return { csv: `${csv.join('\n')}\n`, jsonl: `${jsonl.join('\n')}\n` };
}

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) =>
      join(e.parentPath, e.name)
        .slice(root.length + 1)
        .split('\\')
        .join('/'),
    )
    .sort();
}
