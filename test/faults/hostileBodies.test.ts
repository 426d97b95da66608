import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScore } from '../../cli/commands/score.js';
import { decodeBody, type StoredDeadLetter } from '../../shared/scoring/deadLetter.js';
import { MAX_DEAD_LETTER_PART_BYTES } from '../../shared/scoring/deadLetterSink.js';
import { transactionBaseline } from '../helpers/baselineFixture.js';
import { azuriteConnectionString, blobService, uniqueContainerName } from '../helpers/storage.js';
import { runTypeScriptChild } from '../helpers/typescriptChild.js';
import { HOSTILE_BODY_BYTES, hostileBody } from './hostileBodies.js';

// Fault suite, item 1: 200 events of 1 MB (two batches of host.json's 100), hostile to JSON escaping, through the
// real handler in a process of its own per batch. Before: the handler threw `RangeError: Invalid string length` on the first
// batch (every dead letter kept the body escaped six-fold and the batch was joined into one string); 80 such events
// peaked at 1.2-1.7 GB.
const FLEX_INSTANCE_BYTES = 512 * 1024 * 1024;

describe('scoreEvents under 100 × 1 MB hostile bodies per batch', () => {
  const containerName = uniqueContainerName('deadletters');
  const runs: Array<{ scored: number[]; blobs: number; maxRssInBytes: number }> = [];
  const run = { scored: [] as number[], blobs: 0 };
  let stored: Array<{ name: string; bytes: Buffer }>;
  let letters: StoredDeadLetter[];

  beforeAll(async () => {
    for (const batch of [0, 1]) {
      const child = await runTypeScriptChild('test/faults/children/scoreHostileBatches.ts', {
        AzureWebJobsStorage: azuriteConnectionString(),
        MRM_DEAD_LETTER_CONTAINER: containerName,
        HOSTILE_BATCH: String(batch),
      });
      expect(child.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('WARNING:'))).toEqual([]);
      expect(child.code).toBe(0);
      runs.push(JSON.parse(child.stdout.trim().split('\n').at(-1)!) as (typeof runs)[number]);
    }
    run.scored = runs.flatMap((r) => r.scored);
    run.blobs = runs.reduce((n, r) => n + r.blobs, 0);
    const container = blobService().getContainerClient(containerName);
    stored = [];
    for await (const blob of container.listBlobsFlat())
      stored.push({ name: blob.name, bytes: await container.getBlobClient(blob.name).downloadToBuffer() });
    letters = stored.flatMap((b) =>
      b.bytes
        .toString('utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as StoredDeadLetter),
    );
  }, 180_000);

  it('conserves every event: events in = scored + dead letters, each event exactly once', () => {
    // Under the raised limit the oversized but valid events (every sixth) are scored, as are the four good ones.
    const valid = Array.from({ length: 96 }, (_, i) => 100 + i).filter((i) => i % 6 === 4);
    expect(run.scored).toEqual([...valid, 196, 197, 198, 199]);
    const sequences = letters.map((l) => l.metadata.sequenceNumber!).sort((a, b) => a - b);
    const all = Array.from({ length: 200 }, (_, i) => i);
    expect(sequences).toEqual(all.filter((i) => !run.scored.includes(i)));
    expect(run.scored.length + letters.length).toBe(200);
  });

  it('keeps every byte of every original body, read back from storage', () => {
    for (const letter of letters) {
      const original = hostileBody(letter.metadata.sequenceNumber!);
      const kept = decodeBody(letter);
      expect(Buffer.isBuffer(kept) ? kept.equals(original) : kept === original.toString('utf8')).toBe(true);
    }
    const reasons = new Set(letters.map((l) => l.reason));
    expect([...reasons].sort()).toEqual(['EVENT.NOT_JSON', 'EVENT.NOT_UTF8', 'EVENT.TOO_LARGE']);
  });

  it('stores no body escaped: control characters and non-UTF-8 as base64, plain text as text', () => {
    const encodings: Record<number, string[]> = {};
    for (const letter of letters) {
      const seen = (encodings[letter.metadata.sequenceNumber! % 6] ??= []);
      if (!seen.includes(letter.bodyEncoding)) seen.push(letter.bodyEncoding);
    }
    expect(encodings).toEqual({
      0: ['base64'],
      1: ['base64'],
      2: ['text'],
      3: ['base64'],
      4: ['text'],
      5: ['base64'],
    });
    const bodyBytes = letters.length * HOSTILE_BODY_BYTES;
    const storedBytes = stored.reduce((n, b) => n + b.bytes.byteLength, 0);
    // Base64 adds a third; the two-fold text (quotes and backslashes) is a sixth of the bodies.
    expect(storedBytes / bodyBytes).toBeLessThan(1.6);
  });

  it('splits a batch over several blobs of at most MAX_DEAD_LETTER_PART_BYTES, named after the batch', () => {
    expect(run.blobs).toBe(stored.length);
    expect(stored.length).toBeGreaterThan(40);
    for (const blob of stored) {
      const lines = blob.bytes
        .toString('utf8')
        .split('\n')
        .filter((l) => l !== '');
      if (lines.length > 1) expect(blob.bytes.byteLength).toBeLessThanOrEqual(MAX_DEAD_LETTER_PART_BYTES);
      expect(blob.name).toMatch(/^2026\/11\/10\/12\/0-(0|100)-\d{3}\.jsonl$/);
    }
  });

  it('stays under 512 MB of resident memory (the Flex Consumption instance) for each batch', () => {
    const peaks = runs.map((r) => `${(r.maxRssInBytes / 2 ** 20).toFixed(0)} MiB`);
    console.log(`scoreEvents child, peak RSS per batch of 100 × 1 MB: ${peaks.join(', ')}`);
    for (const r of runs) expect(r.maxRssInBytes).toBeLessThan(FLEX_INSTANCE_BYTES);
  });

  describe('mrm score replays the stored dead letters', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'mrm-hostile-'));
    });
    afterAll(async () => rm(dir, { recursive: true, force: true }));

    it('with their original bodies: each gets the reason it had', async () => {
      const profile = join(dir, 'profile.json');
      await writeFile(profile, JSON.stringify(transactionBaseline()));
      // The second batch's letters, replayed under the limit they were judged with.
      const second = letters.filter((l) => l.metadata.sequenceNumber! >= 100);
      expect(second).toHaveLength(80);
      await writeFile(join(dir, 'dead.jsonl'), second.map((l) => JSON.stringify(l)).join('\n') + '\n');
      const totals = await runScore(
        { baseline: profile, input: join(dir, 'dead.jsonl'), out: join(dir, 'again.jsonl') },
        { MRM_MAX_BODY_BYTES: String(2 * 1024 * 1024) },
      );
      const reasonsBefore: Record<string, number> = {};
      for (const l of second) reasonsBefore[l.reason] = (reasonsBefore[l.reason] ?? 0) + 1;
      expect(totals).toMatchObject({ events: 80, replayed: 80, scored: 0, deadLetterReasons: reasonsBefore });
    });
  });
});
