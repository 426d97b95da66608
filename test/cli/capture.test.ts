import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../shared/contracts/clock.js';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import avro from 'avsc';
import { ContainerSASPermissions } from '@azure/storage-blob';
import { runCapture, type CaptureArguments } from '../../cli/commands/capture.js';
import { runDrift } from '../../cli/commands/drift.js';
import { readCaptureFile } from '../../shared/capture/readCaptureFile.js';
import type { CaptureRecord } from '../../shared/capture/captureSchema.js';
import { captureWriterSchema } from '../../shared/capture/captureSchema.js';
import { parseEnqueuedTimeUtc } from '../../shared/capture/enqueuedTime.js';
import { TransactionGenerator } from '../../dev/synthetic/transactions.js';
import { transactionBaseline } from '../helpers/baselineFixture.js';
import { freshContainer } from '../helpers/storage.js';

const START = Date.UTC(2024, 0, 15);
const NOW = Date.UTC(2024, 0, 24, 12);
const atNow: Clock = { nowInMs: () => NOW };
const CATEGORICAL = ['merchant_category', 'channel'];
const silent = { isTTY: false, write: () => true };

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)).split('\\').join('/'))
    .sort();
}

async function decode(bytes: Buffer): Promise<{ records: CaptureRecord[]; schema: unknown; codec: string }> {
  const records: CaptureRecord[] = [];
  expect(await readCaptureFile([bytes], (r) => records.push({ ...r }))).toMatchObject({ ok: true });
  // The header's metadata, read with avsc, as a Capture reader (Spark, Stream Analytics) would.
  const meta = avro.Type.forSchema({ type: 'map', values: 'bytes' }).decode(bytes, 4).value as Record<string, Buffer>;
  return {
    records,
    schema: JSON.parse(meta['avro.schema']!.toString()),
    codec: meta['avro.codec']!.toString(),
  };
}

describe('mrm capture', () => {
  let dir: string;
  let csv: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mrm-capture-'));
    csv = join(dir, 'week.csv');
    await writeFile(csv, new TransactionGenerator(3).csv(120, { drift: 0.5 }));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const args = (extra: Partial<CaptureArguments>): CaptureArguments => ({
    input: csv,
    out: join(dir, `out-${Math.random().toString(36).slice(2)}`),
    id: 'id',
    label: 'label',
    categorical: CATEGORICAL,
    start: '2024-01-15T00:00:00Z',
    rate: 0.1,
    ...extra,
  });

  it('writes one file per partition and Capture window, named by the Capture name format, with the writer schema Event Hubs embeds', async () => {
    const a = args({ partitions: 2 });
    const summary = await runCapture(a, {}, atNow);
    const names = await filesUnder(a.out);
    // 120 rows at 0.1/s span 1190 s: windows of 300 s starting at 0, 300, 600, 900 s, on each of two partitions.
    expect(names).toEqual(
      ['0', '1'].flatMap((p) =>
        ['00/00/00', '00/05/00', '00/10/00', '00/15/00'].map((t) => `mrm-local/events/${p}/2024/01/15/${t}.avro`),
      ),
    );
    expect(summary).toContain('Captured 120 events of hub events into 8 Capture files');
    const first = await decode(await readFile(join(a.out, names[0]!)));
    expect(first.schema).toEqual(captureWriterSchema('classic'));
    expect(first.codec).toBe('null');
    // Partition 0 gets rows 0, 2, 4, … ten seconds apart each; sequence numbers count from 0 per partition.
    expect(first.records.map((r) => r.SequenceNumber)).toEqual([...Array(15).keys()]);
    expect(first.records.map((r) => parseEnqueuedTimeUtc(r.EnqueuedTimeUtc))).toEqual(
      [...Array(15).keys()].map((i) => START + i * 20_000),
    );
    const body = JSON.parse(first.records[0]!.Body!);
    expect(body).toEqual({
      id: 't0',
      features: expect.objectContaining({ merchant_category: expect.any(String), amount: expect.any(Number) }),
      label: expect.any(Number),
    });
    expect(Object.keys(body.features)).not.toContain('id');
    expect(Object.keys(body.features)).not.toContain('label');
  });

  it('takes times from a column (unsorted rows are put in time order), the scored hub name, a namespace and deflate', async () => {
    const jsonl = join(dir, 'scored.jsonl');
    const lines = [
      { id: 'b', at: '2024-01-16T10:07:00Z', prediction: { class: 'fraud' } },
      { id: 'a', at: '2024-01-16 10:01:00', prediction: { class: 'ok' } },
      { id: 'c', at: String(Date.UTC(2024, 0, 16, 10, 2) / 1000), prediction: { class: 'ok' } },
    ];
    await writeFile(jsonl, lines.map((l) => JSON.stringify(l)).join('\n'));
    const a: CaptureArguments = {
      input: jsonl,
      out: join(dir, 'scored-out'),
      hub: 'scored',
      partitions: 1,
      timeColumn: 'at',
      namespace: 'ehns-prod',
      codec: 'deflate',
    };
    await runCapture(a, {}, atNow);
    const names = await filesUnder(a.out);
    expect(names).toEqual([
      'ehns-prod/scored/0/2024/01/16/10/00/00.avro',
      'ehns-prod/scored/0/2024/01/16/10/05/00.avro',
    ]);
    const early = await decode(await readFile(join(a.out, names[0]!)));
    expect(early.codec).toBe('deflate');
    // Scored records are captured as they are, in time order.
    expect(early.records.map((r) => JSON.parse(r.Body!).id)).toEqual(['a', 'c']);
    expect(early.records.map((r) => r.Body)).toEqual([JSON.stringify(lines[1]), JSON.stringify(lines[2])]);
  });

  it('uploads to a container URL with a SAS, where `mrm drift` reads the same report as from the folder', async () => {
    const container = await freshContainer('capture-sas');
    await container.createIfNotExists();
    const sas = await container.generateSasUrl({
      permissions: ContainerSASPermissions.parse('rwcl'),
      expiresOn: new Date(Date.now() + 3_600_000),
    });
    const folder = args({});
    await runCapture(folder, {}, atNow);
    expect(await runCapture({ ...folder, out: sas }, {}, atNow)).toContain(`container ${container.containerName}`);
    const blobs: string[] = [];
    for await (const b of container.listBlobsFlat()) blobs.push(b.name);
    expect(blobs.sort()).toEqual(await filesUnder(folder.out));

    const baselinePath = join(dir, 'baseline.json');
    await writeFile(baselinePath, JSON.stringify(transactionBaseline()));
    const drift = (capture: string) =>
      runDrift({ baseline: baselinePath, capture, from: '2024-01-15' }, {}, silent, atNow);
    const fromFolder = await drift(folder.out);
    const fromContainer = await drift(sas);
    expect(fromFolder.report.eventsProfiled).toBe(120);
    expect(fromContainer.report.features).toEqual(fromFolder.report.features);
  });

  it('spreads rows over the previous ISO week when neither --start nor --time-column is given', async () => {
    const a = args({ start: undefined, rate: undefined, partitions: 1 });
    await runCapture(a, {}, atNow);
    const names = await filesUnder(a.out);
    expect(names[0]).toBe('mrm-local/events/0/2024/01/15/00/00/00.avro');
    expect(names.at(-1)!.startsWith('mrm-local/events/0/2024/01/21/')).toBe(true);
  });

  describe('refuses, naming what to fix', () => {
    it('a time column together with --start', async () => {
      await expect(runCapture(args({ timeColumn: 'id' }), {}, atNow)).rejects.toThrow(
        '--time-column takes each row’s time from the data: leave out --start and --rate',
      );
    });
    it('a time that is not a time, with its line', async () => {
      const file = join(dir, 'bad-time.csv');
      // Line 3 is too wide and skipped: the bad time is on line 5 of the file, as an editor counts.
      await writeFile(
        file,
        'at,x\n2024-01-15T00:00:00Z,1\n2024-01-15T00:01:00Z,1,extra\n2024-01-15T00:02:00Z,2\nyesterday,2\n',
      );
      await expect(runCapture({ input: file, out: join(dir, 'x'), timeColumn: 'at' }, {}, atNow)).rejects.toThrow(
        'line 5: --time-column at is "yesterday"',
      );
    });
    it('a time on no calendar (Date.parse would roll 2024-02-30 over to March 1st), with its line', async () => {
      const file = join(dir, 'no-such-day.csv');
      await writeFile(file, 'at,x\n2024-02-28 23:00,1\n2024-02-30 01:00,2\n');
      await expect(runCapture({ input: file, out: join(dir, 'x'), timeColumn: 'at' }, {}, atNow)).rejects.toThrow(
        'line 3: --time-column at is "2024-02-30 01:00"',
      );
    });
    it('a time column no row has', async () => {
      const file = join(dir, 'no-time.jsonl');
      await writeFile(file, '{"x":1}\n{"x":2}\n');
      await expect(runCapture({ input: file, out: join(dir, 'x'), timeColumn: 'ts' }, {}, atNow)).rejects.toThrow(
        '--time-column names "ts", which no row of',
      );
    });
    it('a CSV for the scored hub', async () => {
      await expect(runCapture(args({ hub: 'scored' }), {}, atNow)).rejects.toThrow(
        '--hub scored takes scored records as JSONL',
      );
    });
    it('an empty file', async () => {
      const file = join(dir, 'empty.jsonl');
      await writeFile(file, '\n');
      await expect(runCapture({ input: file, out: join(dir, 'x') }, {}, atNow)).rejects.toThrow(
        'holds no rows to capture',
      );
    });
    it('a missing file', async () => {
      await expect(runCapture({ input: join(dir, 'nope.csv'), out: join(dir, 'x') }, {}, atNow)).rejects.toThrow(
        /Cannot read .*nope\.csv/,
      );
    });
    it('an --id column the data does not have', async () => {
      await expect(runCapture(args({ id: 'nosuch' }), {}, atNow)).rejects.toThrow(
        '--id names "nosuch", which is not a column of the data',
      );
    });
    it('a numeric column with a stray text value, naming its line; --coerce-numeric reads it as missing', async () => {
      const file = join(dir, 'stray.csv');
      await writeFile(file, 'amount,channel\n1.5,web\n2.5,pos\nabc,web\n' + '3,pos\n'.repeat(20));
      await expect(runCapture({ input: file, out: join(dir, 'x') }, {}, atNow)).rejects.toThrow(
        'Column "amount" is numeric but line 4 has "abc": fix the data, pass --coerce-numeric',
      );
      const out = join(dir, 'coerced');
      const summary = await runCapture(
        { input: file, out, coerceNumeric: true, partitions: 1, start: '2024-01-15', rate: 1 },
        {},
        atNow,
      );
      expect(summary).toContain('Warning: Column "amount": 1 text value read as missing (first: line 4 has "abc")');
      const [name] = await filesUnder(out);
      const bodies = (await decode(await readFile(join(out, name!)))).records.map((r) => JSON.parse(r.Body!));
      expect(bodies[2].features).toEqual({ amount: null, channel: 'web' });
    });
    it('lines that are not JSON objects are captured as sent, with a warning', async () => {
      const file = join(dir, 'mixed.jsonl');
      await writeFile(file, '{"x":1}\nnot json\n[1]\n');
      const out = join(dir, 'mixed');
      const summary = await runCapture({ input: file, out, partitions: 1, start: '2024-01-15', rate: 1 }, {}, atNow);
      expect(summary).toContain('2 lines are not a JSON object (first: line 2)');
      const [name] = await filesUnder(out);
      expect((await decode(await readFile(join(out, name!)))).records.map((r) => r.Body)).toEqual([
        JSON.stringify({ id: 'line-1', features: { x: 1 } }),
        'not json',
        '[1]',
      ]);
    });
  });
});

describe('mrm drift --input', () => {
  let dir: string;
  let baselinePath: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mrm-drift-input-'));
    baselinePath = join(dir, 'baseline.json');
    await writeFile(baselinePath, JSON.stringify(transactionBaseline()));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads rows directly and reports the same as `mrm capture` then `mrm drift --capture`, over the rows’ own days', async () => {
    const csv = join(dir, 'week.csv');
    await writeFile(csv, new TransactionGenerator(5).csv(400, { drift: 0.8 }));
    const input = { id: 'id', label: 'label', categorical: CATEGORICAL, start: '2024-01-15T00:00:00Z', rate: 0.01 };
    const direct = await runDrift({ baseline: baselinePath, input: csv, ...input }, {}, silent, atNow);
    const out = join(dir, 'capture');
    await runCapture({ input: csv, out, ...input }, {}, atNow);
    const viaCapture = await runDrift({ baseline: baselinePath, capture: out, from: '2024-01-15' }, {}, silent, atNow);
    // 400 rows at 0.01/s span 39,900 s: the window is the first day alone.
    expect(direct.report.window).toEqual({ from: '2024-01-15T00:00:00.000Z', to: '2024-01-16T00:00:00.000Z' });
    expect(direct.report.eventsProfiled).toBe(400);
    expect(direct.report.features).toEqual(viaCapture.report.features);
    expect(direct.report.drift.drifted).toBe(true);
  });

  it('needs exactly one of --capture and --input', async () => {
    await expect(runDrift({ baseline: baselinePath }, {}, silent, atNow)).rejects.toThrow(
      'mrm drift needs --capture <Capture files> or --input <rows.csv|rows.jsonl>',
    );
    await expect(
      runDrift({ baseline: baselinePath, capture: dir, input: join(dir, 'week.csv') }, {}, silent, atNow),
    ).rejects.toThrow('mrm drift reads --capture or --input, not both');
  });
});
