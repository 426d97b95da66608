import { CaptureFileWriter } from '../../shared/capture/captureFileWriter.js';
import { renderPrefix, type CaptureNameFormat } from '../../shared/capture/captureNameFormat.js';
import type { CaptureEventData } from '../../shared/capture/captureSchema.js';

/** One closed Capture file: its blob name in the real layout and its Avro bytes. */
export interface CaptureFile {
  name: string;
  eventHub: string;
  partitionId: string;
  windowStartInMs: number;
  records: number;
  bytes: Buffer;
}

export interface CaptureArchiverOptions {
  namespace: string;
  eventHub: string;
  format: CaptureNameFormat;
  /** Capture's time window (`intervalInSeconds` × 1000). */
  intervalInMs: number;
  codec?: 'null' | 'deflate';
  /** 16 bytes; random by default, as Capture's. Fixed for files that must stay byte-identical (examples/). */
  syncMarker?: Buffer;
}

const RECORDS_PER_BLOCK = 1000;

interface OpenWindow {
  startInMs: number;
  records: CaptureEventData[];
}

/**
 * What Event Hubs Capture does for one hub, for the demo (the emulator has no Capture): per partition, records
 * collect in a time window; when a record of a later window arrives, the window's file is closed and named from
 * the archive name format with the window's start. Empty windows write nothing (`skipEmptyArchives`, as infra sets).
 */
export class CaptureArchiver {
  private readonly open = new Map<string, OpenWindow>();
  // One writer for every file: compiling the Avro schema per file costs more than encoding a small file.
  private readonly writer: CaptureFileWriter;

  constructor(private readonly options: CaptureArchiverOptions) {
    this.writer = new CaptureFileWriter({
      codec: options.codec ?? 'null',
      ...(options.syncMarker ? { syncMarker: options.syncMarker } : {}),
    });
  }

  /** Adds a record (in enqueued-time order per partition); answers the file it closed, if any. */
  add(partitionId: string, record: CaptureEventData, enqueuedTimeInMs: number): CaptureFile | undefined {
    const startInMs = Math.floor(enqueuedTimeInMs / this.options.intervalInMs) * this.options.intervalInMs;
    const window = this.open.get(partitionId);
    if (window && window.startInMs === startInMs) {
      window.records.push(record);
      return undefined;
    }
    this.open.set(partitionId, { startInMs, records: [record] });
    return window ? this.close(partitionId, window) : undefined;
  }

  /** Closes every open window (the end of the run). */
  flush(): CaptureFile[] {
    const files = [...this.open.entries()].map(([partitionId, window]) => this.close(partitionId, window));
    this.open.clear();
    return files;
  }

  /** The blob name Capture gives a partition's file of the window starting at `startInMs`. */
  blobName(partitionId: string, startInMs: number): string {
    const d = new Date(startInMs);
    const two = (n: number): string => String(n).padStart(2, '0');
    const { prefix, next } = renderPrefix(this.options.format, {
      Namespace: this.options.namespace,
      EventHub: this.options.eventHub,
      PartitionId: partitionId,
      Year: String(d.getUTCFullYear()),
      Month: two(d.getUTCMonth() + 1),
      Day: two(d.getUTCDate()),
      Hour: two(d.getUTCHours()),
      Minute: two(d.getUTCMinutes()),
      Second: two(d.getUTCSeconds()),
    });
    if (next !== null) throw new Error(`Capture name format left {${next}} unfilled`);
    return `${prefix}.avro`;
  }

  private close(partitionId: string, window: OpenWindow): CaptureFile {
    return {
      name: this.blobName(partitionId, window.startInMs),
      eventHub: this.options.eventHub,
      partitionId,
      windowStartInMs: window.startInMs,
      records: window.records.length,
      bytes: this.encode(window.records),
    };
  }

  private encode(records: readonly CaptureEventData[]): Buffer {
    const parts = [this.writer.header()];
    for (let start = 0; start < records.length; start += RECORDS_PER_BLOCK)
      parts.push(this.writer.block(records.slice(start, start + RECORDS_PER_BLOCK)));
    return Buffer.concat(parts);
  }
}
