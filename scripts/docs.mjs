#!/usr/bin/env node
// `npm run docs`: regenerates local.settings.sample.json and the settings table in docs/settings.md from the declarations
// (after `npm run build`), so documentation and code cannot disagree. Tests check both are current.
import { readFileSync, writeFileSync } from 'node:fs';
import { allSettingSpecs } from '../dist/shared/config/settings.js';
import { localSettingsSample, settingsMarkdownTable } from '../dist/shared/config/settingsDocs.js';

const specs = allSettingSpecs();
writeFileSync('local.settings.sample.json', `${JSON.stringify(localSettingsSample(specs), null, 2)}\n`);
const readme = readFileSync('docs/settings.md', 'utf8');
const section = /<!-- settings:start -->\n[\s\S]*?\n<!-- settings:end -->/;
if (!section.test(readme)) {
  process.stderr.write('docs/settings.md has no <!-- settings:start --> ... <!-- settings:end --> section\n');
  process.exit(1);
}
writeFileSync(
  'docs/settings.md',
  readme.replace(section, () => `<!-- settings:start -->\n${settingsMarkdownTable(specs)}\n<!-- settings:end -->`),
);
process.stdout.write(`Documented ${specs.length} settings in docs/settings.md and local.settings.sample.json\n`);
