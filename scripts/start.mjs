#!/usr/bin/env node
// `npm start`: after the build, start Azurite on its usual ports and run the Functions host with `func start`.
// Core Tools is a separate install (it downloads a native host); without it this explains what to install and stops.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const func = spawnSync(process.platform === 'win32' ? 'func.cmd' : 'func', ['--version'], { encoding: 'utf8' });
if (func.error || func.status !== 0) {
  process.stderr.write(
    [
      'npm start needs Azure Functions Core Tools 4 (the `func` command), which is not installed.',
      'Install it from https://learn.microsoft.com/azure/azure-functions/functions-run-local (for example',
      '`npm install -g azure-functions-core-tools@4` where downloads are allowed, `brew install azure-functions-core-tools@4`',
      'or `winget install Microsoft.Azure.FunctionsCoreTools`), copy local.settings.sample.json to local.settings.json,',
      'and start the Event Hubs emulator with `ACCEPT_EULA=Y docker compose up -d` (Y accepts the emulator licence;',
      'see docs/emulators.md).',
      'To see the whole loop without Core Tools, Docker or Azure, run `npm run demo` instead.',
      '',
    ].join('\n'),
  );
  process.exit(1);
}
if (!existsSync('local.settings.json')) {
  process.stderr.write(
    'local.settings.json is missing: copy local.settings.sample.json to local.settings.json first (it is never committed).\n',
  );
  process.exit(1);
}

const require = createRequire(import.meta.url);
const azuriteMain = join(dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'azurite.js');
// The standard ports, so `UseDevelopmentStorage=true` in local.settings.json reaches it.
const azurite = spawn(
  process.execPath,
  [azuriteMain, '--silent', '--skipApiVersionCheck', '--disableTelemetry', '--location', '.azurite'],
  {
    stdio: 'inherit',
  },
);
const host = spawn('func', ['start'], { stdio: 'inherit' });
const stop = () => {
  host.kill('SIGINT');
  azurite.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
host.on('exit', (code) => {
  azurite.kill('SIGTERM');
  process.exit(code ?? 0);
});
