#!/usr/bin/env node
import { Command } from 'commander';
import { baselineCommand } from './commands/baseline.js';
import { scoreCommand } from './commands/score.js';
import { driftCommand } from './commands/drift.js';
import { alertCommand } from './commands/alert.js';
import { sendCommand } from './commands/send.js';
import { demoCommand } from './commands/demo.js';
import { settingsCommand } from './commands/settings.js';

/** `mrm`: the command-line face of the same use cases the functions run. */
const program = new Command('mrm')
  .description('Model Risk Monitor: baseline, score, drift, alert, send, demo, settings')
  .showHelpAfterError()
  .addCommand(baselineCommand())
  .addCommand(scoreCommand())
  .addCommand(driftCommand())
  .addCommand(alertCommand())
  .addCommand(sendCommand())
  .addCommand(demoCommand())
  .addCommand(settingsCommand());

program.parseAsync(process.argv).catch((error: unknown) => {
  const code =
    typeof error === 'object' && error && 'code' in error ? ` [${String((error as { code: unknown }).code)}]` : '';
  process.stderr.write(`mrm: ${error instanceof Error ? error.message : String(error)}${code}\n`);
  process.exitCode = 1;
});
