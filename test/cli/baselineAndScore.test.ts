import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { baselineCommand, runBaseline } from '../../cli/commands/baseline.js';
import { runScore } from '../../cli/commands/score.js';
import { TransactionGenerator } from '../../dev/synthetic/transactions.js';
import { readBaselineProfile } from '../../shared/baseline/readBaselineProfile.js';
import type { StoredDeadLetter } from '../../shared/scoring/deadLetter.js';
import type { ScoredRecord } from '../../shared/contracts/records.js';
import { azuriteConnectionString, blobService, uniqueContainerName } from '../helpers/storage.js';
import { goodBody } from '../helpers/baselineFixture.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mrm-cli-'));
  await writeFile(join(dir, 'train.csv'), new TransactionGenerator(5).csv(3000));
});

const readLines = async <T>(file: string): Promise<T[]> =>
  (await readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);

describe('mrm baseline', () => {
  it('builds a readable profile from CSV and reports the model on the labels', async () => {
    const out = join(dir, 'profile.json');
    const summary = await runBaseline(
      {
        input: join(dir, 'train.csv'),
        out,
        label: 'label',
        id: 'id',
        categorical: ['merchant_category', 'channel'],
        seed: 42,
      },
      {},
    );
    expect(summary).toMatch(/^Baseline [0-9a-f]{16}: 3000 rows, 9 features \(7 numeric, 2 categorical\), written to /);
    expect(summary).toContain(
      'Held out 600 of 3000 rows (--holdout 0.2, stratified by label); the input-anomaly detector and validation were fitted on the other 2400',
    );
    expect(summary).toMatch(
      /Validation calibrated on 3000 rows \(600 held out, 2400 cross-fitted in 5 folds\): FLAG above \d+\.\d\d, REJECT above \d+\.\d\d nats of surprise/,
    );
    expect(summary).toMatch(
      /budgets: REJECT 0\.50%, FLAG 5\.00%; held-out rows REJECTed \d\.\d\d% \(\d+ of 600\), FLAGged \d\.\d\d% \(\d+ of 600\); calibration rows \d\.\d\d% and \d\.\d\d%/,
    );
    expect(summary).toMatch(
      /Embedded input-anomaly detector on 5\d\d labelled held-out rows \(those validation did not reject\): accuracy 0\.9\d\d/,
    );
    const read = readBaselineProfile(JSON.parse(await readFile(out, 'utf8')), out);
    expect(read.ok).toBe(true);
  });

  it('builds the same profile from JSONL events of the contract', async () => {
    const generator = new TransactionGenerator(5);
    const lines = Array.from({ length: 500 }, (_, i) =>
      JSON.stringify(generator.event(`e${i}`, 'c', '2026-11-01T00:00:00Z')),
    );
    await writeFile(join(dir, 'train.jsonl'), lines.join('\n'));
    const summary = await runBaseline({ input: join(dir, 'train.jsonl'), out: join(dir, 'p2.json'), seed: 1 }, {});
    expect(summary).toContain('500 rows, 9 features (7 numeric, 2 categorical)');
    expect(summary).toMatch(/Embedded input-anomaly detector on \d+ labelled held-out rows/);
  });

  it('takes the hold-out share and the budgets as flags, and records them', async () => {
    const out = join(dir, 'p4.json');
    const summary = await runBaseline(
      {
        input: join(dir, 'train.csv'),
        out,
        label: 'label',
        seed: 3,
        holdout: 0.25,
        rejectBudget: 0.01,
        flagBudget: 0.1,
      },
      {},
    );
    // A quarter of each class, rounded.
    expect(summary).toMatch(/Held out 75\d of 3000 rows \(--holdout 0\.25, stratified by label\)/);
    expect(summary).toContain('budgets: REJECT 1.00%, FLAG 10.00%');
    const profile = JSON.parse(await readFile(out, 'utf8'));
    expect(profile.validation.budgets).toEqual({ reject: 0.01, flag: 0.1 });
    await expect(
      runBaseline({ input: join(dir, 'train.csv'), out, seed: 3, rejectBudget: 0.2, flagBudget: 0.1 }, {}),
    ).rejects.toThrow('--reject-budget (0.2) must not exceed --flag-budget (0.1)');
  });

  it('refuses a hold-out share or budget that is not a share, before reading anything', async () => {
    const run = (args: string[]) =>
      baselineCommand()
        .exitOverride()
        .configureOutput({ writeErr: () => undefined })
        .parseAsync(['--input', join(dir, 'train.csv'), '--out', join(dir, 'never.json'), ...args], { from: 'user' });
    await expect(run(['--holdout', '2'])).rejects.toThrow(
      "option '--holdout <share>' argument '2' is invalid. expected a share between 0 and 1, such as 0.2",
    );
    await expect(run(['--flag-budget', 'lots'])).rejects.toThrow(
      "option '--flag-budget <share>' argument 'lots' is invalid",
    );
  });

  it('uploads the profile where the functions read it', async () => {
    const container = uniqueContainerName('baseline');
    await runBaseline(
      { input: join(dir, 'train.csv'), out: join(dir, 'p3.json'), label: 'label', id: 'id', seed: 42, upload: true },
      { AzureWebJobsStorage: azuriteConnectionString(), MRM_BASELINE_CONTAINER: container },
    );
    const uploaded = await blobService().getContainerClient(container).getBlobClient('profile.json').downloadToBuffer();
    expect(JSON.parse(uploaded.toString()).kind).toBe('mrm.baseline');
  });

  it('fails clearly on a missing file, an unknown label column and unreadable data', async () => {
    await expect(runBaseline({ input: join(dir, 'nope.csv'), out: join(dir, 'x.json'), seed: 1 }, {})).rejects.toThrow(
      /Cannot read training data .*nope\.csv/,
    );
    await expect(
      runBaseline({ input: join(dir, 'train.csv'), out: join(dir, 'x.json'), label: 'fraud', seed: 1 }, {}),
    ).rejects.toThrow('--label names "fraud", which is not a column of the training data');
    await writeFile(join(dir, 'one.csv'), 'a,b\n1,2\n');
    await expect(runBaseline({ input: join(dir, 'one.csv'), out: join(dir, 'x.json'), seed: 1 }, {})).rejects.toThrow(
      'at least 2 are needed',
    );
  });
});

describe('mrm score', () => {
  it('scores a file and writes scored records and dead letters; replaying the dead letters loses nothing', async () => {
    const profile = join(dir, 'profile.json');
    await runBaseline(
      {
        input: join(dir, 'train.csv'),
        out: profile,
        label: 'label',
        id: 'id',
        categorical: ['merchant_category', 'channel'],
        seed: 42,
      },
      {},
    );
    const events = [
      ...Array.from({ length: 250 }, (_, i) => JSON.stringify(goodBody(`g${i}`, {}, `caller-${i % 7}`))),
      '{"id": "nan", "features": {"amount": NaN}}',
      'plain text',
      JSON.stringify({ id: 'unknown', features: { ...goodBody('x').features, colour: 'red' } }),
    ];
    await writeFile(join(dir, 'events.jsonl'), events.join('\n') + '\n');
    const totals = await runScore(
      { baseline: profile, input: join(dir, 'events.jsonl'), out: join(dir, 'scored.jsonl') },
      {},
    );
    expect(totals).toMatchObject({
      events: 253,
      scored: 250,
      deadLettered: 3,
      deadLetterReasons: { 'EVENT.NOT_FINITE': 1, 'EVENT.NOT_JSON': 1, 'EVENT.UNKNOWN_FEATURE': 1 },
    });
    const scored = await readLines<ScoredRecord>(join(dir, 'scored.jsonl'));
    expect(scored).toHaveLength(250);
    expect(scored[0]!.id).toBe('g0');
    const letters = await readLines<StoredDeadLetter>(join(dir, 'scored.jsonl.deadletters.jsonl'));
    expect(letters.map((d) => d.reason)).toEqual(['EVENT.NOT_FINITE', 'EVENT.NOT_JSON', 'EVENT.UNKNOWN_FEATURE']);

    const replay = await runScore(
      { baseline: profile, input: join(dir, 'scored.jsonl.deadletters.jsonl'), out: join(dir, 'replayed.jsonl') },
      {},
    );
    expect(replay).toMatchObject({ events: 3, replayed: 3, scored: 0, deadLettered: 3 });
    const again = await readLines<StoredDeadLetter>(join(dir, 'replayed.jsonl.deadletters.jsonl'));
    expect(again.map((d) => d.body)).toEqual(letters.map((d) => d.body));
  });

  it('fails clearly when the baseline is not a profile', async () => {
    await writeFile(join(dir, 'bad.json'), '{"kind":"other"}');
    await expect(
      runScore({ baseline: join(dir, 'bad.json'), input: join(dir, 'events.jsonl'), out: join(dir, 'o.jsonl') }, {}),
    ).rejects.toThrow('is not a usable baseline profile: kind must be "mrm.baseline"');
  });
});
