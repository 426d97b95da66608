import type { ContainerClient } from '@azure/storage-blob';
import {
  ALARM_PREFIX,
  alarmBlobName,
  alarmDays,
  alarmTimeInMs,
  parseAlarmLines,
  type AlarmHistory,
  type AlarmLog,
  type StoredAlarm,
} from '../stream/alarmLog.js';
import { isStatus } from './blobStateStore.js';

/** The alarm log in blob storage: append blobs, one per partition per day, in the detectors' state container. */
export class BlobAlarmLog implements AlarmLog, AlarmHistory {
  private ready: Promise<unknown> | undefined;

  constructor(private readonly container: ContainerClient) {}

  get description(): string {
    return `blob container ${this.container.containerName}`;
  }

  async append(partition: string, alarms: readonly StoredAlarm[]): Promise<void> {
    if (alarms.length === 0) return;
    await this.ensureContainer();
    // Alarms of one batch share a raising day; a batch straddling midnight goes to the day it started.
    const blob = this.container.getAppendBlobClient(alarmBlobName(partition, alarms[0]!.raisedAt));
    await blob.createIfNotExists({ blobHTTPHeaders: { blobContentType: 'application/x-ndjson' } });
    const text = alarms.map((a) => `${JSON.stringify(a)}\n`).join('');
    await blob.appendBlock(text, Buffer.byteLength(text));
  }

  async between(fromInMs: number, toInMs: number, limit: number): Promise<{ alarms: StoredAlarm[]; total: number }> {
    const found: StoredAlarm[] = [];
    try {
      for (const day of alarmDays(fromInMs, toInMs)) {
        for await (const item of this.container.listBlobsFlat({ prefix: `${ALARM_PREFIX}${day}/` })) {
          const buffer = await this.container.getBlobClient(item.name).downloadToBuffer();
          for (const alarm of parseAlarmLines(buffer.toString('utf8'))) {
            const at = alarmTimeInMs(alarm);
            if (at >= fromInMs && at < toInMs) found.push(alarm);
          }
        }
      }
    } catch (error) {
      // No container yet: no detector has paged (or run) here.
      if (!isStatus(error, 404)) throw error;
    }
    found.sort((a, b) => alarmTimeInMs(a) - alarmTimeInMs(b));
    return { alarms: found.slice(0, limit), total: found.length };
  }

  private ensureContainer(): Promise<unknown> {
    this.ready ??= this.container.createIfNotExists().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }
}
