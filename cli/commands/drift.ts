import { Command } from 'commander';

// Placeholder until its issue lands: says so instead of pretending.
export function driftCommand(): Command {
  return new Command('drift').description('(not built yet)').action(() => {
    process.stderr.write('mrm drift: not built yet\n');
    process.exitCode = 2;
  });
}
