import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ContainerClient } from '@azure/storage-blob';
import { DefaultAzureCredential } from '@azure/identity';
import { captureEvent } from '../../shared/capture/captureFileWriter.js';
import type { CaptureNameFormat } from '../../shared/capture/captureNameFormat.js';
import { CaptureArchiver, type CaptureFile } from '../demo/captureArchiver.js';
import { uploadCreatingContainer } from '../../shared/adapters/uploadCreatingContainer.js';
import type { InputEvents } from './inputEvents.js';

export interface CaptureLayout {
  namespace: string;
  eventHub: string;
  format: CaptureNameFormat;
  partitions: number;
  intervalInMs: number;
  codec: 'null' | 'deflate';
  syncMarker?: Buffer;
}

/**
 * The Capture files Event Hubs would have written for these events: round-robin over the partitions (what a sender
 * without a partition key gets), per partition sequence numbers and offsets, one file per partition and window.
 */
export function captureFilesOf(events: InputEvents, layout: CaptureLayout): CaptureFile[] {
  const archiver = new CaptureArchiver({
    namespace: layout.namespace,
    eventHub: layout.eventHub,
    format: layout.format,
    intervalInMs: layout.intervalInMs,
    codec: layout.codec,
    ...(layout.syncMarker ? { syncMarker: layout.syncMarker } : {}),
  });
  const files: CaptureFile[] = [];
  const sequence = new Array<number>(layout.partitions).fill(0);
  const offset = new Array<number>(layout.partitions).fill(0);
  for (let i = 0; i < events.bodies.length; i++) {
    const partition = i % layout.partitions;
    const body = Buffer.from(events.bodies[i]!);
    const enqueuedTimeInMs = events.timesInMs[i]!;
    const record = captureEvent({
      sequenceNumber: sequence[partition]!++,
      offset: String(offset[partition]),
      enqueuedTimeInMs,
      body,
    });
    offset[partition]! += body.length;
    const closed = archiver.add(String(partition), record, enqueuedTimeInMs);
    if (closed) files.push(closed);
  }
  files.push(...archiver.flush());
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Writes the files under a folder (the container's layout) or uploads them to a container URL (SAS, or Entra). */
export async function writeCaptureFiles(files: readonly CaptureFile[], out: string): Promise<string> {
  if (/^https?:\/\//i.test(out)) {
    const container = /[?&]sig=/.test(out)
      ? new ContainerClient(out)
      : new ContainerClient(out, new DefaultAzureCredential());
    for (const file of files) await uploadCreatingContainer(container, file.name, file.bytes, 'avro/binary');
    return `container ${container.containerName}`;
  }
  for (const file of files) {
    const path = join(out, ...file.name.split('/'));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.bytes);
  }
  return `folder ${out}`;
}
