import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CaptureStore, StoredBlob } from '../capture/ports.js';

/** Bytes read at a time. */
const READ_CHUNK_IN_BYTES = 1024 * 1024;

/**
 * Capture files copied to a local folder (e.g. with `azcopy`), laid out like the container: the blob name is the
 * path under the folder with `/` separators. The ETag stand-in is size and modification time.
 */
export class LocalCaptureStore implements CaptureStore {
  readonly description: string;

  constructor(private readonly root: string) {
    this.description = `folder ${root}`;
  }

  async *listBlobs(prefix: string): AsyncIterable<StoredBlob> {
    const slash = prefix.lastIndexOf('/');
    const directory = slash < 0 ? '' : prefix.slice(0, slash + 1);
    const names: string[] = [];
    await this.walk(directory, prefix, names);
    names.sort();
    for (const name of names) {
      const info = await stat(this.pathOf(name));
      yield { name, etag: `"${info.size}-${Math.trunc(info.mtimeMs)}"`, sizeInBytes: info.size };
    }
  }

  async *listPrefixes(prefix: string): AsyncIterable<string> {
    const slash = prefix.lastIndexOf('/');
    const directory = slash < 0 ? '' : prefix.slice(0, slash + 1);
    const partial = prefix.slice(directory.length);
    const entries = await this.entries(directory);
    for (const entry of entries) {
      if (entry.isDirectory() && entry.name.startsWith(partial)) yield `${directory}${entry.name}/`;
    }
  }

  /**
   * Every chunk is read into the same buffer (valid until the next is asked for, as CaptureStore.read allows): a
   * fresh megabyte per read, as a read stream allocates, is memory the kernel must map and zero each time, which cost
   * the fold about twice the CPU of the reads themselves.
   */
  async *read(blob: StoredBlob): AsyncIterable<Uint8Array> {
    const file = await open(this.pathOf(blob.name), 'r');
    try {
      const buffer = Buffer.allocUnsafeSlow(READ_CHUNK_IN_BYTES);
      for (;;) {
        const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) return;
        yield buffer.subarray(0, bytesRead);
      }
    } finally {
      await file.close();
    }
  }

  private pathOf(name: string): string {
    return join(this.root, ...name.split('/'));
  }

  private async entries(directory: string) {
    try {
      const entries = await readdir(directory === '' ? this.root : this.pathOf(directory.slice(0, -1)), {
        withFileTypes: true,
      });
      return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR')
        return [];
      throw error;
    }
  }

  private async walk(directory: string, prefix: string, out: string[]): Promise<void> {
    for (const entry of await this.entries(directory)) {
      const name = `${directory}${entry.name}`;
      if (entry.isDirectory()) {
        const asDirectory = `${name}/`;
        // Descend only where names can still start with the prefix.
        if (asDirectory.startsWith(prefix) || prefix.startsWith(asDirectory)) await this.walk(asDirectory, prefix, out);
      } else if (entry.isFile() && name.startsWith(prefix)) {
        out.push(name);
      }
    }
  }
}
