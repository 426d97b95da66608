import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { DemoOutput } from './ports.js';

/** The demo's local output folder (./demo-output by default): files a browser or an editor opens directly. */
export function folderOutput(folder: string): DemoOutput {
  const root = resolve(folder);
  let made: Promise<unknown> | undefined;
  return {
    async write(name, content) {
      await (made ??= mkdir(root, { recursive: true }));
      const path = join(root, name);
      await writeFile(path, content);
      return path;
    },
  };
}
