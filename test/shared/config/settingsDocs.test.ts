import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allSettingSpecs } from '../../../shared/config/settings.js';
import { localSettingsSample, settingsMarkdownTable } from '../../../shared/config/settingsDocs.js';

// Both files are generated from the declarations (`npm run docs`); these tests fail when a setting is added or changed
// without regenerating them, so docs/settings.md, the sample and the code cannot disagree.
describe('settings documentation', () => {
  const specs = allSettingSpecs();

  it('local.settings.sample.json holds every setting with its default', () => {
    const sample = JSON.parse(readFileSync('local.settings.sample.json', 'utf8')) as unknown;
    expect(sample).toEqual(localSettingsSample(specs));
  });

  it('docs/settings.md shows the settings table of the code', () => {
    const readme = readFileSync('docs/settings.md', 'utf8');
    const table = /<!-- settings:start -->\n([\s\S]*?)\n<!-- settings:end -->/.exec(readme)?.[1];
    expect(
      table,
      'docs/settings.md needs a settings section between <!-- settings:start --> and <!-- settings:end -->',
    ).toBeDefined();
    expect(table).toBe(settingsMarkdownTable(specs));
  });

  it('keeps secrets out of the sample', () => {
    const values = localSettingsSample(specs).Values as Record<string, string>;
    for (const spec of specs.filter((s) => s.secret)) expect(values[spec.env]).toBe('');
  });
});
