import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../shared/contracts/clock.js';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ContainerSASPermissions } from '@azure/storage-blob';
import {
  EXIT_DRIFT,
  EXIT_INSUFFICIENT_DATA,
  runDrift,
  windowFromArguments,
  type DriftArguments,
} from '../../cli/commands/drift.js';
import { transactionBaseline } from '../helpers/baselineFixture.js';
import { azuriteConnectionString, freshContainer } from '../helpers/storage.js';
import {
  badBodyRecords,
  captureName,
  encodeCaptureFile,
  eventRecords,
  scoredRecords,
} from '../shared/drift/run/fixtures/captureFixtures.js';

const WEEK_START = Date.UTC(2024, 0, 15);
const NOW = Date.UTC(2024, 0, 24, 12);
const atNow: Clock = { nowInMs: () => NOW };

/** Six files over two partitions, one with bad bodies, one truncated, a scored file, and one of the next week. */
function files(drift: number): Array<[string, Buffer]> {
  const out: Array<[string, Buffer]> = [];
  for (let i = 0; i < 6; i++) {
    const start = WEEK_START + i * 26 * 3_600_000;
    out.push([
      captureName('ns', 'events', i % 2, start),
      encodeCaptureFile(eventRecords(250, { seed: 40 + i, drift, startInMs: start }), {
        codec: i % 2 ? 'deflate' : 'null',
      }),
    ]);
  }
  out.push([
    captureName('ns', 'events', 0, WEEK_START + 6 * 86_400_000),
    encodeCaptureFile(badBodyRecords(WEEK_START + 6 * 86_400_000)),
  ]);
  const cut = encodeCaptureFile(eventRecords(100, { seed: 60, startInMs: WEEK_START + 86_400_000 }), {
    recordsPerBlock: 10,
  });
  out.push([captureName('ns', 'events', 1, WEEK_START + 86_400_000 + 600_000), cut.subarray(0, cut.length - 100)]);
  out.push([
    captureName('ns', 'scored', 0, WEEK_START + 2 * 86_400_000),
    encodeCaptureFile(scoredRecords(600, { seed: 61, startInMs: WEEK_START + 2 * 86_400_000, accuracy: 1 })),
  ]);
  out.push([
    captureName('ns', 'events', 0, WEEK_START + 7 * 86_400_000),
    encodeCaptureFile(eventRecords(999, { seed: 62, startInMs: WEEK_START + 7 * 86_400_000 })),
  ]);
  return out;
}

const silent = { isTTY: false, write: () => true };

describe('mrm drift', () => {
  let dir: string;
  let captureDir: string;
  let baselinePath: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mrm-drift-cli-'));
    captureDir = join(dir, 'capture');
    for (const [name, bytes] of files(0)) {
      await mkdir(dirname(join(captureDir, name)), { recursive: true });
      await writeFile(join(captureDir, name), bytes);
    }
    baselinePath = join(dir, 'profile.json');
    await writeFile(baselinePath, JSON.stringify(transactionBaseline()));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const args = (extra: Partial<DriftArguments>): DriftArguments => ({
    baseline: baselinePath,
    capture: captureDir,
    ...extra,
  });

  it('reports the previous ISO week of a local Capture folder, printing the report JSON', async () => {
    const result = await runDrift(args({}), {}, silent, atNow);
    const printed = JSON.parse(result.stdout);
    expect(printed).toEqual(JSON.parse(JSON.stringify(result.report)));
    expect(result.report.window).toEqual({ from: '2024-01-15T00:00:00.000Z', to: '2024-01-22T00:00:00.000Z' });
    expect(result.report.eventsProfiled).toBe(1500);
    expect(result.report.events).toBe(1505);
    expect(result.report.blobs.read).toBe(8);
    expect(result.report.blobs.skipped).toEqual([
      { name: 'ns/events/1/2024/01/16/00/10/00.avro', reason: 'CAPTURE.TRUNCATED' },
    ]);
    expect(result.report.performance).toMatchObject({ labelled: 600 });
    expect(result.report.drift.drifted).toBe(false);
    expect(result.exitCode).toBe(0);
  });

  it('writes --out and --html and prints a summary; --from/--to choose the window; --hub reads one hub', async () => {
    const out = join(dir, 'report.json');
    const html = join(dir, 'report.html');
    const result = await runDrift(
      args({ out, html, hub: 'events', from: '2024-01-15', to: '2024-01-17T00:00:00Z' }),
      {},
      silent,
      atNow,
    );
    expect(result.stdout).toMatch(
      /^Drift 2024-W03 \(2024-01-15T00:00:00.000Z to 2024-01-17T00:00:00.000Z\): 500 events, 500 profiled, 2 blobs read, 1 skipped\n/,
    );
    expect(result.stdout).toContain(`Report written to ${out} and ${html}`);
    expect(result.stdout).toContain('Skipped ns/events/1/2024/01/16/00/10/00.avro: CAPTURE.TRUNCATED');
    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual(JSON.parse(JSON.stringify(result.report)));
    expect(await readFile(html, 'utf8')).toBe(result.html);
    expect(result.report.performance).toMatchObject({ labelled: 0, judged: false });
    expect(result.report.capture.hubs.scored).toBeUndefined();
  });

  it('reads Capture from a container by connection string and by SAS URL, with the same report', async () => {
    const container = await freshContainer('capture');
    for (const [name, bytes] of files(0)) await container.getBlockBlobClient(name).uploadData(bytes);
    const local = await runDrift(args({}), {}, silent, atNow);
    const byConnection = await runDrift(
      args({ capture: azuriteConnectionString(), container: container.containerName }),
      {},
      silent,
      atNow,
    );
    const sas = await container.generateSasUrl({
      permissions: ContainerSASPermissions.parse('rl'),
      expiresOn: new Date(Date.now() + 3_600_000),
    });
    const bySas = await runDrift(args({ capture: sas }), {}, silent, atNow);
    const comparable = (r: typeof local.report) => ({
      ...r.drift,
      events: r.events,
      skipped: r.blobs.skipped,
      features: r.features,
    });
    expect(comparable(byConnection.report)).toEqual(comparable(local.report));
    expect(comparable(bySas.report)).toEqual(comparable(local.report));
  });

  it('exits 3 with --fail-on-drift when the traffic drifted', async () => {
    const drifted = join(dir, 'drifted');
    for (const [name, bytes] of files(1)) {
      await mkdir(dirname(join(drifted, name)), { recursive: true });
      await writeFile(join(drifted, name), bytes);
    }
    const result = await runDrift(
      args({ capture: drifted, failOnDrift: true, out: join(dir, 'drifted.json') }),
      {},
      silent,
      atNow,
    );
    expect(result.report.drift.drifted).toBe(true);
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toContain(
      'Dataset drift: yes (5 of 9 features drifted: amount, hour, tx_count_24h, merchant_category, channel; drifted share 0.56 ≥ 0.50). Retraining recommended: drifted share 0.56 > 0.30.',
    );
  });

  it('a window with no Capture files is insufficient data: a distinct exit code, the files outside it named', async () => {
    const notes: string[] = [];
    const terminal = { isTTY: false, write: (text: string) => notes.push(text) };
    const result = await runDrift(
      args({ from: '2024-03-04', failOnDrift: true, out: join(dir, 'empty.json') }),
      {},
      terminal,
      atNow,
    );
    expect(result.report).toMatchObject({ status: 'insufficient-data', events: 0 });
    expect(result.report.drift.drifted).toBe(false);
    expect(result.exitCode).toBe(EXIT_INSUFFICIENT_DATA);
    expect(EXIT_INSUFFICIENT_DATA).not.toBe(EXIT_DRIFT);
    expect(result.stdout).toMatch(
      /^Dataset drift: INSUFFICIENT DATA \(insufficient data for 2024-W10: no Capture blobs/m,
    );
    expect(result.stdout).toContain(
      '10 Capture files outside 2024-W10 (2024-01-15T00:00:00.000Z to 2024-01-22T00:00:00.000Z',
    );
    expect(result.stdout).toContain('use --from/--to');
    expect(notes.join('')).toContain('10 Capture files outside 2024-W10');
    expect(JSON.parse(await readFile(join(dir, 'empty.json'), 'utf8')).status).toBe('insufficient-data');
    // Without --fail-on-drift the command succeeds and says the same.
    const plain = await runDrift(args({ from: '2024-03-04', out: join(dir, 'empty2.json') }), {}, silent, atNow);
    expect(plain.exitCode).toBe(0);
    expect(plain.stdout).toContain('INSUFFICIENT DATA');
  });

  it('re-uses per-blob profiles from --cache on a second run', async () => {
    const cache = join(dir, 'cache');
    await runDrift(args({ cache }), {}, silent, atNow);
    const again = await runDrift(args({ cache }), {}, silent, atNow);
    expect(again.report.capture.hubs.events?.fromCache).toBe(8);
    expect(again.report.capture.hubs.scored?.fromCache).toBe(1);
  });

  it('draws a progress bar on a terminal only', async () => {
    let drawn = '';
    await runDrift(
      args({ out: join(dir, 'tty.json') }),
      {},
      { isTTY: true, write: (t: string) => ((drawn += t), true) },
      atNow,
    );
    expect(drawn).toContain('drift [');
    expect(drawn).toContain('9/9 blobs');
    let piped = '';
    await runDrift(
      args({ out: join(dir, 'pipe.json') }),
      {},
      { isTTY: false, write: (t: string) => ((piped += t), true) },
      atNow,
    );
    expect(piped).toBe('');
  });

  it('names what is wrong with its arguments', async () => {
    await expect(runDrift(args({ capture: join(dir, 'nowhere') }), {}, silent, atNow)).rejects.toMatchObject({
      code: 'CLI.ARGUMENT',
      message: expect.stringContaining('neither a folder'),
    });
    await expect(runDrift(args({ baseline: join(dir, 'missing.json') }), {}, silent, atNow)).rejects.toMatchObject({
      code: 'PROFILE.INVALID',
    });
    await expect(
      runDrift(args({ capture: 'AccountName=x;AccountKey=not-base64!;' }), {}, silent, atNow),
    ).rejects.toMatchObject({ code: 'CLI.ARGUMENT' });
    await expect(runDrift(args({ nameFormat: '{Namespace}/{EventHub}' }), {}, silent, atNow)).rejects.toMatchObject({
      code: 'CAPTURE.BAD_NAME_FORMAT',
    });
  });
});

describe('windowFromArguments', () => {
  it('defaults to the previous ISO week and completes a lone bound to a week', () => {
    expect(windowFromArguments({}, NOW)).toMatchObject({
      fromInMs: WEEK_START,
      toInMs: WEEK_START + 7 * 86_400_000,
      label: '2024-W03',
    });
    expect(windowFromArguments({ from: '2024-01-15' }, NOW)).toMatchObject({
      fromInMs: WEEK_START,
      toInMs: WEEK_START + 7 * 86_400_000,
    });
    expect(windowFromArguments({ to: '2024-01-22T00:00:00Z' }, NOW)).toMatchObject({
      fromInMs: WEEK_START,
      toInMs: WEEK_START + 7 * 86_400_000,
    });
    expect(windowFromArguments({ from: '2024-01-15T02:00:00+02:00', to: '2024-01-16' }, NOW)).toMatchObject({
      fromInMs: WEEK_START,
      toInMs: WEEK_START + 86_400_000,
    });
  });

  it.each([
    [{ from: '15/01/2024' }, '--from must be an ISO date'],
    [{ from: '2024-01-15T00:00:00' }, '--from must be an ISO date'],
    // Date.parse would roll it over to March 1st.
    [{ from: '2024-02-30' }, '--from must be an ISO date'],
    [{ from: '2024-01-16', to: '2024-01-15' }, 'must be before --to'],
  ])('refuses %j', (input, message) => {
    expect(() => windowFromArguments(input, NOW)).toThrow(message);
  });
});
