import { Command, type Option } from 'commander';
import { baselineCommand } from './commands/baseline.js';
import { scoreCommand } from './commands/score.js';
import { driftCommand } from './commands/drift.js';
import { alertCommand } from './commands/alert.js';
import { sendCommand } from './commands/send.js';
import { demoCommand } from './commands/demo.js';
import { settingsCommand } from './commands/settings.js';
import { captureCommand } from './commands/capture.js';

/** `mrm`: the command-line face of the same use cases the functions run. */
export function mrmProgram(): Command {
  const program = new Command('mrm')
    .description('Model Risk Monitor: baseline, capture, score, drift, alert, send, demo, settings')
    .addCommand(baselineCommand())
    .addCommand(captureCommand())
    .addCommand(scoreCommand())
    .addCommand(driftCommand())
    .addCommand(alertCommand())
    .addCommand(sendCommand())
    .addCommand(demoCommand())
    .addCommand(settingsCommand());
  for (const command of [program, ...program.commands]) {
    command.showHelpAfterError('(add --help for the options)').showSuggestionAfterError();
    unknownOptionsFirst(command);
  }
  return program;
}

/**
 * Commander checks required options before unknown ones, so a mistyped `--inptu` was reported as "required option
 * --input not specified". Required options are checked here instead, after commander has refused unknown options
 * (with its "Did you mean" suggestion), just before the action runs.
 */
function unknownOptionsFirst(command: Command): void {
  const required: Option[] = command.options.filter((o) => o.mandatory);
  if (required.length === 0) return;
  for (const option of required) option.mandatory = false;
  command.hook('preAction', (_self, action) => {
    const values = action.opts();
    for (const option of required) {
      if (values[option.attributeName()] === undefined)
        action.error(`error: required option '${option.flags}' not specified`, {
          code: 'commander.missingMandatoryOptionValue',
        });
    }
  });
}
