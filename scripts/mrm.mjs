#!/usr/bin/env node
// `npm run mrm` runs the built CLI; before a build there is none, and Node's MODULE_NOT_FOUND stack says nothing useful.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli', 'mrm.js');
if (!existsSync(cli)) {
  process.stderr.write('mrm: the CLI is not built yet: run `npm run build` once, then `npm run mrm -- <command>`\n');
  process.exit(1);
}
const run = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(run.status ?? 1);
