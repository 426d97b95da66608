import { Command } from 'commander';

// Placeholder until its issue lands: says so instead of pretending.
export function baselineCommand(): Command {
  return new Command('baseline').description('(not built yet)').action(() => {
    process.stderr.write('mrm baseline: not built yet\n');
    process.exitCode = 2;
  });
}
