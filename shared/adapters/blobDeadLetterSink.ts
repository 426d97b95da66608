import { randomUUID } from 'node:crypto';
import type { ContainerClient } from '@azure/storage-blob';
import { MrmError, errorMessage, kindOf } from '../errors.js';
import type { DeadLetter } from '../scoring/deadLetter.js';
import { uploadCreatingContainer } from './uploadCreatingContainer.js';
import {
  MAX_DEAD_LETTER_PART_BYTES,
  deadLetterPartName,
  deadLetterParts,
  type DeadLetterBatch,
  type DeadLetterSink,
} from '../scoring/deadLetterSink.js';

/**
 * Dead letters as block blobs of JSON lines in the dead-letter container, one blob per part of a batch, written one
 * after the other so that memory holds a single part. The container is created on first use.
 */
export class BlobDeadLetterSink implements DeadLetterSink {
  constructor(
    private readonly container: ContainerClient,
    private readonly options: { maxPartBytes?: number } = {},
  ) {}

  async write(letters: readonly DeadLetter[], batch: DeadLetterBatch): Promise<string[]> {
    const names: string[] = [];
    const unique = randomUUID();
    let part = 0;
    for (const bytes of deadLetterParts(letters, this.options.maxPartBytes ?? MAX_DEAD_LETTER_PART_BYTES)) {
      const name = deadLetterPartName(batch, ++part, () => unique);
      try {
        await uploadCreatingContainer(this.container, name, bytes, 'application/x-ndjson');
      } catch (error) {
        throw new MrmError(
          kindOf(error) === 'configuration' ? 'configuration' : 'transient',
          'DEADLETTER.NOT_STORED',
          `Dead letters could not be stored in ${this.container.containerName}/${name} (${names.length} of the batch's parts were): ${errorMessage(error)}`,
          { cause: error },
        );
      }
      names.push(`${this.container.containerName}/${name}`);
    }
    return names;
  }
}
