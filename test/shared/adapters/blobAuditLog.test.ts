import { describe, expect, it } from 'vitest';
import { BlobAuditLog } from '../../../shared/adapters/blobAuditLog.js';
import type { AuditEntry } from '../../../shared/retraining/ports.js';
import { blobService, uniqueContainerName } from '../../helpers/storage.js';

const entry = (at: string, i: number): AuditEntry => ({
  at,
  decision: 'duplicate',
  httpStatus: 200,
  source: 'alert',
  alertId: `/alerts/${i}`,
  rule: 'mrm-drift',
  claimKey: `alert-${i}`,
  model: 'default',
  magnitude: 0.4,
  jobName: 'job',
  dryRun: false,
  reason: `entry ${i} with "quotes" and a\nnewline`,
});

describe('BlobAuditLog on Azurite', () => {
  it('appends one JSON line per decision to a daily append blob, whole lines under concurrency', async () => {
    const container = blobService().getContainerClient(uniqueContainerName('audit'));
    const log = new BlobAuditLog(container);
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(entry('2026-03-02T10:00:00.000Z', i))));
    await log.append(entry('2026-03-03T00:00:01.000Z', 99));

    const day = await log.entriesOf('2026-03-02');
    expect(day).toHaveLength(50);
    expect(new Set(day.map((e) => e.alertId)).size).toBe(50);
    expect((await log.entriesOf('2026-03-03')).map((e) => e.alertId)).toEqual(['/alerts/99']);
    const properties = await container.getBlobClient('retrain/2026/03/02.jsonl').getProperties();
    expect(properties.blobType).toBe('AppendBlob');
    const text = (await container.getBlobClient('retrain/2026/03/02.jsonl').downloadToBuffer()).toString();
    expect(text.split('\n').filter(Boolean)).toHaveLength(50);
  });
});
