import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A path inside the repository, whether this module runs from its source (tests) or from dist/ (benchmarks). */
export function repoPath(...segments: string[]): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('repoPath: no package.json above this module');
    dir = parent;
  }
  return join(dir, ...segments);
}
