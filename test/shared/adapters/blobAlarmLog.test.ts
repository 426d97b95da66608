import { describe, expect, it } from 'vitest';
import { BlobAlarmLog } from '../../../shared/adapters/blobAlarmLog.js';
import { alarmBlobName, type StoredAlarm } from '../../../shared/stream/alarmLog.js';
import { blobService, freshContainer, uniqueContainerName } from '../../helpers/storage.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 16);

function alarm(partition: string, atInMs: number, enqueued: boolean): StoredAlarm {
  return {
    detector: 'score',
    direction: 'down',
    partition,
    statistic: 300,
    threshold: 289,
    window: { events: 250, hits: 160, rate: 0.64, baseRate: 0.4 },
    firstEventId: 'e1',
    lastEventId: 'e250',
    enqueuedTime: enqueued ? new Date(atInMs).toISOString() : null,
    atEvent: 1000,
    raisedAt: new Date(atInMs + 2000).toISOString(),
  };
}

describe('BlobAlarmLog', () => {
  it('appends each batch’s pages to one blob per partition and day, and reads a window back in time order', async () => {
    const container = await freshContainer('alarm-log');
    const log = new BlobAlarmLog(container);
    await log.append('0', [alarm('0', T0 + 3 * DAY, true)]);
    await log.append('0', [alarm('0', T0 + DAY, true), alarm('0', T0 + DAY + 5, false)]);
    await log.append('a/b', [alarm('a/b', T0 + 2 * DAY, true)]);
    await log.append('0', [alarm('0', T0 + 9 * DAY, true)]);
    await log.append('0', []);
    const names: string[] = [];
    for await (const item of container.listBlobsFlat()) names.push(item.name);
    expect(names.sort()).toEqual(
      [
        alarmBlobName('0', new Date(T0 + DAY).toISOString()),
        alarmBlobName('a/b', new Date(T0 + 2 * DAY).toISOString()),
        alarmBlobName('0', new Date(T0 + 3 * DAY).toISOString()),
        alarmBlobName('0', new Date(T0 + 9 * DAY).toISOString()),
      ].sort(),
    );
    expect(names).toContain('alarms/2026-11-17/0.jsonl');
    const week = await log.between(T0, T0 + 7 * DAY, 100);
    expect(week.total).toBe(4);
    // Without an enqueued time an alarm counts at the time it was raised (2 s later).
    expect(week.alarms.map((a) => [a.partition, a.raisedAt])).toEqual([
      ['0', new Date(T0 + DAY + 2000).toISOString()],
      ['0', new Date(T0 + DAY + 5 + 2000).toISOString()],
      ['a/b', new Date(T0 + 2 * DAY + 2000).toISOString()],
      ['0', new Date(T0 + 3 * DAY + 2000).toISOString()],
    ]);
    expect((await log.between(T0, T0 + 7 * DAY, 2)).alarms).toHaveLength(2);
  });

  it('skips a line that is not an alarm, and reads an absent container as no alarm at all', async () => {
    const container = await freshContainer('alarm-log-bad');
    const log = new BlobAlarmLog(container);
    await log.append('1', [alarm('1', T0 + DAY, true)]);
    const blob = container.getAppendBlobClient(alarmBlobName('1', new Date(T0 + DAY).toISOString()));
    await blob.appendBlock('{"detector":"score","partit', 27);
    await blob.appendBlock('\n[1,2]\n', 7);
    await log.append('1', [alarm('1', T0 + DAY + 10, true)]);
    expect((await log.between(T0, T0 + 2 * DAY, 10)).total).toBe(2);
    const absent = new BlobAlarmLog(blobService().getContainerClient(uniqueContainerName('never-made')));
    expect(await absent.between(T0, T0 + DAY, 10)).toEqual({ alarms: [], total: 0 });
  });
});
