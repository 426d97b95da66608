import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import monitoring from '../../shared/config/monitoring.json' with { type: 'json' };
import { REPO_ROOT } from './bicepProgram.js';

/** `count('<key>'` and `observe('<key>'` calls in the app's own source (functions/ and shared/, tests excluded). */
export function emittedMetricKeys(): Set<string> {
  const keys = new Set<string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) {
        for (const match of readFileSync(full, 'utf8').matchAll(/\b(?:count|observe)\(\s*['"]([A-Za-z]+)['"]/g))
          keys.add(match[1]!);
      }
    }
  };
  for (const dir of ['functions', 'shared']) walk(join(REPO_ROOT, dir));
  return keys;
}

/** The metric names (mrm_…) the code emits. */
export function emittedMetricNames(): Set<string> {
  const metrics = monitoring.metrics as Record<string, string>;
  return new Set([...emittedMetricKeys()].map((key) => metrics[key]!).filter(Boolean));
}
