import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { settingSections } from '../../../shared/config/settings.js';
import type { SettingSpec } from '../../../shared/config/setting.js';
import { importGraph } from '../../architecture/importGraph.js';

const REPO = join(import.meta.dirname, '..', '..', '..');
const graph = importGraph(REPO, ['functions', 'shared']);
type Section = keyof typeof settingSections;
const sections = Object.keys(settingSections) as Section[];

/**
 * What a function reads, found in its sources: `settings.<section>.<key>` in its own file and the composition files it
 * reaches (shared/compose, and shared/config helpers handed a section, which read `<section>.<key>`; loadSettings,
 * which validates them all, is left out). Adapters and the domain get values, never settings.
 */
function settingsReadBy(functionFile: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const next of graph.get(file) ?? [])
      if (
        /^shared\/(compose|config)\//.test(next) &&
        !/^shared\/config\/(settings|setting|settingsDocs)\.ts$|sections\//.test(next)
      )
        visit(next);
  };
  visit(functionFile);
  const envs = new Set<string>();
  for (const file of seen) {
    const text = readFileSync(join(REPO, file), 'utf8');
    for (const section of sections) {
      const specs = settingSections[section] as Record<string, SettingSpec<unknown>>;
      const pattern = new RegExp(`\\b(?:settings\\.)?${section}\\.(\\w+)`, 'g');
      for (const match of text.matchAll(pattern)) {
        const spec = specs[match[1]!];
        if (spec) envs.add(spec.env);
      }
    }
  }
  return envs;
}

const functionNames = readdirSync(join(REPO, 'functions'))
  .filter((name) => name.endsWith('.ts'))
  .map((name) => name.replace(/\.ts$/, ''));
const specs = sections.flatMap((section) =>
  Object.values(settingSections[section] as Record<string, SettingSpec<unknown>>),
);

describe('the settings table says which functions read each setting', () => {
  it('finds the settings of every function', () => {
    expect(functionNames.length).toBeGreaterThanOrEqual(5);
    for (const name of functionNames) expect(settingsReadBy(`functions/${name}.ts`).size, name).toBeGreaterThan(0);
  });

  it.each(functionNames)('%s is named by every setting it reads', (name) => {
    const unnamed = [...settingsReadBy(`functions/${name}.ts`)].filter((env) => {
      const spec = specs.find((s) => s.env === env)!;
      return !spec.usedBy.includes('all') && !(spec.usedBy as readonly string[]).includes(name);
    });
    expect(unnamed, `read by ${name} but not listed in its usedBy`).toEqual([]);
  });
});
