import { beforeAll, describe, expect, it } from 'vitest';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { BlobReportSink } from '../../../shared/adapters/blobReportSink.js';
import { previousIsoWeek, previousUtcDay } from '../../../shared/drift/run/driftWindow.js';
import { freshContainer } from '../../helpers/storage.js';

const WEEK = previousIsoWeek(Date.UTC(2024, 0, 22, 3));
let container: ContainerClient;
let sink: BlobReportSink;

beforeAll(async () => {
  container = await freshContainer('reports');
  sink = new BlobReportSink(container);
});

describe('BlobReportSink', () => {
  it("writes a window's report under its label and reads the JSON back for the trend", async () => {
    const where = await sink.write(WEEK, '{"kind":"mrm.driftReport","n":1}\n', '<html></html>');
    expect(where).toEqual({
      json: `${container.containerName}/2024-W03/report.json`,
      html: `${container.containerName}/2024-W03/report.html`,
    });
    expect(await sink.read('2024-W03')).toEqual({ ok: true, value: { kind: 'mrm.driftReport', n: 1 } });
    const day = previousUtcDay(Date.UTC(2024, 0, 22, 2));
    await sink.write(day, '{"day":true}', '');
    expect(await sink.read('2024-01-21')).toEqual({ ok: true, value: { day: true } });
  });

  it('reads a window that has no report as undefined', async () => {
    expect(await sink.read('2023-W01')).toEqual({ ok: true, value: undefined });
  });

  it('reads a report that is not JSON as a value naming the blob', async () => {
    await container.getBlockBlobClient('2024-W09/report.json').upload('{"cut', 5);
    expect(await sink.read('2024-W09')).toMatchObject({
      ok: false,
      error: { kind: 'bad-input', code: 'TREND.NOT_JSON', message: expect.stringContaining('2024-W09/report.json') },
    });
  });

  it('reads a store that does not answer as a transient value, not a throw', async () => {
    const nowhere = new BlobServiceClient('http://127.0.0.1:1/devstoreaccount1', undefined, {
      retryOptions: { maxTries: 1 },
    }).getContainerClient('reports');
    expect(await new BlobReportSink(nowhere).read('2024-W03')).toMatchObject({
      ok: false,
      error: { kind: 'transient', code: 'TREND.READ_FAILED' },
    });
  });
});
