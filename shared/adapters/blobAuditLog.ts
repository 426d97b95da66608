import type { ContainerClient } from '@azure/storage-blob';
import type { AuditEntry, AuditLog } from '../retraining/ports.js';
import { isStatus } from './blobStateStore.js';

/**
 * The audit log: one append blob per UTC day (`retrain/YYYY/MM/DD.jsonl`), one JSON line per decision. Appends are
 * atomic per block, so concurrent calls interleave whole lines. The blob (and container) is created on first use.
 */
export class BlobAuditLog implements AuditLog {
  private containerReady: Promise<unknown> | undefined;

  constructor(
    private readonly container: ContainerClient,
    private readonly prefix = 'retrain/',
  ) {}

  async append(entry: AuditEntry): Promise<void> {
    const day = entry.at.slice(0, 10).replace(/-/g, '/');
    const blob = this.container.getAppendBlobClient(`${this.prefix}${day}.jsonl`);
    const line = `${JSON.stringify(entry)}\n`;
    const length = Buffer.byteLength(line);
    try {
      await blob.appendBlock(line, length);
    } catch (error) {
      if (!isStatus(error, 404)) throw error;
      await this.ensureContainer();
      await blob.createIfNotExists({ blobHTTPHeaders: { blobContentType: 'application/x-ndjson' } });
      await blob.appendBlock(line, length);
    }
  }

  /** The entries of one day, oldest first (for tests and `mrm alert` users inspecting decisions). */
  async entriesOf(day: string): Promise<AuditEntry[]> {
    try {
      const buffer = await this.container
        .getAppendBlobClient(`${this.prefix}${day.replace(/-/g, '/')}.jsonl`)
        .downloadToBuffer();
      return buffer
        .toString('utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as AuditEntry);
    } catch (error) {
      if (isStatus(error, 404)) return [];
      throw error;
    }
  }

  private ensureContainer(): Promise<unknown> {
    this.containerReady ??= this.container.createIfNotExists().catch((error: unknown) => {
      this.containerReady = undefined;
      throw error;
    });
    return this.containerReady;
  }
}
