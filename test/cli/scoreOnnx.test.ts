import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { baselineCommand, runBaseline } from '../../cli/commands/baseline.js';
import { runScore } from '../../cli/commands/score.js';
import type { DeadLetter } from '../../shared/scoring/deadLetter.js';
import type { ScoredRecord } from '../../shared/contracts/records.js';
import { onnxGolden, ONNX_FIXTURES, type OnnxGolden } from '../helpers/onnxFixtures.js';

const iris = onnxGolden('iris-gbt');
const model = (name: string) => join(ONNX_FIXTURES, `${name}.onnx`);
let dir: string;
let profile: string;

const readLines = async <T>(file: string): Promise<T[]> =>
  (await readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);

const eventLines = (g: OnnxGolden) =>
  g.rows
    .map((row, r) =>
      JSON.stringify({ id: `row-${r}`, features: Object.fromEntries(g.features.map((f, i) => [f.name, row[i]])) }),
    )
    .join('\n') + '\n';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mrm-cli-onnx-'));
  const header = iris.features.map((f) => f.name).join(',');
  await writeFile(join(dir, 'iris.csv'), [header, ...iris.rows.map((row) => row.join(','))].join('\n') + '\n');
  profile = join(dir, 'profile.json');
  await runBaseline({ input: join(dir, 'iris.csv'), out: profile, seed: 1 }, {});
  await writeFile(join(dir, 'events.jsonl'), eventLines(iris));
});

describe('mrm score --model', () => {
  it('scores with the ONNX model: the predictions Python made of the same rows, as a classifier', async () => {
    const out = join(dir, 'scored.jsonl');
    const totals = await runScore(
      { baseline: profile, input: join(dir, 'events.jsonl'), out, model: model('iris-gbt') },
      {},
    );
    expect(totals.model).toEqual({ version: expect.stringMatching(/^onnx:[0-9a-f]{16}$/), kind: 'classifier' });
    expect(totals.deadLettered).toBe(0);
    const scored = await readLines<ScoredRecord>(out);
    const predicted = scored.filter((r) => r.decision !== 'REJECT');
    expect(predicted.length).toBeGreaterThanOrEqual(40);
    for (const record of predicted) {
      const expected = iris.expected[Number(record.id.slice(4))]!;
      expect(record.prediction).toBe(expected.label);
      expect(Object.keys(record.probabilities!)).toEqual(['0', '1', '2']);
      expect(record.probabilities!['2']).toBeCloseTo(expected.probabilities[2]!, 6);
    }
  });

  it('stops before reading an event when the model does not fit the baseline, naming why', async () => {
    const out = join(dir, 'never.jsonl');
    await expect(
      runScore({ baseline: profile, input: join(dir, 'events.jsonl'), out, model: model('churn-named-inputs') }, {}),
    ).rejects.toMatchObject({
      code: 'MODEL.INPUT_MISMATCH',
      message: expect.stringContaining('input "tenure_months" is not a feature of the baseline'),
    });
    await expect(
      runScore({ baseline: profile, input: join(dir, 'events.jsonl'), out, model: join(dir, 'missing.onnx') }, {}),
    ).rejects.toMatchObject({ code: 'MODEL.UNAVAILABLE' });
    expect(existsSync(out)).toBe(false);
  });

  it('dead-letters the batches a model throws on as SCORER.UNAVAILABLE, and replaying them with a working model loses nothing', async () => {
    const out = join(dir, 'thrown.jsonl');
    const totals = await runScore(
      { baseline: profile, input: join(dir, 'events.jsonl'), out, model: model('iris-one-row-only') },
      {},
    );
    const letters = await readLines<DeadLetter>(`${out}.deadletters.jsonl`);
    const rejected = totals.decisions.REJECT ?? 0;
    expect(totals).toMatchObject({ events: iris.rows.length, scored: rejected });
    expect(letters).toHaveLength(iris.rows.length - rejected);
    expect(new Set(letters.map((l) => `${l.reason} ${l.replayable}`))).toEqual(new Set(['SCORER.UNAVAILABLE true']));
    expect(letters[0]!.message).toMatch(/^The ONNX model failed on this batch: .*Reshape/s);

    const replayed = join(dir, 'replayed.jsonl');
    const replay = await runScore(
      { baseline: profile, input: `${out}.deadletters.jsonl`, out: replayed, model: model('iris-gbt') },
      {},
    );
    expect(replay).toMatchObject({
      events: letters.length,
      replayed: letters.length,
      scored: letters.length,
      deadLettered: 0,
    });
    const records = await readLines<ScoredRecord>(replayed);
    for (const record of records) expect(record.prediction).toBe(iris.expected[Number(record.id.slice(4))]!.label);
  });
});

describe('mrm baseline --model', () => {
  it('takes the model file as an option (the baseline scores its held-out rows with it)', async () => {
    const command = baselineCommand();
    const out = join(dir, 'with-model.json');
    await command.parseAsync(['--input', join(dir, 'iris.csv'), '--out', out, '--model', model('iris-gbt')], {
      from: 'user',
    });
    expect(command.opts()).toMatchObject({ model: model('iris-gbt') });
    expect(JSON.parse(await readFile(out, 'utf8')).kind).toBe('mrm.baseline');
  });
});
